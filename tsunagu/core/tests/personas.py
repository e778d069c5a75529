"""The personas every access test is written around (docs/style.md §8).

- ``desk``: 窓口相談員 of the central desk (ぷらっとホーム世田谷)
- ``lead_worker``: 相談支援員 of メルクマールせたがや, the lead agency of ``world.case``
- ``supervisor``: スーパーバイザー of メルクマールせたがや
- ``outsider``: 相談支援員 of an unrelated agency (あんしんすこやかセンター経堂): "should have no access"
- ``secretariat``, ``partner``, ``admin_user``: roles with no personal data in this slice
- anonymous: the Django test client without login
"""

import datetime as dt
from dataclasses import dataclass

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from tsunagu.agencies.models import Agency, Membership, Role
from tsunagu.assessments.models import Assessment
from tsunagu.assessments.services import assessment_create, current_instrument
from tsunagu.cases.models import Case, SharingBasis
from tsunagu.cases.services import case_open
from tsunagu.intake.models import Consultation
from tsunagu.intake.tests.factories import consultation_make
from tsunagu.people.models import Household, Person
from tsunagu.people.tests.factories import household_make, person_make
from tsunagu.plans.models import SupportPlan
from tsunagu.plans.services import GoalData, plan_create
from tsunagu.records.models import ProgressRecord
from tsunagu.records.services import RecordData, record_create

PASSWORD = "a-long-test-password-42"

PERSONAS = {
    "desk": ("link", Role.DESK),
    "lead_worker": ("merkmal", Role.CASEWORKER),
    "supervisor": ("merkmal", Role.SUPERVISOR),
    "outsider": ("anshin-kyodo", Role.CASEWORKER),
    "secretariat": ("ward-seikatsu-fukushi", Role.SECRETARIAT),
    "partner": ("kyoiku-iinkai", Role.PARTNER),
    "admin_user": ("ward-seikatsu-fukushi", Role.ADMIN),
}


def make_user(
    username: str, agency_code: str | None = None, role: str | None = None, *, enrolled: bool = True, **extra
):
    """A user with the test password and, unless ``enrolled=False``, an authenticator app (every
    staff account has a second factor after its first sign-in)."""
    user = get_user_model().objects.create_user(username=username, password=PASSWORD, **extra)
    if enrolled:
        app_of(user)
    if agency_code:
        Membership.objects.create(user=user, agency=Agency.objects.get(code=agency_code), role=role)
    return user


@pytest.fixture
def users(reference):
    return {name: make_user(name, code, role) for name, (code, role) in PERSONAS.items()}


@pytest.fixture
def desk(users):
    return users["desk"]


@pytest.fixture
def lead_worker(users):
    return users["lead_worker"]


@pytest.fixture
def outsider(users):
    return users["outsider"]


def app_of(user):
    """The user's authenticator app (a confirmed TOTP device), made when missing."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()
    return device or TOTPDevice.objects.create(user=user, name="test", confirmed=True)


def second_factor_mark(client: Client, user) -> None:
    """Mark the client's signed-in session as past its second factor, as the step does after a
    right code (the tests of the step itself type codes: work/tests/test_mfa.py). Tests sign in
    far more often than a code's 30 seconds allow, and each code passes once."""
    from django_otp import DEVICE_ID_SESSION_KEY

    session = client.session
    session[DEVICE_ID_SESSION_KEY] = app_of(user).persistent_id
    session.save()


def code_for(user) -> str:
    """The code the user's authenticator app shows now (one not yet spent)."""
    from tsunagu.core.mfa import current_code

    return current_code(app_of(user))


def client_for(user, *, second_factor: bool = True) -> Client:
    """A client signed in as ``user``, past the second factor unless ``second_factor=False``
    (a password-only session)."""
    client = Client()
    if user is not None:
        client.force_login(user)
        if second_factor:
            second_factor_mark(client, user)
    return client


def sign_in(client: Client, username: str, password: str) -> bool:
    """Sign in through the login form, as a person does (what ``client.login`` did before the
    lockout, whose backend needs the request), then pass the second factor. True when the form
    let the user in."""
    response = client.post(reverse("login"), {"username": username, "password": password})
    if not (response.status_code == 302 and "_auth_user_id" in client.session):
        return False
    second_factor_mark(client, get_user_model().objects.get(username=username))
    return True


@dataclass
class World:
    household: Household
    person: Person
    case: Case
    consultation: Consultation
    other_household: Household
    other_person: Person
    other_case: Case
    waiting: Consultation
    record: ProgressRecord
    assessment: Assessment
    plan: SupportPlan


@pytest.fixture
def world(users) -> World:
    """Two households with a case each (led by メルクマール and by ぷらっとホーム) and one
    consultation still waiting in the desk queue."""
    desk = users["desk"]
    household = household_make(label="池尻の山田さん宅", district_code="ikejiri")
    person = person_make(
        household,
        family_name="山田",
        given_name="太郎",
        family_name_kana="ヤマダ",
        given_name_kana="タロウ",
        birth_date="1990-05-10",
        is_concerned=True,
    )
    case = case_open(
        user=desk, household=household, lead=Agency.objects.get(code="merkmal"), sharing_basis=SharingBasis.CONSENT
    )
    consultation = consultation_make(case=case, household=household, person=person, triaged_by=desk)
    other_household = household_make(label="成城の髙橋さん宅", district_code="seijo")
    other_person = person_make(
        other_household,
        family_name="髙橋",
        given_name="花子",
        family_name_kana="タカハシ",
        given_name_kana="ハナコ",
        birth_date="1975-01-20",
    )
    other_case = case_open(
        user=desk, household=other_household, lead=Agency.objects.get(code="link"), sharing_basis=SharingBasis.CONSENT
    )
    waiting = consultation_make(summary="母親から、息子のことで電話。")
    record, _created = record_create(
        user=users["lead_worker"],
        case=case,
        key=None,
        data=RecordData(
            **{
                "occurred_on": dt.date(2026, 11, 20),
                "method": "home_visit",
                "reached": False,
                "persons": [person],
                "summary": "訪問したが応答なし。手紙を置いてきた。",
                "next_action": "電話",
                "next_action_on": None,
            }
        ),
    )
    assessment, _created = assessment_create(
        user=users["lead_worker"],
        case=case,
        person=person,
        instrument=current_instrument("person"),
        assessed_on=dt.date(2026, 11, 20),
        answers={"going_out": "7"},
        status="draft",
        key=None,
    )
    plan, _created = plan_create(
        user=users["lead_worker"],
        case=case,
        review_on=dt.date(2027, 2, 28),
        goals=(GoalData(target="person", person=person, text="居場所に通う", action="", owner=None, due_on=None),),
        key=None,
    )
    return World(
        household,
        person,
        case,
        consultation,
        other_household,
        other_person,
        other_case,
        waiting,
        record,
        assessment,
        plan,
    )

"""A person's disclosure (issue 11 item 6, decision 0030): only the central desk's supervisors
prepare it, after recording the written request; it lists exactly the person's own data and the
access events naming them, never another member's; each preparation is recorded once."""

import csv
import datetime as dt
import io
import zipfile

import pytest
import time_machine
from django.urls import reverse

from tsunagu.agencies.models import Agency, Role
from tsunagu.audit.models import AccessEvent, Action
from tsunagu.cases.models import Consent
from tsunagu.core.tests.personas import client_for, make_user
from tsunagu.intake.tests.factories import consultation_make
from tsunagu.people.tests.factories import household_make, person_make
from tsunagu.records.services import RecordData, record_create
from tsunagu.referrals.services import referral_send

NOW = dt.datetime(2026, 11, 27, 3, 0, tzinfo=dt.UTC)  # Friday 12:00 in Tokyo
TOKYO = dt.timezone(dt.timedelta(hours=9))
REQUEST = {
    "received_on": "令和8年11月25日",
    "requester": "person",
    "identity_check": "運転免許証で確認",
    "reference": "開示-2026-017",
}


@pytest.fixture(autouse=True)
def clock():
    """Everything, the world included, is built on a fixed day."""
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def chief(reference):
    """A supervisor of the central desk (ぷらっとホーム世田谷): the network's privacy contact."""
    return make_user("desk_chief", "link", Role.SUPERVISOR, last_name="窓口", first_name="統括")


def url(person):
    return reverse("disclosure:person", kwargs={"pk": person.pk})


def prepared(user, person, **extra):
    return client_for(user).post(url(person), {**REQUEST, **extra})


def disclosure_events():
    return list(AccessEvent.objects.filter(object_type="disclosure"))


def section(response, key):
    return next(s for s in response.context["sections"] if s.key == key)


def event(user, at, *, persons, object_type, action=Action.VIEW, basis="team"):
    with time_machine.travel(at, tick=False):
        return AccessEvent.objects.create(
            user=user,
            username=user.username if user else "",
            action=action,
            object_type=object_type,
            person_ids=list(persons),
            basis=basis,
        )


@pytest.fixture
def sibling(world, users):
    """A second person in the same household with their own consultation, record and referral."""
    second = person_make(world.household, family_name="山田", given_name="次郎", relation="father", approx_decade=60)
    consultation_make(household=world.household, person=second, summary="次郎さん本人からの相談")
    record_create(
        user=users["lead_worker"],
        case=world.case,
        key=None,
        data=RecordData(
            occurred_on=dt.date(2026, 11, 21),
            method="phone",
            reached=True,
            persons=[second],
            summary="次郎さんだけの記録",
            next_action="",
            next_action_on=None,
        ),
    )
    merkmal, anshin = Agency.objects.get(code="merkmal"), Agency.objects.get(code="anshin-kyodo")
    for who, reason in ((world.person, "本人の就労の相談"), (second, "次郎さんの介護の相談")):
        referral_send(
            user=users["lead_worker"],
            case=world.case,
            from_agency=merkmal,
            to_agency=anshin if who == world.person else Agency.objects.get(code="kyoiku-iinkai"),
            person=who,
            reason=reason,
            summary="概要",
            basis="meeting_art9",
        )
    consent = Consent.objects.create(
        person=world.person, purpose="支援のための情報共有", method="written", given_on=dt.date(2026, 10, 1)
    )
    consent.agencies.add(merkmal)
    Consent.objects.create(person=second, purpose="次郎さんの同意", method="oral", given_on=dt.date(2026, 10, 2))
    return second


@pytest.mark.django_db
@pytest.mark.parametrize(
    "persona", ["desk", "lead_worker", "supervisor", "outsider", "secretariat", "partner", "admin_user"]
)
def test_only_a_supervisor_of_the_central_desk_may_prepare_it(world, users, persona):
    lonely = person_make(household_make(label="ケースのない世帯"), family_name="孤独")
    client = client_for(users[persona])
    for person in (world.person, lonely):
        assert client.get(url(person)).status_code == 404
        assert client.post(url(person), REQUEST).status_code == 404
    assert disclosure_events() == []


@pytest.mark.django_db
def test_the_desk_supervisor_prepares_it_also_for_a_person_of_no_case_and_a_missing_one_is_404(chief):
    lonely = person_make(household_make(label="ケースのない世帯"), family_name="孤独")
    assert client_for(chief).get(url(lonely)).status_code == 200
    response = prepared(chief, lonely)
    assert response.status_code == 200
    assert "孤独" in response.content.decode()
    missing = client_for(chief).post(reverse("disclosure:person", kwargs={"pk": 999999}), REQUEST)
    assert missing.status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize("missing", list(REQUEST))
def test_the_form_refuses_a_missing_request_detail_and_shows_nothing(world, chief, missing):
    response = prepared(chief, world.person, **{missing: ""})
    assert response.status_code == 200
    assert list(response.context["form"].errors) == [missing]
    page = response.content.decode()
    assert f'id="field-{missing}"' in page and "has-error" in page
    assert "太郎" not in page and "sections" not in response.context
    assert disclosure_events() == []


@pytest.mark.django_db
def test_the_document_lists_exactly_the_persons_data_and_not_the_other_members(world, chief, sibling):
    response = prepared(chief, world.person)
    assert response.status_code == 200
    page = response.content.decode()
    person = dict(section(response, "01_person").rows)
    assert person["姓"] == "山田" and person["名"] == "太郎"
    assert person["生年月日"] == "平成2年5月10日"
    assert person["住所"] == world.household.address
    # The other member: relation and approximate age only, never the name.
    assert section(response, "02_household").rows == [["父", "60代"]]
    assert "次郎" not in page
    assert [r[0] for r in section(response, "03_consultations").rows] == [world.consultation.reference_code]
    cases = section(response, "04_cases").rows
    assert {r[0] for r in cases} == {world.case.number}
    assert [r[4] for r in cases] == ["メルクマールせたがや"] and cases[0][8] == "本人（または家族）の同意"
    assert section(response, "05_records").rows == [
        ["令和8年11月20日", world.case.number, "訪問", "いいえ", world.record.summary]
    ]
    (assessment,) = section(response, "06_assessments").rows
    assert assessment[1] == "令和8年11月20日" and "外出の状況：自室からは出るが、家からは出ない" in assessment[4]
    assert [r[3] for r in section(response, "07_plans").rows] == ["居場所に通う"]
    (referral,) = section(response, "08_referrals").rows
    assert (
        referral[2:4] == ["メルクマールせたがや", "あんしんすこやかセンター経堂"] and referral[6] == "本人の就労の相談"
    )
    (consent,) = section(response, "09_consents").rows
    assert consent[:3] == ["令和8年10月1日", "メルクマールせたがや", "支援のための情報共有"]


@pytest.mark.django_db
def test_the_disclosure_export_gives_exactly_the_constructed_events(world, users, chief, sibling):
    person, other = world.person, sibling
    constructed = [
        event(
            users["lead_worker"],
            dt.datetime(2026, 11, 26, 10, tzinfo=TOKYO),
            persons=[person.pk],
            object_type="probe-a",
        ),
        event(
            users["desk"],
            dt.datetime(2026, 11, 26, 11, tzinfo=TOKYO),
            persons=[other.pk, person.pk],
            object_type="probe-b",
            basis="desk",
        ),
        event(
            users["outsider"],
            dt.datetime(2026, 11, 25, 9, tzinfo=TOKYO),
            persons=[person.pk],
            object_type="probe-c",
            basis="emergency",
        ),
    ]
    event(users["lead_worker"], dt.datetime(2026, 11, 26, 12, tzinfo=TOKYO), persons=[other.pk], object_type="probe-x")
    event(
        users["lead_worker"],
        dt.datetime(2026, 11, 26, 12, tzinfo=TOKYO),
        persons=[person.pk * 10 + 1],
        object_type="probe-y",
    )
    expected = sorted(
        (e for e in AccessEvent.objects.all() if person.pk in e.person_ids), key=lambda e: (e.at, e.pk), reverse=True
    )
    assert {e.pk for e in constructed} <= {e.pk for e in expected}
    expected_types = [e.object_type for e in expected]

    document = prepared(chief, person)
    rows = section(document, "10_access").rows
    assert [r[3] for r in rows] == expected_types
    probe_b = rows[expected_types.index("probe-b")]
    assert probe_b == ["令和8年11月26日 11:00", "ぷらっとホーム世田谷（窓口相談員）", "閲覧", "probe-b", "desk"]

    export = prepared(chief, person, export="1")
    assert export["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(export.content))
    text = archive.read("10_access.csv").decode("utf-8")
    assert text.startswith("\ufeff")
    exported = list(csv.reader(io.StringIO(text[1:])))[1:]
    # The export lists what came before it: the constructed events and the document's preparation.
    assert [r[3] for r in exported] == ["disclosure", *expected_types]
    assert exported[1:] == rows
    assert "probe-x" not in text and "probe-y" not in text
    request = dict(list(csv.reader(io.StringIO(archive.read("00_request.csv").decode("utf-8")[1:])))[1:])
    assert request["請求書の番号"] == "開示-2026-017"


@pytest.mark.django_db
def test_each_preparation_is_recorded_once(world, chief):
    prepared(chief, world.person)
    prepared(chief, world.person, export="1")
    events = sorted(disclosure_events(), key=lambda e: e.pk)
    assert len(events) == 2
    for e in events:
        assert (e.action, e.person_ids, e.object_ids, e.username) == (
            Action.EXPORT,
            [world.person.pk],
            [world.person.pk],
            "desk_chief",
        )
        assert "request=開示-2026-017" in e.reason and "requester=person" in e.reason
    assert events[0].reason.startswith("disclosure document") and events[1].reason.startswith("disclosure file")
    client_for(chief).get(url(world.person))  # the empty form records nothing
    assert len(disclosure_events()) == 2


@pytest.mark.django_db
def test_a_hostile_name_is_escaped(chief):
    person = person_make(household_make(label="<b>宅</b>"), family_name="<script>alert(1)</script>", given_name="=1+2")
    response = prepared(chief, person)
    page = response.content.decode()
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<b>宅</b>" not in page
    archive = zipfile.ZipFile(io.BytesIO(prepared(chief, person, export="1").content))
    assert "'=1+2" in archive.read("01_person.csv").decode("utf-8")


@pytest.mark.django_db
def test_the_person_page_links_to_it_for_the_desk_supervisors_only(world, users, chief):
    link = url(world.other_person)
    page = client_for(chief).get(reverse("people:person_detail", kwargs={"pk": world.other_person.pk}))
    assert page.status_code == 200 and link in page.content.decode()
    desk_page = client_for(users["desk"]).get(reverse("people:person_detail", kwargs={"pk": world.other_person.pk}))
    assert desk_page.status_code == 200 and link not in desk_page.content.decode()

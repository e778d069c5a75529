"""The retention job (decision 0031): exactly what expired is anonymised, nothing on hold, nothing
of a household with a live case; statistics stay true; a dry run and a second run change nothing."""

import datetime as dt
from collections import Counter

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.urls import reverse

from tsunagu.agencies.models import Agency, Role
from tsunagu.assessments.models import Assessment
from tsunagu.audit.models import AccessEvent
from tsunagu.cases.models import Case, CaseAgency, Consent, RetentionHold, SharingBasis, TimelineEntry
from tsunagu.cases.services import case_change_status, case_open
from tsunagu.cases.services.retention_hold import hold_lift, hold_place
from tsunagu.core.tests.personas import client_for, make_user
from tsunagu.intake.models import Consultation
from tsunagu.intake.tests.factories import consultation_make
from tsunagu.lib.ages import age_on, band_of
from tsunagu.people.models import Household, Person, PersonNameKey
from tsunagu.people.selectors import person_search
from tsunagu.people.tests.factories import household_make, person_make
from tsunagu.records.models import ProgressRecord
from tsunagu.records.services import RecordData, record_create
from tsunagu.work.models import RetentionRun
from tsunagu.work.retention import run

JST = dt.timezone(dt.timedelta(hours=9))
OPENED = dt.datetime(2019, 4, 1, 10, 0, tzinfo=JST)
LONG_AGO = dt.datetime(2021, 3, 1, 10, 0, tzinfo=JST)  # 5 years and 3 months before NOW: expired
RECENTLY = dt.datetime(2022, 6, 1, 10, 0, tzinfo=JST)  # 4 years before NOW: kept
NOW = dt.datetime(2026, 6, 1, 3, 0, tzinfo=JST)

DATA_MODELS = (
    Household,
    Person,
    PersonNameKey,
    Case,
    CaseAgency,
    Consent,
    TimelineEntry,
    Consultation,
    ProgressRecord,
    Assessment,
    RetentionHold,
)


def dump() -> dict[str, list[dict]]:
    return {model.__name__: list(model.objects.order_by("pk").values()) for model in DATA_MODELS}


def statistics() -> Counter:
    """What the council counts (docs/domain.md §3): cases by year, status and outcome;
    consultations by year and route; concerned persons by sex, age band at opening and district."""
    counts: Counter = Counter()
    for case in Case.objects.all():
        counts[("case", case.opened_at.year, case.status, case.closure_reason)] += 1
        counts[("closed", case.closed_at.year if case.closed_at else None)] += 1
        for person in Person.objects.filter(household=case.household_id, is_concerned=True):
            age = age_on(person.birth_date, case.opened_at.astimezone(JST).date()) if person.birth_date else None
            age = person.retained_age if age is None else age
            counts[("person", person.sex, band_of(age) if age is not None else None, case.household.district_id)] += 1
    for c in Consultation.objects.all():
        counts[("consultation", c.received_at.year, c.channel, c.contact_type, c.main_concern, c.screening)] += 1
    for record in ProgressRecord.objects.all():
        counts[("record", record.occurred_on.year, record.method, record.reached)] += 1
    return counts


def make_case(users, name: str, kana: str, *, district: str, closed_at=None, household=None):
    desk = users["desk"]
    with time_machine.travel(OPENED, tick=False):
        if household is None:
            household = household_make(label=f"{name}さん宅", district_code=district, address="世田谷区1-2-3")
        person = person_make(
            household,
            family_name=name,
            given_name="太郎",
            family_name_kana=kana,
            given_name_kana="タロウ",
            birth_date="1980-09-15",
            is_concerned=True,
            sex="male",
            phone="03-1234-5678",
        )
        case = case_open(
            user=desk, household=household, lead=Agency.objects.get(code="merkmal"), sharing_basis=SharingBasis.CONSENT
        )
        consultation_make(case=case, household=household, person=person, triaged_by=desk, contact_name=f"{name}花子")
        record_create(
            user=users["lead_worker"],
            case=case,
            key=None,
            data=RecordData(
                occurred_on=OPENED.date(),
                method="home_visit",
                reached=True,
                persons=[person],
                summary=f"{name}さん宅を訪問。",
                next_action="電話",
                next_action_on=None,
            ),
        )
    if closed_at is not None:
        with time_machine.travel(closed_at, tick=False):
            case = case_change_status(
                user=desk, case=case, expected_version=case.version, status="closed", closure_reason="social"
            )
    return case, person


@pytest.fixture
def cases(users):
    made = {
        "expired": make_case(users, "山田", "ヤマダ", district="ikejiri", closed_at=LONG_AGO),
        "recent": make_case(users, "佐藤", "サトウ", district="seijo", closed_at=RECENTLY),
        "open": make_case(users, "鈴木", "スズキ", district="seijo"),
        "held": make_case(users, "田中", "タナカ", district="ikejiri", closed_at=LONG_AGO),
        "live_household": make_case(users, "伊藤", "イトウ", district="ikejiri", closed_at=LONG_AGO),
    }
    # The same household has a second case, still open: nothing of it is touched.
    make_case(users, "伊藤", "イトウ", district="ikejiri", household=made["live_household"][0].household)
    with time_machine.travel(OPENED, tick=False):
        made["old_consultation"] = consultation_make(contact_name="渡辺一郎", summary="渡辺さんから電話。")
    with time_machine.travel(RECENTLY, tick=False):
        made["new_consultation"] = consultation_make(contact_name="中村一郎", summary="中村さんから電話。")
        hold_place(user=users["supervisor"], case=made["held"][0], reason="訴訟の可能性があるため")
    return made


def rows_of_household(household_id: int) -> dict[str, list[dict]]:
    person_ids = set(Person.objects.filter(household=household_id).values_list("pk", flat=True))
    case_ids = set(Case.objects.filter(household=household_id).values_list("pk", flat=True))
    return {
        "household": list(Household.objects.filter(pk=household_id).values()),
        "persons": list(Person.objects.filter(pk__in=person_ids).order_by("pk").values()),
        "keys": list(PersonNameKey.objects.filter(person__in=person_ids).order_by("pk").values()),
        "cases": list(Case.objects.filter(pk__in=case_ids).order_by("pk").values()),
        "consultations": list(Consultation.objects.filter(case__in=case_ids).order_by("pk").values()),
        "records": list(ProgressRecord.objects.filter(case__in=case_ids).order_by("pk").values()),
        "timeline": list(TimelineEntry.objects.filter(case__in=case_ids).order_by("pk").values()),
    }


@pytest.mark.django_db
def test_retention_removes_exactly_what_expired_and_nothing_on_hold(cases, users):
    expired_case, expired_person = cases["expired"]
    kept = {
        name: rows_of_household(cases[name][0].household_id) for name in ("recent", "open", "held", "live_household")
    }
    new_consultation = Consultation.objects.filter(pk=cases["new_consultation"].pk).values().get()
    before = statistics()
    assert person_search(user=users["desk"], q="ヤマダ").persons

    report = run(apply=True, now=NOW)

    assert report.applied
    assert report.case_ids == [expired_case.pk]
    assert report.consultation_ids == [cases["old_consultation"].pk]
    assert report.held_case_ids == [cases["held"][0].pk]
    assert report.counts["kept_with_household"] == 1
    assert report.counts["name_keys"] > 0
    # Nothing of a case closed 4 years ago, an open case, a case on hold, a household with a live case.
    for name, rows in kept.items():
        assert rows_of_household(cases[name][0].household_id) == rows, name
    assert Consultation.objects.filter(pk=cases["new_consultation"].pk).values().get() == new_consultation
    # The expired case: personal data gone, the rows that statistics count kept.
    person = Person.objects.get(pk=expired_person.pk)
    assert (person.family_name, person.given_name, person.family_name_kana, person.phone) == ("", "", "", "")
    assert person.birth_date is None and person.retained_age == 38
    assert (person.sex, person.is_concerned) == ("male", True)
    household = Household.objects.get(pk=expired_case.household_id)
    assert (household.label, household.address) == ("", "") and household.district is not None
    assert not PersonNameKey.objects.filter(person=person).exists()
    case = Case.objects.get(pk=expired_case.pk)
    assert case.anonymised_at == NOW and case.status == "closed" and case.closure_reason == "social"
    marker = "（保存期間を過ぎたため削除されました）"
    assert set(ProgressRecord.objects.filter(case=case).values_list("summary", flat=True)) == {marker}
    consultation = Consultation.objects.get(case=case)
    assert (consultation.summary, consultation.contact_name) == (marker, "")
    assert set(TimelineEntry.objects.filter(case=case).values_list("summary", flat=True)) == {marker}
    old = Consultation.objects.get(pk=cases["old_consultation"].pk)
    assert (old.summary, old.contact_name, old.channel) == (marker, "", "phone")
    # Counts by the statistics' dimensions are the same; the name search no longer finds them.
    assert statistics() == before
    assert not person_search(user=users["desk"], q="ヤマダ").persons
    assert not person_search(user=users["desk"], q="山田").persons


@pytest.mark.django_db
def test_dry_run_writes_nothing_but_the_report(cases):
    before = dump()

    report = run(apply=False, now=NOW)

    assert dump() == before
    assert not report.applied
    assert report.case_ids == [cases["expired"][0].pk]
    assert report.counts["persons"] == 1 and report.counts["cases"] == 1
    assert RetentionRun.objects.count() == 1


@pytest.mark.django_db
def test_running_twice_changes_nothing_the_second_time(cases):
    run(apply=True, now=NOW)
    after_first = dump()

    second = run(apply=True, now=NOW + dt.timedelta(days=1))

    assert dump() == after_first
    assert second.case_ids == [] and second.consultation_ids == []
    assert {k: v for k, v in second.counts.items() if v and k not in ("held_cases", "kept_with_household")} == {}


@pytest.mark.django_db
def test_hold_placing_and_lifting_are_recorded_and_lifting_lets_the_job_run(cases, users):
    held_case = cases["held"][0]
    hold = RetentionHold.objects.get(case=held_case)
    placed = AccessEvent.objects.get(object_type="retention_hold", action="create")
    assert (placed.user, placed.case_id, placed.object_ids) == (users["supervisor"], held_case.pk, [hold.pk])
    with pytest.raises(PermissionDenied):
        hold_lift(user=users["lead_worker"], hold=hold)
    with pytest.raises(PermissionDenied):
        hold_place(user=users["outsider"], case=held_case, reason="理由")

    with time_machine.travel(NOW, tick=False):
        hold_lift(user=users["supervisor"], hold=hold)

    lifted = AccessEvent.objects.get(object_type="retention_hold", action="update")
    assert (lifted.user, lifted.case_id) == (users["supervisor"], held_case.pk)
    assert RetentionHold.objects.get(pk=hold.pk).lifted_by == users["supervisor"]
    report = run(apply=True, now=NOW)
    assert held_case.pk in report.case_ids and report.held_case_ids == []


@pytest.mark.django_db
def test_the_command_is_a_dry_run_without_apply(cases, capsys):
    with time_machine.travel(NOW, tick=False):
        call_command("retention")
    out = capsys.readouterr().out
    assert "試行" in out and f"{cases['expired'][0].pk}" in out
    assert Case.objects.get(pk=cases["expired"][0].pk).anonymised_at is None
    assert RetentionRun.objects.get().applied is False


@pytest.mark.django_db
def test_a_supervisor_places_and_lifts_a_hold_on_the_case_page(cases, users):
    case = cases["expired"][0]
    url = reverse("cases:retention_hold", args=[case.pk])
    boss = client_for(users["supervisor"])
    with time_machine.travel(NOW, tick=False):
        assert "保存の指示" in boss.get(reverse("cases:detail", args=[case.pk])).content.decode()
        empty = boss.post(url, {"reason": "  "})
        assert empty.status_code == 400 and not RetentionHold.objects.filter(case=case).exists()
        assert boss.post(url, {"reason": "情報公開請求への対応中"}).status_code == 302
        again = boss.post(url, {"reason": "二度目"})
        assert again.status_code == 400 and "すでに保存の指示があります" in again.content.decode()
        hold = RetentionHold.objects.get(case=case)
        assert run(apply=True, now=NOW).held_case_ids == sorted([case.pk, cases["held"][0].pk])
        assert boss.post(reverse("cases:retention_hold_lift", args=[case.pk, hold.pk])).status_code == 302
        assert RetentionHold.objects.get(pk=hold.pk).lifted_by == users["supervisor"]


@pytest.mark.django_db
def test_only_a_supervisor_of_the_lead_agency_or_the_central_desk_opens_the_hold_page(cases, users, reference):
    case = cases["expired"][0]
    url = reverse("cases:retention_hold", args=[case.pk])
    other_boss = make_user("other_boss", "anshin-kyodo", Role.SUPERVISOR)
    assert client_for(users["lead_worker"]).get(url).status_code == 404  # an object page a role may not use
    assert client_for(other_boss).get(url).status_code == 404
    hold = RetentionHold.objects.get(case=cases["held"][0])
    lift = reverse("cases:retention_hold_lift", args=[cases["held"][0].pk, hold.pk])
    assert client_for(other_boss).post(lift).status_code == 404
    assert RetentionHold.objects.get(pk=hold.pk).lifted_at is None

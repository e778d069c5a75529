"""The desk's and the cases' indicators for a constructed population with known answers.

Fiscal year 2026 (2026-04-01 … 2027-03-31), computed on 2027-06-15 with as_of = 2027-03-31. Items
sit on both sides of the fiscal-year boundary (2027-03-31 23:30 and 2027-04-01 00:10 Tokyo, and
2026-03-31 23:30 / 2026-04-01 00:10), and three consultations on the weekend of 成人の日
(Monday 2027-01-11) test the one-business-day rule.
"""

import datetime as dt
from contextlib import contextmanager
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine

from tsunagu.agencies.models import Agency, Area, District
from tsunagu.cases.models import Case, CaseStatus, ClosureReason, SharingBasis
from tsunagu.cases.services import case_change_status, case_open, lead_handoff
from tsunagu.intake.models import Channel, Consultation, ContactType
from tsunagu.intake.tests.factories import consultation_make
from tsunagu.people.models import Person
from tsunagu.people.tests.factories import household_make, person_make
from tsunagu.records.models import ProgressRecord
from tsunagu.records.services import RecordData, record_create
from tsunagu.reports.indicators_cases import case_tables, desk_tables
from tsunagu.reports.period import AGENCY, AREA, DISTRICT, Period, Scope
from tsunagu.reports.tables import Measure

TOKYO = ZoneInfo("Asia/Tokyo")
FY2026 = Period.fiscal_year(2026)
AS_OF = dt.date(2027, 3, 31)
TODAY = dt.datetime(2027, 6, 15, 12, 0, tzinfo=TOKYO)


def tokyo(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=TOKYO)


@contextmanager
def at(text: str):
    with time_machine.travel(tokyo(text), tick=False):
        yield


def consult(received: str, channel: str, contact: str, *, triaged: str | None = None, household=None):
    return consultation_make(
        received_at=tokyo(received),
        channel=channel,
        contact_type=contact,
        contact_relation="",
        triaged_at=tokyo(triaged) if triaged else None,
        household=household,
    )


def record(user, case: Case, person: Person, day: str, *, reached: bool = True) -> ProgressRecord:
    with at(f"{day}T18:00"):
        made, _created = record_create(
            user=user,
            case=case,
            key=None,
            data=RecordData(
                occurred_on=dt.date.fromisoformat(day),
                method="home_visit" if not reached else "phone",
                reached=reached,
                persons=[person],
                summary="テストの記録。",
            ),
        )
    return made


def open_case(user, household, lead: str, when: str, partners=()) -> Case:
    with at(when):
        return case_open(
            user=user,
            household=household,
            lead=Agency.objects.get(code=lead),
            sharing_basis=SharingBasis.MEETING_ART9,
            partners=[Agency.objects.get(code=p) for p in partners],
        )


def set_status(user, case: Case, status: str, when: str, reason: str = "") -> Case:
    case.refresh_from_db()
    with at(when):
        return case_change_status(
            user=user, case=case, expected_version=case.version, status=status, closure_reason=reason
        )


@pytest.fixture
def population(users):
    desk = users["desk"]
    worker = users["lead_worker"]
    # H1 池尻: P1 turns 40 on 2027-02-10; the lead is handed from メルクマール to ぷらっとホーム on 2027-01-20.
    h1 = household_make(label="池尻のテスト世帯", district_code="ikejiri")
    p1 = person_make(h1, label="相談者の長男（30代）", birth_date="1987-02-10", is_concerned=True)
    person_make(h1, label="相談者（母）", birth_date="1957-06-01")
    c1 = open_case(desk, h1, "merkmal", "2026-05-10T10:00")
    consult("2026-05-01T09:00", Channel.PHONE, ContactType.FAMILY, triaged="2026-05-01T15:00", household=h1)
    withdrawn = record(worker, c1, p1, "2026-05-12")
    ProgressRecord.objects.filter(pk=withdrawn.pk).update(withdrawn=True)  # as places.services.named_remove
    record(worker, c1, p1, "2026-05-20")
    record(worker, c1, p1, "2027-01-31")  # 59 days before as_of: a recent contact
    set_status(desk, c1, CaseStatus.ACTIVE, "2026-05-21T10:00")
    c1.refresh_from_db()
    with at("2027-01-20T10:00"):
        lead_handoff(
            user=desk,
            case=c1,
            to_agency=Agency.objects.get(code="link"),
            basis=SharingBasis.MEETING_ART9,
            note="40歳になるため",
        )
    # H2 経堂: P2 turns 40 on 2027-03-05 with メルクマール still the lead; no contact since 2026-06-11.
    h2 = household_make(label="経堂のテスト世帯", district_code="kyodo")
    p2 = person_make(h2, label="本人", birth_date="1987-03-05", is_concerned=True)
    c2 = open_case(desk, h2, "merkmal", "2026-06-01T10:00")
    consult("2026-05-25T10:00", Channel.VISIT, ContactType.SELF, triaged="2026-05-29T10:00", household=h2)
    record(worker, c2, p2, "2026-06-11")
    for day in ("2026-07-01", "2026-07-15", "2026-08-01"):
        record(worker, c2, p2, day, reached=False)
    set_status(desk, c2, CaseStatus.WATCHING, "2026-08-02T10:00")
    # H3 成城: a case opened at 23:30 on the fiscal year's last day; its consultation never triaged.
    h3 = household_make(label="成城のテスト世帯", district_code="seijo")
    person_make(h3, label="本人（年齢不明）", is_concerned=True)
    open_case(desk, h3, "link", "2027-03-31T23:30", partners=["anshin-kyodo"])
    consult("2027-03-31T23:30", Channel.EMAIL, ContactType.NEIGHBOUR, household=h3)
    consult("2027-04-01T00:10", Channel.PHONE, ContactType.FAMILY, household=h3)  # next fiscal year
    # H4 池尻: opened and closed (work) within the year.
    h4 = household_make(label="池尻の別の世帯", district_code="ikejiri")
    p4 = person_make(h4, label="本人", is_concerned=True)
    c4 = open_case(desk, h4, "link", "2026-04-10T10:00")
    record(worker, c4, p4, "2026-04-20")
    set_status(desk, c4, CaseStatus.CLOSED, "2026-12-01T10:00", ClosureReason.WORK)
    consult("2026-04-01T00:10", Channel.ONLINE_FORM, ContactType.SELF, triaged="2026-04-01T10:00", household=h4)
    consult("2026-03-31T23:30", Channel.PHONE, ContactType.SELF, triaged="2026-03-31T23:50", household=h4)
    # H5 経堂: opened before the year, closed (moved away) ten minutes into the next one.
    h5 = household_make(label="経堂の別の世帯", district_code="kyodo")
    p5 = person_make(h5, label="本人", is_concerned=True)
    c5 = open_case(desk, h5, "link", "2025-10-01T10:00")
    set_status(desk, c5, CaseStatus.CLOSED, "2027-04-01T00:10", ClosureReason.MOVED)
    # H6 成城: opened in the next fiscal year.
    h6 = household_make(label="成城の別の世帯", district_code="seijo")
    open_case(desk, h6, "link", "2027-04-01T00:10")
    # The weekend of 成人の日 (Monday 2027-01-11), without a household.
    consult("2027-01-08T10:00", Channel.PHONE, ContactType.FAMILY, triaged="2027-01-12T09:00")  # Fri → Tue: on time
    consult("2027-01-08T11:00", Channel.LETTER, ContactType.OTHER, triaged="2027-01-13T09:00")  # Fri → Wed: late
    consult("2027-01-09T11:00", Channel.PHONE, ContactType.FAMILY, triaged="2027-01-12T17:00")  # Sat → Tue: on time
    Person.objects.filter(pk=p1.pk).update(support_stage=2)
    Person.objects.filter(pk=p2.pk).update(support_stage=1)
    Person.objects.filter(pk=p5.pk).update(support_stage=3)
    assert Consultation.objects.count() == 9
    return {"c1": c1, "c2": c2}


def by_key(tables):
    return {table.key: table for table in tables}


def column(table, index: int = 0):
    return [row[index] for row in table.cells]


def months_total(table):
    return [sum(row) for row in table.cells]


@pytest.fixture
def frozen():
    with time_machine.travel(TODAY, tick=False):
        yield


def area(code: str) -> Scope:
    return Scope(AREA, Area.objects.get(code=code).pk, code)


def district(code: str) -> Scope:
    return Scope(DISTRICT, District.objects.get(code=code).pk, code)


def agency(code: str) -> Scope:
    return Scope(AGENCY, Agency.objects.get(code=code).pk, code)


# --- the desk ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_desk_tables_of_the_ward(population, frozen, django_assert_max_num_queries):
    with django_assert_max_num_queries(4):
        tables = by_key(desk_tables(FY2026, Scope()))
    assert list(tables) == [
        "consultations_by_month_channel",
        "consultations_by_contact",
        "consultations_triaged_within_1_business_day",
        "days_first_consultation_to_first_support",
    ]
    month = tables["consultations_by_month_channel"]
    assert month.monthly and month.months[0] == dt.date(2026, 4, 1) and len(month.rows) == 12
    assert month.rows[0] == "4月" and month.rows[-1] == "3月"
    channels = [c for c, _label in Channel.choices]
    assert month.columns[channels.index("phone")] == "電話"
    cells = {(m, channels[i]): v for m, row in zip(month.months, month.cells, strict=True) for i, v in enumerate(row)}
    assert {k: v for k, v in cells.items() if v} == {
        (dt.date(2026, 4, 1), "online_form"): 1,  # 2026-04-01 00:10 (not 2026-03-31 23:30)
        (dt.date(2026, 5, 1), "phone"): 1,
        (dt.date(2026, 5, 1), "visit"): 1,
        (dt.date(2027, 1, 1), "phone"): 2,
        (dt.date(2027, 1, 1), "letter"): 1,
        (dt.date(2027, 3, 1), "email"): 1,  # 2027-03-31 23:30 (not 2027-04-01 00:10)
    }
    contact = tables["consultations_by_contact"]
    assert contact.rows == ("本人", "家族", "関係機関", "近隣・民生委員", "その他")
    assert column(contact) == [2, 3, 0, 1, 1]
    triage = tables["consultations_triaged_within_1_business_day"]
    assert triage.unit == "%"
    assert column(triage) == [
        Measure(Decimal("100.0"), 1),  # April
        Measure(Decimal("50.0"), 2),  # May: same day; Monday → Friday is late
        *[Measure(None, 0)] * 7,
        Measure(Decimal("66.7"), 3),  # January: the holiday weekend
        Measure(None, 0),
        Measure(Decimal("0.0"), 1),  # March: never triaged, overdue since 2027-04-01
    ]
    first = tables["days_first_consultation_to_first_support"]
    # C1: 2026-05-01 → 2026-05-20 (the withdrawn 05-12 ignored) = 19; C2: 05-25 → 06-11 = 17;
    # C4: its household's first consultation 2026-03-31 23:30 → 04-20 = 20. Nearest rank: 2nd and 3rd of 3.
    assert first.cells == ((Measure(19, 3), Measure(20, 3)),)


@pytest.mark.django_db
def test_an_untriaged_consultation_within_its_day_is_not_yet_counted(population, django_assert_max_num_queries):
    with time_machine.travel(tokyo("2027-04-01T12:00"), tick=False):
        triage = by_key(desk_tables(FY2026, Scope()))["consultations_triaged_within_1_business_day"]
    assert triage.cells[-1] == (Measure(None, 0),)  # received 3/31 23:30, due by the end of 4/1


@pytest.mark.django_db
def test_the_desk_tables_by_area_and_district(population, frozen, django_assert_max_num_queries):
    scope = area("setagaya")
    with django_assert_max_num_queries(4):
        setagaya = by_key(desk_tables(FY2026, scope))
    assert months_total(setagaya["consultations_by_month_channel"]) == [1, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]
    assert column(setagaya["consultations_by_contact"]) == [2, 1, 0, 0, 0]
    assert "世帯のない相談は区全体にだけ" in setagaya["consultations_by_contact"].definition
    assert setagaya["days_first_consultation_to_first_support"].cells == ((Measure(19, 3), Measure(20, 3)),)
    ikejiri = by_key(desk_tables(FY2026, district("ikejiri")))
    assert months_total(ikejiri["consultations_by_month_channel"]) == [1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]
    assert ikejiri["days_first_consultation_to_first_support"].cells == ((Measure(19, 2), Measure(20, 2)),)
    kinuta = by_key(desk_tables(FY2026, area("kinuta")))
    assert months_total(kinuta["consultations_by_month_channel"])[-1] == 1
    assert kinuta["days_first_consultation_to_first_support"].cells == ((Measure(None, 0), Measure(None, 0)),)


@pytest.mark.django_db
def test_an_agency_has_no_desk_tables(population, frozen, django_assert_num_queries):
    scope = agency("link")
    with django_assert_num_queries(0):
        assert desk_tables(FY2026, scope) == []


# --- the cases --------------------------------------------------------------------------------

STATUS_ROWS = ("受付", "支援中", "見守り", "その後終結（現在）")


@pytest.mark.django_db
def test_the_case_tables_of_the_ward(population, frozen, django_assert_max_num_queries):
    with django_assert_max_num_queries(8):
        tables = by_key(case_tables(FY2026, Scope(), as_of=AS_OF))
    assert list(tables) == [
        "cases_opened_by_month",
        "cases_open_by_status",
        "persons_open_by_support_stage",
        "cases_closed_by_reason",
        "cases_no_contact_60_days",
        "cases_unanswered_streak_3",
        "handoffs_at_age_limit",
    ]
    # Opened: C4 April, C1 May, C2 June, C3 2027-03-31 23:30; not C5 (2025) nor C6 (2027-04-01 00:10).
    assert column(tables["cases_opened_by_month"]) == [1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 1]
    status = tables["cases_open_by_status"]
    assert status.rows == STATUS_ROWS
    assert column(status) == [1, 1, 1, 1]  # C3, C1, C2, and C5 (open on 3/31, closed 4/1 00:10)
    assert "2027-03-31" in status.definition
    stage = tables["persons_open_by_support_stage"]
    assert stage.rows[-1] == "未設定"
    assert column(stage) == [1, 1, 1, 0, 1]  # P2, P1, P5, —, P3 (the mother is not concerned)
    closed = tables["cases_closed_by_reason"]
    assert closed.rows[0] == "就労"
    assert column(closed) == [1, 0, 0, 0, 0, 0, 0, 0, 0]  # C4; C5 closed in the next year
    # C2: last contact 2026-06-11; C5: no record and opened in 2025. C1 reached 59 days before.
    assert column(tables["cases_no_contact_60_days"]) == [0, 0, 1, 1]
    assert column(tables["cases_unanswered_streak_3"]) == [0, 0, 1]  # C2, today
    assert "現在" in tables["cases_unanswered_streak_3"].title
    handoffs = tables["handoffs_at_age_limit"]
    assert column(handoffs) == [2, 1]  # P1 handed on 2027-01-20 before 02-10; P2 not
    assert handoffs.total == 2 and not handoffs.additive


@pytest.mark.django_db
def test_a_contact_exactly_sixty_days_before_counts_as_no_contact(population, frozen):
    as_of = dt.date(2027, 4, 1)  # C1's last contact 2027-01-31 is 60 days before
    table = by_key(case_tables(Period(dt.date(2027, 4, 1), dt.date(2027, 4, 1)), Scope(), as_of=as_of))
    # Open on 4/1: C1 (active), C2 (watching), C3 (received), C6 (received); C5 closed at 00:10.
    assert column(table["cases_open_by_status"]) == [2, 1, 1, 0]
    assert column(table["cases_no_contact_60_days"]) == [0, 1, 1, 0]


@pytest.mark.django_db
def test_the_case_tables_by_area_district_and_agency(population, frozen, django_assert_max_num_queries):
    scope = area("setagaya")
    with django_assert_max_num_queries(8):
        setagaya = by_key(case_tables(FY2026, scope, as_of=AS_OF))
    assert column(setagaya["cases_opened_by_month"]) == [1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0]
    assert column(setagaya["cases_open_by_status"]) == [0, 1, 1, 1]
    assert column(setagaya["persons_open_by_support_stage"]) == [1, 1, 1, 0, 0]
    assert column(setagaya["cases_closed_by_reason"])[0] == 1
    assert column(setagaya["cases_no_contact_60_days"]) == [0, 0, 1, 1]
    assert column(setagaya["cases_unanswered_streak_3"]) == [0, 0, 1]
    assert column(setagaya["handoffs_at_age_limit"]) == [2, 1]

    ikejiri = by_key(case_tables(FY2026, district("ikejiri"), as_of=AS_OF))
    assert column(ikejiri["cases_opened_by_month"]) == [1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]
    assert column(ikejiri["cases_open_by_status"]) == [0, 1, 0, 0]
    assert column(ikejiri["persons_open_by_support_stage"]) == [0, 1, 0, 0, 0]
    assert sum(column(ikejiri["cases_no_contact_60_days"])) == 0
    assert column(ikejiri["handoffs_at_age_limit"]) == [1, 1]

    scope = agency("link")
    with django_assert_max_num_queries(8):
        link = by_key(case_tables(FY2026, scope, as_of=AS_OF))
    # C1 (on the team from 2027-01-20), C3 (lead), C4 (lead, closed in December), C5 (lead).
    assert column(link["cases_opened_by_month"]) == [1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]
    assert column(link["cases_open_by_status"]) == [1, 1, 0, 1]
    assert column(link["persons_open_by_support_stage"]) == [0, 1, 1, 0, 1]
    assert column(link["cases_closed_by_reason"])[0] == 1
    assert column(link["cases_no_contact_60_days"]) == [0, 0, 0, 1]
    assert column(link["cases_unanswered_streak_3"]) == [0, 0, 0]
    assert column(link["handoffs_at_age_limit"]) == [1, 1]

    merkmal = by_key(case_tables(FY2026, agency("merkmal"), as_of=AS_OF))
    assert column(merkmal["cases_opened_by_month"]) == [0, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0]
    assert column(merkmal["cases_open_by_status"]) == [0, 0, 1, 0]  # its C1 row ended on 2027-01-20
    assert column(merkmal["handoffs_at_age_limit"]) == [2, 1]

    partner = by_key(case_tables(FY2026, agency("anshin-kyodo"), as_of=AS_OF))
    assert column(partner["cases_opened_by_month"])[-1] == 1  # C3, as a partner
    assert column(partner["cases_open_by_status"]) == [1, 0, 0, 0]

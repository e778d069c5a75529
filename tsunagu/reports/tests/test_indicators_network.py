"""Indicators of referrals and of the network around the case (issue 13 item 2): exact figures for
a constructed population, across the fiscal-year boundary (2027-03-31 / 2027-04-01 in Tokyo, which
are both 31 March in UTC), with holidays in the business-day measure, for the ward, an area and an
agency, in a fixed number of queries."""

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.auth import get_user_model

from tsunagu.agencies.models import Agency, Area, Membership, Role
from tsunagu.cases.models import SharingBasis
from tsunagu.people.tests.factories import person_make
from tsunagu.places.models import (
    AnonymousCount,
    Enrolment,
    FamilyNeedCount,
    NamedAttendance,
    PlaceKind,
)
from tsunagu.places.services import family_need_options
from tsunagu.places.tests.factories import place_make, session_make
from tsunagu.referrals.models import Referral, ReferralStatus
from tsunagu.reports.indicators_network import median, month_labels, nearest_rank, network_tables, referral_tables
from tsunagu.reports.period import AGENCY, AREA, Period, Scope
from tsunagu.reports.tables import Measure, publish
from tsunagu.training.models import TrainingAttendance, TrainingCourse

pytestmark = pytest.mark.dates

TOKYO = ZoneInfo("Asia/Tokyo")
NOW = dt.datetime(2027, 5, 20, 10, 0, tzinfo=TOKYO)  # Thursday 20 May 2027 in Tokyo
FY2026 = Period.fiscal_year(2026)
FY2027 = Period.fiscal_year(2027)
WARD = Scope()

Z5 = (0, 0, 0, 0, 0)


@pytest.fixture(autouse=True)
def _now():
    with time_machine.travel(NOW, tick=False):
        yield


def at(text: str) -> dt.datetime:
    """A Tokyo wall-clock time, e.g. ``at("2027-03-31 23:30")``."""
    return dt.datetime.fromisoformat(text).replace(tzinfo=TOKYO)


def agency(code: str) -> Agency:
    return Agency.objects.get(code=code)


def referral_make(case, sender, receiver, requested, due, status, *, answered=None, reason="", escalated=None):
    """A referral as the services leave it in that state (invented text)."""
    return Referral.objects.create(
        case=case,
        from_agency=agency(sender),
        to_agency=agency(receiver),
        reason="テストのつなぎ",
        summary="テストの概要",
        sharing_basis=SharingBasis.CONSENT,
        requested_at=at(requested),
        due_on=dt.date.fromisoformat(due),
        status=status,
        answered_at=at(answered) if answered else None,
        decline_reason=reason,
        escalated_at=at(escalated) if escalated else None,
        withdrawn_at=at(requested) + dt.timedelta(days=2) if status == ReferralStatus.WITHDRAWN else None,
    )


@pytest.fixture
def referrals(world):
    """Ten referrals between メルクマール (M), ぷらっとホーム (L), あんしん経堂 (A) and 就労ポート (S);
    world.case is in 池尻 (area 世田谷), other_case in 成城 (area 砧). The business days from request
    to answer are in the comments (holidays: 2026-11-23 勤労感謝の日, 2027-01-11 成人の日)."""
    s, o = world.case, world.other_case
    a, r, d, w = ReferralStatus.ACCEPTED, ReferralStatus.REQUESTED, ReferralStatus.DECLINED, ReferralStatus.WITHDRAWN
    return {
        # r1 M→A, answered on time: Fri 4/10 → Wed 4/15 = 3
        1: referral_make(
            s, "merkmal", "anshin-kyodo", "2026-04-10 10:00", "2026-04-17", a, answered="2026-04-15 10:00"
        ),
        # r2 M→L, declined late: Mon 4/20 → Tue 4/28 = 6
        2: referral_make(
            s, "merkmal", "link", "2026-04-20 10:00", "2026-04-27", d, answered="2026-04-28 10:00", reason="no_capacity"
        ),
        # r3 L→M, first met, on time: Fri 11/20 → Tue 11/24 = 1 (Mon 11/23 a holiday)
        3: referral_make(
            o,
            "link",
            "merkmal",
            "2026-11-20 15:00",
            "2026-11-27",
            ReferralStatus.FIRST_MET,
            answered="2026-11-24 09:00",
        ),
        # r4 L→A, never answered, escalated in November
        4: referral_make(o, "link", "anshin-kyodo", "2026-11-20 16:00", "2026-11-27", r, escalated="2026-11-30 09:00"),
        # r5 M→S, withdrawn before an answer
        5: referral_make(s, "merkmal", "shuro-port", "2026-12-01 10:00", "2026-12-08", w),
        # r6 A→M, sent on the last evening of FY2026, declined in the first minutes of FY2027 (both
        # 31 March in UTC): 3/31 → 4/1 = 1
        6: referral_make(
            s,
            "anshin-kyodo",
            "merkmal",
            "2027-03-31 23:30",
            "2027-04-07",
            d,
            answered="2027-04-01 00:30",
            reason="out_of_scope",
        ),
        # r7 L→S, sent in the first minutes of FY2027, answered at 00:20 the day after its deadline
        # (still the deadline's day in UTC): late; Thu 4/1 → Fri 4/9 = 6
        7: referral_make(o, "link", "shuro-port", "2027-04-01 00:10", "2027-04-08", a, answered="2027-04-09 00:20"),
        # r8 M→A, declined at 23:50 on its deadline: on time; Mon 6/1 → Mon 6/8 = 5
        8: referral_make(
            s,
            "merkmal",
            "anshin-kyodo",
            "2026-06-01 10:00",
            "2026-06-08",
            d,
            answered="2026-06-08 23:50",
            reason="not_enough",
        ),
        # r9 A→L, escalated then answered late: Tue 1/5 → Thu 1/14 = 6 (Mon 1/11 a holiday)
        9: referral_make(
            o,
            "anshin-kyodo",
            "link",
            "2027-01-05 10:00",
            "2027-01-12",
            a,
            answered="2027-01-14 10:00",
            escalated="2027-01-13 09:00",
        ),
        # r10 M→L, escalated, still open
        10: referral_make(s, "merkmal", "link", "2027-03-10 10:00", "2027-03-17", r, escalated="2027-03-18 09:00"),
        # r11 L→A, open, its deadline (5/25) still to come on 5/20
        11: referral_make(o, "link", "anshin-kyodo", "2027-05-18 10:00", "2027-05-25", r),
    }


def by_key(tables):
    return {t.key: t for t in tables}


def month_rows(table):
    """{month: cells} for the months with anything in them."""
    return {m.month: row for m, row in zip(table.months, table.cells, strict=True) if any(row)}


# --- referrals ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_referral_tables_for_the_ward_in_fy2026(referrals, django_assert_num_queries):
    with django_assert_num_queries(5):
        tables = by_key(referral_tables(FY2026, WARD))
    assert list(tables) == [
        "referrals_by_month",
        "referrals_answered_in_time",
        "referrals_declined_by_reason",
        "referral_answer_days",
        "referrals_escalated",
    ]
    by_month = tables["referrals_by_month"]
    assert by_month.columns == ("依頼中", "受理", "初回面談済", "辞退", "取下げ")
    assert by_month.rows[0] == "4月" and by_month.rows[-1] == "3月" and len(by_month.rows) == 12
    assert by_month.monthly and by_month.months[0] == dt.date(2026, 4, 1)
    assert month_rows(by_month) == {
        4: (0, 1, 0, 1, 0),
        6: (0, 0, 0, 1, 0),
        11: (1, 0, 1, 0, 0),
        12: (0, 0, 0, 0, 1),
        1: (0, 1, 0, 0, 0),
        3: (1, 0, 0, 1, 0),  # r6 at 23:30 on 3/31 in Tokyo is March; r7 at 00:10 on 4/1 is not
    }
    in_time = tables["referrals_answered_in_time"]
    assert in_time.rows == ("期限内に回答", "期限後に回答", "未回答", "回答前に取下げ")
    assert in_time.cells == ((3,), (2,), (2,), (1,))  # r1 r3 r8 / r2 r9 / r4 r10 / r5
    declined = tables["referrals_declined_by_reason"]
    assert declined.rows[2] == "いまは受け入れられない（体制）"
    assert declined.cells == ((0,), (0,), (1,), (0,), (1,), (0,))  # r6 was answered in FY2027
    days = tables["referral_answer_days"]
    assert days.kind == "measure" and days.columns == ("中央値", "90パーセンタイル")
    assert days.cells == ((Measure(Decimal(5), 5), Measure(6, 5)),)  # 1, 3, 5, 6, 6
    escalated = tables["referrals_escalated"]
    assert escalated.columns == ("その後回答あり", "回答なし")
    assert month_rows(escalated) == {11: (0, 1), 1: (1, 0), 3: (0, 1)}
    for table in tables.values():
        publish(table)  # every table goes through the suppression the pages apply


@pytest.mark.django_db
def test_referral_tables_for_the_ward_in_fy2027(referrals):
    tables = by_key(referral_tables(FY2027, WARD))
    assert month_rows(tables["referrals_by_month"]) == {4: (0, 1, 0, 0, 0), 5: (1, 0, 0, 0, 0)}
    # r6 on time, r7 late (00:20 on the day after its deadline in Tokyo); r11's deadline is ahead
    assert tables["referrals_answered_in_time"].cells == ((1,), (1,), (0,), (0,))
    assert tables["referrals_declined_by_reason"].cells == ((1,), (0,), (0,), (0,), (0,), (0,))
    assert tables["referral_answer_days"].cells == ((Measure(Decimal("3.5"), 2), Measure(6, 2)),)  # 1, 6
    assert month_rows(tables["referrals_escalated"]) == {}


@pytest.mark.django_db
def test_referral_tables_for_an_area_count_by_the_households_district(referrals):
    setagaya = Area.objects.get(code="setagaya")
    tables = by_key(referral_tables(FY2026, Scope(AREA, setagaya.pk, "世田谷")))
    assert month_rows(tables["referrals_by_month"]) == {
        4: (0, 1, 0, 1, 0),
        6: (0, 0, 0, 1, 0),
        12: (0, 0, 0, 0, 1),
        3: (1, 0, 0, 1, 0),
    }
    assert tables["referrals_answered_in_time"].cells == ((2,), (1,), (1,), (1,))
    assert tables["referral_answer_days"].cells == ((Measure(Decimal(5), 3), Measure(6, 3)),)  # 3, 5, 6
    assert month_rows(tables["referrals_escalated"]) == {3: (0, 1)}


@pytest.mark.django_db
def test_referral_tables_for_an_agency_split_sent_and_received(referrals, django_assert_num_queries):
    merkmal = agency("merkmal")
    with django_assert_num_queries(5):
        tables = by_key(referral_tables(FY2026, Scope(AGENCY, merkmal.pk, merkmal.name)))
    by_month = tables["referrals_by_month"]
    assert by_month.columns == ("送った", "受けた")
    assert month_rows(by_month) == {4: (2, 0), 6: (1, 0), 11: (0, 1), 12: (1, 0), 3: (1, 1)}
    assert tables["referrals_answered_in_time"].cells == ((2, 1), (1, 0), (1, 0), (1, 0))
    assert tables["referrals_declined_by_reason"].cells == ((0, 0), (0, 0), (1, 0), (0, 0), (1, 0), (0, 0))
    days = tables["referral_answer_days"]
    assert days.rows == ("送った", "受けた")
    assert days.cells == (
        (Measure(Decimal(5), 3), Measure(6, 3)),  # r1 3, r8 5, r2 6
        (Measure(Decimal(1), 1), Measure(1, 1)),  # r3 1
    )
    assert month_rows(tables["referrals_escalated"]) == {3: (1, 0)}


def test_median_and_nearest_rank_percentile_from_a_histogram():
    assert median({}) is None and nearest_rank({}, 90) is None
    assert median({2: 1}) == 2 and nearest_rank({2: 1}, 90) == 2
    assert median({1: 1, 4: 1}) == Decimal("2.5")
    histogram = {0: 3, 1: 4, 2: 2, 10: 1}  # 0 0 0 1 1 1 1 2 2 10
    assert median(histogram) == 1
    assert nearest_rank(histogram, 90) == 2  # the 9th of 10
    assert nearest_rank(histogram, 91) == 10  # the 10th


def test_month_labels_carry_the_year_when_a_month_comes_twice():
    assert month_labels(FY2026.months())[:2] == ("4月", "5月")
    long = Period(dt.date(2026, 4, 1), dt.date(2027, 4, 30)).months()
    assert month_labels(long)[0] == "2026年4月" and month_labels(long)[-1] == "2027年4月"


# --- the network -------------------------------------------------------------------------------


@pytest.fixture
def network(world, users):
    """A 居場所 of メルクマール in 池尻, a 就労体験 of 就労ポート in the 砧 area (no district), a
    家族会 kept by ぷらっとホーム with no place of its own; sessions on both sides of 2027-04-01."""
    ibasho = place_make("merkmal", kind=PlaceKind.IBASHO, district=_district("ikejiri"))
    programme = place_make("shuro-port", kind=PlaceKind.WORK_EXPERIENCE, area=Area.objects.get(code="kinuta"))
    family = place_make("link", kind=PlaceKind.FAMILY_ASSOCIATION, organiser="テスト家族会")
    mother = person_make(world.other_household, family_name="髙橋", given_name="和子")

    def session(place, day, anonymous=(), named=(), needs=()):
        held = session_make(place, dt.date.fromisoformat(day))
        for role, band, sex, n in anonymous:
            AnonymousCount.objects.create(session=held, role=role, age_band=band, sex=sex, count=n)
        for person, role in named:
            NamedAttendance.objects.create(session=held, person=person, role=role)
        for need, n in needs:
            FamilyNeedCount.objects.create(session=held, need=need, count=n)
        return held

    options = family_need_options()
    first, last = options[0][0], options[-1][0]
    session(
        ibasho, "2026-04-05", [("person", "20s", "male", 3), ("family", "50s", "female", 2)], [(world.person, "person")]
    )
    session(ibasho, "2027-03-31", [("person", "30s", "female", 1)])
    session(ibasho, "2027-04-01", [("person", "30s", "female", 4)])
    session(programme, "2026-10-10", [("person", "20s", "male", 2)], [(world.other_person, "person")])
    session(
        family,
        "2026-10-15",
        [("family", "60s", "female", 4), ("family", "70+", "male", 1), ("person", "30s", "male", 1)],
        [(mother, "family")],
        [(first, 3), (last, 2)],
    )
    session(family, "2027-02-20", [("family", "60s", "female", 3)], needs=[(last, 1)])
    session(family, "2027-04-10", [("family", "60s", "female", 2)])

    def enrol(place, person, case, ends, outcome):
        Enrolment.objects.create(
            place=place,
            person=person,
            case=case,
            starts_on=dt.date(2026, 5, 1),
            ends_on=dt.date.fromisoformat(ends) if ends else None,
            outcome=outcome,
        )

    enrol(programme, world.person, world.case, "2027-03-31", "work")
    enrol(programme, world.other_person, world.other_case, "2026-09-30", "dropped")
    enrol(ibasho, world.person, world.case, "2027-04-01", "continuing")
    enrol(ibasho, world.other_person, world.other_case, "2026-12-01", "")
    enrol(ibasho, world.other_person, world.other_case, None, "")

    def course(day, kind, *attendees, completed=True):
        held = TrainingCourse.objects.create(
            title="テスト研修", organiser=agency("merkmal"), held_on=dt.date.fromisoformat(day), hours=2, kind=kind
        )
        for user in attendees:
            TrainingAttendance.objects.create(course=held, user=user, completed=completed)

    course("2026-10-01", "basic", users["lead_worker"])
    course("2027-04-15", "basic", users["outsider"])  # あんしんすこやかセンター経堂 (area 世田谷)
    course("2026-11-01", "advanced", users["supervisor"])
    course("2026-06-01", "basic", users["desk"], completed=False)
    # not counted: an ended membership, a deactivated account
    gone = get_user_model().objects.create_user(username="gone")
    Membership.objects.create(user=gone, agency=agency("merkmal"), role=Role.CASEWORKER, active=False)
    left = get_user_model().objects.create_user(username="left", is_active=False)
    Membership.objects.create(user=left, agency=agency("link"), role=Role.CASEWORKER)
    return {"ibasho": ibasho, "programme": programme, "family": family, "options": options}


def _district(code):
    from tsunagu.agencies.models import District

    return District.objects.get(code=code)


KEYS = [
    "place_attendance_by_month",
    "place_attendance_by_kind",
    "programme_outcomes",
    "family_association_by_month",
    "family_needs",
    "training_coverage",
]


@pytest.mark.django_db
def test_network_tables_for_the_ward_in_fy2026(network, django_assert_num_queries):
    with django_assert_num_queries(7):
        tables = by_key(network_tables(FY2026, WARD))
    assert list(tables) == KEYS
    attendance = tables["place_attendance_by_month"]
    assert attendance.columns == ("本人（匿名）", "家族（匿名）", "本人（名前あり）", "家族（名前あり）")
    assert month_rows(attendance) == {4: (3, 2, 1, 0), 10: (3, 5, 1, 1), 2: (0, 3, 0, 0), 3: (1, 0, 0, 0)}
    by_kind = tables["place_attendance_by_kind"]
    assert by_kind.rows == ("居場所", "プログラム", "家族会") and by_kind.columns == ("本人", "家族")
    assert by_kind.cells == ((5, 2), (3, 0), (1, 9))
    outcomes = tables["programme_outcomes"]
    assert outcomes.rows == ("就労", "就学", "ボランティア", "継続利用", "中断", "その他", "結果の記録なし")
    assert outcomes.cells == ((1,), (0,), (0,), (0,), (1,), (0,), (1,))
    family = tables["family_association_by_month"]
    assert family.columns == ("開催回数", "家族", "本人") and not family.additive and family.total == 2
    assert month_rows(family) == {10: (1, 6, 1), 2: (1, 3, 0)}
    needs = tables["family_needs"]
    options = network["options"]
    assert needs.rows == tuple(label for _value, label in options) and not needs.additive
    assert dict(zip(needs.rows, needs.cells, strict=True)) == {
        label: ((3,) if i == 0 else (3,) if i == len(options) - 1 else (0,)) for i, (_v, label) in enumerate(options)
    }
    coverage = tables["training_coverage"]
    assert coverage.rows == ("窓口相談員", "相談支援員", "スーパーバイザー")
    assert coverage.columns == ("受講済み", "未受講")
    # desk: attended without completing; caseworkers: lead_worker done, outsider only in FY2027
    # (the inactive membership and the inactive user are not counted); supervisor: advanced only
    assert coverage.cells == ((0, 1), (1, 1), (0, 1))
    for table in tables.values():
        publish(table)


@pytest.mark.django_db
def test_network_tables_for_the_ward_in_fy2027(network):
    tables = by_key(network_tables(FY2027, WARD))
    assert month_rows(tables["place_attendance_by_month"]) == {4: (4, 2, 0, 0)}
    assert tables["place_attendance_by_kind"].cells == ((4, 0), (0, 0), (0, 2))
    assert tables["programme_outcomes"].cells == ((0,), (0,), (0,), (1,), (0,), (0,), (0,))
    assert month_rows(tables["family_association_by_month"]) == {4: (1, 2, 0)}
    assert all(row == (0,) for row in tables["family_needs"].cells)
    assert tables["training_coverage"].cells == ((0, 1), (2, 0), (0, 1))


@pytest.mark.django_db
def test_network_tables_for_an_area_count_places_there_and_staff_of_agencies_there(network):
    setagaya = Area.objects.get(code="setagaya")
    tables = by_key(network_tables(FY2026, Scope(AREA, setagaya.pk, "世田谷")))
    assert month_rows(tables["place_attendance_by_month"]) == {4: (3, 2, 1, 0), 3: (1, 0, 0, 0)}
    assert tables["place_attendance_by_kind"].cells == ((5, 2), (0, 0), (0, 0))
    # by the case's household: world.case (池尻) ended its 就労体験 with work
    assert tables["programme_outcomes"].cells == ((1,), (0,), (0,), (0,), (0,), (0,), (0,))
    assert month_rows(tables["family_association_by_month"]) == {}  # the 家族会 has no place
    assert tables["training_coverage"].cells == ((0, 0), (0, 1), (0, 0))  # あんしん経堂's caseworker
    kinuta = Area.objects.get(code="kinuta")
    tables = by_key(network_tables(FY2026, Scope(AREA, kinuta.pk, "砧")))
    assert month_rows(tables["place_attendance_by_month"]) == {10: (2, 0, 1, 0)}  # the area-only programme
    assert tables["programme_outcomes"].cells == ((0,), (0,), (0,), (0,), (1,), (0,), (1,))


@pytest.mark.django_db
def test_network_tables_for_an_agency_count_the_places_it_runs_and_its_staff(network, django_assert_num_queries):
    link = agency("link")
    with django_assert_num_queries(7):
        tables = by_key(network_tables(FY2026, Scope(AGENCY, link.pk, link.name)))
    assert month_rows(tables["place_attendance_by_month"]) == {10: (1, 5, 0, 1), 2: (0, 3, 0, 0)}
    assert tables["place_attendance_by_kind"].cells == ((0, 0), (0, 0), (1, 9))
    assert month_rows(tables["family_association_by_month"]) == {10: (1, 6, 1), 2: (1, 3, 0)}
    assert sum(row[0] for row in tables["family_needs"].cells) == 6
    assert tables["programme_outcomes"].cells == ((0,),) * 7  # ぷらっとホーム runs no programme
    assert tables["training_coverage"].cells == ((0, 1), (0, 0), (0, 0))  # the desk; "left" is inactive
    merkmal = agency("merkmal")
    tables = by_key(network_tables(FY2026, Scope(AGENCY, merkmal.pk, merkmal.name)))
    assert tables["training_coverage"].cells == ((0, 0), (1, 0), (0, 1))
    assert tables["programme_outcomes"].cells == ((0,), (0,), (0,), (0,), (0,), (0,), (1,))  # its 居場所

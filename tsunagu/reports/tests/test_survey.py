"""The survey, live (issue 13 item 3): every table for a constructed population, exactly.

D is 2027-02-28 (not a leap year), today 2027-03-01 in Tokyo. Known on D (six people):

- P1 (池尻, with his mother aged 71, a second open case on the household): born 1988-02-29, so
  38 on D; onset 2020 (year only: from its middle, 6 years); certificate; assessed 2027-01-10
  (不登校, 人間関係; stage 2), a later draft and a complete one after D are ignored; first
  consultation by the family.
- P3 (太子堂, alone): born 1987-02-28, exactly 40 on D; onset 2026-12-01; no assessment; her only
  consultation came after D (不明).
- P4 (梅丘, retained age 52, birth date erased) and P5 (梅丘, only 「30代」) in one household; P4's
  pathway 「不明」; P5 退職, stage 3, onset 2024-06 (month only); consulted by an agency.
- P6 (no district, alone, born 1960): case opened on D at 23:30; onset 1990; 介護・看護 and その他,
  stage 1; a neighbour consulted.
- P9 (経堂, alone, aged 11): case closed after D (00:30 on the next day); onset 2027 (its middle
  is after D: 不明); consulted herself... himself.

Not known: P7 (case closed during D), P8 (case opened the next day), P10 (not the person of
concern), and P2 (the mother).
"""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from tsunagu.agencies.models import Agency, Area, District, Role
from tsunagu.assessments.models import Assessment
from tsunagu.assessments.services import answer_text, current_instrument
from tsunagu.cases.models import Case, CaseAgency, CaseStatus
from tsunagu.core.tests.personas import client_for, make_user
from tsunagu.intake.models import ContactType
from tsunagu.intake.tests.factories import consultation_make
from tsunagu.lib import wareki
from tsunagu.people.models import Person
from tsunagu.people.tests.factories import household_make, person_make
from tsunagu.reports.models import PrevalenceEstimate
from tsunagu.reports.period import AGENCY, AREA, DISTRICT, TOKYO, Scope
from tsunagu.reports.survey import estimates_seed, people_known, survey_tables
from tsunagu.reports.tables import Measure, publish

D = dt.date(2027, 2, 28)
NOW = dt.datetime(2027, 3, 1, 10, 0, tzinfo=TOKYO)


def at(day: str, hour: int = 10, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(dt.date.fromisoformat(day), dt.time(hour, minute), TOKYO)


def case_on(household, opened: dt.datetime, closed: dt.datetime | None = None) -> Case:
    return Case.objects.create(
        household=household,
        opened_at=opened,
        closed_at=closed,
        status=CaseStatus.CLOSED if closed else CaseStatus.ACTIVE,
    )


def team(case: Case, since: str, until: str | None = None, agency: str = "merkmal") -> None:
    CaseAgency.objects.create(
        case=case,
        agency=Agency.objects.get(code=agency),
        role="partner",
        since=dt.date.fromisoformat(since),
        until=dt.date.fromisoformat(until) if until else None,
        sharing_basis="consent",
    )


def assess(case, person, user, day: str, answers: dict, stage: int | None, status: str = "complete") -> None:
    instrument = current_instrument("person")
    assert instrument is not None
    Assessment.objects.create(
        case=case,
        person=person,
        instrument=instrument,
        target="person",
        status=status,
        assessed_on=dt.date.fromisoformat(day),
        assessed_by=user,
        answers=answers,
        support_stage=stage,
        pathway=answer_text(answers.get("pathway")),  # as assessments.services derives it
    )


@pytest.fixture
def population(reference):
    user = make_user("survey-worker", "merkmal", Role.CASEWORKER)
    h1 = household_make(label="H1", district_code="ikejiri")
    p1 = person_make(
        h1,
        sex="male",
        birth_date="1988-02-29",
        is_concerned=True,
        disability="certificate",
        withdrawal_since=wareki.ApproxDate(dt.date(2020, 1, 1), wareki.YEAR),
    )
    person_make(h1, sex="female", birth_date="1955-05-05", relation="mother")
    c1 = case_on(h1, at("2026-04-01"))
    case_on(h1, at("2026-10-01"))
    team(c1, "2026-04-01")
    assess(c1, p1, user, "2027-01-10", {"pathway": ["school", "relations"]}, 2)
    assess(c1, p1, user, "2027-02-20", {"pathway": ["covid"]}, 4, status="draft")
    assess(c1, p1, user, "2027-03-01", {"pathway": ["illness"]}, 4)
    consultation_make(household=h1, received_at=at("2026-03-20"), contact_type=ContactType.FAMILY)
    consultation_make(household=h1, received_at=at("2026-05-01"), contact_type=ContactType.SELF)

    h2 = household_make(label="H2", district_code="taishido")
    person_make(
        h2, sex="female", birth_date="1987-02-28", is_concerned=True, disability="none",
        withdrawal_since=dt.date(2026, 12, 1),
    )  # fmt: skip
    c2 = case_on(h2, at("2026-06-01"))
    team(c2, "2026-06-01", "2027-02-27")
    consultation_make(household=h2, received_at=at("2027-03-01", 9), contact_type=ContactType.SELF)

    h3 = household_make(label="H3", district_code="umegaoka")
    p4 = person_make(h3, sex="male", birth_date="1974-06-01", is_concerned=True)
    Person.objects.filter(pk=p4.pk).update(birth_date=None, retained_age=52)
    p5 = person_make(
        h3, approx_decade=30, is_concerned=True, disability="suspected",
        withdrawal_since=wareki.ApproxDate(dt.date(2024, 6, 1), wareki.MONTH),
    )  # fmt: skip
    c3 = case_on(h3, at("2025-01-01"))
    team(c3, "2027-02-28")
    assess(c3, p4, user, "2026-05-01", {"pathway": "unknown"}, None)
    assess(c3, p5, user, "2026-12-01", {"pathway": ["resigned"]}, 3)
    consultation_make(household=h3, received_at=at("2024-12-01"), contact_type=ContactType.AGENCY)

    h4 = household_make(label="H4")
    p6 = person_make(
        h4, sex="female", birth_date="1960-01-01", is_concerned=True, disability="diagnosed",
        withdrawal_since=dt.date(1990, 1, 1),
    )  # fmt: skip
    c4 = case_on(h4, at("2027-02-28", 23, 30))
    team(c4, "2027-03-01")
    assess(c4, p6, user, "2027-02-28", {"pathway": ["care", "other"]}, 1)
    consultation_make(household=h4, received_at=at("2027-02-28", 10), contact_type=ContactType.NEIGHBOUR)

    h5 = household_make(label="H5", district_code="kyodo")
    person_make(h5, sex="male", birth_date="1990-01-01", is_concerned=True)
    team(case_on(h5, at("2026-01-01"), at("2027-02-28", 12)), "2026-01-01")
    h6 = household_make(label="H6", district_code="kyodo")
    person_make(h6, sex="male", birth_date="1990-01-01", is_concerned=True)
    team(case_on(h6, at("2027-03-01", 0)), "2027-03-01")
    h7 = household_make(label="H7", district_code="kyodo")
    person_make(
        h7, sex="male", birth_date="2015-06-01", is_concerned=True, disability="none",
        withdrawal_since=wareki.ApproxDate(dt.date(2027, 1, 1), wareki.YEAR),
    )  # fmt: skip
    c7 = case_on(h7, at("2025-06-01"), at("2027-03-01", 0, 30))
    team(c7, "2026-01-01", "2027-02-28")
    consultation_make(household=h7, received_at=at("2026-06-01"), contact_type=ContactType.SELF)
    h8 = household_make(label="H8", district_code="kyodo")
    person_make(h8, sex="male", birth_date="1990-01-01")
    case_on(h8, at("2026-01-01"))
    estimates_seed()


def by_key(tables):
    return {table.key: table for table in tables}


def column(table):
    return dict(zip(table.rows, (row[0] for row in table.cells), strict=True))


@time_machine.travel(NOW, tick=False)
@pytest.mark.django_db
def test_every_table_for_the_ward_gives_the_expected_counts(population, django_assert_num_queries):
    # The estimates, four statements over the people known (survey_parts), the areas, the
    # districts and the sheet's pathway options: a fixed number, however many people.
    with django_assert_num_queries(8):
        tables = by_key(survey_tables(D, Scope()))
    assert column(tables["survey_age_5"]) == {
        "〜14歳": 1, "15〜19歳": 0, "20〜24歳": 0, "25〜29歳": 0, "30〜34歳": 0, "35〜39歳": 1, "40〜44歳": 1,
        "45〜49歳": 0, "50〜54歳": 1, "55〜59歳": 0, "60〜64歳": 0, "65歳〜": 1, "不明": 1,
    }  # fmt: skip
    assert column(tables["survey_age_10"]) == {
        "10代以下": 1,
        "20代": 0,
        "30代": 2,
        "40代": 1,
        "50代": 1,
        "60代以上": 1,
        "不明": 0,
    }
    assert column(tables["survey_sex"]) == {"男性": 3, "女性": 2, "その他・回答しない": 0, "不明": 1}
    assert column(tables["survey_area"]) == {"世田谷": 3, "北沢": 2, "玉川": 0, "砧": 0, "烏山": 0, "地区未登録": 1}
    districts = column(tables["survey_district"])
    assert len(districts) == 29 and sum(districts.values()) == 6
    assert {name: n for name, n in districts.items() if n} == {
        "池尻": 1,
        "太子堂": 1,
        "経堂": 1,
        "梅丘": 2,
        "地区未登録": 1,
    }
    household = tables["survey_household"]
    assert household.rows == ("単身", "同居")
    assert household.columns == ("65歳以上の世帯員あり", "65歳以上の世帯員なし")
    assert household.cells == ((1, 2), (1, 2))
    assert column(tables["survey_duration"]) == {
        "6か月未満": 1, "6か月〜1年未満": 0, "1年〜3年未満": 1, "3年〜5年未満": 0, "5年〜10年未満": 1,
        "10年〜20年未満": 0, "20年〜30年未満": 0, "30年以上": 1, "不明": 2,
    }  # fmt: skip
    pathway = tables["survey_pathway"]
    assert (pathway.additive, pathway.total) == (False, 6)
    assert column(pathway) == {
        "不登校": 1, "受験・就職活動の不調": 0, "職場になじめなかった": 0, "退職": 1, "人間関係": 1, "病気": 0,
        "介護・看護": 1, "妊娠・出産": 0, "新型コロナウイルス感染症": 0, "その他": 1, "不明・未評価": 3,
    }  # fmt: skip
    assert column(tables["survey_disability"]) == {
        "手帳あり": 1,
        "診断あり手帳なし": 1,
        "疑い": 1,
        "なし": 2,
        "不明": 1,
    }
    assert column(tables["survey_stage"]) == {
        "出会い・評価段階": 1, "個人的支援段階": 1, "中間的・過渡的な集団との再会段階": 1, "社会参加の試行段階": 0,
        "未評価": 3,
    }  # fmt: skip
    assert column(tables["survey_first_contact"]) == {
        "本人": 1,
        "家族": 1,
        "関係機関": 2,
        "近隣・民生委員": 1,
        "その他": 0,
        "不明": 1,
    }
    cross = tables["survey_age_10_duration"]
    assert cross.rows == ("10代以下", "20代", "30代", "40代", "50代", "60代以上", "不明")
    cells = {
        (r, c): v
        for r, row in zip(cross.rows, cross.cells, strict=True)
        for c, v in zip(cross.columns, row, strict=True)
        if v
    }
    assert cells == {
        ("10代以下", "不明"): 1, ("30代", "5年〜10年未満"): 1, ("30代", "1年〜3年未満"): 1,
        ("40代", "6か月未満"): 1, ("50代", "不明"): 1, ("60代以上", "30年以上"): 1,
    }  # fmt: skip
    area_age = tables["survey_area_age_10"]
    assert area_age.rows[0] == "世田谷" and area_age.cells[0] == (1, 0, 1, 1, 0, 0, 0)
    assert area_age.cells[1] == (0, 0, 1, 0, 1, 0, 0)
    assert area_age.cells[5] == (0, 0, 0, 0, 0, 1, 0)
    sex_age = tables["survey_sex_age_10"]
    assert sex_age.cells == ((1, 0, 1, 0, 1, 0, 0), (0, 0, 0, 1, 0, 1, 0), (0,) * 7, (0, 0, 1, 0, 0, 0, 0))
    estimate = tables["survey_estimate"]
    assert estimate.rows == ("15〜39歳", "40〜64歳")
    assert estimate.cells == (
        (Measure(2, 2), Measure(4396, 280_000), Measure(Decimal("0.0"), 2)),
        (Measure(2, 2), Measure(4800, 331_000), Measure(Decimal("0.0"), 2)),
    )
    for table in tables.values():
        assert table.definition and table.title
        publish(table)  # every table can be published


@time_machine.travel(NOW, tick=False)
@pytest.mark.django_db
def test_the_share_is_known_over_estimated_in_percent(population):
    PrevalenceEstimate.objects.filter(age_low=15).update(population=1000, rate_percent=Decimal("0.50"))
    estimate = by_key(survey_tables(D, Scope()))["survey_estimate"]
    assert estimate.cells[0] == (Measure(2, 2), Measure(5, 1000), Measure(Decimal("40.0"), 2))


@time_machine.travel(NOW, tick=False)
@pytest.mark.django_db
def test_scopes_count_by_district_area_and_team(population):
    setagaya = Area.objects.get(code="setagaya")
    assert people_known(D, Scope(AREA, setagaya.pk)).count() == 3
    assert people_known(D, Scope(DISTRICT, District.objects.get(code="umegaoka").pk)).count() == 2
    # メルクマール: on H1's case; on H3's from D; on H7's until D; off H2's the day before, on H4's the day after
    merkmal = Scope(AGENCY, Agency.objects.get(code="merkmal").pk)
    assert people_known(D, merkmal).count() == 4
    sexes = column(by_key(survey_tables(D, merkmal))["survey_sex"])
    assert sexes == {"男性": 3, "女性": 0, "その他・回答しない": 0, "不明": 1}


@time_machine.travel(NOW, tick=False)
@pytest.mark.django_db
def test_the_day_before_and_the_next_day(population):
    assert people_known(D - dt.timedelta(days=1), Scope()).count() == 6  # P7 in, P6 not yet
    assert people_known(D + dt.timedelta(days=1), Scope()).count() == 6  # P1, P3, P4, P5, P6 and P8; not P7, P9


@time_machine.travel(NOW, tick=False)
@pytest.mark.django_db
def test_a_person_born_on_29_february_turns_40_on_29_february_of_a_leap_year(population):
    def forties(day):
        return column(by_key(survey_tables(day, Scope()))["survey_age_5"])["40〜44歳"]

    assert forties(dt.date(2028, 2, 28)) == 1  # P3 (41); P1 is still 39
    assert forties(dt.date(2028, 2, 29)) == 2  # P1 turns 40


# --- the estimate page ---------------------------------------------------------------------------


def _post(client, url, **fields):
    data = {"label": "15〜39歳", "age_low": "15", "age_high": "39", "population": "280000", "rate_percent": "1.57"}
    data.update(fields)
    return client.post(url, {k: v for k, v in data.items() if v is not None})


@pytest.mark.django_db
def test_the_secretariat_adds_an_estimate_once_and_edits_it(users):
    client = client_for(users["secretariat"])
    url = reverse("reports:estimates")
    assert client.get(url).status_code == 200
    key = "6f1b3c1e-6f5a-4c55-9b1a-111111111111"
    assert _post(client, url, submission_key=key).status_code == 302
    assert _post(client, url, submission_key=key).status_code == 302
    estimate = PrevalenceEstimate.objects.get()
    assert (estimate.population, estimate.rate_percent, estimate.estimated) == (280_000, Decimal("1.57"), 4396)
    assert "4396" in client.get(url).content.decode()
    edit = reverse("reports:estimate_edit", kwargs={"pk": estimate.pk})
    assert client.get(edit).status_code == 200
    assert _post(client, edit, version="1", rate_percent="1.60").status_code == 302
    estimate.refresh_from_db()
    assert (estimate.rate_percent, estimate.version, estimate.updated_by) == (Decimal("1.60"), 2, users["secretariat"])
    stale = _post(client, edit, version="1", rate_percent="9.99")
    assert stale.status_code == 409
    estimate.refresh_from_db()
    assert estimate.rate_percent == Decimal("1.60")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"rate_percent": "abc"}, "rate_percent", "数値"),
        ({"rate_percent": "120"}, "rate_percent", "100"),
        ({"age_low": "40", "age_high": "39"}, "age_high", "年齢の上限は下限以上にしてください。"),
        ({"population": "-1"}, "population", "0"),
        ({"label": ""}, "label", "必須"),
    ],
)
def test_bad_input_gets_a_message_on_the_field_and_writes_nothing(users, fields, field, message):
    client = client_for(users["secretariat"])
    response = _post(
        client, reverse("reports:estimates"), submission_key="6f1b3c1e-6f5a-4c55-9b1a-222222222222", **fields
    )
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert list(errors) == [field] and message in " ".join(errors[field])
    assert not PrevalenceEstimate.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["desk", "lead_worker", "supervisor", "outsider", "partner", "admin_user"])
def test_only_the_secretariat_may_open_the_estimates(users, persona):
    estimate = PrevalenceEstimate.objects.create(label="x", age_low=15, age_high=39, population=1, rate_percent=1)
    client = client_for(users[persona])
    assert client.get(reverse("reports:estimates")).status_code == 403
    assert (
        _post(client, reverse("reports:estimates"), submission_key="6f1b3c1e-6f5a-4c55-9b1a-333333333333").status_code
        == 403
    )
    edit = reverse("reports:estimate_edit", kwargs={"pk": estimate.pk})
    assert client.get(edit).status_code == 404
    assert _post(client, edit, version="1", rate_percent="9").status_code == 404
    assert PrevalenceEstimate.objects.get().rate_percent == 1


@pytest.mark.django_db
def test_the_demo_estimates_reproduce_the_published_figures_and_are_entered_once(reference):
    assert estimates_seed() == 2
    assert estimates_seed() == 0
    assert [e.estimated for e in PrevalenceEstimate.objects.all()] == [4396, 4800]

"""The agency survey, live (ひきこもり実態把握調査; issue 13 item 3).

The ward's survey counted the people the agencies knew, by age, sex, area, household, duration of
withdrawal, pathway, disability and more. Here the same tables come from the records, for any day
``D`` and scope, as true figures (suppression is applied when they are published).

**People known on D** (把握している人): persons marked as the person of concern
(``Person.is_concerned``) whose household has a case open on D: opened before the end of D in
Tokyo time (``opened_at < D+1 00:00 JST``) and not closed by then (``closed_at`` empty or
``>= D+1 00:00 JST``, i.e. closed after D; a case closed during D is no longer open on D). For an
area or a district scope, by the household's district; for an agency scope, the open case must have
that agency on its team on D (a ``CaseAgency`` row with ``since <= D`` and ``until`` empty or
``>= D``). A reopened case has no closing date any more, so a day between its closure and its
reopening counts it as open (the status history is not read).

Each person is counted once in every additive table. Ages on D are computed in SQL from the birth
date (bands as ranges of birth dates, ``lib.ages.birth_date_range``), else from the age the
retention job kept (``retained_age``: the age on the day the household's first case opened, used
as it is, not advanced to D; decision 0031), else from the approximate decade (10-year table only;
in the 5-year table a decade is 不明), else 不明.

All tables together take three statements over the people known (plus small reads of the areas,
districts, the instrument and the estimates); the one-way tables are sums of the grouped rows, never
a query per row. (1) One grouped query of the people known by every per-person dimension (age
bands, sex, district, duration, disability, the estimate ranges): a hash semi-join of the persons
of concern with the open cases; the area is added from the districts in Python. (2) The household
situation: the members of the known households grouped once per household (of concern, in all,
aged 65+) and summed by the two flags over that grouping. (3) The latest complete assessment of
each person known (latest date, then id) and the household's first consultation (earliest time,
then id), as two correlated probes per person, grouped by both.

Indexes made for these statements (PostgreSQL; SQLite ignores the included columns):
``person_concerned_survey`` (the persons of concern with every column they are banded by, so the
people known are read from a narrow index, about a fifth of the persons), ``person_household_ages``
(each household's members with what decides "aged 65 or over") and
``consultation_household_first`` (a household's first consultation and its contact type, from the
index alone). Measured on a national database (1,000,000 persons; 117,000 people known in the
ward): docs/benchmarks.md, P4.
"""

import datetime as dt
import json
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from decimal import ROUND_HALF_UP, Decimal
from operator import itemgetter
from typing import Any

from django.db.models import (
    Case,
    CharField,
    Count,
    Exists,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    TextField,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce, Concat
from django.utils.translation import gettext as _

from tsunagu.agencies.models import Area, District
from tsunagu.assessments.models import PATHWAY_ITEM, Assessment, AssessmentStatus, Instrument
from tsunagu.cases.models import Case as SupportCase
from tsunagu.cases.models import CaseAgency
from tsunagu.intake.models import Consultation, ContactType
from tsunagu.lib import wareki
from tsunagu.lib.ages import AGE_BANDS, add_months, birth_date_range
from tsunagu.people.models import Disability, Person, Sex, SupportStage
from tsunagu.reports.models import PrevalenceEstimate
from tsunagu.reports.period import AGENCY, Period, Scope
from tsunagu.reports.tables import MEASURE, Measure, Table

SURVEY_INSTRUMENT = "tsunagu-standard"  # the standard sheet (assessments/instruments/)
UNKNOWN = "unknown"
NONE = "none"  # no district / no assessment

# 10-year bands as the survey shows them: (code, lowest age, highest age or None).
AGE10_BANDS: tuple[tuple[str, int, int | None], ...] = (
    ("10", 0, 19),
    ("20", 20, 29),
    ("30", 30, 39),
    ("40", 40, 49),
    ("50", 50, 59),
    ("60", 60, None),
)

# Duration of withdrawal on D (docs/domain.md §3): (code, at least this many months).
DURATION_BANDS: tuple[tuple[str, int], ...] = (
    ("m0", 0),
    ("m6", 6),
    ("y1", 12),
    ("y3", 36),
    ("y5", 60),
    ("y10", 120),
    ("y20", 240),
    ("y30", 360),
)

# The estimate parameters of the demo (Setagaya-like, invented): population × rate reproduces the
# ward's published estimates (≈ 4,400 people aged 15–39 and ≈ 4,800 aged 40–64).
DEMO_ESTIMATES: tuple[dict[str, Any], ...] = (
    {
        "label": "15〜39歳",
        "age_low": 15,
        "age_high": 39,
        "population": 280_000,
        "rate_percent": Decimal("1.57"),
        "note": "内閣府調査（平成27年度）の出現率を用いた例（デモ用の数値）",
    },
    {
        "label": "40〜64歳",
        "age_low": 40,
        "age_high": 64,
        "population": 331_000,
        "rate_percent": Decimal("1.45"),
        "note": "内閣府調査（平成30年度）の出現率を用いた例（デモ用の数値）",
    },
)


# --- labels (gettext inside functions so that the request's language applies) ------------------


def age5_rows() -> list[tuple[str, str]]:
    return [(code, _(label)) for code, label, _low, _high in AGE_BANDS] + [(UNKNOWN, _("不明"))]


def age10_rows() -> list[tuple[str, str]]:
    labels = {
        "10": _("10代以下"),
        "20": _("20代"),
        "30": _("30代"),
        "40": _("40代"),
        "50": _("50代"),
        "60": _("60代以上"),
    }
    return [(code, labels[code]) for code, _low, _high in AGE10_BANDS] + [(UNKNOWN, _("不明"))]


def duration_rows() -> list[tuple[str, str]]:
    labels = {
        "m0": _("6か月未満"),
        "m6": _("6か月〜1年未満"),
        "y1": _("1年〜3年未満"),
        "y3": _("3年〜5年未満"),
        "y5": _("5年〜10年未満"),
        "y10": _("10年〜20年未満"),
        "y20": _("20年〜30年未満"),
        "y30": _("30年以上"),
    }
    return [(code, labels[code]) for code, _months in DURATION_BANDS] + [(UNKNOWN, _("不明"))]


def _choice_rows(choices: Iterable[tuple[Any, Any]]) -> list[tuple[Any, str]]:
    return [(value, str(label)) for value, label in choices]


# --- the people known on D ---------------------------------------------------------------------


def _end_of(day: dt.date) -> dt.datetime:
    return Period(day, day).end_at


def _open_on(day: dt.date, prefix: str = "") -> Q:
    end = _end_of(day)
    return Q(**{f"{prefix}opened_at__lt": end}) & (
        Q(**{f"{prefix}closed_at__isnull": True}) | Q(**{f"{prefix}closed_at__gte": end})
    )


def people_known(as_of: dt.date, scope: Scope) -> QuerySet[Person]:
    """The people known on ``as_of`` in ``scope`` (see the module's docstring)."""
    if scope.kind == AGENCY:
        assert scope.id is not None, "an agency scope names its agency"
        on_team = CaseAgency.objects.filter(
            Q(until__isnull=True) | Q(until__gte=as_of),
            _open_on(as_of, "case__"),
            case__household_id=OuterRef("household_id"),
            agency_id=scope.id,
            since__lte=as_of,
        )
        return Person.objects.filter(Exists(on_team), is_concerned=True)
    open_case = SupportCase.objects.filter(_open_on(as_of), household_id=OuterRef("household_id"))
    return Person.objects.filter(Exists(open_case), is_concerned=True, **scope.household_filter("household__"))


def known_households(as_of: dt.date, scope: Scope) -> QuerySet[Any]:
    """The ids of the households whose people of concern are known on ``as_of`` in ``scope`` (a
    values queryset to use as a subquery; may repeat an id)."""
    if scope.kind == AGENCY:
        assert scope.id is not None, "an agency scope names its agency"
        return CaseAgency.objects.filter(
            Q(until__isnull=True) | Q(until__gte=as_of),
            _open_on(as_of, "case__"),
            agency_id=scope.id,
            since__lte=as_of,
        ).values("case__household_id")
    return SupportCase.objects.filter(_open_on(as_of), **scope.household_filter("household__")).values("household_id")


# --- band expressions, computed by the database ------------------------------------------------


def _age_expression(bands: Sequence[tuple[str, int]], day: dt.date, *, decades: bool) -> Case:
    """The band code of each person's age on ``day``: ``bands`` are (code, lowest age) from the
    youngest; birth date first, then the retained age, then (``decades``) the approximate decade."""
    oldest_first = list(reversed(bands))
    whens = [When(birth_date__lte=birth_date_range(low, None, day)[1], then=Value(code)) for code, low in oldest_first]
    whens[-1] = When(birth_date__isnull=False, then=Value(bands[0][0]))
    retained = [When(retained_age__gte=low, then=Value(code)) for code, low in oldest_first]
    retained[-1] = When(retained_age__isnull=False, then=Value(bands[0][0]))
    whens += retained
    if decades:
        by_decade = [When(approx_decade__gte=max(low, 10), then=Value(code)) for code, low in oldest_first]
        by_decade[-1] = When(approx_decade__isnull=False, then=Value(bands[0][0]))
        whens += by_decade
    return Case(*whens, default=Value(UNKNOWN), output_field=CharField())


def _onset_by(limit: dt.date) -> Q:
    """Withdrawal began on or before ``limit``, an approximate onset counting from the middle of
    its year or month (as ``Person.years_withdrawn`` does: ``wareki.ApproxDate.middle``)."""
    month = limit.replace(day=1)
    if wareki.ApproxDate(month, wareki.MONTH).middle() > limit:
        month = add_months(month, -1)
    year = dt.date(limit.year, 1, 1)
    if wareki.ApproxDate(year, wareki.YEAR).middle() > limit:
        year = dt.date(limit.year - 1, 1, 1)
    return (
        Q(withdrawal_since_precision=wareki.YEAR, withdrawal_since__lte=year)
        | Q(withdrawal_since_precision=wareki.MONTH, withdrawal_since__lte=month)
        | (
            ~Q(withdrawal_since_precision__in=[wareki.YEAR, wareki.MONTH])
            & Q(withdrawal_since__lte=limit, withdrawal_since__isnull=False)
        )
    )


def _duration_expression(day: dt.date) -> Case:
    whens = [When(_onset_by(add_months(day, -months)), then=Value(code)) for code, months in reversed(DURATION_BANDS)]
    return Case(*whens, default=Value(UNKNOWN), output_field=CharField())


def _aged_65_on(day: dt.date) -> Q:
    """Aged 65 or over on ``day``: by birth date, else the retained age, else an approximate decade
    of 60 or more (its middle, as ``Person.age_estimate`` and the 8050 signal take it)."""
    return (
        Q(birth_date__lte=birth_date_range(65, None, day)[1])
        | Q(birth_date__isnull=True, retained_age__gte=65)
        | Q(birth_date__isnull=True, retained_age__isnull=True, approx_decade__gte=60)
    )


def _age_range(low: int, high: int | None, day: dt.date) -> Q:
    """Aged ``low``..``high`` on ``day`` by birth date or retained age; a person known only by
    decade counts when the whole decade lies in the range (20代 and 30代 in 15–39, 40代 and 50代 in
    40–64; 10代 and 60代 straddle those ranges and are not counted)."""
    earliest, latest = birth_date_range(low, high, day)
    by_birth = Q(birth_date__lte=latest) & (Q(birth_date__gte=earliest) if earliest else Q())
    retained = Q(birth_date__isnull=True, retained_age__gte=low) & (
        Q(retained_age__lte=high) if high is not None else Q()
    )
    decades = [d for d in range(10, 90, 10) if d >= low and (high is None or (d < 80 and d + 9 <= high))]
    by_decade = Q(birth_date__isnull=True, retained_age__isnull=True, approx_decade__in=decades)
    return by_birth | retained | by_decade


# --- the survey --------------------------------------------------------------------------------


def _grouped(queryset: QuerySet[Any], keys: Sequence[str], **counts: Any) -> list[dict[str, Any]]:
    return list(queryset.values(*keys).annotate(n=Count("pk"), **counts).order_by())


def survey_parts(
    as_of: dt.date, scope: Scope, estimates: Sequence[PrevalenceEstimate] = ()
) -> dict[str, Callable[[], Any]]:
    """The statements every survey table is summed from, each over the people known and
    independent of the others, so that ``reports.compose`` may run them at once: call each."""
    people = people_known(as_of, scope)
    return {
        "assessed": lambda: _latest_sheets(people, as_of),
        "main": lambda: _main_counts(people, as_of, estimates),
        "situation": lambda: _situation(as_of, scope),
        "first_contact": lambda: _first_contacts(people, as_of),
    }


def survey_counts(as_of: dt.date, scope: Scope, estimates: Sequence[PrevalenceEstimate] = ()) -> dict[str, Any]:
    """The grouped counts every table is summed from, one statement after another."""
    return {name: part() for name, part in survey_parts(as_of, scope, estimates).items()}


def _main_counts(
    people: QuerySet[Person], as_of: dt.date, estimates: Sequence[PrevalenceEstimate]
) -> list[dict[str, Any]]:
    """One grouped query for every per-person dimension (the area is the district's, added by
    ``survey_tables`` from the districts it reads: one pass over the people known, not two)."""
    age5 = _age_expression([(code, low) for code, _label, low, _high in AGE_BANDS], as_of, decades=False)
    age10 = _age_expression([(code, low) for code, low, _high in AGE10_BANDS], as_of, decades=True)
    in_range = {
        f"e{index}": Count("pk", filter=_age_range(estimate.age_low, estimate.age_high, as_of))
        for index, estimate in enumerate(estimates)
    }
    return _grouped(
        people.annotate(age5=age5, age10=age10, duration=_duration_expression(as_of)),
        ["age5", "age10", "sex", "household__district_id", "duration", "disability"],
        **in_range,
    )


def _situation(as_of: dt.date, scope: Scope) -> dict[str, int]:
    """The household situation: the members of the known households grouped once per household
    (how many are of concern, how many in all, how many aged 65+), then summed by the two flags.
    A correlated EXISTS per person known was a SubPlan per row on PostgreSQL (2 s at 117,000
    people); this is a semi-join and one hash aggregate."""
    households = known_households(as_of, scope)
    per_household = (
        Person.objects.filter(household_id__in=households)
        .values("household_id")
        .annotate(
            concerned=Count("pk", filter=Q(is_concerned=True)),
            members=Count("pk"),
            aged=Count("pk", filter=_aged_65_on(as_of)),
        )
        .order_by()
    )
    return per_household.aggregate(
        shared_elderly=Coalesce(Sum("concerned", filter=Q(members__gt=1, aged__gt=0)), 0),
        shared=Coalesce(Sum("concerned", filter=Q(members__gt=1, aged=0)), 0),
        alone_elderly=Coalesce(Sum("concerned", filter=Q(members=1, aged__gt=0)), 0),
        alone=Coalesce(Sum("concerned", filter=Q(members=1, aged=0)), 0),
    )


def _summary() -> Concat:
    """The stage and the pathway answer of an assessment as one text (``stage|pathway``)."""
    return Concat(
        Coalesce(Cast("support_stage", output_field=TextField()), Value("0"), output_field=TextField()),
        Value("|", output_field=TextField()),
        Coalesce("pathway", Value(""), output_field=TextField()),
        output_field=TextField(),
    )


def _complete_sheets(as_of: dt.date) -> QuerySet[Assessment]:
    return Assessment.objects.filter(
        status=AssessmentStatus.COMPLETE,
        instrument__in=Instrument.objects.filter(code=SURVEY_INSTRUMENT).values("pk"),
        assessed_on__lte=as_of,
    )


def _latest_sheets(people: QuerySet[Person], as_of: dt.date) -> list[dict[str, Any]]:
    """Rows of summary (``stage|pathway``) and n for the people known, those without a complete
    sheet under None: the latest complete sheet (latest date, then id) by one index-only probe per
    person (``assessment_person_latest`` covers what is read)."""
    latest = _complete_sheets(as_of).filter(person_id=OuterRef("pk")).order_by("-assessed_on", "-pk")
    return _grouped(
        people.annotate(
            summary=Subquery(latest.annotate(summary=_summary()).values("summary")[:1], output_field=TextField())
        ),
        ["summary"],
    )


def _first_contacts(people: QuerySet[Person], as_of: dt.date) -> list[dict[str, Any]]:
    """Rows of contact_type and n: who made the household's first consultation (earliest time,
    then id) for the people known, None without one; one probe per person answered from the index
    ``consultation_household_first`` alone."""
    first = (
        Consultation.objects.filter(household_id=OuterRef("household_id"), received_at__lt=_end_of(as_of))
        .order_by("received_at", "pk")
        .values("contact_type")[:1]
    )
    rows = _grouped(people.annotate(first_contact=Subquery(first)), ["first_contact"])
    return [{"contact_type": row["first_contact"], "n": row["n"]} for row in rows]


def _sum(rows: Iterable[dict[str, Any]], *keys: str, count: str = "n") -> Counter[Any]:
    """The counts of ``rows`` summed by ``keys`` (one key: its value; several: a tuple)."""
    totals: Counter[Any] = Counter()
    key, n = itemgetter(*keys), itemgetter(count)  # C lookups: this runs over every grouped row
    for row in rows:
        totals[key(row)] += n(row)
    return totals


def _one_way(
    key: str,
    title: str,
    definition: str,
    row_header: str,
    rows: Sequence[tuple[Any, str]],
    counts: Counter[Any],
    dim: str = "",
    **extra: Any,
) -> Table:
    return Table(
        key=key,
        title=title,
        definition=definition,
        rows=tuple(label for _code, label in rows),
        columns=(_("人数"),),
        cells=tuple((counts.get(code, 0),) for code, _label in rows),
        unit=_("人"),
        row_header=row_header,
        group=_("実態把握（把握している人）"),
        dims=(dim, ""),
        **extra,
    )


def _cross(
    key: str,
    title: str,
    definition: str,
    row_header: str,
    rows: Sequence[tuple[Any, str]],
    columns: Sequence[tuple[Any, str]],
    counts: Counter[Any],
    dims: tuple[str, str] = ("", ""),
) -> Table:
    return Table(
        key=key,
        title=title,
        definition=definition,
        rows=tuple(label for _code, label in rows),
        columns=tuple(label for _code, label in columns),
        cells=tuple(tuple(counts.get((r, c), 0) for c, _label in columns) for r, _label in rows),
        unit=_("人"),
        row_header=row_header,
        group=_("実態把握（把握している人）"),
        dims=dims,
    )


def _pathway_options() -> list[tuple[str, str]]:
    instrument = Instrument.objects.filter(code=SURVEY_INSTRUMENT).order_by("-version").first()
    if instrument is None:
        return []
    for section in instrument.definition.get("sections", []):
        for item in section.get("items", []):
            if item.get("id") == PATHWAY_ITEM:
                return [(str(option["value"]), str(option["label"])) for option in item.get("options", [])]
    return []


def _parse_summary(summary: str | None) -> tuple[str, set[str]]:
    """(stage code or NONE, pathway values) from the latest assessment's summary text."""
    if summary is None:
        return NONE, set()
    stage, _sep, pathway = summary.partition("|")
    values: set[str] = set()
    if pathway.startswith("["):
        try:
            values = {str(v) for v in json.loads(pathway)}
        except ValueError:
            values = set()
    return (stage if stage != "0" else NONE), values


def share_percent(known: int, estimated: int) -> Decimal | None:
    """known ÷ estimated as a percentage with one decimal (half up); None without an estimate."""
    if estimated <= 0:
        return None
    return (Decimal(known) * 100 / Decimal(estimated)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def survey_tables(
    as_of: dt.date,
    scope: Scope,
    *,
    counts: dict[str, Any] | None = None,
    estimates: Sequence[PrevalenceEstimate] | None = None,
) -> list[Table]:
    """Every table of the survey for the people known on ``as_of`` in ``scope`` (true figures).

    People known on D: persons of concern (``is_concerned``) whose household has a case open on D
    (opened before the end of D, Tokyo time, and not closed by then); an agency scope also needs
    the agency on the case's team on D, an area or district scope the household's district.
    """
    if estimates is None:
        estimates = list(PrevalenceEstimate.objects.all())
    if counts is None:  # else computed by ``survey_parts`` (with these ``estimates``)
        counts = survey_counts(as_of, scope, estimates)
    main, assessed = counts["main"], counts["assessed"]
    situation = counts["situation"]
    known = sum(row["n"] for row in main)
    day = wareki.format_wareki(as_of)
    base = _("{day}に支援ケースが開いている世帯の本人（支援の対象者）を数えています。").format(day=day)

    areas = list(Area.objects.values_list("pk", "name"))
    districts = list(District.objects.values_list("pk", "name", "area_id"))
    area_of = {pk: area for pk, _name, area in districts}
    for row in main:
        row["household__district__area_id"] = area_of.get(row["household__district_id"])
    no_district = _("地区未登録")
    area_rows = [*areas, (None, no_district)]
    district_rows = [*((pk, name) for pk, name, _area in districts), (None, no_district)]
    area_names = dict(areas)
    district_areas = (*(area_names[area] for _pk, _name, area in districts), no_district)
    sex_rows = _choice_rows(Sex.choices)
    age5, age10, duration = age5_rows(), age10_rows(), duration_rows()

    tables = [
        _one_way(
            "survey_age_5",
            _("年齢（5歳階級）"),
            base
            + _(
                "年齢はその日の満年齢で、生年月日から（匿名化された人は保存した年齢から）求めます。年代しか分からない人は「不明」です。"
            ),
            _("年齢"),
            age5,
            _sum(main, "age5"),
        ),
        _one_way(
            "survey_age_10",
            _("年齢（10歳階級）"),
            base
            + _("年齢はその日の満年齢（生年月日、保存した年齢の順）で、どちらもないときはおおよその年代で数えます。"),
            _("年代"),
            age10,
            _sum(main, "age10"),
            "age10",
        ),
        _one_way("survey_sex", _("性別"), base, _("性別"), sex_rows, _sum(main, "sex"), "sex"),
        _one_way(
            "survey_area",
            _("地域"),
            base + _("世帯の地区が属する地域で数えます。"),
            _("地域"),
            area_rows,
            _sum(main, "household__district__area_id"),
            "area",
        ),
        _one_way(
            "survey_district",
            _("地区"),
            base + _("世帯の地区で数えます。"),
            _("地区"),
            district_rows,
            _sum(main, "household__district_id"),
            "district",
            parents=district_areas,
            parent_dim="area",
        ),
    ]
    tables.append(
        _cross(
            "survey_household",
            _("世帯の状況"),
            base
            + _(
                "単身は世帯にほかの人が登録されていない場合です。65歳以上の世帯員には本人も含み、年齢は生年月日、保存した年齢、年代（60代以上）の順に判断します。"
            ),
            _("世帯"),
            [(False, _("単身")), (True, _("同居"))],
            [(True, _("65歳以上の世帯員あり")), (False, _("65歳以上の世帯員なし"))],
            Counter(
                {
                    (True, True): situation["shared_elderly"],
                    (True, False): situation["shared"],
                    (False, True): situation["alone_elderly"],
                    (False, False): situation["alone"],
                }
            ),
        )
    )
    tables.append(
        _one_way(
            "survey_duration",
            _("ひきこもり状態の期間"),
            base
            + _(
                "ひきこもり状態になった時期からその日までの期間です。年や月までしか分からない時期はその期間の中ほどから数え、時期が未入力またはその日より後のときは「不明」です。"
            ),
            _("期間"),
            duration,
            _sum(main, "duration"),
            "duration",
        )
    )

    pathway_options = _pathway_options()
    stage_counts: Counter[str] = Counter()
    pathway_counts: Counter[str] = Counter()
    contact_counts: Counter[str | None] = Counter()
    option_values = {value for value, _label in pathway_options}
    unassessed = known - sum(row["n"] for row in assessed)
    for row in [*assessed, {"summary": None, "n": unassessed}]:
        stage, values = _parse_summary(row["summary"])
        stage_counts[stage] += row["n"]
        chosen = values & option_values
        for value in chosen:
            pathway_counts[value] += row["n"]
        if not chosen:
            pathway_counts[UNKNOWN] += row["n"]
    for row in counts["first_contact"]:
        contact_counts[row["contact_type"]] += row["n"]
    contact_counts[None] += known - sum(row["n"] for row in counts["first_contact"])
    latest_note = _("各人の、その日までに完了した標準アセスメントシートのうち最新のものによります。")
    pathway_rows = [*pathway_options, (UNKNOWN, _("不明・未評価"))]
    tables.append(
        Table(
            key="survey_pathway",
            title=_("ひきこもり状態になったきっかけ（複数回答）"),
            definition=base
            + latest_note
            + _(
                "複数回答のため合計は人数と一致しません。回答がない・「不明」・アセスメントがない人は「不明・未評価」です。"
            ),
            rows=tuple(label for _value, label in pathway_rows),
            columns=(_("人数"),),
            cells=tuple((pathway_counts.get(value, 0),) for value, _label in pathway_rows),
            additive=False,
            total=known,
            unit=_("人"),
            row_header=_("きっかけ"),
            group=_("実態把握（把握している人）"),
        )
    )
    tables.append(
        _one_way(
            "survey_disability",
            _("障害の状況"),
            base + _("本人の記録の「障害」の欄によります。"),
            _("障害"),
            _choice_rows(Disability.choices),
            _sum(main, "disability"),
        )
    )
    stage_rows = [(str(value), str(label)) for value, label in SupportStage.choices] + [(NONE, _("未評価"))]
    tables.append(
        _one_way(
            "survey_stage",
            _("支援段階"),
            base + latest_note + _("完了したアセスメントがない人、または支援段階が「不明」の人は「未評価」です。"),
            _("支援段階"),
            stage_rows,
            stage_counts,
        )
    )
    tables.append(
        _one_way(
            "survey_first_contact",
            _("最初の相談者"),
            base + _("世帯の最初の相談受付（その日まで）の相談者です。相談受付の記録がない世帯は「不明」です。"),
            _("相談者"),
            [*_choice_rows(ContactType.choices), (None, _("不明"))],
            contact_counts,
        )
    )
    tables.append(
        _cross(
            "survey_age_10_duration",
            _("年齢（10歳階級）×ひきこもり状態の期間"),
            base + _("年齢と期間の数え方は、それぞれの表と同じです。"),
            _("年代"),
            age10,
            duration,
            _sum(main, "age10", "duration"),
            ("age10", "duration"),
        )
    )
    tables.append(
        _cross(
            "survey_area_age_10",
            _("地域×年齢（10歳階級）"),
            base + _("地域と年齢の数え方は、それぞれの表と同じです。"),
            _("地域"),
            area_rows,
            age10,
            _sum(main, "household__district__area_id", "age10"),
            ("area", "age10"),
        )
    )
    tables.append(
        _cross(
            "survey_sex_age_10",
            _("性別×年齢（10歳階級）"),
            base + _("年齢の数え方は年齢（10歳階級）の表と同じです。"),
            _("性別"),
            sex_rows,
            age10,
            _sum(main, "sex", "age10"),
            ("sex", "age10"),
        )
    )
    tables.append(_estimate_table(estimates, main, base))
    return tables


def _estimate_table(estimates: Sequence[PrevalenceEstimate], main: Sequence[dict[str, Any]], base: str) -> Table:
    cells = []
    for index, estimate in enumerate(estimates):
        known = sum(row[f"e{index}"] for row in main)
        estimated = estimate.estimated
        cells.append(
            (
                Measure(known, known),
                Measure(estimated, estimate.population),
                Measure(share_percent(known, estimated), known),
            )
        )
    return Table(
        key="survey_estimate",
        title=_("把握率（把握している人÷推計数）"),
        definition=base
        + _(
            "推計数は事務局が入力した人口×出現率÷100（四捨五入）です。年齢は生年月日または保存した年齢で判断し、年代しか分からない人はその年代が区分に収まるときだけ数えます（例：15〜39歳に20代・30代）。"
        ),
        rows=tuple(estimate.label for estimate in estimates),
        columns=(_("把握している人（人）"), _("推計数（人）"), _("把握率（%）")),
        cells=tuple(cells),
        kind=MEASURE,
        row_header=_("年齢"),
        group=_("実態把握（把握している人）"),
    )


def estimates_seed() -> int:
    """Enter the demo's estimate parameters unless the secretariat has entered any; returns how
    many were created (0 when estimates exist: the secretariat's figures are never overwritten)."""
    if PrevalenceEstimate.objects.exists():
        return 0
    PrevalenceEstimate.objects.bulk_create(PrevalenceEstimate(**fields) for fields in DEMO_ESTIMATES)
    return len(DEMO_ESTIMATES)

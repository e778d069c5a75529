"""Indicators of the desk and of the cases (issue 13 item 2, 進行管理).

:func:`desk_tables` counts the desk's work (consultations, triage, time to a first support);
:func:`case_tables` the cases (opened, open by status and support stage, closed by reason, no
contact, unanswered outreach, the 39→40 hand-offs). Every figure is a database aggregate; grouped
results (counts per pair of days, a histogram of day gaps, counts per birth date) are finished in
Python where the rule is a calendar one (business days, ``add_years``) that SQL on PostgreSQL and
SQLite would not agree on. A few queries per table, on the cases table or on indexed columns.
"""

import datetime as dt
import math
from collections import Counter
from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Count, Exists, F, Min, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import TruncDate, TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _

from tsunagu.agencies.models import Agency, TeamRole
from tsunagu.cases.models import Case, CaseAgency, CaseStatus, ClosureReason
from tsunagu.intake.models import Channel, Consultation, ContactType
from tsunagu.lib.ages import add_months, add_years
from tsunagu.lib.businessdays import add_business_days
from tsunagu.people.models import Person, SupportStage
from tsunagu.records.models import ProgressRecord
from tsunagu.reports.period import TOKYO, Period, Scope
from tsunagu.reports.tables import MEASURE, Measure, Table

NO_CONTACT_DAYS = 60  # 「60日以上連絡が取れていない」
UNANSWERED_STREAK = 3  # 「続けて3回以上会えなかった」
HANDOFF_WINDOW_MONTHS = 6  # routing warns six months before a lead's age limit (docs/domain.md §9)
OPEN_STATUSES = (CaseStatus.RECEIVED, CaseStatus.ACTIVE, CaseStatus.WATCHING)


# --- helpers ----------------------------------------------------------------------------------


def _day_start(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), TOKYO)


def _as_date(value: Any) -> dt.date | None:
    """A truncated month or day as a date (drivers return a date or an aware datetime)."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return timezone.localtime(value, TOKYO).date() if timezone.is_aware(value) else value.date()
    if isinstance(value, str):  # SQLite may hand a day back as text
        return dt.date.fromisoformat(value[:10])
    return value  # type: ignore[no-any-return]


def _month_labels(months: list[dt.date]) -> tuple[str, ...]:
    with_year = len({m.month for m in months}) < len(months)
    if with_year:
        return tuple(_("{year}年{month}月").format(year=m.year, month=m.month) for m in months)
    return tuple(_("{month}月").format(month=m.month) for m in months)


def _percent(part: int, base: int) -> Decimal | None:
    if not base:
        return None
    return (Decimal(part * 100) / Decimal(base)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def _nearest_rank(histogram: Counter[int], share: Decimal) -> int | None:
    """The nearest-rank percentile of a histogram {value: count}: the ⌈share × N⌉-th smallest."""
    total = sum(histogram.values())
    if not total:
        return None
    rank = max(1, math.ceil(share * total))
    seen = 0
    for value in sorted(histogram):
        seen += histogram[value]
        if seen >= rank:
            return value
    return None  # pragma: no cover - unreachable


def _counts(rows: QuerySet[Any], field: str) -> dict[Any, int]:
    """``{value: count}`` of a queryset grouped by one field: one query."""
    return dict(rows.values(field).annotate(n=Count("pk")).order_by().values_list(field, "n"))


def _one_way(
    key: str,
    title: str,
    definition: str,
    labels: Iterable[tuple[Any, Any]],
    counts: dict[Any, int],
    *,
    unit: str,
    column: str,
    group: str,
    row_header: str,
) -> Table:
    pairs = list(labels)
    return Table(
        key=key,
        title=title,
        definition=definition,
        rows=tuple(str(label) for _value, label in pairs),
        columns=(column,),
        cells=tuple((int(counts.get(value, 0)),) for value, _label in pairs),
        unit=unit,
        row_header=row_header,
        group=group,
    )


def _agency_id(scope: Scope) -> int:
    if scope.id is None:
        raise ValueError("an agency scope needs the agency's id")
    return scope.id


def _team_overlapping(scope: Scope, first: dt.date, last: dt.date) -> Exists:
    """The case has a team row of the scope's agency overlapping the days ``first``..``last``."""
    return Exists(
        CaseAgency.objects.filter(case_id=OuterRef("pk"), agency_id=_agency_id(scope), since__lte=last).filter(
            Q(until__isnull=True) | Q(until__gte=first)
        )
    )


def _cases(scope: Scope, first: dt.date, last: dt.date) -> QuerySet[Case]:
    """The cases of the scope: by household district, or by the agency's team rows on the days."""
    cases = Case.objects.all()
    if scope.is_agency:
        return cases.filter(_team_overlapping(scope, first, last))
    return cases.filter(**scope.household_filter("household__"))


def _open_on(cases: QuerySet[Case], day: dt.date) -> QuerySet[Case]:
    """The cases open on ``day`` (a Tokyo day), rebuilt from ``opened_at`` and ``closed_at``."""
    after = _day_start(day + dt.timedelta(days=1))
    return cases.filter(opened_at__lt=after).filter(Q(closed_at__isnull=True) | Q(closed_at__gte=after))


def _status_rows() -> list[tuple[str, str]]:
    labels = dict(CaseStatus.choices)
    rows = [(status.value, str(labels[status.value])) for status in OPEN_STATUSES]
    return [*rows, (CaseStatus.CLOSED.value, _("その後終結（現在）"))]


# --- the desk ---------------------------------------------------------------------------------


def desk_tables(period: Period, scope: Scope) -> list[Table]:
    """The desk's indicators (group 「相談の受付」); none for an agency: they are the desk's."""
    if scope.is_agency:
        return []
    group = _("相談の受付")
    consultations = Consultation.objects.filter(received_at__gte=period.start_at, received_at__lt=period.end_at)
    consultations = consultations.filter(**scope.household_filter("household__"))
    where = (
        _("区全体では世帯が決まっていない相談も数えます。")
        if scope.kind == "ward"
        else _("地域・地区別には相談に結び付いた世帯の地区で数え、世帯のない相談は区全体にだけ数えます。")
    )
    by_kind, by_day = _consultation_groups(consultations)
    return [
        _consultations_by_month(period, by_kind, group, where),
        _consultations_by_contact(by_kind, group, where),
        _triage_within_a_day(period, by_day, group, where),
        _first_support(period, scope, group),
    ]


def _consultation_groups(
    consultations: QuerySet[Consultation],
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The consultations counted per (Tokyo month received, channel, contact) and per (Tokyo day
    received, Tokyo day triaged): the desk's first three tables sum these groups. (One grouping by
    all four keys gave 33,000 rows at national scale, whose conversion in Python cost more than
    the second pass over the consultations.)"""
    by_kind = (
        consultations.annotate(month=TruncMonth("received_at", tzinfo=TOKYO))
        .values("month", "channel", "contact_type")
        .annotate(n=Count("pk"))
        .order_by()
    )
    by_day = (
        consultations.annotate(
            received_day=TruncDate("received_at", tzinfo=TOKYO), triaged_day=TruncDate("triaged_at", tzinfo=TOKYO)
        )
        .values("received_day", "triaged_day")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return (
        [{**row, "month": _as_date(row["month"])} for row in by_kind],
        [
            {"received_day": _as_date(row["received_day"]), "triaged_day": _as_date(row["triaged_day"]), "n": row["n"]}
            for row in by_day
        ],
    )


def _consultations_by_month(period: Period, rows: list[dict[str, Any]], group: str, where: str) -> Table:
    months = period.months()
    channels = list(Channel.choices)
    counts: Counter[tuple[dt.date, str]] = Counter()
    for row in rows:  # the Tokyo month received
        counts[(row["month"], row["channel"])] += row["n"]
    return Table(
        key="consultations_by_month_channel",
        title=_("月別・方法別の相談受付件数"),
        definition=_("期間中に受け付けた相談（相談受付の受付日時、東京時間の月）を、相談の方法別に数えたもの。")
        + where,
        rows=_month_labels(months),
        columns=tuple(str(label) for _value, label in channels),
        cells=tuple(tuple(counts.get((month, value), 0) for value, _label in channels) for month in months),
        unit=_("件"),
        monthly=True,
        months=tuple(months),
        row_header=_("受付月"),
        group=group,
    )


def _consultations_by_contact(rows: list[dict[str, Any]], group: str, where: str) -> Table:
    counts: Counter[str] = Counter()
    for row in rows:
        counts[row["contact_type"]] += row["n"]
    return _one_way(
        "consultations_by_contact",
        _("相談者別の相談受付件数"),
        _("期間中に受け付けた相談を、相談してきた人（本人、家族、関係機関など）別に数えたもの。") + where,
        ContactType.choices,
        counts,
        unit=_("件"),
        column=_("件数"),
        group=group,
        row_header=_("相談者"),
    )


def _triage_within_a_day(period: Period, rows: list[dict[str, Any]], group: str, where: str) -> Table:
    today = timezone.localdate()
    months = period.months()
    on_time: Counter[dt.date] = Counter()
    base: Counter[dt.date] = Counter()
    deadlines: dict[dt.date, dt.date] = {}
    for row in rows:
        received = row["received_day"]
        triaged = row["triaged_day"]
        assert received is not None
        if received not in deadlines:
            deadlines[received] = add_business_days(received, 1)
        deadline = deadlines[received]
        month = received.replace(day=1)
        if triaged is None:
            if deadline < today:  # overdue and still waiting: late
                base[month] += row["n"]
            continue  # still within its day: not yet counted
        base[month] += row["n"]
        if triaged <= deadline:
            on_time[month] += row["n"]
    return Table(
        key="consultations_triaged_within_1_business_day",
        title=_("1営業日以内に振り分けた相談の割合"),
        definition=_(
            "受付月ごとに、振り分け済みの相談と、翌営業日を過ぎても振り分けられていない相談（本日現在）を分母とし、"
            "受付日の翌営業日（土日・祝日・12月29日〜1月3日を除く）までに振り分けた相談の割合（%、小数第1位）。"
            "受付日と振り分け日は東京時間の日付です。"
        )
        + where,
        rows=_month_labels(months),
        columns=(_("割合"),),
        cells=tuple((Measure(_percent(on_time[m], base[m]), base[m]),) for m in months),
        kind=MEASURE,
        unit=_("%"),
        monthly=True,
        months=tuple(months),
        row_header=_("受付月"),
        group=group,
    )


def _first_support(period: Period, scope: Scope, group: str) -> Table:
    # ORDER BY … LIMIT 1 per case (not MIN … GROUP BY): read from the first entry of the
    # (case, -occurred_on) and household indexes instead of every record of the case.
    first_consultation = (
        Consultation.objects.filter(household_id=OuterRef("household_id")).order_by("received_at").values("received_at")
    )[:1]
    first_support = (
        ProgressRecord.objects.filter(case_id=OuterRef("pk"), reached=True, withdrawn=False)
        .order_by("occurred_on")
        .values("occurred_on")
    )[:1]
    cases = _cases(scope, period.start, period.end).filter(opened_at__gte=period.start_at, opened_at__lt=period.end_at)
    grouped = (
        cases.annotate(
            consulted=TruncDate(Subquery(first_consultation), tzinfo=TOKYO), supported=Subquery(first_support)
        )
        .values("consulted", "supported")
        .annotate(n=Count("pk"))
        .order_by()
    )
    histogram: Counter[int] = Counter()
    for row in grouped:
        consulted, supported = _as_date(row["consulted"]), _as_date(row["supported"])
        if consulted is None or supported is None:
            continue  # no consultation, or nobody reached yet
        gap = (supported - consulted).days
        if gap >= 0:
            histogram[gap] += row["n"]
    base = sum(histogram.values())
    return Table(
        key="days_first_consultation_to_first_support",
        title=_("初回相談から初回支援までの日数"),
        definition=_(
            "期間中に開始したケースについて、世帯の最初の相談の受付日から、ケースで初めて本人・家族と会えた"
            "（話せた）支援経過記録（取り消した記録を除く、本日までの記録）の日までの日数。中央値と90パーセンタイルは"
            "最近順位法（小さい順に N×0.5、N×0.9 を切り上げた順位の値）。"
            "相談のない世帯と、まだ会えていないケースは除きます。"
        ),
        rows=(_("全体"),),
        columns=(_("中央値"), _("90パーセンタイル")),
        cells=(
            (
                Measure(_nearest_rank(histogram, Decimal("0.5")), base),
                Measure(_nearest_rank(histogram, Decimal("0.9")), base),
            ),
        ),
        kind=MEASURE,
        unit=_("日"),
        row_header=_("区分"),
        group=group,
    )


# --- the cases --------------------------------------------------------------------------------


def case_tables(period: Period, scope: Scope, *, as_of: dt.date) -> list[Table]:
    """The cases' indicators (group 「ケース」). ``as_of`` is the day the state figures are taken
    on: the period's last day, or today while the period runs."""
    group = _("ケース")
    in_period = _cases(scope, period.start, period.end)
    on_day = _cases(scope, as_of, as_of)
    open_then = _open_on(on_day, as_of)
    open_counts, quiet_counts = _open_and_quiet(open_then, as_of)
    return [
        _opened_by_month(period, in_period, group),
        _open_by_status(open_counts, as_of, group),
        _open_by_stage(open_then, as_of, group),
        _closed_by_reason(period, in_period, group),
        _no_contact(quiet_counts, as_of, group),
        _unanswered(scope, group),
        _handoffs(period, in_period, group),
    ]


def _opened_by_month(period: Period, cases: QuerySet[Case], group: str) -> Table:
    months = period.months()
    grouped = (
        cases.filter(opened_at__gte=period.start_at, opened_at__lt=period.end_at)
        .annotate(month=TruncMonth("opened_at", tzinfo=TOKYO))
        .values("month")
        .annotate(n=Count("pk"))
        .order_by()
    )
    counts = {_as_date(row["month"]): row["n"] for row in grouped}
    return Table(
        key="cases_opened_by_month",
        title=_("月別の新規ケース数"),
        definition=_("期間中に開始した支援ケース（ケースの開始日時、東京時間の月）の数。"),
        rows=_month_labels(months),
        columns=(_("件数"),),
        cells=tuple((counts.get(m, 0),) for m in months),
        unit=_("件"),
        monthly=True,
        months=tuple(months),
        row_header=_("開始月"),
        group=group,
    )


def _open_and_quiet(open_then: QuerySet[Case], as_of: dt.date) -> tuple[dict[str, int], dict[str, int]]:
    """``{status: count}`` of the cases open on ``as_of``, and of those of them with no contact for
    60 days (:func:`_quiet`): one pass over the cases for both tables."""
    grouped = open_then.values("status").annotate(n=Count("pk"), quiet=Count("pk", filter=_quiet(as_of))).order_by()
    rows = list(grouped)
    return {row["status"]: row["n"] for row in rows}, {row["status"]: row["quiet"] for row in rows}


def _open_by_status(counts: dict[str, int], as_of: dt.date, group: str) -> Table:
    return _one_way(
        "cases_open_by_status",
        _("状態別の継続中のケース数"),
        _(
            "{day}に開始済みで終結していなかった支援ケース（開始日時と終結日時から判定）を、現在の状態別に数えたもの。"
            "その後終結したケースは「その後終結（現在）」に数えます。"
        ).format(day=f"{as_of:%Y-%m-%d}"),
        _status_rows(),
        counts,
        unit=_("件"),
        column=_("件数"),
        group=group,
        row_header=_("状態（現在）"),
    )


def _open_by_stage(open_then: QuerySet[Case], as_of: dt.date, group: str) -> Table:
    persons = Person.objects.filter(is_concerned=True, household_id__in=open_then.values("household_id"))
    counts = _counts(persons, "support_stage")
    rows: list[tuple[Any, str]] = [(value, str(label)) for value, label in SupportStage.choices]
    rows.append((None, _("未設定")))
    return _one_way(
        "persons_open_by_support_stage",
        _("支援段階別の対象者数（継続中のケース）"),
        _(
            "{day}に継続中だった支援ケースの世帯の支援対象者（ひきこもり状態にある本人）を、現在の支援段階別に"
            "数えたもの（一人を一度）。支援段階が記録されていない人は「未設定」。"
        ).format(day=f"{as_of:%Y-%m-%d}"),
        rows,
        counts,
        unit=_("人"),
        column=_("人数"),
        group=group,
        row_header=_("支援段階（現在）"),
    )


def _closed_by_reason(period: Period, cases: QuerySet[Case], group: str) -> Table:
    closed = cases.filter(closed_at__gte=period.start_at, closed_at__lt=period.end_at)
    counts = _counts(closed, "closure_reason")
    return _one_way(
        "cases_closed_by_reason",
        _("終結理由別の終結ケース数"),
        _(
            "期間中に終結した支援ケース（現在の終結日時が期間内のもの。再開したケースは含みません）を終結の理由別に数えたもの。"
        ),
        ClosureReason.choices,
        counts,
        unit=_("件"),
        column=_("件数"),
        group=group,
        row_header=_("終結の理由"),
    )


def _quiet(as_of: dt.date) -> Q:
    """The open case had no contact in the 60 days up to ``as_of``: its last reached, not withdrawn
    record up to that day is 60 or more days old, or it has none and opened 60 or more days before."""
    since = as_of - dt.timedelta(days=NO_CONTACT_DAYS - 1)  # a contact on or after this day is recent
    # The kept work state ``Case.last_contact_on`` is the day of the case's last reached, not
    # withdrawn record (decision 0017). When it is on or before ``as_of`` it is also the last
    # contact up to ``as_of``: no record to read. Only the cases reached after ``as_of`` (a past
    # day) are probed on the records (index ``record_case_date``).
    contacts = ProgressRecord.objects.filter(case_id=OuterRef("pk"), reached=True, withdrawn=False)
    recent = Exists(contacts.filter(occurred_on__gte=since, occurred_on__lte=as_of))
    earlier = Exists(contacts.filter(occurred_on__lte=as_of))
    probed = Q(last_contact_on__gt=as_of) & ~Q(recent) & (Q(earlier) | Q(opened_at__lt=_day_start(since)))
    return (
        Q(last_contact_on__lt=since)  # since <= as_of: the last contact, and before ``since``
        | Q(last_contact_on__isnull=True, opened_at__lt=_day_start(since))  # never reached
        | probed
    )


def _no_contact(counts: dict[str, int], as_of: dt.date, group: str) -> Table:
    return _one_way(
        "cases_no_contact_60_days",
        _("60日以上連絡が取れていないケース数"),
        _(
            "{day}に継続中だった支援ケースのうち、その日までで最後に本人・家族と会えた（話せた）支援経過記録"
            "（取り消した記録を除く）の日から60日以上たっているもの、または会えた記録がなく開始から60日以上たっているもの。"
            "状態は現在の状態です。"
        ).format(day=f"{as_of:%Y-%m-%d}"),
        _status_rows(),
        counts,
        unit=_("件"),
        column=_("件数"),
        group=group,
        row_header=_("状態（現在）"),
    )


def _unanswered(scope: Scope, group: str) -> Table:
    if scope.is_agency:
        cases = Case.objects.filter(
            Exists(CaseAgency.objects.filter(case_id=OuterRef("pk"), agency_id=_agency_id(scope), until__isnull=True))
        )
    else:
        cases = Case.objects.filter(**scope.household_filter("household__"))
    streaks = cases.filter(status__in=OPEN_STATUSES, unanswered_streak__gte=UNANSWERED_STREAK)
    counts = _counts(streaks, "status")
    labels = dict(CaseStatus.choices)
    return _one_way(
        "cases_unanswered_streak_3",
        _("続けて3回以上会えていないケース数（現在）"),
        _(
            "現在継続中の支援ケースのうち、最後に会えた記録の後、会えなかった訪問・連絡の記録が続けて3回以上あるもの"
            "（現在の状態。期間によらず本日現在の数）。"
        ),
        [(status.value, str(labels[status.value])) for status in OPEN_STATUSES],
        counts,
        unit=_("件"),
        column=_("件数"),
        group=group,
        row_header=_("状態（現在）"),
    )


def _handoffs(period: Period, cases: QuerySet[Case], group: str) -> Table:
    """The 39→40 hand-offs: the concerned persons who passed their lead agency's age limit in the
    period, and of them those whose case had by that day a lead agency without that limit."""
    limits = sorted({v for v in Agency.objects.values_list("age_max", flat=True).distinct() if v is not None})
    births = Q(pk__in=[])
    for age_max in limits:  # the birth dates that pass this limit within the period (a day's margin for 2/29)
        first = add_years(period.start, -(age_max + 1)) - dt.timedelta(days=1)
        last = add_years(period.end, -(age_max + 1)) + dt.timedelta(days=1)
        births |= Q(agency__age_max=age_max, person_birth__gte=first, person_birth__lte=last)
    later_lead = (
        CaseAgency.objects.filter(case_id=OuterRef("case_id"), role=TeamRole.LEAD, since__gte=OuterRef("since"))
        .filter(Q(agency__age_max__isnull=True) | Q(agency__age_max__gt=OuterRef("agency__age_max")))
        .order_by()
        .values("case_id")
        .annotate(first=Min("since"))
        .values("first")
    )
    members = (
        CaseAgency.objects.filter(
            role=TeamRole.LEAD,
            agency__age_max__isnull=False,
            case__in=cases.values("pk"),
            case__household__members__is_concerned=True,
        )
        .annotate(
            person_birth=F("case__household__members__birth_date"),
            handed_on=Subquery(later_lead),
            closed_day=TruncDate("case__closed_at", tzinfo=TOKYO),
        )
        .filter(births)
        .values("person_birth", "agency__age_max", "since", "until", "closed_day", "handed_on")
        .annotate(n=Count("pk"))
        .order_by()
    )
    passed = 0
    on_time = 0
    for row in members:
        day = add_years(row["person_birth"], int(row["agency__age_max"] or 0) + 1)  # not null (filtered)
        if not period.start <= day <= period.end:
            continue
        closed = _as_date(row["closed_day"])
        window = add_months(day, -HANDOFF_WINDOW_MONTHS)
        led_before = row["since"] < day and (row["until"] is None or row["until"] >= window)
        if not led_before or (closed is not None and closed < day):
            continue
        passed += row["n"]
        handed = row["handed_on"]
        if handed is not None and handed <= day:
            on_time += row["n"]
    return Table(
        key="handoffs_at_age_limit",
        title=_("対象年齢上限による主担当の引き継ぎ（39歳→40歳など）"),
        definition=_(
            "期間中に、ケースの主担当機関の対象年齢上限を超えた（上限+1歳の誕生日を迎えた）支援対象者のうち、"
            "その日までに上限のない（または上限がより高い）機関へ主担当が引き継がれていた人の数。"
            "対象は、その日の前の{months}か月のうちにその機関が主担当だった、その日に終結していないケースの人。"
            "生年月日が記録されている人に限ります。"
        ).format(months=HANDOFF_WINDOW_MONTHS),
        rows=(_("上限を超えた人"), _("うち期限までに引き継ぎ済み")),
        columns=(_("人数"),),
        cells=((passed,), (on_time,)),
        additive=False,
        total=passed,
        unit=_("人"),
        row_header=_("区分"),
        group=group,
    )

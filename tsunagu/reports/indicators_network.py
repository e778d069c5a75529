"""Indicators of referrals (つなぎ) and of the network around the case (居場所・家族会・研修),
issue 13 item 2.

Every figure is a database aggregate; Python only combines grouped results (a histogram of
(requested day, answered day) into business days, months into rows). Scopes:

- referrals: an area or district by the district of the case's household; an agency by the
  referrals it sent or received (two columns, 送った / 受けた, instead of the ward's columns);
- places, sessions and attendance: an area or district by the place's own district or area (a
  place with neither is counted only for the ward); an agency by the places it runs;
- enrolments (programme outcomes): an area or district by the case's household, an agency by the
  programme's running agency;
- training: an area or district by the staff member's agency's district or area; an agency by its
  own staff.
"""

import datetime as dt
import math
from collections import defaultdict
from collections.abc import Iterable, Mapping
from decimal import Decimal
from functools import lru_cache
from typing import Any

from django.db.models import (
    Case,
    Count,
    DateField,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    Sum,
    Value,
    When,
)
from django.db.models.functions import TruncDate, TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _

from tsunagu.agencies.models import CASE_ROLES, Membership, Role
from tsunagu.lib.businessdays import business_days_between
from tsunagu.places.models import (
    PROGRAMME_KINDS,
    AnonymousCount,
    AttendeeRole,
    Enrolment,
    FamilyNeedCount,
    NamedAttendance,
    Outcome,
    PlaceKind,
    PlaceSession,
)
from tsunagu.places.services import family_need_options
from tsunagu.referrals.models import DeclineReason, Referral, ReferralStatus
from tsunagu.reports.period import AGENCY, AREA, DISTRICT, TOKYO, Period, Scope
from tsunagu.reports.tables import MEASURE, Measure, Table
from tsunagu.training.models import CourseKind, TrainingAttendance

SENT = 1
RECEIVED = 0

# The place kinds of the attendance table's rows, in order.
IBASHO = "ibasho"
PROGRAMME = "programme"
FAMILY = "family"


def _kind_group(kind: str) -> str:
    if kind == PlaceKind.FAMILY_ASSOCIATION:
        return FAMILY
    if kind in PROGRAMME_KINDS:
        return PROGRAMME
    return IBASHO


# --- shared helpers ----------------------------------------------------------------------------


def month_labels(months: Iterable[dt.date]) -> tuple[str, ...]:
    """「4月」 for each month, or 「2027年4月」 when the period holds a month number twice."""
    months = list(months)
    if len({m.month for m in months}) == len(months):
        return tuple(_("{month}月").format(month=m.month) for m in months)
    return tuple(_("{year}年{month}月").format(year=m.year, month=m.month) for m in months)


def _month_of(value: dt.date | dt.datetime) -> dt.date:
    if isinstance(value, dt.datetime):
        value = timezone.localtime(value, TOKYO).date() if timezone.is_aware(value) else value.date()
    return value.replace(day=1)


def _tokyo_day(field: str) -> TruncDate:
    return TruncDate(field, tzinfo=TOKYO)


def _tokyo_month(field: str) -> TruncMonth:
    return TruncMonth(field, tzinfo=TOKYO, output_field=DateField())


def _in_period(field: str, period: Period) -> dict[str, Any]:
    """A datetime field within the period's Tokyo days."""
    return {f"{field}__gte": period.start_at, f"{field}__lt": period.end_at}


def median(histogram: Mapping[int, int]) -> Decimal | None:
    """The median of the values counted in ``histogram`` (value → how many): the middle value,
    or the mean of the two middle values when there is an even number of them."""
    n = sum(histogram.values())
    if not n:
        return None
    low = _nth(histogram, (n + 1) // 2)
    high = _nth(histogram, n // 2 + 1)
    return (Decimal(low) + Decimal(high)) / 2


def nearest_rank(histogram: Mapping[int, int], percent: int) -> int | None:
    """The ``percent``-th percentile by nearest rank: the ⌈percent/100 × n⌉-th smallest value."""
    n = sum(histogram.values())
    if not n:
        return None
    return _nth(histogram, max(1, math.ceil(percent * n / 100)))


def _nth(histogram: Mapping[int, int], rank: int) -> int:
    """The ``rank``-th smallest value (1-based) of the histogram."""
    seen = 0
    for value in sorted(histogram):
        seen += histogram[value]
        if seen >= rank:
            return value
    raise ValueError("rank beyond the histogram")


@lru_cache(maxsize=4096)
def _business_days(start: dt.date, end: dt.date) -> int:
    return business_days_between(start, end)


def _scope_id(scope: Scope) -> int:
    if scope.id is None:
        raise ValueError(f"a {scope.kind} scope needs an id")
    return scope.id


def _today() -> dt.date:
    return timezone.localtime(timezone.now(), TOKYO).date()


# --- referrals ---------------------------------------------------------------------------------


def _referrals(scope: Scope) -> Any:  # a QuerySet[Referral] with the ``sent`` annotation
    """The referrals a scope counts, with ``sent`` (1 when the agency of an agency scope sent it)."""
    qs = Referral.objects.all()
    if scope.kind == AGENCY:
        sent = Case(
            When(from_agency_id=scope.id, then=Value(SENT)), default=Value(RECEIVED), output_field=IntegerField()
        )
        return qs.filter(Q(from_agency_id=scope.id) | Q(to_agency_id=scope.id)).annotate(sent=sent)
    return qs.filter(**scope.household_filter("case__household__")).annotate(
        sent=Value(SENT, output_field=IntegerField())
    )


def _directions() -> tuple[str, str]:
    return (_("送った"), _("受けた"))


def _direction_cell(sent: int) -> int:
    return 0 if sent == SENT else 1


def referral_tables(period: Period, scope: Scope) -> list[Table]:
    group = _("つなぎ")
    return [
        _referrals_by_month(period, scope, group),
        _referrals_answered_in_time(period, scope, group),
        _referrals_declined_by_reason(period, scope, group),
        _referral_answer_days(period, scope, group),
        _referrals_escalated(period, scope, group),
    ]


def _referrals_by_month(period: Period, scope: Scope, group: str) -> Table:
    months = period.months()
    index = {m: i for i, m in enumerate(months)}
    statuses = list(ReferralStatus)
    agency = scope.kind == AGENCY
    columns = _directions() if agency else tuple(str(s.label) for s in statuses)
    status_index = {s.value: i for i, s in enumerate(statuses)}
    cells = [[0] * len(columns) for _m in months]
    grouped = (
        _referrals(scope)
        .filter(**_in_period("requested_at", period))
        .values("sent", "status", month=_tokyo_month("requested_at"))
        .annotate(n=Count("pk"))
        .order_by()
    )
    for row in grouped:
        column = _direction_cell(row["sent"]) if agency else status_index[row["status"]]
        cells[index[_month_of(row["month"])]][column] += row["n"]
    if agency:
        definition = _("この機関が送ったつなぎと受けたつなぎを、依頼日時（東京の日付）の月ごとに数えたもの。")
    else:
        definition = _(
            "依頼日時（東京の日付）が期間内のつなぎを月ごとに数え、集計時点の状態（依頼中・受理・初回面談済・辞退・取下げ）に分けたもの。"
        )
    return Table(
        key="referrals_by_month",
        title=_("月別のつなぎの件数"),
        definition=definition,
        rows=month_labels(months),
        columns=columns,
        cells=tuple(tuple(row) for row in cells),
        unit=_("件"),
        monthly=True,
        months=tuple(months),
        row_header=_("依頼した月"),
        group=group,
    )


def _referrals_answered_in_time(period: Period, scope: Scope, group: str) -> Table:
    """Of the referrals whose deadline fell in the period and has passed (before today), how many
    were answered on or before it, answered after it, are still unanswered, or were withdrawn
    unanswered (a withdrawal is only possible before an answer)."""
    today = _today()
    answered = Q(answered_at__isnull=False)
    grouped = (
        _referrals(scope)
        .filter(due_on__gte=period.start, due_on__lte=period.end, due_on__lt=today)
        .alias(answered_on=_tokyo_day("answered_at"))
        .values("sent")
        .annotate(
            on_time=Count("pk", filter=answered & Q(answered_on__lte=F("due_on"))),
            late=Count("pk", filter=answered & Q(answered_on__gt=F("due_on"))),
            open=Count("pk", filter=~answered & ~Q(status=ReferralStatus.WITHDRAWN)),
            withdrawn=Count("pk", filter=~answered & Q(status=ReferralStatus.WITHDRAWN)),
        )
        .order_by()
    )
    keys = ("on_time", "late", "open", "withdrawn")
    agency = scope.kind == AGENCY
    columns = _directions() if agency else (_("件数"),)
    cells = [[0] * len(columns) for _k in keys]
    for row in grouped:
        column = _direction_cell(row["sent"]) if agency else 0
        for i, key in enumerate(keys):
            cells[i][column] += row[key]  # type: ignore[literal-required]
    return Table(
        key="referrals_answered_in_time",
        title=_("回答期限までに回答されたつなぎ"),
        definition=_(
            "回答期限の日が期間内にあり、集計日より前のつなぎを、回答日時（東京の日付）が期限の日以前か、期限の後か、"
            "まだ回答がないか、回答前に取り下げられたかに分けたもの。"
        ),
        rows=(_("期限内に回答"), _("期限後に回答"), _("未回答"), _("回答前に取下げ")),
        columns=columns,
        cells=tuple(tuple(row) for row in cells),
        unit=_("件"),
        row_header=_("回答"),
        group=group,
    )


def _referrals_declined_by_reason(period: Period, scope: Scope, group: str) -> Table:
    reasons = list(DeclineReason)
    index = {r.value: i for i, r in enumerate(reasons)}
    agency = scope.kind == AGENCY
    columns = _directions() if agency else (_("件数"),)
    cells = [[0] * len(columns) for _r in reasons]
    grouped = (
        _referrals(scope)
        .filter(status=ReferralStatus.DECLINED, **_in_period("answered_at", period))
        .values("sent", "decline_reason")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for row in grouped:
        reason = row["decline_reason"] if row["decline_reason"] in index else DeclineReason.OTHER.value
        cells[index[reason]][_direction_cell(row["sent"]) if agency else 0] += row["n"]
    return Table(
        key="referrals_declined_by_reason",
        title=_("辞退されたつなぎ（理由別）"),
        definition=_(
            "回答日時（東京の日付）が期間内で、回答が辞退だったつなぎを、辞退の理由ごとに数えたもの（理由のないものは「その他」）。"
        ),
        rows=tuple(str(r.label) for r in reasons),
        columns=columns,
        cells=tuple(tuple(row) for row in cells),
        unit=_("件"),
        row_header=_("辞退の理由"),
        group=group,
    )


def _referral_answer_days(period: Period, scope: Scope, group: str) -> Table:
    """Business days from request to answer, from a histogram of (requested day, answered day)."""
    grouped = (
        _referrals(scope)
        .filter(**_in_period("answered_at", period))
        .values("sent", requested_on=_tokyo_day("requested_at"), answered_on=_tokyo_day("answered_at"))
        .annotate(n=Count("pk"))
        .order_by()
    )
    agency = scope.kind == AGENCY
    histograms: list[dict[int, int]] = [defaultdict(int) for _i in range(2 if agency else 1)]
    for row in grouped:
        days = _business_days(row["requested_on"], row["answered_on"])
        histograms[_direction_cell(row["sent"]) if agency else 0][days] += row["n"]
    cells = tuple(
        (
            Measure(median(h), sum(h.values())),
            Measure(nearest_rank(h, 90), sum(h.values())),
        )
        for h in histograms
    )
    return Table(
        key="referral_answer_days",
        title=_("つなぎの回答までの日数（営業日）"),
        definition=_(
            "回答日時（東京の日付）が期間内のつなぎについて、依頼日の翌日から回答日までの営業日（土日・祝日・年末年始12/29〜1/3を除く）の数。"
            "依頼日に回答したものは0日。中央値と90パーセンタイル（小さい方から90%の順位に当たる値）。"
        ),
        rows=_directions() if agency else (_("全体"),),
        columns=(_("中央値"), _("90パーセンタイル")),
        cells=cells,
        kind=MEASURE,
        unit=_("日"),
        row_header=_("つなぎ"),
        group=group,
    )


def _referrals_escalated(period: Period, scope: Scope, group: str) -> Table:
    months = period.months()
    index = {m: i for i, m in enumerate(months)}
    agency = scope.kind == AGENCY
    columns = _directions() if agency else (_("その後回答あり"), _("回答なし"))
    cells = [[0] * len(columns) for _m in months]
    grouped = (
        _referrals(scope)
        .filter(**_in_period("escalated_at", period))
        .values("sent", month=_tokyo_month("escalated_at"))
        .annotate(answered_n=Count("pk", filter=Q(answered_at__isnull=False)), n=Count("pk"))
        .order_by()
    )
    for row in grouped:
        line = cells[index[_month_of(row["month"])]]
        if agency:
            line[_direction_cell(row["sent"])] += row["n"]
        else:
            line[0] += row["answered_n"]
            line[1] += row["n"] - row["answered_n"]
    if agency:
        definition = _(
            "回答期限を過ぎても回答がなく、依頼元に期限超過が知らされたつなぎ（この機関が送ったもの・受けたもの）を、その連絡の日時（東京の日付）の月ごとに数えたもの。"
        )
    else:
        definition = _(
            "回答期限を過ぎても回答がなく、依頼元に期限超過が知らされたつなぎを、その連絡の日時（東京の日付）の月ごとに数え、集計時点までに回答があったかどうかで分けたもの。"
        )
    return Table(
        key="referrals_escalated",
        title=_("回答期限を過ぎたつなぎ（期限超過の連絡）"),
        definition=definition,
        rows=month_labels(months),
        columns=columns,
        cells=tuple(tuple(row) for row in cells),
        unit=_("件"),
        monthly=True,
        months=tuple(months),
        row_header=_("連絡した月"),
        group=group,
    )


# --- the network: places, family associations, training ---------------------------------------


def _place_filter(scope: Scope, prefix: str) -> Q:
    """The places a scope counts (``prefix`` reaches the place, e.g. ``"session__place__"``)."""
    if scope.kind == AREA:
        return Q(**{f"{prefix}area_id": scope.id}) | Q(**{f"{prefix}district__area_id": scope.id})
    if scope.kind == DISTRICT:
        return Q(**{f"{prefix}district_id": scope.id})
    if scope.kind == AGENCY:
        return Q(**{f"{prefix}agency_id": scope.id})
    return Q()


# (month, kind group, role, anonymous?) → people counted
Attendance = dict[tuple[dt.date, str, str, bool], int]


def _attendance(period: Period, scope: Scope) -> Attendance:
    """Who came to the sessions held in the period: anonymous head counts and named attendances,
    by the session's month, the place's kind and the attendee's role (two grouped queries)."""
    month = TruncMonth("session__held_on", output_field=DateField())
    held = {"session__held_on__gte": period.start, "session__held_on__lte": period.end}
    where = _place_filter(scope, "session__place__")
    out: Attendance = defaultdict(int)
    anonymous = (
        AnonymousCount.objects.filter(where, **held)
        .values("role", month=month, kind=F("session__place__kind"))
        .annotate(n=Sum("count"))
        .order_by()
    )
    for row in anonymous:
        out[(_month_of(row["month"]), _kind_group(row["kind"]), row["role"], True)] += row["n"]
    named = (
        NamedAttendance.objects.filter(where, **held)
        .values("role", month=month, kind=F("session__place__kind"))
        .annotate(n=Count("pk"))
        .order_by()
    )
    for row in named:
        out[(_month_of(row["month"]), _kind_group(row["kind"]), row["role"], False)] += row["n"]
    return out


def _place_scope_note(scope: Scope) -> str:
    if scope.kind in (AREA, DISTRICT):
        return _(
            "地域・地区は居場所の所在地（登録された地区・地域）による。所在地のない居場所は区全体の集計にだけ入る。"
        )
    if scope.kind == AGENCY:
        return _("この機関が運営する居場所・プログラム・家族会のもの。")
    return ""


def network_tables(period: Period, scope: Scope) -> list[Table]:
    group = _("居場所・家族会・研修")
    attendance = _attendance(period, scope)
    note = _place_scope_note(scope)
    return [
        _attendance_by_month(period, attendance, note, group),
        _attendance_by_kind(attendance, note, group),
        _programme_outcomes(period, scope, group),
        _family_association_by_month(period, scope, attendance, note, group),
        _family_needs(period, scope, note, group),
        _training_coverage(period, scope, group),
    ]


def _with_note(definition: str, note: str) -> str:
    return f"{definition}{note}"


def _attendance_by_month(period: Period, attendance: Attendance, note: str, group: str) -> Table:
    months = period.months()
    index = {m: i for i, m in enumerate(months)}
    columns = [
        (AttendeeRole.PERSON.value, True),
        (AttendeeRole.FAMILY.value, True),
        (AttendeeRole.PERSON.value, False),
        (AttendeeRole.FAMILY.value, False),
    ]
    column_index = {c: i for i, c in enumerate(columns)}
    cells = [[0] * len(columns) for _m in months]
    for (month, _kind, role, anonymous), n in attendance.items():
        cells[index[month]][column_index[(role, anonymous)]] += n
    return Table(
        key="place_attendance_by_month",
        title=_("居場所・プログラム・家族会の月別の参加者数（延べ）"),
        definition=_with_note(
            _(
                "期間内に開かれた居場所・プログラム・家族会の開催回に来た人の延べ人数を、開催日の月ごとに、名前を残さない参加（人数の記録）と名前ありの参加、本人と家族に分けて数えたもの。"
            ),
            note,
        ),
        rows=month_labels(months),
        columns=(_("本人（匿名）"), _("家族（匿名）"), _("本人（名前あり）"), _("家族（名前あり）")),
        cells=tuple(tuple(row) for row in cells),
        unit=_("人"),
        monthly=True,
        months=tuple(months),
        row_header=_("開催月"),
        group=group,
    )


def _attendance_by_kind(attendance: Attendance, note: str, group: str) -> Table:
    kinds = (IBASHO, PROGRAMME, FAMILY)
    roles = (AttendeeRole.PERSON.value, AttendeeRole.FAMILY.value)
    cells = [[0] * len(roles) for _k in kinds]
    for (_month, kind, role, _anonymous), n in attendance.items():
        cells[kinds.index(kind)][roles.index(role)] += n
    return Table(
        key="place_attendance_by_kind",
        title=_("居場所・プログラム・家族会の種類別の参加者数（延べ）"),
        definition=_with_note(
            _(
                "期間内の開催回に来た人の延べ人数（匿名と名前ありの合計）を、居場所、プログラム（就労体験・ボランティア・学習支援・社会参加・講座）、家族会に分け、本人と家族で数えたもの。"
            ),
            note,
        ),
        rows=(_("居場所"), _("プログラム"), _("家族会")),
        columns=(_("本人"), _("家族")),
        cells=tuple(tuple(row) for row in cells),
        unit=_("人"),
        row_header=_("種類"),
        group=group,
    )


def _programme_outcomes(period: Period, scope: Scope, group: str) -> Table:
    enrolments = Enrolment.objects.filter(ends_on__gte=period.start, ends_on__lte=period.end)
    if scope.kind == AGENCY:
        enrolments = enrolments.filter(place__agency_id=_scope_id(scope))
        where = _("この機関が運営するプログラム・居場所のもの。")
    else:
        enrolments = enrolments.filter(**scope.household_filter("case__household__"))
        where = _("地域・地区はケースの世帯の地区による。") if scope.kind in (AREA, DISTRICT) else ""
    outcomes = list(Outcome)
    index = {o.value: i for i, o in enumerate(outcomes)}
    cells = [0] * (len(outcomes) + 1)  # the last row: no outcome recorded
    for row in enrolments.values("outcome").annotate(n=Count("pk")).order_by():
        cells[index.get(row["outcome"], len(outcomes))] += row["n"]
    return Table(
        key="programme_outcomes",
        title=_("プログラム・居場所の利用の結果"),
        definition=_with_note(
            _("終了日が期間内のプログラム・居場所への参加（ケースから登録したもの）を、結果ごとに数えたもの。"),
            where,
        ),
        rows=(*(str(o.label) for o in outcomes), _("結果の記録なし")),
        columns=(_("件数"),),
        cells=tuple((n,) for n in cells),
        unit=_("件"),
        row_header=_("結果"),
        group=group,
    )


def _family_association_by_month(period: Period, scope: Scope, attendance: Attendance, note: str, group: str) -> Table:
    months = period.months()
    index = {m: i for i, m in enumerate(months)}
    cells = [[0, 0, 0] for _m in months]
    # Grouped by kind rather than filtered on it: one pass over the period's sessions whatever the
    # planner believes of the few family associations (a selective join estimate led PostgreSQL
    # without statistics to a nested loop over all sessions).
    sessions = (
        PlaceSession.objects.filter(_place_filter(scope, "place__"), held_on__gte=period.start, held_on__lte=period.end)
        .values(month=TruncMonth("held_on", output_field=DateField()), place_kind=F("place__kind"))
        .annotate(n=Count("pk"))
        .order_by()
    )
    for row in sessions:
        if row["place_kind"] == PlaceKind.FAMILY_ASSOCIATION:
            cells[index[_month_of(row["month"])]][0] += row["n"]
    for (month, kind, role, _anonymous), n in attendance.items():
        if kind == FAMILY:
            cells[index[month]][1 if role == AttendeeRole.FAMILY else 2] += n
    return Table(
        key="family_association_by_month",
        title=_("家族会の開催回数と参加者数（延べ）"),
        definition=_with_note(
            _(
                "期間内に開かれた家族会の開催回の数と、その回に来た家族と本人の延べ人数（匿名と名前ありの合計）を、開催日の月ごとに数えたもの。開催回数と人数は足し合わせない。"
            ),
            note,
        ),
        rows=month_labels(months),
        columns=(_("開催回数"), _("家族"), _("本人")),
        cells=tuple(tuple(row) for row in cells),
        additive=False,
        total=sum(row[0] for row in cells),
        unit="",
        monthly=True,
        months=tuple(months),
        row_header=_("開催月"),
        group=group,
    )


def _family_needs(period: Period, scope: Scope, note: str, group: str) -> Table:
    options = family_need_options()
    labels = dict(options)
    order = [value for value, _label in options]
    counted = dict(
        FamilyNeedCount.objects.filter(
            _place_filter(scope, "session__place__"),
            session__held_on__gte=period.start,
            session__held_on__lte=period.end,
        )
        .values("need")
        .annotate(n=Sum("count"))
        .order_by()
        .values_list("need", "n")
    )
    # Needs of an older version of the sheet keep their stored value as their label.
    order += sorted(need for need in counted if need not in labels)
    return Table(
        key="family_needs",
        title=_("家族会で数えた家族の困りごと"),
        definition=_with_note(
            _(
                "期間内に開かれた家族会の開催回で、困りごとごとに数えた家族の数（家族ニーズ票の選択肢）の合計。一つの家族が複数の困りごとを持つことがあるため、足し合わせない。"
            ),
            note,
        ),
        rows=tuple(labels.get(need, need) for need in order),
        columns=(_("家族の数"),),
        cells=tuple((counted.get(need, 0),) for need in order),
        additive=False,
        total=None,
        unit=_("件"),
        row_header=_("困りごと"),
        group=group,
    )


def _training_coverage(period: Period, scope: Scope, group: str) -> Table:
    basic = TrainingAttendance.objects.filter(
        user_id=OuterRef("user_id"),
        completed=True,
        course__kind=CourseKind.BASIC,
        course__held_on__lte=period.end,
    )
    memberships = Membership.objects.filter(active=True, user__is_active=True, role__in=CASE_ROLES)
    if scope.kind == AGENCY:
        memberships = memberships.filter(agency_id=_scope_id(scope))
    elif scope.kind == AREA:
        memberships = memberships.filter(Q(agency__area_id=scope.id) | Q(agency__district__area_id=scope.id))
    elif scope.kind == DISTRICT:
        memberships = memberships.filter(agency__district_id=_scope_id(scope))
    grouped = memberships.values("role").annotate(n=Count("pk"), done=Count("pk", filter=Q(Exists(basic)))).order_by()
    roles = list(CASE_ROLES)
    cells = [[0, 0] for _r in roles]
    for row in grouped:
        line = cells[roles.index(row["role"])]
        line[0] += row["done"]
        line[1] += row["n"] - row["done"]
    if scope.kind == AGENCY:
        where = _("この機関の職員。")
    elif scope.kind in (AREA, DISTRICT):
        where = _("地域・地区は職員の所属機関の所在地による。")
    else:
        where = ""
    return Table(
        key="training_coverage",
        title=_("基礎研修の受講状況（職員の役割別）"),
        definition=_with_note(
            _(
                "集計時点で有効な、ケースを担当する役割（窓口相談員・相談支援員・スーパーバイザー）の所属を、期間の最終日までに開かれた基礎研修を修了したかどうかで分けたもの。"
                "複数の機関に所属する職員は所属ごとに数える。"
            ),
            where,
        ),
        rows=tuple(str(Role(role).label) for role in roles),
        columns=(_("受講済み"), _("未受講")),
        cells=tuple(tuple(row) for row in cells),
        unit=_("人"),
        row_header=_("役割"),
        group=group,
    )

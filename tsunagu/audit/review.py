"""The audit review (issue 11 item 5, decision 0029): the access trail filtered by person, case,
user, agency, action and date, for the supervisors (the events of their agencies' staff) and
for the auditor role (every event), with the signals worth a look and a CSV export.

Who reviews what is decided here and nowhere else (:func:`review_scope`); the page and the export
both read :func:`review_events`. A review shows person ids and case numbers, never names: the
reviewer checks who read what, not the content."""

import dataclasses
import datetime as dt
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import BooleanField, Count, F, Func, Q, QuerySet, Value
from django.db.models.functions import ExtractHour, ExtractIsoWeekDay, TruncDate
from django.utils import timezone

from tsunagu.agencies.models import Membership, Role
from tsunagu.agencies.selectors import staff_context
from tsunagu.audit.models import AccessEvent, Action
from tsunagu.core.paging import Ordering
from tsunagu.lib.businessdays import is_business_day

REVIEW_ORDER = Ordering.of("review", "-at", "-pk")
TOKYO = ZoneInfo("Asia/Tokyo")
OFFICE_HOURS = (8, 19)  # a read from 08:00 to 18:59 on a business day is within office hours
BEYOND_TEAM = ("desk", "referral", "meeting", "emergency")  # read bases other than the team
MANY_CASES = 20  # distinct cases read beyond the team in the period that make a user worth a look
SIGNALS = ("emergency", "export", "off_hours", "beyond_team")
EXPORT_LIMIT = 100_000


class ArrayHas(Func):
    """A JSON array of integers (``person_ids``) holds ``value``: ``@>`` on PostgreSQL (served by
    the GIN index of audit 0008), ``json_each`` on SQLite."""

    output_field = BooleanField()
    arity = 2
    template = "(%(expressions)s))"
    arg_joiner = " @> jsonb_build_array("

    def __init__(self, field: str, value: int) -> None:
        super().__init__(F(field), Value(int(value)))

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return self.as_sql(
            compiler,
            connection,
            template="EXISTS (SELECT 1 FROM json_each(%(expressions)s)",
            arg_joiner=") WHERE json_each.value = ",
            **extra,
        )


@dataclass(frozen=True)
class ReviewFilters:
    person_id: int | None = None
    case_id: int | None = None
    username: str = ""
    agency_id: int | None = None
    action: str = ""
    since: dt.date | None = None
    until: dt.date | None = None
    signal: str = ""


def may_review(user: Any) -> bool:
    context = staff_context(user)
    return context.has_role(Role.AUDITOR) or bool(context.agency_ids(Role.SUPERVISOR))


def review_scope(user: Any) -> Q | None:
    """The events ``user`` may review: every event for the auditor role; for a supervisor, the
    events of the staff of the agencies they supervise (their memberships, active or ended, so
    that a colleague who left is still reviewed); None for anybody else."""
    context = staff_context(user)
    if context.has_role(Role.AUDITOR):
        return Q()
    supervised = context.agency_ids(Role.SUPERVISOR)
    if not supervised:
        return None
    return Q(user_id__in=Membership.objects.filter(agency_id__in=supervised).values("user_id"))


def _day_start(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), tzinfo=TOKYO)


def _off_hours(events: QuerySet[AccessEvent], since: dt.date, until: dt.date) -> QuerySet[AccessEvent]:
    """The events outside office hours in Tokyo: before 08:00 or from 19:00, at a weekend, or on
    a holiday or a day of the year-end closure (those of ``since``..``until`` are listed)."""
    days = [since + dt.timedelta(days=n) for n in range((until - since).days + 1)]
    closed = [day for day in days if day.isoweekday() < 6 and not is_business_day(day)]
    outside = Q(review_hour__lt=OFFICE_HOURS[0]) | Q(review_hour__gte=OFFICE_HOURS[1]) | Q(review_weekday__gte=6)
    if closed:
        outside |= Q(review_day__in=closed)
    return events.annotate(
        review_hour=ExtractHour("at", tzinfo=TOKYO),
        review_weekday=ExtractIsoWeekDay("at", tzinfo=TOKYO),
        review_day=TruncDate("at", tzinfo=TOKYO),
    ).filter(outside)


def is_off_hours(at: dt.datetime) -> bool:
    local = timezone.localtime(at, TOKYO)
    return not is_business_day(local.date()) or not (OFFICE_HOURS[0] <= local.hour < OFFICE_HOURS[1])


def period(filters: ReviewFilters, today: dt.date) -> tuple[dt.date, dt.date]:
    """The dates reviewed: as chosen, else the last 30 days."""
    until = filters.until or today
    since = filters.since or until - dt.timedelta(days=29)
    return (since, until) if since <= until else (until, since)


def review_events(user: Any, filters: ReviewFilters, *, today: dt.date) -> QuerySet[AccessEvent]:
    """The events ``user`` may review that match ``filters``, not yet ordered."""
    scope = review_scope(user)
    if scope is None:
        return AccessEvent.objects.none()
    since, until = period(filters, today)
    events = AccessEvent.objects.filter(scope, at__gte=_day_start(since), at__lt=_day_start(until + dt.timedelta(1)))
    if filters.person_id is not None:
        events = events.filter(ArrayHas("person_ids", filters.person_id))
    if filters.case_id is not None:
        events = events.filter(case_id=filters.case_id)
    if filters.username:
        events = events.filter(username=filters.username)
    if filters.agency_id is not None:
        events = events.filter(user_id__in=Membership.objects.filter(agency_id=filters.agency_id).values("user_id"))
    if filters.action:
        events = events.filter(action=filters.action)
    if filters.signal == "emergency":
        events = events.filter(basis="emergency")
    elif filters.signal == "export":
        events = events.filter(action=Action.EXPORT)
    elif filters.signal == "beyond_team":
        events = events.filter(action=Action.VIEW, basis__in=BEYOND_TEAM)
    elif filters.signal == "off_hours":
        events = _off_hours(events, since, until)
    return events


def signal_counts(user: Any, filters: ReviewFilters, *, today: dt.date) -> dict[str, int]:
    """How many of the filtered events each signal marks (one query per signal)."""
    return {
        signal: review_events(user, dataclasses.replace(filters, signal=signal), today=today).count()
        for signal in SIGNALS
    }


def readers_beyond_team(user: Any, filters: ReviewFilters, *, today: dt.date) -> list[dict[str, Any]]:
    """The users who read at least MANY_CASES distinct cases on a basis other than their team in
    the period, most first (the signal "a user reading many cases outside their agency's team")."""
    events = review_events(user, dataclasses.replace(filters, signal="beyond_team"), today=today).exclude(case_id=None)
    rows = (
        events.order_by()
        .values("username")
        .annotate(cases=Count("case_id", distinct=True))
        .filter(cases__gte=MANY_CASES)
        .order_by("-cases", "username")
    )
    return [dict(row) for row in rows[:20]]


def filters_text(filters: ReviewFilters) -> str:
    """The filters as one line for the access event of a review or an export."""
    return " ".join(f"{k}={v}" for k, v in dataclasses.asdict(filters).items() if v not in (None, "", False))[:250]

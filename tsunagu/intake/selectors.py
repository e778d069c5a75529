import datetime as dt
from dataclasses import dataclass

from django.db.models import QuerySet
from django.http import QueryDict

from tsunagu.audit.models import AccessEvent, Action
from tsunagu.audit.services import access_record
from tsunagu.core.paging import DEFAULT_SIZE, Ordering, Page, paginate
from tsunagu.core.types import User
from tsunagu.intake.access import consultations_visible_to
from tsunagu.intake.models import Consultation

TRIAGE_DUE = dt.timedelta(hours=24)  # the queue marks a consultation waiting this long as late
# Untriaged: urgent on top, then the longest waiting (index consultation_untriaged). Triaged or
# everything: the newest first (index consultation_received_id).
QUEUE_ORDER = Ordering.of("queue", "-urgent", "received_at", "pk")
RECENT_ORDER = Ordering.of("recent", "-received_at", "-pk")


@dataclass(frozen=True)
class QueueFilters:
    """``show``: "open" (not yet triaged), "triaged" or "all"; ``late``: untriaged for longer than
    TRIAGE_DUE; ``channel`` and ``district_id``: None for any."""

    show: str = "open"
    channel: str | None = None
    district_id: int | None = None
    late: bool = False


def desk_queue(
    *,
    user: User,
    filters: QueueFilters,
    params: QueryDict,
    now: dt.datetime,
    size: int = DEFAULT_SIZE,
    poll: bool = False,
) -> Page[Consultation]:
    """One page of the desk queue: untriaged first, urgent on top, then the longest waiting.

    A person opening the queue is always recorded. Its background refresh (``poll``) is recorded
    only when it shows something this user's last queue event did not: a consultation not listed
    then, or one changed since (docs/decisions/0011-…)."""
    queryset: QuerySet[Consultation] = consultations_visible_to(user)
    ordering = RECENT_ORDER
    if filters.show == "open" or filters.late:
        queryset = queryset.filter(triaged_at__isnull=True)
        ordering = QUEUE_ORDER
    elif filters.show == "triaged":
        queryset = queryset.filter(triaged_at__isnull=False)
    if filters.late:
        queryset = queryset.filter(received_at__lte=now - TRIAGE_DUE)
    if filters.channel:
        queryset = queryset.filter(channel=filters.channel)
    if filters.district_id is not None:
        queryset = queryset.filter(household__district_id=filters.district_id)
    queryset = queryset.select_related("person", "case", "contact_agency", "household").prefetch_related(
        "household__members"
    )
    page = paginate(queryset, ordering, params, size=size)
    rows = page.rows
    if poll and _already_shown(user, rows):
        return page
    access_record(
        user=user,
        action=Action.LIST,
        object_type="consultation",
        object_ids=[c.pk for c in rows],
        person_ids=[c.person_id for c in rows],
    )
    return page


def _already_shown(user: User, rows: list[Consultation]) -> bool:
    last = (
        AccessEvent.objects.filter(user=user, action=Action.LIST, object_type="consultation")
        .order_by("-at", "-pk")
        .values("object_ids", "at")
        .first()
    )
    if last is None:
        return False
    shown = set(last["object_ids"])
    return all(c.pk in shown and c.updated_at <= last["at"] for c in rows)

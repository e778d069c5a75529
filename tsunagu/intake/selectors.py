from django.db.models import F, QuerySet

from tsunagu.audit.models import AccessEvent, Action
from tsunagu.audit.services import access_record
from tsunagu.core.types import User
from tsunagu.intake.access import consultations_visible_to
from tsunagu.intake.models import Consultation

QUEUE_LIMIT = 100


def desk_queue(*, user: User, show: str = "open", limit: int = QUEUE_LIMIT, poll: bool = False) -> list[Consultation]:
    """The desk queue: untriaged first, urgent on top, then the longest waiting.

    A person opening the queue is always recorded. Its background refresh (``poll``) is recorded
    only when it shows something this user's last queue event did not: a consultation not listed
    then, or one changed since (docs/decisions/0011-…)."""
    queryset: QuerySet[Consultation] = consultations_visible_to(user)
    if show == "open":
        queryset = queryset.filter(triaged_at__isnull=True)
    rows = list(
        queryset.select_related("person", "case", "contact_agency", "household")
        .prefetch_related("household__members")
        .order_by(F("triaged_at").asc(nulls_first=True), "-urgent", "received_at")[:limit]
    )
    if poll and _already_shown(user, rows):
        return rows
    access_record(
        user=user,
        action=Action.LIST,
        object_type="consultation",
        object_ids=[c.pk for c in rows],
        person_ids=[c.person_id for c in rows],
    )
    return rows


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

from typing import Any

from django.db.models import F, QuerySet

from tsunagu.audit.models import Action
from tsunagu.audit.services import access_record
from tsunagu.intake.access import consultations_visible_to
from tsunagu.intake.models import Consultation

QUEUE_LIMIT = 100


def desk_queue(*, user: Any, show: str = "open", limit: int = QUEUE_LIMIT) -> list[Consultation]:
    """The desk queue: untriaged first, urgent on top, then the longest waiting."""
    queryset: QuerySet[Consultation] = consultations_visible_to(user)
    if show == "open":
        queryset = queryset.filter(triaged_at__isnull=True)
    rows = list(
        queryset.select_related("person", "case", "contact_agency", "household")
        .prefetch_related("household__members")
        .order_by(F("triaged_at").asc(nulls_first=True), "-urgent", "received_at")[:limit]
    )
    access_record(
        user=user,
        action=Action.LIST,
        object_type="consultation",
        object_ids=[c.pk for c in rows],
        person_ids=[c.person_id for c in rows],
    )
    return rows

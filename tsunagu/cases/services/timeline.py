"""A case's history: one line per event, added by the service that made the event."""

from typing import Any

from django.utils import timezone

from tsunagu.cases.models import (
    Case,
    TimelineEntry,
)
from tsunagu.core.types import User


def timeline_add(
    *, case: Case, kind: str, summary: str, user: User | None, at: Any = None, object_id: int | None = None
) -> TimelineEntry:
    """Append one line to a case's history; called by the service that made the event."""
    return TimelineEntry.objects.create(
        case=case,
        kind=kind,
        summary=summary[:300],
        user=user if getattr(user, "is_authenticated", False) else None,
        at=at or timezone.now(),
        object_id=object_id,
    )

from typing import Any

from django.db.models import Count, Max, QuerySet

from tsunagu.audit.models import AccessEvent, Action, RoleChange
from tsunagu.core.paging import Ordering

# One row per (user, basis): the keys are unique without a primary key. The last read first.
READERS_ORDER = Ordering.of("readers", "-last", "user_id", "basis", unique=True)


def case_readers(*, case_id: int) -> QuerySet[Any, Any]:
    """Who read this case or its people, records, assessments and plans: one row per user and
    basis (team, desk, emergency, …) with the last read and how many. Aggregated in the database
    (one GROUP BY that an index on ``(case_id, action, user_id, basis, at)`` serves), so every
    reader is listed however often another one reloaded the page; paginated with
    ``READERS_ORDER``. The reader's name comes from the user table for the rows shown: grouping
    by the event's own ``username`` column would read every event row, not only the index."""
    return (
        AccessEvent.objects.filter(case_id=case_id, action=Action.VIEW)
        .values("user_id", "basis")
        .annotate(last=Max("at"), count=Count("*"))
    )


def role_changes_recent() -> QuerySet[RoleChange]:
    """Every recorded change of memberships, roles and account flags, newest first."""
    return RoleChange.objects.select_related("actor", "subject").order_by("-at", "-id")

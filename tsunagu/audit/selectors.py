from typing import Any

from django.db.models import Count, Max, QuerySet

from tsunagu.audit.models import AccessEvent, Action, RoleChange


def case_readers(*, case_id: int) -> QuerySet[Any, Any]:
    """Who read this case or its people, records, assessments and plans: one row per user and
    basis (team, desk, emergency, …) with the last read and how many, newest first. Aggregated in
    the database, so every reader is listed however often another one reloaded the page."""
    return (
        AccessEvent.objects.filter(case_id=case_id, action=Action.VIEW)
        .values("user_id", "username", "basis")
        .annotate(last=Max("at"), count=Count("id"))
        .order_by("-last", "user_id", "basis")
    )


def role_changes_recent() -> QuerySet[RoleChange]:
    """Every recorded change of memberships, roles and account flags, newest first."""
    return RoleChange.objects.select_related("actor", "subject").order_by("-at", "-id")

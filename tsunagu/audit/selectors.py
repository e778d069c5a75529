from django.db.models import QuerySet

from tsunagu.audit.models import AccessEvent, RoleChange


def access_events_for_case(*, case_id: int, limit: int = 20) -> QuerySet[AccessEvent]:
    """Who viewed or changed this case, newest first (shown on the case page)."""
    return AccessEvent.objects.filter(case_id=case_id).order_by("-at", "-id")[:limit]


def role_changes_recent() -> QuerySet[RoleChange]:
    """Every recorded change of memberships, roles and account flags, newest first."""
    return RoleChange.objects.select_related("actor", "subject").order_by("-at", "-id")

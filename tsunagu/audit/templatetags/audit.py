from typing import Any

from django import template

from tsunagu.agencies.models import Role
from tsunagu.audit import access

register = template.Library()


@register.filter
def sees_role_changes(user: Any) -> bool:
    """Whether the work page links to the role-change page (desk supervisors only)."""
    return access.is_desk_supervisor(user)


@register.filter
def role_label(code: str) -> str:
    """The display name of a role code stored in a snapshot (unknown codes as they are)."""
    try:
        return str(Role(code).label)
    except ValueError:
        return code or ""

"""Who may read the audit pages (decision 0009)."""

from tsunagu.agencies.models import Agency, Role
from tsunagu.agencies.selectors import staff_context
from tsunagu.core.types import User


def is_desk_supervisor(user: User) -> bool:
    """A supervisor of the central desk agency: the people who watch role and membership changes."""
    supervised = staff_context(user).agency_ids(Role.SUPERVISOR)
    return bool(supervised) and Agency.objects.filter(pk__in=supervised, is_central_desk=True, active=True).exists()

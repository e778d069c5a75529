"""Reads of reference data and of who a staff user is (their agencies and roles)."""

from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import QuerySet

from tsunagu.agencies.models import CASE_ROLES, Agency, Membership, Role


@dataclass(frozen=True)
class StaffContext:
    """A user's active memberships as (agency id, role) pairs; computed once per request."""

    memberships: tuple[tuple[int, str], ...]

    def has_role(self, *roles: str) -> bool:
        return any(role in roles for _agency, role in self.memberships)

    def agency_ids(self, *roles: str) -> set[int]:
        return {agency for agency, role in self.memberships if not roles or role in roles}

    @property
    def is_desk(self) -> bool:
        return self.has_role(Role.DESK)

    @property
    def case_agency_ids(self) -> set[int]:
        """Agencies through which the user works cases (caseworker, supervisor, desk)."""
        return self.agency_ids(*CASE_ROLES)


EMPTY = StaffContext(memberships=())


def staff_context(user: User | AnonymousUser | None) -> StaffContext:
    """The signed-in user's active memberships (none for anybody else), kept on the user object
    for the rest of the request."""
    if user is None or not user.is_authenticated or not user.is_active:
        return EMPTY
    cached = getattr(user, "_tsunagu_staff_context", None)
    if cached is not None:
        return cached
    rows = Membership.objects.filter(user=user, active=True, agency__active=True).values_list("agency_id", "role")
    context = StaffContext(memberships=tuple(sorted(rows)))
    vars(user)["_tsunagu_staff_context"] = context
    return context


def agencies_active() -> QuerySet[Agency]:
    return Agency.objects.filter(active=True).select_related("area", "district")


def central_desk() -> Agency | None:
    return Agency.objects.filter(is_central_desk=True, active=True).order_by("pk").first()


def staff_agency(user: User | None, *, prefer_roles: tuple[str, ...] = ()) -> Agency | None:
    """The agency to show beside a staff member's name (「窓口 花子（ぷらっとホーム世田谷）」): the one
    where they hold one of ``prefer_roles``, else their first active membership."""
    if user is None:
        return None
    memberships = list(
        Membership.objects.filter(user=user, active=True).select_related("agency").order_by("agency__code")
    )
    for membership in memberships:
        if membership.role in prefer_roles:
            return membership.agency
    return memberships[0].agency if memberships else None

"""Grants: the bases on which a user sees a case, each one rule for lists and pages alike.

A grant is one basis of access (the team, the desk, emergency access, an open referral, a case
meeting). It gives both

- ``cases(user, context)``: the cases it opens to the user, as a filter (``Q``) over ``Case``,
  used by every list, search, link, chart and export (and later reports and the API); and
- ``explain(user, context, case)``: why the user sees one case on it ("Why can I see this?"):
  an :class:`Access` with the level, the basis, the agencies and the record it rests on.

The two are written side by side in one class, and a test compares them for every persona and
case, so the list and the page cannot drift apart (decision 0014).

The app that owns a basis contributes its grant through :func:`grant_register`, from its
``AppConfig.ready()``: cases registers the team, emergency access and the desk (below); referrals
and meetings register theirs. ``cases`` imports neither of them. An app that is not installed
contributes nothing, so its basis opens nothing (deny by default).
"""

import enum
from abc import ABC, abstractmethod
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, ClassVar

from django.core.exceptions import ImproperlyConfigured
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from tsunagu.agencies.selectors import StaffContext
from tsunagu.cases.models import Case, CaseAgency, EmergencyAccess


class Level(enum.IntEnum):
    NONE = 0
    SUMMARY = 1
    FULL = 2


@dataclass(frozen=True)
class Access:
    """How much of a case a user sees, and why ("Why can I see this?" on the case page)."""

    level: Level
    basis: str = ""  # the grant's name: "team", "emergency", "referral", "meeting", "desk"
    roles: tuple[str, ...] = ()  # the user's roles in the team agencies that give access
    agencies: tuple[str, ...] = ()
    record: Any = None  # what the basis rests on: the EmergencyAccess, Referral or Meeting
    writes: bool = False  # only the team changes a case
    reason: str = ""  # the ``reason`` of the access events read on this basis
    why_template: str = ""  # the sentence on the case page that says why

    @property
    def can_write(self) -> bool:
        return self.level == Level.FULL and self.writes


NO_ACCESS = Access(Level.NONE, reason="summary")

# The filter of a grant that opens every case (the desk): ``Q()`` would vanish when OR-ed.
EVERY_CASE = Q(pk__isnull=False)


class Grant(ABC):
    """One basis of access to cases. Subclasses set the class attributes and both methods."""

    name: ClassVar[str]
    level: ClassVar[Level]
    # Whether the user's case list (and search) shows the cases it opens. The team's cases and,
    # for the desk, every case are listed; a case opened by emergency access, a referral or a
    # meeting is reached from that grant's own page (the request form, the referral, the meeting).
    listed: ClassVar[bool] = False
    writes: ClassVar[bool] = False
    # Which grant explains a case when several apply: the higher level first, then this order.
    order: ClassVar[int] = 50
    why_template: ClassVar[str] = ""

    @abstractmethod
    def cases(self, user: Any, context: StaffContext) -> Q | None:
        """The cases this grant opens to ``user``, as a filter over ``Case``; None for none."""

    @abstractmethod
    def explain(self, user: Any, context: StaffContext, case: Case) -> Access | None:
        """The access this grant gives ``user`` on ``case``, or None."""

    def access(self, **fields: Any) -> Access:
        return Access(self.level, self.name, writes=self.writes, why_template=self.why_template, **fields)


_registry: dict[str, Grant] = {}
_ordered: tuple[Grant, ...] = ()


def grant_register(grant: Grant) -> None:
    """Add a basis of access (from the owning app's ``AppConfig.ready()``). Registering the same
    name twice with another class is a configuration error."""
    global _ordered
    current = _registry.get(grant.name)
    if current is not None and type(current) is not type(grant):
        raise ImproperlyConfigured(f"Two grants are named {grant.name!r}: {type(current)} and {type(grant)}")
    _registry[grant.name] = grant
    _ordered = tuple(sorted(_registry.values(), key=lambda g: (-g.level, g.order, g.name)))


def grants() -> tuple[Grant, ...]:
    """The registered grants, highest level first (the order in which they explain a case)."""
    return _ordered


def grants_filter(
    user: Any, context: StaffContext, *, level: Level = Level.SUMMARY, listed: bool = False, write: bool = False
) -> Q | None:
    """The cases the user sees by any grant of at least ``level`` (only grants that list their
    cases with ``listed``; only grants that write with ``write``), as one filter; None for none."""
    rule: Q | None = None
    for grant in _select(grants(), level=level, listed=listed, write=write):
        found = grant.cases(user, context)
        if found is None:
            continue
        if found is EVERY_CASE:
            return EVERY_CASE
        rule = found if rule is None else rule | found
    return rule


def grants_explain(user: Any, context: StaffContext, case: Case) -> Access:
    """Why the user sees ``case``: the first grant (highest level first) that applies."""
    for grant in grants():
        access = grant.explain(user, context, case)
        if access is not None:
            return access
    return NO_ACCESS


def _select(candidates: Iterable[Grant], *, level: Level, listed: bool, write: bool) -> list[Grant]:
    return [g for g in candidates if g.level >= level and (g.listed or not listed) and (g.writes or not write)]


# --- The grants cases owns -------------------------------------------------------------------


def team_filter(agency_ids: set[int], case_ref: str = "pk") -> Exists:
    """Exists(an open team membership of one of ``agency_ids``) for the case at ``case_ref``."""
    return Exists(CaseAgency.objects.filter(case_id=OuterRef(case_ref), agency_id__in=agency_ids, until__isnull=True))


class TeamGrant(Grant):
    """FULL: an agency of the user (as caseworker, supervisor or desk) is on the case's current
    team. The only grant that writes."""

    name = "team"
    level = Level.FULL
    listed = True
    writes = True
    order = 10
    why_template = "cases/why/team.html"

    def cases(self, user: Any, context: StaffContext) -> Q | None:
        agencies = context.case_agency_ids
        return Q(team_filter(agencies)) if agencies else None

    def explain(self, user: Any, context: StaffContext, case: Case) -> Access | None:
        agencies = context.case_agency_ids
        if not agencies:
            return None
        team = list(
            CaseAgency.objects.filter(case=case, agency_id__in=agencies, until__isnull=True).select_related("agency")
        )
        if not team:
            return None
        on_team = {member.agency_id for member in team}
        roles = tuple(sorted({role for agency, role in context.memberships if agency in on_team}))
        return self.access(roles=roles, agencies=tuple(member.agency.name for member in team))


def emergency_reason(emergency: EmergencyAccess) -> str:
    return f"emergency: {emergency.reason}"[:300]


class EmergencyGrant(Grant):
    """FULL, read only: the user broke the glass (a reasoned, time-limited ``EmergencyAccess``,
    reviewed by a supervisor; decision 0012). Not listed: it opens the one case asked for."""

    name = "emergency"
    level = Level.FULL
    order = 20
    why_template = "cases/why/emergency.html"

    def cases(self, user: Any, context: StaffContext) -> Q | None:
        if not getattr(user, "is_authenticated", False):
            return None
        return Q(
            Exists(EmergencyAccess.objects.filter(user=user, case_id=OuterRef("pk"), expires_at__gt=timezone.now()))
        )

    def explain(self, user: Any, context: StaffContext, case: Case) -> Access | None:
        if not getattr(user, "is_authenticated", False):
            return None
        emergency = (
            EmergencyAccess.objects.filter(user=user, case=case, expires_at__gt=timezone.now())
            .order_by("-expires_at")
            .first()
        )
        if emergency is None:
            return None
        return self.access(record=emergency, reason=emergency_reason(emergency))


class DeskGrant(Grant):
    """SUMMARY: the desk sees the coordination summary of every case (and lists them all)."""

    name = "desk"
    level = Level.SUMMARY
    listed = True
    order = 90
    why_template = "cases/why/desk.html"

    def cases(self, user: Any, context: StaffContext) -> Q | None:
        return EVERY_CASE if context.is_desk else None

    def explain(self, user: Any, context: StaffContext, case: Case) -> Access | None:
        return self.access(reason="summary") if context.is_desk else None

"""The one door to cases (PRODUCT.md §5).

FULL: the user works for an agency on the case's current team (caseworker, supervisor or desk).
SUMMARY: the desk sees the coordination summary of every case; an agency with an open referral on
the case, or one that attended a case meeting discussing it, sees the same summary.
Anybody else: 404, the case's existence is not revealed.
"""

import enum
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from tsunagu.agencies.selectors import staff_context
from tsunagu.audit.models import Action
from tsunagu.audit.services import access_record
from tsunagu.cases.models import Case, CaseAgency, EmergencyAccess


class Level(enum.IntEnum):
    NONE = 0
    SUMMARY = 1
    FULL = 2


def team_filter(agency_ids: set[int], case_ref: str = "pk") -> Exists:
    """Exists(an open team membership of one of ``agency_ids``) for the case at ``case_ref``."""
    return Exists(CaseAgency.objects.filter(case_id=OuterRef(case_ref), agency_id__in=agency_ids, until__isnull=True))


def cases_visible_to(user: Any) -> QuerySet[Case]:
    context = staff_context(user)
    if context.is_desk:
        return Case.objects.all()
    agencies = context.case_agency_ids
    if not agencies:
        return Case.objects.none()
    return Case.objects.filter(team_filter(agencies))


@dataclass(frozen=True)
class Access:
    """How much of a case a user sees, and why ("Why can I see this?" on the case page)."""

    level: Level
    basis: str = ""  # "team", "desk", "emergency"
    roles: tuple[str, ...] = ()  # the user's roles in the team agencies that give access
    agencies: tuple[str, ...] = ()
    emergency: EmergencyAccess | None = None
    referral: Any = None
    meeting: Any = None

    @property
    def can_write(self) -> bool:
        return self.level == Level.FULL and self.basis == "team"


def case_access(user: Any, case: Case) -> Access:
    context = staff_context(user)
    agencies = context.case_agency_ids
    if agencies:
        team = list(
            CaseAgency.objects.filter(case=case, agency_id__in=agencies, until__isnull=True).select_related("agency")
        )
        if team:
            on_team = {member.agency_id for member in team}
            roles = tuple(sorted({role for agency, role in context.memberships if agency in on_team}))
            return Access(Level.FULL, "team", roles, tuple(member.agency.name for member in team))
    if getattr(user, "is_authenticated", False):
        emergency = (
            EmergencyAccess.objects.filter(user=user, case=case, expires_at__gt=timezone.now())
            .order_by("-expires_at")
            .first()
        )
        if emergency is not None:
            return Access(Level.FULL, "emergency", emergency=emergency)
    if agencies:
        shared = _shared_by_referral_or_meeting(case, agencies)
        if shared is not None:
            return shared
    if context.is_desk:
        return Access(Level.SUMMARY, "desk")
    return Access(Level.NONE)


def _shared_by_referral_or_meeting(case: Case, agencies: set[int]) -> Access | None:
    """The summary for an agency with an open referral on the case, or one that attended a case
    meeting discussing it (from the meeting day until MEETING_ACCESS_DAYS after it)."""
    from tsunagu.meetings.access import shared_with_q
    from tsunagu.meetings.models import MeetingCase
    from tsunagu.referrals.models import Referral, ReferralStatus

    referral = (
        Referral.objects.filter(case=case, to_agency_id__in=agencies, status=ReferralStatus.REQUESTED)
        .select_related("to_agency")
        .first()
    )
    if referral is not None:
        return Access(Level.SUMMARY, "referral", agencies=(referral.to_agency.name,), referral=referral)
    item = (
        MeetingCase.objects.filter(shared_with_q(agencies), case=case)
        .select_related("meeting")
        .order_by("-meeting__held_at")
        .first()
    )
    if item is not None:
        return Access(Level.SUMMARY, "meeting", meeting=item.meeting)
    return None


def case_level(user: Any, case: Case, *, write: bool = False) -> Level:
    """The level of a case the user sees; with ``write``, only the team may change it (emergency
    access is for reading)."""
    access = case_access(user, case)
    if write and not access.can_write:
        return Level.NONE
    return access.level


def case_get_for_user(user: Any, pk: int, *, write: bool = False) -> tuple[Case, Access]:
    """The case and how much of it the user sees, and why; 404 when they may not see it (or
    write it)."""
    case = Case.objects.select_related("household", "household__district").filter(pk=pk).first()
    if case is None:
        raise Http404
    access = case_access(user, case)
    level = access.level
    if level == Level.NONE or (write and not access.can_write):
        raise Http404
    person_ids = list(case.household.members.values_list("pk", flat=True)) if level == Level.FULL else []
    access_record(
        user=user,
        action=Action.VIEW,
        object_type="case",
        object_ids=[case.pk],
        person_ids=person_ids,
        case_id=case.pk,
        reason=event_reason(access),
        basis=access.basis,
    )
    return case, access


def full_access(user: Any, case: Case, *, write: bool = False) -> Access | None:
    """The user's access to the whole case (for the doors of its records, assessments and plans),
    or None; with ``write``, only the team."""
    access = case_access(user, case)
    if access.level != Level.FULL or (write and not access.can_write):
        return None
    return access


def emergency_reason(emergency: EmergencyAccess) -> str:
    return f"emergency: {emergency.reason}"[:300]


def event_reason(access: Access) -> str:
    """The ``reason`` of an access event read through ``access`` (its basis is stored apart)."""
    if access.basis == "emergency" and access.emergency is not None:
        return emergency_reason(access.emergency)
    if access.basis in ("referral", "meeting"):
        return f"summary ({access.basis})"
    return "" if access.level == Level.FULL else "summary"


def cases_openable(user: Any, case_ids: Iterable[int]) -> set[int]:
    """Which of ``case_ids`` the user may open (at any level), in one query, so that lists and
    pages link only what opens and show the others' numbers as text (issue 8, defect 12).

    The same rule as :func:`case_access`, by the same conditions; a test compares the two for
    every persona, so a change to one that is not made to the other fails."""
    from tsunagu.meetings.access import shared_with_q
    from tsunagu.meetings.models import MeetingCase
    from tsunagu.referrals.models import Referral, ReferralStatus

    ids = {pk for pk in case_ids if pk is not None}
    if not ids:
        return set()
    context = staff_context(user)
    if context.is_desk:
        return set(Case.objects.filter(pk__in=ids).values_list("pk", flat=True))
    rule = Q(pk__in=[])
    agencies = context.case_agency_ids
    if agencies:
        rule |= Q(team_filter(agencies))
        rule |= Q(
            Exists(
                Referral.objects.filter(
                    case_id=OuterRef("pk"), to_agency_id__in=agencies, status=ReferralStatus.REQUESTED
                )
            )
        )
        rule |= Q(Exists(MeetingCase.objects.filter(shared_with_q(agencies), case_id=OuterRef("pk"))))
    if getattr(user, "is_authenticated", False):
        rule |= Q(
            Exists(EmergencyAccess.objects.filter(user=user, case_id=OuterRef("pk"), expires_at__gt=timezone.now()))
        )
    return set(Case.objects.filter(pk__in=ids).filter(rule).values_list("pk", flat=True))

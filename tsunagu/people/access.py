"""The one door to households and persons (docs/access.md).

The desk sees every household and person (it must find them to triage). Caseworkers and
supervisors see the households on which their agency is on the team of a case, and their
members. Everybody else sees none; what they may not see answers 404.
"""

from dataclasses import dataclass
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from tsunagu.agencies.selectors import staff_context
from tsunagu.audit.models import Action
from tsunagu.audit.services import access_record
from tsunagu.cases.access import emergency_reason
from tsunagu.cases.models import Case, CaseAgency, EmergencyAccess
from tsunagu.people.models import Household, Person


def _household_team_filter(agency_ids: set[int], household_ref: str) -> Exists:
    return Exists(
        CaseAgency.objects.filter(
            case__household_id=OuterRef(household_ref), agency_id__in=agency_ids, until__isnull=True
        )
    )


def _emergency_filter(user: Any, household_ref: str) -> Exists:
    """Households of a case the user opened by emergency access, while it lasts (read only)."""
    return Exists(
        EmergencyAccess.objects.filter(
            user=user, case__household_id=OuterRef(household_ref), expires_at__gt=timezone.now()
        )
    )


def _visible(user: Any, household_ref: str, *, write: bool) -> Q | None:
    context = staff_context(user)
    if context.is_desk:
        return Q()
    agencies = context.agency_ids("caseworker", "supervisor")
    rule = Q(_household_team_filter(agencies, household_ref)) if agencies else None
    if not write and getattr(user, "is_authenticated", False):
        emergency = Q(_emergency_filter(user, household_ref))
        rule = emergency if rule is None else rule | emergency
    return rule


def households_visible_to(user: Any, *, write: bool = False) -> QuerySet[Household]:
    rule = _visible(user, "pk", write=write)
    return Household.objects.none() if rule is None else Household.objects.filter(rule)


def persons_visible_to(user: Any, *, write: bool = False) -> QuerySet[Person]:
    rule = _visible(user, "household_id", write=write)
    return Person.objects.none() if rule is None else Person.objects.filter(rule)


@dataclass(frozen=True)
class ReadBasis:
    """Why the user may read a household's people, and through which case (for the trail)."""

    basis: str  # "team", "emergency", "desk" (as cases.access.Access.basis)
    case_id: int | None
    reason: str = ""


def read_basis(user: Any, household_id: int) -> ReadBasis:
    """The basis of a read the door has already admitted, in the order of ``case_access``: the
    team (an agency of the user on a case of the household), an emergency grant on one of its
    cases, the desk. Referral and meeting summaries never open a person page, so they are not a
    basis here. ``case_id`` is the case the basis comes from (for the desk: the household's newest
    case), so the read shows in「このケースを見た人」."""
    context = staff_context(user)
    agencies = context.case_agency_ids
    if agencies:
        team_case = (
            CaseAgency.objects.filter(case__household_id=household_id, agency_id__in=agencies, until__isnull=True)
            .order_by("-case__opened_at", "-case_id")
            .values_list("case_id", flat=True)
            .first()
        )
        if team_case is not None:
            return ReadBasis("team", team_case)
    if getattr(user, "is_authenticated", False):
        grant = (
            EmergencyAccess.objects.filter(user=user, case__household_id=household_id, expires_at__gt=timezone.now())
            .order_by("-expires_at")
            .first()
        )
        if grant is not None:
            return ReadBasis("emergency", grant.case_id, emergency_reason(grant))
    cases = Case.objects.filter(household_id=household_id).order_by("-opened_at", "-pk")
    newest = cases.values_list("pk", flat=True).first()
    return ReadBasis("desk" if context.is_desk else "", newest)


def household_get_for_user(user: Any, pk: int, *, write: bool = False) -> Household:
    household = households_visible_to(user, write=write).select_related("district").filter(pk=pk).first()
    if household is None:
        raise Http404
    why = read_basis(user, household.pk)
    access_record(
        user=user,
        action=Action.VIEW,
        object_type="household",
        object_ids=[household.pk],
        person_ids=household.members.values_list("pk", flat=True),
        case_id=why.case_id,
        reason=why.reason,
        basis=why.basis,
    )
    return household


def person_get_for_user(user: Any, pk: int, *, write: bool = False) -> Person:
    person = persons_visible_to(user, write=write).select_related("household").filter(pk=pk).first()
    if person is None:
        raise Http404
    why = read_basis(user, person.household_id)
    access_record(
        user=user,
        action=Action.VIEW,
        object_type="person",
        object_ids=[person.pk],
        person_ids=[person.pk],
        case_id=why.case_id,
        reason=why.reason,
        basis=why.basis,
    )
    return person

"""The one door to households and persons (docs/access.md).

The desk sees every household and person (it must find them to triage). Caseworkers and
supervisors see the households on which their agency is on the team of a case, and their
members. Everybody else sees none; what they may not see answers 404.
"""

from dataclasses import dataclass
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404

from tsunagu.agencies.selectors import staff_context
from tsunagu.audit.models import Action
from tsunagu.audit.services import access_record
from tsunagu.cases.access import Level, cases_seen_by, household_case_access
from tsunagu.cases.models import Case
from tsunagu.people.models import Household, Person


def _visible(user: Any, household_ref: str, *, write: bool) -> Q:
    """The desk sees every household; anybody else the households of a case they see in full by
    the case grants (the team; for reading also emergency access), with ``write`` a case they
    may change (the team)."""
    if staff_context(user).is_desk:
        return Q()
    cases = cases_seen_by(user, level=Level.FULL, write=write)
    return Q(Exists(cases.filter(household_id=OuterRef(household_ref))))


def households_visible_to(user: Any, *, write: bool = False) -> QuerySet[Household]:
    return Household.objects.filter(_visible(user, "pk", write=write))


def persons_visible_to(user: Any, *, write: bool = False) -> QuerySet[Person]:
    return Person.objects.filter(_visible(user, "household_id", write=write))


@dataclass(frozen=True)
class ReadBasis:
    """Why the user may read a household's people, and through which case (for the trail)."""

    basis: str  # "team", "emergency", "desk" (as cases.access.Access.basis)
    case_id: int | None
    reason: str = ""


def read_basis(user: Any, household_id: int) -> ReadBasis:
    """The basis of a read the door has already admitted, in the order of ``case_access``: a
    FULL grant on a case of the household (the team, then emergency access), else the desk.
    Referral and meeting summaries never open a person page, so they are not a basis here.
    ``case_id`` is the case the basis comes from (the newest such case; for the desk: the
    household's newest case), so the read shows in「このケースを見た人」."""
    found = household_case_access(user, household_id)
    if found is not None:
        case_id, access = found
        return ReadBasis(access.basis, case_id, access.reason)
    cases = Case.objects.filter(household_id=household_id).order_by("-opened_at", "-pk")
    newest = cases.values_list("pk", flat=True).first()
    return ReadBasis("desk" if staff_context(user).is_desk else "", newest)


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

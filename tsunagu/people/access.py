"""The one door to households and persons (docs/access.md).

The desk sees every household and person (it must find them to triage). Caseworkers and
supervisors see the households on which their agency is on the team of a case, and their
members. Everybody else sees none; what they may not see answers 404.
"""

from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404

from tsunagu.agencies.selectors import staff_context
from tsunagu.audit.models import Action
from tsunagu.audit.services import access_record
from tsunagu.people.grants import ReadBasis, person_grants
from tsunagu.people.models import Household, Person


def _visible(user: Any, household_ref: str, *, write: bool) -> Q:
    """The desk sees every household; anybody else the households opened by the person grants
    (``people/grants.py``; cases registers its own: the households of a case the user sees in
    full, the team or emergency access; with ``write`` a case they may change, the team)."""
    if staff_context(user).is_desk:
        return Q()
    rule: Q | None = None
    for grant in person_grants():
        found = grant.households(user, household_ref, write=write)
        if found is not None:
            rule = found if rule is None else rule | found
    return Q(pk__in=[]) if rule is None else rule


def households_visible_to(user: Any, *, write: bool = False) -> QuerySet[Household]:
    return Household.objects.filter(_visible(user, "pk", write=write))


def persons_visible_to(user: Any, *, write: bool = False) -> QuerySet[Person]:
    return Person.objects.filter(_visible(user, "household_id", write=write))


def read_basis(user: Any, household: Household) -> ReadBasis:
    """The basis of a read the door has already admitted: the first person grant that explains
    it (cases: a FULL case grant on a case of the household, the team, then emergency access,
    in the order of ``case_access``), else the desk. Referral and meeting summaries never open a
    person page, so they are not a basis here. ``case_id`` is the case the basis comes from
    (the newest such case; for the desk: the household's newest case), so the read shows
    in「このケースを見た人」."""
    for grant in person_grants():
        found = grant.explain(user, household.pk)
        if found is not None:
            return found
    newest = household.cases.order_by("-opened_at", "-pk").values_list("pk", flat=True).first()
    return ReadBasis("desk" if staff_context(user).is_desk else "", newest)


def household_get_for_user(user: Any, pk: int, *, write: bool = False) -> Household:
    household = households_visible_to(user, write=write).select_related("district").filter(pk=pk).first()
    if household is None:
        raise Http404
    why = read_basis(user, household)
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
    why = read_basis(user, person.household)
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

"""The one door to households and persons (PRODUCT.md §5).

The desk sees every household and person (it must find them to triage). Caseworkers and
supervisors see the households on which their agency is on the team of a case, and their
members. Everybody else sees none; what they may not see answers 404.
"""

from typing import Any

from django.db.models import Exists, OuterRef, QuerySet
from django.http import Http404

from tsunagu.agencies.selectors import staff_context
from tsunagu.audit.models import Action
from tsunagu.audit.services import access_record
from tsunagu.cases.models import CaseAgency
from tsunagu.people.models import Household, Person


def _household_team_filter(agency_ids: set[int], household_ref: str) -> Exists:
    return Exists(
        CaseAgency.objects.filter(
            case__household_id=OuterRef(household_ref), agency_id__in=agency_ids, until__isnull=True
        )
    )


def households_visible_to(user: Any, *, write: bool = False) -> QuerySet[Household]:
    context = staff_context(user)
    if context.is_desk:
        return Household.objects.all()
    agencies = context.agency_ids("caseworker", "supervisor")
    if not agencies:
        return Household.objects.none()
    return Household.objects.filter(_household_team_filter(agencies, "pk"))


def persons_visible_to(user: Any, *, write: bool = False) -> QuerySet[Person]:
    context = staff_context(user)
    if context.is_desk:
        return Person.objects.all()
    agencies = context.agency_ids("caseworker", "supervisor")
    if not agencies:
        return Person.objects.none()
    return Person.objects.filter(_household_team_filter(agencies, "household_id"))


def household_get_for_user(user: Any, pk: int, *, write: bool = False) -> Household:
    household = households_visible_to(user, write=write).select_related("district").filter(pk=pk).first()
    if household is None:
        raise Http404
    access_record(
        user=user,
        action=Action.VIEW,
        object_type="household",
        object_ids=[household.pk],
        person_ids=household.members.values_list("pk", flat=True),
    )
    return household


def person_get_for_user(user: Any, pk: int, *, write: bool = False) -> Person:
    person = persons_visible_to(user, write=write).select_related("household").filter(pk=pk).first()
    if person is None:
        raise Http404
    access_record(user=user, action=Action.VIEW, object_type="person", object_ids=[person.pk], person_ids=[person.pk])
    return person

"""The one door to cases (PRODUCT.md §5).

FULL: the user works for an agency on the case's current team (caseworker, supervisor or desk).
SUMMARY: the desk sees the coordination summary of every case.
Anybody else: 404, the case's existence is not revealed.
"""

import enum
from typing import Any

from django.db.models import Exists, OuterRef, QuerySet
from django.http import Http404

from tsunagu.agencies.selectors import staff_context
from tsunagu.audit.models import Action
from tsunagu.audit.services import access_record
from tsunagu.cases.models import Case, CaseAgency


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


def case_level(user: Any, case: Case) -> Level:
    context = staff_context(user)
    agencies = context.case_agency_ids
    if agencies and CaseAgency.objects.filter(case=case, agency_id__in=agencies, until__isnull=True).exists():
        return Level.FULL
    if context.is_desk:
        return Level.SUMMARY
    return Level.NONE


def case_get_for_user(user: Any, pk: int, *, write: bool = False) -> tuple[Case, Level]:
    """The case and how much of it the user sees; 404 when they may not see it (or write it)."""
    case = Case.objects.select_related("household", "household__district").filter(pk=pk).first()
    if case is None:
        raise Http404
    level = case_level(user, case)
    if level == Level.NONE or (write and level != Level.FULL):
        raise Http404
    person_ids = list(case.household.members.values_list("pk", flat=True)) if level == Level.FULL else []
    access_record(
        user=user,
        action=Action.VIEW,
        object_type="case",
        object_ids=[case.pk],
        person_ids=person_ids,
        case_id=case.pk,
        reason="" if level == Level.FULL else "summary",
    )
    return case, level

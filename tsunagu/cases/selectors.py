import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import User as AuthUser
from django.db.models import Exists, IntegerField, OuterRef, Prefetch, QuerySet, Subquery
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from tsunagu.agencies.models import TeamRole
from tsunagu.agencies.selectors import staff_context
from tsunagu.audit.models import Action
from tsunagu.audit.services import access_record
from tsunagu.cases.access import cases_visible_to, team_filter
from tsunagu.cases.models import Case, CaseAgency, CaseStatus
from tsunagu.core.paging import DEFAULT_SIZE, Ordering, Page, paginate
from tsunagu.core.types import User
from tsunagu.lib.ages import add_years, age_on
from tsunagu.people.models import Person

CASE_SORTS = {
    "opened": Ordering.of("opened", "-opened_at", "-pk", label=_("開始日の新しい順")),
    "opened_old": Ordering.of("opened_old", "opened_at", "pk", label=_("開始日の古い順")),
    "number": Ordering.of("number", "pk", label=_("ケース番号順")),
}
CASE_SORT_DEFAULT = "opened"


@dataclass(frozen=True)
class CaseFilters:
    """The case list's filters; None (or False) leaves a filter off. ``status`` "open" is every
    status but closed, "all" every status."""

    status: str = "open"
    stage: int | None = None
    worker_id: int | None = None
    district_id: int | None = None
    overdue: bool = False
    sort: str = CASE_SORT_DEFAULT


def case_list_filter(queryset: QuerySet[Case], filters: CaseFilters, *, today: dt.date) -> QuerySet[Case]:
    if filters.status == "open":
        queryset = queryset.exclude(status=CaseStatus.CLOSED)
    elif filters.status != "all":
        queryset = queryset.filter(status=filters.status)
    if filters.stage is not None:
        concerned = Person.objects.filter(
            household_id=OuterRef("household_id"), is_concerned=True, support_stage=filters.stage
        )
        queryset = queryset.filter(Exists(concerned))
    if filters.worker_id is not None:
        queryset = queryset.filter(lead_worker_id=filters.worker_id)
    if filters.district_id is not None:
        queryset = queryset.filter(household__district_id=filters.district_id)
    if filters.overdue:
        queryset = queryset.filter(follow_up_on__lt=today)
    return queryset


def case_list(
    *, user: User, filters: CaseFilters, params: QueryDict, today: dt.date, size: int = DEFAULT_SIZE
) -> Page[Case]:
    """One page of the user's case list (the one list filter, ``cases_visible_to``), filtered
    and ordered, with its access event: a fixed number of queries however many cases."""
    queryset = case_list_filter(cases_visible_to(user), filters, today=today)
    queryset = queryset.select_related("household", "household__district", "lead_worker").prefetch_related(
        Prefetch("team", queryset=CaseAgency.objects.filter(until__isnull=True).select_related("agency"))
    )
    ordering = CASE_SORTS.get(filters.sort, CASE_SORTS[CASE_SORT_DEFAULT])
    page = paginate(queryset, ordering, params, size=size)
    access_record(user=user, action=Action.LIST, object_type="case", object_ids=[c.pk for c in page])
    return page


def case_list_workers(user: User) -> QuerySet[AuthUser]:
    """The lead workers the case list can be filtered by: the staff of the user's agencies."""
    agencies = staff_context(user).case_agency_ids
    return (
        AuthUser.objects.filter(memberships__agency_id__in=agencies, memberships__active=True)
        .distinct()
        .order_by("last_name", "first_name", "pk")
    )


def open_cases_for_work(*, user: User, scope: str) -> QuerySet[Case]:
    """The open cases of the work page, not yet read. ``scope`` "mine": the cases the user is the
    lead worker of; "agency": every open case of the user's agencies (for supervisors)."""
    agencies = staff_context(user).case_agency_ids
    if not agencies:
        return Case.objects.none()
    cases = Case.objects.filter(team_filter(agencies)).exclude(status=CaseStatus.CLOSED)
    return cases.filter(lead_worker=user) if scope == "mine" else cases


def with_lead_agency(cases: QuerySet[Case]) -> QuerySet[Case]:
    """Annotate each case with its current lead agency's ``lead_name``, ``stall_days`` and
    ``lead_age_max``, in the same query."""
    lead = CaseAgency.objects.filter(case=OuterRef("pk"), role=TeamRole.LEAD, until__isnull=True)
    return cases.annotate(
        stall_days=Subquery(lead.values("agency__stall_days")[:1], output_field=IntegerField()),
        lead_age_max=Subquery(lead.values("agency__age_max")[:1], output_field=IntegerField()),
        lead_name=Subquery(lead.values("agency__name")[:1]),
    )


def ageing_out(*, cases: Iterable[Any], today: dt.date, horizon: dt.date) -> list[tuple[Person, Any, dt.date]]:
    """The concerned persons of these cases (annotated by ``with_lead_agency``) who pass their lead
    agency's age limit by ``horizon``, with the case and the day; one query. Already past the
    limit: the hand-off is due today."""
    by_household = {case.household_id: case for case in cases if case.lead_age_max is not None}
    persons = Person.objects.filter(
        household_id__in=by_household, is_concerned=True, birth_date__isnull=False
    ).select_related("household")
    found = []
    for person in persons:
        assert person.birth_date is not None  # filtered above
        case = by_household[person.household_id]
        limit = case.lead_age_max
        ages_out = today if age_on(person.birth_date, today) > limit else add_years(person.birth_date, limit + 1)
        if ages_out <= horizon:
            found.append((person, case, ages_out))
    return found

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import User as AuthUser
from django.db.models import (
    BooleanField,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Prefetch,
    QuerySet,
    Value,
    Window,
)
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from tsunagu.agencies.models import Agency, TeamRole
from tsunagu.agencies.selectors import staff_context
from tsunagu.audit.models import Action
from tsunagu.audit.services import access_record
from tsunagu.cases.access import cases_visible_to, team_filter
from tsunagu.cases.grants import Level, grants_filter
from tsunagu.cases.models import Case, CaseAgency, CaseStatus
from tsunagu.core.paging import DEFAULT_SIZE, Ordering, Page, paginate
from tsunagu.core.types import User
from tsunagu.lib.ages import add_years
from tsunagu.people.models import Person

CASE_SORTS = {
    "opened": Ordering.of("opened", "-opened_at", "-pk", label=_("開始日の新しい順")),
    "opened_old": Ordering.of("opened_old", "opened_at", "pk", label=_("開始日の古い順")),
    "number": Ordering.of("number", "pk", label=_("ケース番号順")),
    "next_action": Ordering.of(
        "next_action", "next_action_on", "pk", nullable=["next_action_on"], label=_("次の対応の予定日の近い順")
    ),
    "last_contact": Ordering.of(
        "last_contact", "-last_contact_on", "-pk", nullable=["last_contact_on"], label=_("最後に会えた日の新しい順")
    ),
    "quiet": Ordering.of(
        "quiet", "last_contact_on", "pk", nullable=["last_contact_on"], label=_("最後に会えた日の古い順")
    ),
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
        queryset = queryset.filter(next_action_on__lt=today)
    return queryset


def case_list(
    *, user: User, filters: CaseFilters, params: QueryDict, today: dt.date, size: int = DEFAULT_SIZE
) -> Page[Case]:
    """One page of the user's case list (the one list filter, ``cases_visible_to``), filtered
    and ordered, with its access event: a fixed number of queries however many cases."""
    # The next action is record content: only the cases the user reads in full show it, and only
    # they answer the filter and the order by it (the summary is who, status, team, last contact).
    full = grants_filter(user, staff_context(user), level=Level.FULL, listed=True)
    queryset = case_list_filter(cases_visible_to(user), filters, today=today)
    if filters.overdue or filters.sort == "next_action":
        queryset = queryset.filter(full) if full is not None else queryset.none()
    queryset = queryset.annotate(
        in_full=ExpressionWrapper(full, output_field=BooleanField()) if full is not None else Value(False)
    )
    queryset = queryset.select_related("household", "household__district", "lead_worker").prefetch_related(
        Prefetch("team", queryset=CaseAgency.objects.filter(until__isnull=True).select_related("agency"))
    )
    ordering = CASE_SORTS.get(filters.sort, CASE_SORTS[CASE_SORT_DEFAULT])
    page: Page[Case] = paginate(queryset, ordering, params, size=size)
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


def work_section(*, user: User, scope: str, **state: Any) -> QuerySet[Case]:
    """The open cases of the work page whose kept work state matches ``state``: lookups of a column
    kept both on the case and on its current team rows (``next_action_on``, ``stalled_on``,
    ``unanswered_streak``), e.g. ``stalled_on__lte=today``. The agency scope starts from the
    agency's own team rows in that range (a partial index per column, decision 0020), so that
    its cost follows the size of the section, not the agency's caseload; the team rule itself is
    the one of :func:`open_cases_for_work`."""
    cases = open_cases_for_work(user=user, scope=scope).filter(**state)
    if scope == "mine":
        return cases
    agencies = staff_context(user).case_agency_ids
    return cases.filter(
        pk__in=CaseAgency.objects.filter(agency_id__in=agencies, until__isnull=True, **state).values("case_id")
    )


def team_case_ids(*, user: User) -> QuerySet[CaseAgency, Any]:
    """The ids of the cases on a current team of the user's agencies (the team rule of
    :func:`open_cases_for_work`'s agency scope, as a flat subquery of the team rows: a query that
    filters these cases by another table's rows is then driven by the agency's own team rows, not
    by every row of that table). The caller excludes closed cases."""
    agencies = staff_context(user).case_agency_ids
    return CaseAgency.objects.filter(agency_id__in=agencies, until__isnull=True).values("case_id")


def born_by(day: dt.date, years: int) -> dt.date:
    """The latest birth date of a person who has their ``years``-th birthday on ``day`` or before
    (``add_years(birth, years) <= day``; a 2/29 birthday counts on 2/28 in a year without it)."""
    try:
        birth = day.replace(year=day.year - years)
    except ValueError:  # 2/29 in a year without it
        birth = day.replace(year=day.year - years, day=28)
    while add_years(birth + dt.timedelta(days=1), years) <= day:
        birth += dt.timedelta(days=1)
    while add_years(birth, years) > day:
        birth -= dt.timedelta(days=1)
    return birth


def ageing_out(
    *, cases: QuerySet[Case], today: dt.date, horizon: dt.date, limit: int
) -> tuple[list[tuple[Person, Case, dt.date]], int]:
    """The concerned persons of these cases who pass their current lead agency's age limit by
    ``horizon`` (already past it: the hand-off is due today), soonest first, at most ``limit`` of
    them, and how many more there are. One query for the agencies' distinct limits (a handful),
    then one per limit: the birth dates are compared in the database. Within one limit the oldest
    person ages out first; across limits the lists are merged by the day each one ages out (a
    person of 49 under a limit of 49 is not sooner than a person of 39 under a limit of 39)."""
    limits = sorted({m for m in Agency.objects.values_list("age_max", flat=True) if m is not None})
    found: list[tuple[Person, Case, dt.date]] = []
    total = 0
    for age_max in limits:
        persons: list[Any] = list(
            Person.objects.filter(
                household__cases__in=cases,
                household__cases__team__role=TeamRole.LEAD,
                household__cases__team__until__isnull=True,
                household__cases__team__agency__age_max=age_max,
                birth_date__lte=born_by(horizon, age_max + 1),
                is_concerned=True,
            )
            .annotate(
                case_pk=F("household__cases__id"),
                lead_name=F("household__cases__team__agency__name"),
                total=Window(Count("pk")),
            )
            .order_by("birth_date", "pk")[:limit]
        )
        total += persons[0].total if persons else 0
        for person in persons:
            assert person.birth_date is not None  # compared above
            case: Any = Case(pk=person.case_pk)  # only its number and the lead's name are shown
            case.lead_name = person.lead_name
            found.append((person, case, max(today, add_years(person.birth_date, age_max + 1))))
    found.sort(key=lambda item: (item[2], item[0].pk))
    found = found[:limit]
    return found, total - len(found)

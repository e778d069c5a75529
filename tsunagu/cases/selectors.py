import datetime as dt
from collections.abc import Sequence
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

from tsunagu.agencies.models import TeamRole
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


def case_list_queryset(*, user: User, filters: CaseFilters, today: dt.date) -> QuerySet[Case]:
    """The user's case list (``cases_visible_to``) filtered as the list page filters it, each case
    marked ``in_full`` when the user reads it in full; not yet ordered nor read. The one query
    behind the list page and its exports (reports.list_exports)."""
    # The next action is record content: only the cases the user reads in full show it, and only
    # they answer the filter and the order by it (the summary is who, status, team, last contact).
    full = grants_filter(user, staff_context(user), level=Level.FULL, listed=True)
    queryset = case_list_filter(cases_visible_to(user), filters, today=today)
    if filters.overdue or filters.sort == "next_action":
        queryset = queryset.filter(full) if full is not None else queryset.none()
    return queryset.annotate(
        in_full=ExpressionWrapper(full, output_field=BooleanField()) if full is not None else Value(False)
    )


def case_list_ordering(filters: CaseFilters) -> Ordering:
    return CASE_SORTS.get(filters.sort, CASE_SORTS[CASE_SORT_DEFAULT])


def case_list(
    *, user: User, filters: CaseFilters, params: QueryDict, today: dt.date, size: int = DEFAULT_SIZE
) -> Page[Case]:
    """One page of the user's case list (the one list filter, ``cases_visible_to``), filtered
    and ordered, with its access event: a fixed number of queries however many cases."""
    queryset = case_list_queryset(user=user, filters=filters, today=today)
    queryset = queryset.select_related("household", "household__district", "lead_worker").prefetch_related(
        Prefetch("team", queryset=CaseAgency.objects.filter(until__isnull=True).select_related("agency"))
    )
    page: Page[Case] = paginate(queryset, case_list_ordering(filters), params, size=size)
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


# What the work page shows of a case (templates/work/my_work.html): up to 300 rows are loaded
# with these columns only (decision 0024).
WORK_FIELDS = (
    "next_action",
    "next_action_on",
    "last_contact_on",
    "unanswered_streak",
    "quiet_since",
    "opened_at",
    "household__label",
)


def work_section(*, user: User, scope: str, order: Sequence[str], limit: int, **state: Any) -> tuple[list[Any], int]:
    """The open cases of the work page whose kept work state matches ``state`` (lookups of a
    column kept both on the case and on its current team rows: ``next_action_on``,
    ``stalled_on``, ``unanswered_streak``, e.g. ``stalled_on__lte=today``), the first ``limit`` of
    them in ``order`` (then by number), with their household, and how many more there are.

    The caseworker's scope is one query over the cases they lead (partial indexes on the case).
    The agency scope reads the agency's own team rows, which carry the state and the sort keys,
    from a partial index in the section's order: the first rows by walking it and the count from
    it alone, so that the cost follows neither the agency's caseload nor the size of the section
    (decisions 0020, 0024). The cases themselves are then read through
    :func:`open_cases_for_work`, the one team rule."""
    cases = open_cases_for_work(user=user, scope=scope).select_related("household").only(*WORK_FIELDS)
    if scope == "mine":
        rows: list[Any] = list(
            cases.filter(**state).annotate(section_total=Window(Count("pk"))).order_by(*order, "pk")[:limit]
        )
        return rows, (rows[0].section_total - len(rows) if rows else 0)
    ids, total = team_section(user=user, order=order, limit=limit, **state)
    found = cases.in_bulk(ids)
    return [found[pk] for pk in ids if pk in found], total - len(ids)


def team_section(*, user: User, order: Sequence[str], limit: int, **state: Any) -> tuple[list[int], int]:
    """The ids of the first ``limit`` cases whose current team rows of the user's agencies match
    ``state``, in ``order`` (columns of the team row, then the case's number), and how many
    cases match in all: read from the partial index of the section (decision 0024). Not yet
    filtered by the team rule; the caller reads the cases through it."""
    agencies = staff_context(user).case_agency_ids
    if not agencies:
        return [], 0
    team = CaseAgency.objects.filter(agency_id__in=agencies, until__isnull=True, **state)
    # A case has one current row per agency of the user on its team, all with the same copied
    # values: the first ``limit`` cases are among the first ``limit`` rows of each agency.
    ranked = team.order_by(*order, "case_id").values_list("case_id", flat=True)[: limit * len(agencies)]
    total = team.count() if len(agencies) == 1 else team.values("case_id").distinct().count()
    return list(dict.fromkeys(ranked))[:limit], total


def ageing_out(
    *, user: User, scope: str, today: dt.date, horizon: dt.date, limit: int
) -> tuple[list[tuple[Person, Case, dt.date]], int]:
    """The concerned persons who pass their case's current lead agency's age limit by ``horizon``
    (already past it: the hand-off is due today), soonest first, for the first ``limit`` open
    cases of the work page's ``scope`` by the day their first person does so, and how many more
    cases there are.

    The cases come from the kept day (``Case.ages_out_on`` and its copy on the team rows, decision
    0024) by index, like the other sections; then one query reads the persons of those cases with
    their lead agency's limit. Across limits the persons are merged by the day each one ages out
    (a person of 49 under a limit of 49 is not sooner than a person of 39 under a limit of 39)."""
    if scope == "mine":
        ranked = list(
            open_cases_for_work(user=user, scope=scope)
            .filter(ages_out_on__lte=horizon)
            .annotate(section_total=Window(Count("pk")))
            .order_by("ages_out_on", "pk")
            .values_list("pk", "section_total")[:limit]
        )
        ids, total = [pk for pk, _n in ranked], (ranked[0][1] if ranked else 0)
    else:
        ids, total = team_section(user=user, order=("ages_out_on",), limit=limit, ages_out_on__lte=horizon)
    if not ids:
        return [], total
    persons: list[Any] = list(
        Person.objects.filter(
            household__cases__in=open_cases_for_work(user=user, scope=scope).filter(pk__in=ids),
            household__cases__team__role=TeamRole.LEAD,
            household__cases__team__until__isnull=True,
            household__cases__team__agency__age_max__isnull=False,
            birth_date__isnull=False,
            is_concerned=True,
        ).annotate(
            case_pk=F("household__cases__id"),
            lead_name=F("household__cases__team__agency__name"),
            lead_age_max=F("household__cases__team__agency__age_max"),
        )
    )
    found: list[tuple[Person, Case, dt.date]] = []
    for person in persons:
        day = add_years(person.birth_date, person.lead_age_max + 1)
        if day <= horizon:
            case: Any = Case(pk=person.case_pk)  # only its number and the lead's name are shown
            case.lead_name = person.lead_name
            found.append((person, case, max(today, day)))
    found.sort(key=lambda item: (item[2], item[0].pk))
    return found, total - len(ids)

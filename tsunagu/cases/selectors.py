import datetime as dt
from typing import Any

from django.db.models import Count, F, Prefetch, Q, QuerySet, Window

from tsunagu.agencies.models import Agency, TeamRole
from tsunagu.agencies.selectors import staff_context
from tsunagu.audit.models import Action
from tsunagu.audit.services import access_record
from tsunagu.cases.access import cases_visible_to, team_filter
from tsunagu.cases.models import Case, CaseAgency, CaseStatus
from tsunagu.core.types import User
from tsunagu.lib.ages import add_years
from tsunagu.people.models import Person


def case_list(*, user: User, include_closed: bool = False, limit: int = 200) -> list[Case]:
    queryset = cases_visible_to(user)
    if not include_closed:
        queryset = queryset.exclude(status=CaseStatus.CLOSED)
    rows = list(
        queryset.select_related("household", "household__district")
        .prefetch_related(Prefetch("team", queryset=CaseAgency.objects.select_related("agency")))
        .order_by("-opened_at")[:limit]
    )
    access_record(user=user, action=Action.LIST, object_type="case", object_ids=[c.pk for c in rows])
    return rows


def open_cases_for_work(*, user: User, scope: str) -> QuerySet[Case]:
    """The open cases of the work page, not yet read. ``scope`` "mine": the cases the user is the
    lead worker of; "agency": every open case of the user's agencies (for supervisors)."""
    agencies = staff_context(user).case_agency_ids
    if not agencies:
        return Case.objects.none()
    cases = Case.objects.filter(team_filter(agencies)).exclude(status=CaseStatus.CLOSED)
    return cases.filter(lead_worker=user) if scope == "mine" else cases


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
    one for the persons: the birth dates are compared in the database, per limit."""
    limits = sorted({m for m in Agency.objects.values_list("age_max", flat=True) if m is not None})
    if not limits:
        return [], 0
    born = Q()
    for age_max in limits:
        born |= Q(household__cases__team__agency__age_max=age_max, birth_date__lte=born_by(horizon, age_max + 1))
    persons: list[Any] = list(
        Person.objects.filter(
            born,
            household__cases__in=cases,
            household__cases__team__role=TeamRole.LEAD,
            household__cases__team__until__isnull=True,
            is_concerned=True,
        )
        .annotate(
            case_pk=F("household__cases__id"),
            lead_name=F("household__cases__team__agency__name"),
            age_max=F("household__cases__team__agency__age_max"),
            total=Window(Count("pk")),
        )
        .order_by("birth_date", "pk")[:limit]
    )
    found = []
    for person in persons:
        assert person.birth_date is not None  # compared above
        case: Any = Case(pk=person.case_pk)  # only its number and the lead's name are shown
        case.lead_name = person.lead_name
        turns = add_years(person.birth_date, person.age_max + 1)
        found.append((person, case, max(today, turns)))
    found.sort(key=lambda item: item[2])
    rest = persons[0].total - len(persons) if persons else 0
    return found, rest

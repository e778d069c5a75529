import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db.models import IntegerField, OuterRef, Prefetch, QuerySet, Subquery

from tsunagu.agencies.models import TeamRole
from tsunagu.agencies.selectors import staff_context
from tsunagu.audit.models import Action
from tsunagu.audit.services import access_record
from tsunagu.cases.access import cases_visible_to, team_filter
from tsunagu.cases.models import Case, CaseAgency, CaseStatus
from tsunagu.core.types import User
from tsunagu.lib.ages import add_years, age_on
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

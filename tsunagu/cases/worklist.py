"""What needs doing, per staff member and per supervisor (the "my work" page).

Every item is derived from the current data, so it disappears by itself once resolved: a newer
record replaces a due next action, a reached contact ends a stall or an unanswered streak.
One query for the cases (annotated), one for the persons near an age limit: the cost does not
grow with the number of records.
"""

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, DateField, Exists, IntegerField, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from tsunagu.agencies.models import TeamRole
from tsunagu.agencies.selectors import staff_context
from tsunagu.audit.models import Action
from tsunagu.audit.services import access_record
from tsunagu.cases.access import team_filter
from tsunagu.cases.models import Case, CaseAgency, CaseStatus
from tsunagu.lib.ages import add_months, add_years, age_on
from tsunagu.people.models import Person
from tsunagu.plans.models import PlanStatus, SupportPlan
from tsunagu.records.models import ProgressRecord

DUE_WITHIN_DAYS = 7
UNANSWERED_STREAK = 3
AGE_LIMIT_MONTHS = 6
REVIEW_WITHIN_DAYS = 14


@dataclass
class Worklist:
    # Cases carry the annotations of _annotated() (next_action_on, days_without_contact, …).
    due_actions: list[Any] = field(default_factory=list)
    stalled: list[Any] = field(default_factory=list)
    unanswered: list[Any] = field(default_factory=list)
    age_limit: list[tuple[Person, Any, dt.date]] = field(default_factory=list)
    plans_due: list[Any] = field(default_factory=list)
    plans_to_approve: list[Any] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (
            self.due_actions
            or self.stalled
            or self.unanswered
            or self.age_limit
            or self.plans_due
            or self.plans_to_approve
        )


def _annotated(cases: QuerySet[Case]) -> QuerySet[Case]:
    latest = ProgressRecord.objects.filter(case=OuterRef("pk")).order_by("-occurred_on", "-pk")
    reached = ProgressRecord.objects.filter(case=OuterRef("pk"), reached=True).order_by("-occurred_on", "-pk")
    lead = CaseAgency.objects.filter(case=OuterRef("pk"), role=TeamRole.LEAD, until__isnull=True)
    unanswered_after = (
        ProgressRecord.objects.filter(case=OuterRef("pk"), reached=False)
        .filter(occurred_on__gt=Coalesce(OuterRef("last_reached_on"), Value(dt.date.min), output_field=DateField()))
        .values("case")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return cases.annotate(
        next_action_on=Subquery(latest.values("next_action_on")[:1]),
        next_action_text=Subquery(latest.values("next_action")[:1]),
        last_reached_on=Subquery(reached.values("occurred_on")[:1]),
        stall_days=Subquery(lead.values("agency__stall_days")[:1], output_field=IntegerField()),
        lead_age_max=Subquery(lead.values("agency__age_max")[:1], output_field=IntegerField()),
        lead_name=Subquery(lead.values("agency__name")[:1]),
    ).annotate(unanswered=Coalesce(Subquery(unanswered_after, output_field=IntegerField()), 0))


def worklist_for(*, user: Any, scope: str, today: dt.date) -> Worklist:
    """``scope`` "mine": the cases the user is the lead worker of; "agency": every open case of
    the user's agencies (for supervisors)."""
    agencies = staff_context(user).case_agency_ids
    cases = (
        Case.objects.filter(team_filter(agencies)).exclude(status=CaseStatus.CLOSED)
        if agencies
        else Case.objects.none()
    )
    if scope == "mine":
        cases = cases.filter(lead_worker=user)
    # Annotated rows: typed loosely, the annotations are not model fields.
    rows: list[Any] = list(_annotated(cases).select_related("household", "lead_worker").order_by("opened_at", "pk"))
    work = Worklist()
    for case in rows:
        if case.next_action_on and case.next_action_on <= today + dt.timedelta(days=DUE_WITHIN_DAYS):
            work.due_actions.append(case)
        since = case.last_reached_on or timezone.localdate(case.opened_at)  # the Tokyo day, not UTC's
        case.days_without_contact = (today - since).days
        if case.days_without_contact >= (case.stall_days or 30):
            work.stalled.append(case)
        if case.unanswered >= UNANSWERED_STREAK:
            work.unanswered.append(case)
    by_household = {case.household_id: case for case in rows if case.lead_age_max is not None}
    horizon = add_months(today, AGE_LIMIT_MONTHS)
    persons = Person.objects.filter(
        household_id__in=by_household, is_concerned=True, birth_date__isnull=False
    ).select_related("household")
    for person in persons:
        assert person.birth_date is not None  # filtered above
        case = by_household[person.household_id]
        limit = case.lead_age_max
        # Already past the limit: the hand-off is due today.
        ages_out = today if age_on(person.birth_date, today) > limit else add_years(person.birth_date, limit + 1)
        if ages_out <= horizon:
            work.age_limit.append((person, case, ages_out))
    case_ids = [case.pk for case in rows]
    work.plans_due = list(
        SupportPlan.objects.filter(
            case_id__in=case_ids,
            status=PlanStatus.APPROVED,
            review_on__lte=today + dt.timedelta(days=REVIEW_WITHIN_DAYS),
        )
        .select_related("case", "case__household")
        .order_by("review_on")
    )
    supervised = staff_context(user).agency_ids("supervisor")
    if supervised:
        work.plans_to_approve = list(
            SupportPlan.objects.filter(status=PlanStatus.SUBMITTED)
            .filter(
                Exists(
                    CaseAgency.objects.filter(
                        case_id=OuterRef("case_id"), agency_id__in=supervised, role=TeamRole.LEAD, until__isnull=True
                    )
                )
            )
            .exclude(case__status=CaseStatus.CLOSED)
            .select_related("case", "case__household")
            .order_by("submitted_at")
        )
    work.due_actions.sort(key=lambda c: c.next_action_on)
    work.stalled.sort(key=lambda c: -c.days_without_contact)
    work.age_limit.sort(key=lambda item: item[2])
    access_record(
        user=user,
        action=Action.LIST,
        object_type="case",
        object_ids=[c.pk for c in rows],
        person_ids=[p.pk for p, _c, _d in work.age_limit],
        reason=f"worklist {scope}",
    )
    return work

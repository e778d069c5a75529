"""The part of a case's work state that the plans app moves: when its approved plan is due for
review. ``Case.plan_review_on`` is the earliest review day of the case's approved plans (none
without one); the work page's "plans due" section of an agency reads it from the agency's team
rows, where ``cases.work_state.team_state_refresh`` copies it (decision 0024). The services that
approve or supersede a plan call :func:`plan_review_refresh` in their transaction."""

from collections.abc import Iterable

from django.db.models import DateField, Min, OuterRef, Q, QuerySet, Subquery

from tsunagu.cases.models import Case
from tsunagu.cases.work_state import team_state_refresh
from tsunagu.plans.models import PlanStatus, SupportPlan


def plan_review_set(cases: QuerySet[Case]) -> int:
    """Recompute ``plan_review_on`` of these cases from their approved plans, on the cases only
    (the caller copies it onto the team rows): set-based. Returns the number of cases."""
    earliest = (
        SupportPlan.objects.filter(case_id=OuterRef("pk"), status=PlanStatus.APPROVED)
        .order_by()
        .values("case_id")
        .annotate(day=Min("review_on"))
        .values("day")
    )
    return cases.update(plan_review_on=Subquery(earliest, output_field=DateField()))


def plan_review_refresh(cases: QuerySet[Case]) -> int:
    """:func:`plan_review_set`, then the copy onto the cases' current team rows. Returns the
    number of cases."""
    written = plan_review_set(cases)
    team_state_refresh(cases)
    return written


def plan_review_rebuild(case_ids: Iterable[int] | None = None) -> int:
    """:func:`plan_review_refresh` for these cases, or for every case that has an approved plan or
    a review day (the population generator, a repair). Returns the number of cases."""
    if case_ids is not None:
        return plan_review_refresh(Case.objects.filter(pk__in=list(case_ids)))
    approved = SupportPlan.objects.filter(status=PlanStatus.APPROVED).values("case_id")
    return plan_review_refresh(Case.objects.filter(Q(plan_review_on__isnull=False) | Q(pk__in=approved)))

"""Reads of support plans for other pages (the work page's plan columns)."""

import datetime as dt
from typing import Any

from django.db.models import QuerySet

from tsunagu.agencies.models import TeamRole
from tsunagu.agencies.selectors import staff_context
from tsunagu.cases.models import CaseAgency, CaseStatus
from tsunagu.core.types import User
from tsunagu.plans.models import PlanStatus, SupportPlan

# What the work page shows of a plan (templates/work/my_work.html), with its case and household.
WORK_FIELDS = ("number", "review_on", "submitted_at", "case__id", "case__household__label")


def plans_due_for_review(*, cases: QuerySet[Any], until: dt.date) -> QuerySet[SupportPlan]:
    """Approved plans of these open cases (a query of cases, or of case ids) whose review day is
    ``until`` or earlier, earliest first (not yet read: the caller limits it)."""
    return (
        SupportPlan.objects.filter(case__in=cases, status=PlanStatus.APPROVED, review_on__lte=until)
        .exclude(case__status=CaseStatus.CLOSED)
        .select_related("case", "case__household")
        .only(*WORK_FIELDS)
        .order_by("review_on", "pk")
    )


def plans_to_approve(user: User, *, limit: int) -> tuple[list[SupportPlan], int]:
    """Submitted plans of open cases led by an agency the user supervises, oldest first: the
    first ``limit`` with their case and household, and how many more there are (two queries:
    the rows walk the submitted plans in order, the count joins the agency's lead rows with the
    partial index of submitted plans; one query with a window count would sort them all)."""
    supervised = staff_context(user).agency_ids("supervisor")
    if not supervised:
        return [], 0
    waiting = SupportPlan.objects.filter(
        status=PlanStatus.SUBMITTED,
        case_id__in=CaseAgency.objects.filter(agency_id__in=supervised, role=TeamRole.LEAD, until__isnull=True).values(
            "case_id"
        ),
    ).exclude(case__status=CaseStatus.CLOSED)
    rows = list(
        waiting.select_related("case", "case__household").only(*WORK_FIELDS).order_by("submitted_at", "pk")[:limit]
    )
    return rows, waiting.count() - len(rows)

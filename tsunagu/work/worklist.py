"""What needs doing, per staff member and per supervisor (the "my work" page).

Every item follows from the current data, so it disappears by itself once resolved: a newer
record replaces a due next action, a reached contact ends a stall or an unanswered streak.
The cases carry their work state in indexed columns that the services keep up to date in the
same transaction (``Case.next_action_on``, ``stalled_on``, ``unanswered_streak`` …; decision
0017), so each section is one query with its filter, order and limit in the database, plus the
count of the rest: the cost depends neither on the number of records nor on the number of open
cases of the agency. Each app contributes its part through its own selectors (cases: the open
cases and who ages out; plans: reviews and approvals); this module only composes them.
"""

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, QuerySet, Window
from django.utils import timezone

from tsunagu.audit.models import Action
from tsunagu.audit.services import access_record
from tsunagu.cases.models import Case
from tsunagu.cases.selectors import ageing_out, open_cases_for_work, team_section, work_section
from tsunagu.lib.ages import add_months
from tsunagu.people.models import Person
from tsunagu.plans.selectors import plans_due_for_review, plans_to_approve

DUE_WITHIN_DAYS = 7
UNANSWERED_STREAK = 3
AGE_LIMIT_MONTHS = 6
REVIEW_WITHIN_DAYS = 14
SECTION_LIMIT = 50  # rows per section; the rest is counted and one click away (``show``)
SHOWN_LIMIT = 1000  # rows of the one section asked for with ``show``
SECTIONS = ("due_actions", "stalled", "unanswered", "age_limit", "plans_due", "plans_to_approve")


@dataclass
class Worklist:
    due_actions: list[Any] = field(default_factory=list)
    stalled: list[Any] = field(default_factory=list)  # with ``days_without_contact``
    unanswered: list[Any] = field(default_factory=list)
    age_limit: list[tuple[Person, Any, dt.date]] = field(default_factory=list)
    plans_due: list[Any] = field(default_factory=list)
    plans_to_approve: list[Any] = field(default_factory=list)
    more: dict[str, int] = field(default_factory=dict)  # section -> rows beyond those shown

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


def limited(queryset: QuerySet[Any], limit: int) -> tuple[list[Any], int]:
    """The first ``limit`` rows and how many more there are, in one query (a window count)."""
    rows = list(queryset.annotate(section_total=Window(Count("pk")))[:limit])
    return rows, (rows[0].section_total - len(rows) if rows else 0)


def worklist_for(*, user: Any, scope: str, today: dt.date, show: str = "") -> Worklist:
    """``scope`` "mine": the cases the user is the lead worker of; "agency": every open case of
    the user's agencies (for supervisors). ``show``: a section to list at length."""

    def limit(section: str) -> int:
        return SHOWN_LIMIT if section == show else SECTION_LIMIT

    cases = open_cases_for_work(user=user, scope=scope)

    def section(name: str, order: tuple[str, ...], **state: Any) -> tuple[list[Any], int]:
        return work_section(user=user, scope=scope, order=order, limit=limit(name), **state)

    work = Worklist()
    work.due_actions, work.more["due_actions"] = section(
        "due_actions",
        ("next_action_on", "opened_at"),
        next_action_on__lte=today + dt.timedelta(days=DUE_WITHIN_DAYS),
    )
    work.stalled, work.more["stalled"] = section("stalled", ("quiet_since", "opened_at"), stalled_on__lte=today)
    for case in work.stalled:
        case.days_without_contact = (today - (case.quiet_since or timezone.localdate(case.opened_at))).days
    work.unanswered, work.more["unanswered"] = section(
        "unanswered", ("opened_at",), unanswered_streak__gte=UNANSWERED_STREAK
    )
    work.age_limit, work.more["age_limit"] = ageing_out(
        user=user, scope=scope, today=today, horizon=add_months(today, AGE_LIMIT_MONTHS), limit=limit("age_limit")
    )
    review_by = today + dt.timedelta(days=REVIEW_WITHIN_DAYS)
    if scope == "mine":
        work.plans_due, work.more["plans_due"] = limited(
            plans_due_for_review(cases=cases, until=review_by), limit("plans_due")
        )
    else:  # the cases from the agency's team rows, in review order (decision 0024)
        ids, total = team_section(
            user=user, order=("plan_review_on",), limit=limit("plans_due"), plan_review_on__lte=review_by
        )
        work.plans_due = list(plans_due_for_review(cases=cases.filter(pk__in=ids), until=review_by))
        work.more["plans_due"] = max(total - len(ids), 0)
    work.plans_to_approve, work.more["plans_to_approve"] = plans_to_approve(user, limit=limit("plans_to_approve"))
    shown: list[Case] = [*work.due_actions, *work.stalled, *work.unanswered, *(c for _p, c, _d in work.age_limit)]
    shown += [plan.case for plan in (*work.plans_due, *work.plans_to_approve)]
    access_record(
        user=user,
        action=Action.LIST,
        object_type="case",
        object_ids=list(dict.fromkeys(c.pk for c in shown)),
        person_ids=[p.pk for p, _c, _d in work.age_limit],
        reason=f"worklist {scope}",
    )
    return work

"""What needs doing, per staff member and per supervisor (the "my work" page).

Every item is derived from the current data, so it disappears by itself once resolved: a newer
record replaces a due next action, a reached contact ends a stall or an unanswered streak.
Each app contributes its part through its own selectors (cases: the open cases and who ages out;
records: contact; plans: reviews and approvals); this module only composes them. One query for
the cases (annotated), one for the persons near an age limit, one per plan list: the cost does
not grow with the number of records.
"""

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from tsunagu.audit.models import Action
from tsunagu.audit.services import access_record
from tsunagu.cases.selectors import ageing_out, open_cases_for_work, with_lead_agency
from tsunagu.lib.ages import add_months
from tsunagu.people.models import Person
from tsunagu.plans.selectors import plans_due_for_review, plans_to_approve
from tsunagu.records.selectors import with_contact

DUE_WITHIN_DAYS = 7
UNANSWERED_STREAK = 3
AGE_LIMIT_MONTHS = 6
REVIEW_WITHIN_DAYS = 14


@dataclass
class Worklist:
    # Cases carry the annotations of the selectors (next_action_on, days_without_contact, …).
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


def worklist_for(*, user: Any, scope: str, today: dt.date) -> Worklist:
    """``scope`` "mine": the cases the user is the lead worker of; "agency": every open case of
    the user's agencies (for supervisors)."""
    cases = with_contact(with_lead_agency(open_cases_for_work(user=user, scope=scope)))
    # Annotated rows: typed loosely, the annotations are not model fields.
    rows: list[Any] = list(cases.select_related("household", "lead_worker").order_by("opened_at", "pk"))
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
    work.age_limit = ageing_out(cases=rows, today=today, horizon=add_months(today, AGE_LIMIT_MONTHS))
    work.plans_due = plans_due_for_review(
        case_ids=[case.pk for case in rows], until=today + dt.timedelta(days=REVIEW_WITHIN_DAYS)
    )
    work.plans_to_approve = plans_to_approve(user)
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

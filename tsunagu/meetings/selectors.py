"""Reads for meeting pages and the work page; a fixed number of queries each."""

from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet

from tsunagu.agencies.models import TeamRole
from tsunagu.agencies.selectors import staff_context
from tsunagu.audit.models import Action
from tsunagu.audit.services import Read, access_records
from tsunagu.cases.access import cases_seen_by
from tsunagu.cases.models import Case, CaseAgency
from tsunagu.core.types import User
from tsunagu.meetings.access import MEETING_BASIS, MEETING_ROLES, decisions_read, shared_with_q
from tsunagu.meetings.models import Decision, Meeting, MeetingCase
from tsunagu.people.models import Person


@dataclass
class CaseSummary:
    case: Case
    lead: str
    persons: list[Person]
    last_contact: Any


def discussed_visible(*, user: User, meeting: Meeting) -> QuerySet[MeetingCase]:
    """The cases on the meeting that the user may read through it: those shared with one of the
    user's attending agencies under the basis as it holds today (:func:`meetings.access.shared_with_q`),
    or that the user sees anyway (``cases.access.cases_seen_by``). Not yet read: the meeting page
    (:func:`discussed_summaries`) and the export of the meeting's cases record their reads."""
    agencies = staff_context(user).agency_ids(*MEETING_ROLES)
    return MeetingCase.objects.filter(meeting=meeting).filter(
        shared_with_q(agencies) | Q(case_id__in=cases_seen_by(user).values("pk"))
    )


def discussed_summaries(*, user: User, meeting: Meeting) -> list[CaseSummary]:
    """The coordination summary of each case on the meeting, recorded as a view under the
    meeting's basis (one access event per case, so each case's "who viewed" shows it; the events
    in one INSERT).

    Only the cases shared with one of the user's attending agencies under the basis as it holds
    today (:func:`meetings.access.shared_with_q`: an agency whose consent was withdrawn or expired
    no longer reads a consent meeting's case), or that the user sees anyway (``cases.access``)."""
    cases = [
        item.case
        for item in discussed_visible(user=user, meeting=meeting)
        .select_related("case", "case__household", "case__household__district", "case__lead_worker")
        .order_by("added_at", "pk")
    ]
    if not cases:
        return []
    ids = [c.pk for c in cases]
    leads = dict(
        CaseAgency.objects.filter(case_id__in=ids, role=TeamRole.LEAD, until__isnull=True).values_list(
            "case_id", "agency__name"
        )
    )
    persons: dict[int, list[Person]] = {}
    for person in Person.objects.filter(household_id__in=[c.household_id for c in cases], is_concerned=True).order_by(
        "pk"
    ):
        persons.setdefault(person.household_id, []).append(person)
    reason = f"meeting {meeting.pk} ({meeting.sharing_basis})"
    summaries = [
        # The last contact is the case's kept work state (decision 0017), not a MAX over its history.
        CaseSummary(case, leads.get(case.pk, "—"), persons.get(case.household_id, []), case.last_contact_on)
        for case in cases
    ]
    access_records(
        user=user,
        action=Action.VIEW,
        reads=[
            Read(
                object_type="case",
                object_ids=[s.case.pk],
                person_ids=[p.pk for p in s.persons],
                case_id=s.case.pk,
                reason=reason,
                basis=MEETING_BASIS,
            )
            for s in summaries
        ],
    )
    return summaries


def actions_for(user: User) -> list[Decision]:
    """Open action items the user owns, earliest due first; the read is recorded with the cases
    they concern."""
    return decisions_read(
        user,
        Decision.objects.filter(owner=user, done_at__isnull=True)
        .select_related("meeting", "case")
        .order_by("due_on", "pk"),
    )

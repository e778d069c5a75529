"""The meeting grant: an agency that attended a case meeting sees the summaries of the cases it
discussed, from the meeting day until MEETING_ACCESS_DAYS after it, while the meeting's basis
holds for that agency (a consent withdrawn or expired ends it; decisions 0005, 0008).
Registered into the case grants (``cases/grants.py``) by ``MeetingsConfig.ready()``."""

from typing import Any

from django.db.models import Exists, OuterRef, Q

from tsunagu.agencies.selectors import StaffContext
from tsunagu.cases.grants import Access, Grant, Level
from tsunagu.cases.models import Case
from tsunagu.meetings.access import shared_with_q
from tsunagu.meetings.models import MeetingCase


class MeetingGrant(Grant):
    """SUMMARY: an agency of the user (as caseworker, supervisor or desk) attended a meeting
    that discussed the case, inside the sharing window."""

    name = "meeting"
    level = Level.SUMMARY
    order = 40
    why_template = "cases/why/meeting.html"

    def cases(self, user: Any, context: StaffContext) -> Q | None:
        agencies = context.case_agency_ids
        if not agencies:
            return None
        return Q(Exists(MeetingCase.objects.filter(shared_with_q(agencies), case_id=OuterRef("pk"))))

    def explain(self, user: Any, context: StaffContext, case: Case) -> Access | None:
        agencies = context.case_agency_ids
        if not agencies:
            return None
        item = (
            MeetingCase.objects.filter(shared_with_q(agencies), case=case)
            .select_related("meeting")
            .order_by("-meeting__held_at")
            .first()
        )
        if item is None:
            return None
        return self.access(record=item.meeting, reason="summary (meeting)")

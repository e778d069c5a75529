"""The one door to meetings.

A meeting is seen by the staff of its organising and attending agencies; councils (連絡協議会,
庁内調整会議) also by the secretariat, which alone writes them. A case meeting is written by the
organising agency's staff. Partners and admins see no meetings. Anybody else: 404.
"""

import datetime as dt
from collections.abc import Iterable

from django.conf import settings
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from tsunagu.agencies.models import MEETING_ROLES, Role
from tsunagu.agencies.selectors import staff_context
from tsunagu.audit.models import Action
from tsunagu.audit.services import Read, access_record, access_records
from tsunagu.cases.models import CaseAgency, Consent, SharingBasis
from tsunagu.core.types import User
from tsunagu.meetings.models import COUNCIL_KINDS, KIND_BASIS, Decision, Meeting

# The basis of every read through a meeting (its page, the discussed cases' summaries, its
# decisions), as ``cases.access.Access.basis`` names it: 「このケースを見た人」 shows 会議（概要）.
MEETING_BASIS = "meeting"


def meetings_visible_to(user: User) -> QuerySet[Meeting]:
    context = staff_context(user)
    agencies = context.agency_ids(*MEETING_ROLES)
    rule = Q(organiser_id__in=agencies) | Q(agencies__in=agencies)
    if context.has_role(Role.SECRETARIAT):
        rule |= Q(kind__in=COUNCIL_KINDS)
    return Meeting.objects.filter(pk__in=Meeting.objects.filter(rule).values("pk"))


def meeting_can_write(user: User, meeting: Meeting) -> bool:
    context = staff_context(user)
    if meeting.is_council:
        return context.has_role(Role.SECRETARIAT)
    return meeting.organiser_id in context.agency_ids(*MEETING_ROLES)


def meeting_get_for_user(user: User, pk: int, *, write: bool = False) -> Meeting:
    meeting = meetings_visible_to(user).select_related("organiser").filter(pk=pk).first()
    if meeting is None or (write and not meeting_can_write(user, meeting)):
        raise Http404
    _record_meeting_read(user, meeting)
    return meeting


def decision_get_for_user(user: User, pk: int, *, done: bool = False) -> Decision:
    """A decision of a meeting the user sees (the read of the meeting is recorded, as on its
    page); with ``done``, only its owner or a writer of the meeting may mark it done. 404
    otherwise."""
    decision = Decision.objects.select_related("meeting").filter(pk=pk).first()
    if decision is None:
        raise Http404
    if done and decision.owner_id == user.pk:
        # The owner marks their own action done even after their agency stopped attending the
        # meeting (the meeting page would then answer 404; the action stays on their work page).
        return decision
    meeting = meeting_get_for_user(user, decision.meeting_id)
    if done and not meeting_can_write(user, meeting):
        raise Http404
    return decision


def _reason(meeting_id: int, basis: str) -> str:
    return f"meeting {meeting_id} ({basis})" if basis else f"meeting {meeting_id}"


def _household_members(case_ids: Iterable[int]) -> dict[int, list[int]]:
    """The persons of each case's household, in one query (a case's data is its household's)."""
    from tsunagu.people.models import Person

    members: dict[int, list[int]] = {case_id: [] for case_id in case_ids}
    if not members:
        return members
    rows = Person.objects.filter(household__cases__in=list(members)).values_list("pk", "household__cases")
    for pk, case_id in rows:
        members[case_id].append(pk)
    return members


def _record_meeting_read(user: User, meeting: Meeting) -> None:
    """A meeting page shows its minutes, the discussed cases and their decisions: one event per
    discussed case (its persons, the meeting's basis), so each case's trail shows the read; the
    events in one INSERT."""
    reason = _reason(meeting.pk, meeting.sharing_basis)
    case_ids = list(meeting.discussed.order_by("case_id").values_list("case_id", flat=True))
    if not case_ids:
        access_record(
            user=user,
            action=Action.VIEW,
            object_type="meeting",
            object_ids=[meeting.pk],
            reason=reason,
            basis=MEETING_BASIS,
        )
        return
    members = _household_members(case_ids)
    access_records(
        user=user,
        action=Action.VIEW,
        reads=[
            Read(
                object_type="meeting",
                object_ids=[meeting.pk],
                person_ids=members.get(case_id, []),
                case_id=case_id,
                reason=reason,
                basis=MEETING_BASIS,
            )
            for case_id in case_ids
        ],
    )


def decisions_read(user: User, decisions: Iterable[Decision]) -> list[Decision]:
    """Record the read of decisions shown to ``user`` (on a meeting page or the work page): one
    event per case they concern, with its persons and the meeting's basis; decisions about no
    case, one event per meeting. The events in one INSERT."""
    decisions = list(decisions)
    groups: dict[tuple[int | None, int], list[Decision]] = {}
    for decision in decisions:
        groups.setdefault((decision.case_id, decision.meeting_id), []).append(decision)
    members = _household_members({case_id for case_id, _m in groups if case_id is not None})
    reads = []
    for (case_id, _meeting_id), items in groups.items():
        meeting = items[0].meeting
        reads.append(
            Read(
                object_type="decision",
                object_ids=[d.pk for d in items],
                person_ids=members.get(case_id, []) if case_id is not None else [],
                case_id=case_id,
                reason=_reason(meeting.pk, meeting.sharing_basis),
                basis=MEETING_BASIS,
            )
        )
    access_records(user=user, action=Action.VIEW, reads=reads)
    return decisions


def sharing_starts(held_at: dt.datetime) -> dt.datetime:
    """Sharing starts at the beginning of the meeting day (local time), never before: a meeting
    not yet held shares nothing (decision 0008)."""
    day = timezone.localdate(held_at)
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def sharing_ends(held_at: dt.datetime) -> dt.datetime:
    return held_at + dt.timedelta(days=settings.MEETING_ACCESS_DAYS)


def sharing_window_open(meeting: Meeting, now: dt.datetime | None = None) -> bool:
    """Attending agencies see the discussed cases' summaries from the meeting day until
    MEETING_ACCESS_DAYS after the meeting."""
    now = now or timezone.now()
    return sharing_starts(meeting.held_at) <= now <= sharing_ends(meeting.held_at)


def sharing_window_q(now: dt.datetime | None = None, prefix: str = "") -> Q:
    """The same window as :func:`sharing_window_open`, as a filter on meetings (``prefix`` leads
    to the meeting, e.g. ``"meeting__"``)."""
    now = now or timezone.now()
    tomorrow = timezone.localdate(now) + dt.timedelta(days=1)
    next_midnight = timezone.make_aware(dt.datetime.combine(tomorrow, dt.time.min))
    return Q(
        **{
            f"{prefix}held_at__gte": now - dt.timedelta(days=settings.MEETING_ACCESS_DAYS),
            f"{prefix}held_at__lt": next_midnight,
        }
    )


STATUTORY_KINDS = frozenset(kind for kind, basis in KIND_BASIS.items() if basis != SharingBasis.CONSENT)


def shared_with_q(agency_ids: Iterable[int], now: dt.datetime | None = None) -> Q:
    """A filter on ``MeetingCase``: the discussed cases that one of ``agency_ids`` sees through the
    meeting now. Its window is open (:func:`sharing_window_q`), the agency attends, and the basis
    holds today: a statutory 支援会議 by law; a consent meeting only while the agency is on the
    case's team or named by a consent of a household member that holds today. A consent withdrawn
    or expired after the case was put on the meeting ends the sharing (checked on every read, as
    it was when the case was shared)."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    rule = Q(pk__in=[])
    for agency_id in set(agency_ids):
        consented = Consent.objects.filter(
            Q(expires_on__isnull=True) | Q(expires_on__gte=today),
            Q(withdrawn_on__isnull=True) | Q(withdrawn_on__gt=today),
            person__household_id=OuterRef("case__household_id"),
            agencies=agency_id,
            given_on__lte=today,
        )
        on_team = CaseAgency.objects.filter(case_id=OuterRef("case_id"), agency_id=agency_id, until__isnull=True)
        attends = Meeting.agencies.through.objects.filter(agency_id=agency_id).values("meeting_id")
        rule |= Q(meeting_id__in=attends) & (
            Q(meeting__kind__in=STATUTORY_KINDS) | Q(Exists(consented)) | Q(Exists(on_team))
        )
    return sharing_window_q(now, prefix="meeting__") & rule

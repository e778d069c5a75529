"""The one door to meetings.

A meeting is seen by the staff of its organising and attending agencies; councils (連絡協議会,
庁内調整会議) also by the secretariat, which alone writes them. A case meeting is written by the
organising agency's staff. Partners and admins see no meetings. Anybody else: 404.
"""

import datetime as dt
from typing import Any

from django.conf import settings
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from tsunagu.agencies.models import Role
from tsunagu.agencies.selectors import staff_context
from tsunagu.audit.models import Action
from tsunagu.audit.services import access_record
from tsunagu.meetings.models import COUNCIL_KINDS, Meeting

MEETING_ROLES = (Role.CASEWORKER, Role.SUPERVISOR, Role.DESK, Role.SECRETARIAT)


def meetings_visible_to(user: Any) -> QuerySet[Meeting]:
    context = staff_context(user)
    agencies = context.agency_ids(*MEETING_ROLES)
    rule = Q(organiser_id__in=agencies) | Q(agencies__in=agencies)
    if context.has_role(Role.SECRETARIAT):
        rule |= Q(kind__in=COUNCIL_KINDS)
    return Meeting.objects.filter(pk__in=Meeting.objects.filter(rule).values("pk"))


def meeting_can_write(user: Any, meeting: Meeting) -> bool:
    context = staff_context(user)
    if meeting.is_council:
        return context.has_role(Role.SECRETARIAT)
    return meeting.organiser_id in context.agency_ids(*MEETING_ROLES)


def meeting_get_for_user(user: Any, pk: int, *, write: bool = False) -> Meeting:
    meeting = meetings_visible_to(user).select_related("organiser").filter(pk=pk).first()
    if meeting is None or (write and not meeting_can_write(user, meeting)):
        raise Http404
    access_record(user=user, action=Action.VIEW, object_type="meeting", object_ids=[meeting.pk])
    return meeting


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

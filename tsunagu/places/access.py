"""The one door to places, their sessions, named attendance and enrolments (docs/access.md).

- The registry (places, programmes, family associations) and their sessions with anonymous counts
  are not personal data: every staff member with a membership sees them.
- A place and its sessions are changed only by the staff (desk, caseworker, supervisor) of the
  running agency (``Place.agency``); anybody else gets 404 on the edit pages.
- Named attendance is personal data: seen by the running agency's staff (all of a session's
  attendees) and by the case team of each person (their own case's members only); every read
  and write is recorded.
- Enrolments belong to a case: the case's team (write access) reads and changes them.
"""

from collections.abc import Iterable

from django.db.models import QuerySet
from django.http import Http404

from tsunagu.agencies.models import CASE_ROLES
from tsunagu.agencies.selectors import staff_context
from tsunagu.audit.models import Action
from tsunagu.audit.services import access_record
from tsunagu.cases.access import Level, cases_seen_by, event_reason, full_access
from tsunagu.core.types import User
from tsunagu.places.models import Enrolment, NamedAttendance, Place, PlaceSession


def places_visible_to(user: User) -> QuerySet[Place]:
    """Every place for staff with a membership (the registry is no personal data), none else."""
    if not staff_context(user).memberships:
        return Place.objects.none()
    return Place.objects.select_related("agency", "district", "area")


def runs(user: User, place: Place) -> bool:
    """Whether the user works for the agency that runs (keeps the entry of) ``place``."""
    return place.agency_id in staff_context(user).agency_ids(*CASE_ROLES)


def places_editable_by(user: User) -> QuerySet[Place]:
    return places_visible_to(user).filter(agency_id__in=staff_context(user).agency_ids(*CASE_ROLES))


def place_get_for_user(user: User, pk: int, *, write: bool = False) -> Place:
    rows = places_editable_by(user) if write else places_visible_to(user)
    place = rows.filter(pk=pk).first()
    if place is None:
        raise Http404
    return place


def session_get_for_user(user: User, pk: int, *, write: bool = False) -> PlaceSession:
    session = PlaceSession.objects.select_related("place", "place__agency").filter(pk=pk).first()
    if session is None or not staff_context(user).memberships or (write and not runs(user, session.place)):
        raise Http404
    return session


def named_visible_to(user: User, session: PlaceSession) -> QuerySet[NamedAttendance]:
    """The session's named attendance the user may see: all of it for the running agency, else
    the persons of the households whose case the user works on (the case team)."""
    rows = NamedAttendance.objects.filter(session=session).select_related("person", "person__household")
    if runs(user, session.place):
        return rows
    team_cases = cases_seen_by(user, level=Level.FULL, write=True)
    return rows.filter(person__household__cases__in=team_cases).distinct()


def named_read(user: User, session: PlaceSession, rows: Iterable[NamedAttendance]) -> list[NamedAttendance]:
    """Record the read of the named attendance shown (an empty list is recorded too)."""
    shown = list(rows)
    access_record(
        user=user,
        action=Action.VIEW,
        object_type="attendance",
        object_ids=[row.pk for row in shown],
        person_ids=[row.person_id for row in shown],
        reason=f"place session {session.pk}",
        basis="place" if runs(user, session.place) else "team",
    )
    return shown


def named_get_for_user(user: User, pk: int) -> NamedAttendance:
    """A named attendance the user may remove: the running agency's staff only."""
    row = NamedAttendance.objects.select_related("session", "session__place", "person").filter(pk=pk).first()
    if row is None or not runs(user, row.session.place):
        raise Http404
    return row


def enrolment_get_for_user(user: User, pk: int) -> Enrolment:
    """An enrolment, for the team of its case (write access), else 404."""
    enrolment = Enrolment.objects.select_related("case", "case__household", "place", "person").filter(pk=pk).first()
    access = full_access(user, enrolment.case, write=True) if enrolment is not None else None
    if enrolment is None or access is None:
        raise Http404
    access_record(
        user=user,
        action=Action.VIEW,
        object_type="enrolment",
        object_ids=[enrolment.pk],
        person_ids=[enrolment.person_id],
        case_id=enrolment.case_id,
        reason=event_reason(access),
        basis=access.basis,
    )
    return enrolment

"""The door to events in the staff pages (issue 12).

Events are public information about an agency's activities, not personal data: everybody with a
membership sees the staff list. Only the desk, caseworkers, supervisors and the secretariat of
the organising agency create and edit its events; anybody else gets 404 on an event's edit page."""

from django.db.models import QuerySet
from django.http import Http404

from tsunagu.agencies.models import CASE_ROLES, Agency, Role
from tsunagu.agencies.selectors import staff_context
from tsunagu.places.models import Event

EVENT_ROLES: tuple[str, ...] = (*CASE_ROLES, Role.SECRETARIAT)


def events_visible_to(user) -> QuerySet[Event]:
    if not staff_context(user).memberships:
        return Event.objects.none()
    return Event.objects.select_related("agency", "place", "district")


def event_organisers(user) -> QuerySet[Agency]:
    """The agencies whose events this user may create and edit."""
    return Agency.objects.filter(pk__in=staff_context(user).agency_ids(*EVENT_ROLES), active=True).order_by(
        "kind", "code"
    )


def event_can_write(user, event: Event) -> bool:
    return event.agency_id in staff_context(user).agency_ids(*EVENT_ROLES)


def event_get_for_user(user, pk: int, *, write: bool = False) -> Event:
    event = events_visible_to(user).filter(pk=pk).first()
    if event is None or (write and not event_can_write(user, event)):
        raise Http404
    return event

"""Places and sessions for tests (invented)."""

import datetime as dt

from tsunagu.agencies.models import Agency
from tsunagu.places.models import Place, PlaceKind, PlaceSession


def place_make(agency_code: str = "merkmal", *, kind: str = PlaceKind.IBASHO, name: str = "", **extra) -> Place:
    agency = Agency.objects.get(code=agency_code)
    return Place.objects.create(name=name or f"{agency.name}の{kind}", kind=kind, agency=agency, **extra)


def session_make(place: Place, held_on: dt.date = dt.date(2026, 11, 25), **extra) -> PlaceSession:
    return PlaceSession.objects.create(place=place, held_on=held_on, **extra)


def merkmal_place() -> Place:
    """The 居場所 run by メルクマールせたがや (one per test database)."""
    place = Place.objects.filter(agency__code="merkmal", kind=PlaceKind.IBASHO).first()
    return place or place_make("merkmal", name="テストの居場所")


def merkmal_session() -> PlaceSession:
    place = merkmal_place()
    return place.sessions.first() or session_make(place)


def enrolment_of(world):
    """An enrolment of ``world.person`` (on ``world.case``) in a programme."""
    from tsunagu.places.models import Enrolment, PlaceKind

    enrolment = Enrolment.objects.filter(case=world.case).first()
    if enrolment is None:
        programme = place_make("shuro-port", kind=PlaceKind.WORK_EXPERIENCE, name="就労体験")
        enrolment = Enrolment.objects.create(
            place=programme, person=world.person, case=world.case, starts_on=dt.date(2026, 11, 1)
        )
    return enrolment


def named_of(world):
    """A named attendance of ``world.person`` at the メルクマール session (no progress record)."""
    from tsunagu.places.models import NamedAttendance

    session = merkmal_session()
    return NamedAttendance.objects.get_or_create(session=session, person=world.person)[0]

"""Public queries of places, programmes, family associations and events (issue 12).

What the public pages and the ``.ics`` feed read: only places marked public and still running,
only events marked public that have not ended. Nothing here reads a person. Lists are bounded
(keyset pages, docs/decisions/0018-keyset-pagination.md)."""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.http import QueryDict
from django.utils import timezone

from tsunagu.core.paging import Ordering, Page, paginate
from tsunagu.places.models import Audience, Event, Place

PUBLIC_PAGE_SIZE = 30
FEED_LIMIT = 500  # the .ics feed: the next this many public events

PLACE_ORDERING = Ordering.of("public_places", "kind", "name", "pk")
EVENT_ORDERING = Ordering.of("public_events", "starts_at", "pk")


@dataclass(frozen=True)
class PlaceFilter:
    """What a visitor chose on the directory's search form (all optional)."""

    area: int | None = None
    district: int | None = None
    target: str = ""  # Audience.PERSON or Audience.FAMILY: places open to that target
    age: int | None = None
    kind: str = ""


def public_places() -> QuerySet[Place]:
    """Places marked public and still running, with what their public page shows."""
    return Place.objects.filter(is_public=True, active=True).select_related("area", "district", "district__area")


def public_place_get(pk: int) -> Place | None:
    return public_places().filter(pk=pk).first()


def public_places_filtered(chosen: PlaceFilter) -> QuerySet[Place]:
    places = public_places()
    if chosen.area is not None:
        # A place's area is its own, or that of its district.
        places = places.filter(Q(area_id=chosen.area) | Q(area__isnull=True, district__area_id=chosen.area))
    if chosen.district is not None:
        places = places.filter(district_id=chosen.district)
    if chosen.target:
        places = places.filter(audience__in=[chosen.target, Audience.BOTH])
    if chosen.age is not None:
        places = places.filter(Q(age_min__isnull=True) | Q(age_min__lte=chosen.age)).filter(
            Q(age_max__isnull=True) | Q(age_max__gte=chosen.age)
        )
    if chosen.kind:
        places = places.filter(kind=chosen.kind)
    return places


def public_places_page(chosen: PlaceFilter, params: QueryDict, size: int = PUBLIC_PAGE_SIZE) -> Page[Place]:
    return paginate(public_places_filtered(chosen), PLACE_ORDERING, params, size=size)


def public_events(now: dt.datetime | None = None) -> QuerySet[Event]:
    """Public events from today on (an event of today stays listed all day, also once begun)."""
    now = now or timezone.now()
    today_start = timezone.make_aware(dt.datetime.combine(timezone.localdate(now), dt.time.min))
    return (
        Event.objects.filter(is_public=True, starts_at__gte=today_start)
        .select_related("agency", "district", "district__area", "place")
        .order_by("starts_at", "pk")
    )


def public_event_get(pk: int) -> Event | None:
    return public_events().filter(pk=pk).first()


def public_events_page(params: QueryDict, size: int = PUBLIC_PAGE_SIZE) -> Page[Event]:
    return paginate(public_events(), EVENT_ORDERING, params, size=size)


def public_events_of_place(place: Place) -> list[Event]:
    return list(public_events().filter(place=place)[:20])


def public_events_for_feed() -> list[Event]:
    return list(public_events()[:FEED_LIMIT])

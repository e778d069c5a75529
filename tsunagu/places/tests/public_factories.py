"""Places and events made in tests of the public directory and the events (issue 12), without
the reference data of places (the tests build exactly what they look for)."""

import datetime as dt
from typing import Any

from django.utils import timezone

from tsunagu.agencies.models import Agency, Area, District
from tsunagu.places.models import Event, EventKind, Place, PlaceKind


def place_make(name: str, *, agency: str = "merkmal", district: str | None = None, **fields: Any) -> Place:
    values: dict[str, Any] = {"kind": PlaceKind.IBASHO, "is_public": True, "active": True}
    values.update(fields)
    if district is not None:
        found = District.objects.get(code=district)
        values.setdefault("district", found)
        values.setdefault("area", found.area)
    if isinstance(values.get("area"), str):
        values["area"] = Area.objects.get(code=values["area"])
    place = Place(name=name, agency=Agency.objects.get(code=agency), **values)
    place.full_clean()
    place.save()
    return place


def event_make(
    title: str,
    *,
    agency: str = "merkmal",
    starts_at: dt.datetime | None = None,
    days: int = 7,
    **fields: Any,
) -> Event:
    if starts_at is None:
        day = timezone.localdate() + dt.timedelta(days=days)
        starts_at = timezone.make_aware(dt.datetime.combine(day, dt.time(14, 0)))
    values: dict[str, Any] = {
        "kind": EventKind.LECTURE,
        "venue": "世田谷区民会館 第1会議室（世田谷区世田谷4-21-27）",
        "is_public": True,
        "ends_at": starts_at + dt.timedelta(hours=2),
    }
    values.update(fields)
    event = Event(title=title, agency=Agency.objects.get(code=agency), starts_at=starts_at, **values)
    event.full_clean()
    event.save()
    return event

"""The iCalendar (RFC 5545) feed of public events, written with the ``icalendar`` library (which
folds lines and escapes text, Japanese included). Times are in Asia/Tokyo with its VTIMEZONE; the
UID of an event is its primary key at this site, so it stays the same when the event is edited
(SEQUENCE is its version)."""

from collections.abc import Iterable
from zoneinfo import ZoneInfo

from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from icalendar import Calendar
from icalendar import Event as IcsEvent

from tsunagu.places.models import Event

TOKYO = ZoneInfo("Asia/Tokyo")
PRODID = "-//Tsunagu//Public events//JA"


def event_uid(event: Event, host: str) -> str:
    return f"tsunagu-event-{event.pk}@{host}"


def _description(event: Event) -> str:
    parts = [event.description.strip()]
    if event.how_to_apply.strip():
        parts.append(_("申し込み方法: %(how)s") % {"how": event.how_to_apply.strip()})
    if event.apply_by:
        parts.append(_("申し込みの締切: %(date)s") % {"date": event.apply_by.isoformat()})
    if event.capacity:
        parts.append(_("定員: %(n)s人") % {"n": event.capacity})
    return "\n\n".join(p for p in parts if p)


def events_calendar(events: Iterable[Event], request: HttpRequest) -> bytes:
    host = request.get_host()
    with translation.override("ja"):
        calendar = Calendar()
        calendar.add("prodid", PRODID)
        calendar.add("version", "2.0")
        calendar.add("calscale", "GREGORIAN")
        calendar.add("method", "PUBLISH")
        calendar.add("x-wr-calname", _("ひきこもり支援の催し"))
        calendar.add("x-wr-timezone", "Asia/Tokyo")
        for event in events:
            item = IcsEvent()
            item.add("uid", event_uid(event, host))
            item.add("dtstamp", event.updated_at.astimezone(ZoneInfo("UTC")))
            item.add("last-modified", event.updated_at.astimezone(ZoneInfo("UTC")))
            item.add("sequence", max(event.version - 1, 0))
            item.add("summary", event.title)
            item.add("dtstart", timezone.localtime(event.starts_at, TOKYO))
            if event.ends_at:
                item.add("dtend", timezone.localtime(event.ends_at, TOKYO))
            item.add("location", event.venue)
            description = _description(event)
            if description:
                item.add("description", description)
            item.add("categories", [event.get_kind_display()])
            item.add("url", request.build_absolute_uri(reverse("public:event", kwargs={"pk": event.pk})))
            calendar.add_component(item)
        calendar.add_missing_timezones()
    return calendar.to_ical()

"""Which public page a consultation request came from (issue 12).

The directory's and the events' pages link to the request form with ``?about=place-12`` or
``?about=event-3``. The form shows the visitor which page it is about and carries the value in a
hidden field; on sending, one line naming the page is written at the top of the request's text,
so the desk reads it in the queue and on the consultation. The intake app (lower in the layers)
keeps no link to places: the line is text, and only a place or an event that is public now is
named (anything else is dropped silently: it was not the visitor's input)."""

from django.utils import translation
from django.utils.translation import gettext as _

from tsunagu.places import selectors
from tsunagu.places.models import Event, Place
from tsunagu.public.forms import ABOUT_RE


def about_object(value: str) -> Place | Event | None:
    match = ABOUT_RE.fullmatch(value or "")
    if match is None:
        return None
    kind, pk = value.split("-", 1)
    if kind == "place":
        return selectors.public_place_get(int(pk))
    return selectors.public_event_get(int(pk))


def about_label(obj: Place | Event) -> str:
    if isinstance(obj, Place):
        return _("%(kind)s「%(name)s」") % {"kind": obj.get_kind_display(), "name": obj.name}
    return _("催し「%(name)s」（%(date)s）") % {"name": obj.title, "date": obj.starts_at.date().isoformat()}


def summary_with_about(summary: str, obj: Place | Event | None) -> str:
    """The request's text with the line for the desk first (always in Japanese, the desk's
    language, whatever language the visitor read the page in)."""
    if obj is None:
        return summary
    with translation.override("ja"):
        line = _("【区民向けページ「%(label)s」から申し込み】") % {"label": about_label(obj)}
    return f"{line}\n{summary}"

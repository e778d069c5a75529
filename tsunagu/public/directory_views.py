"""The public directory (places, programmes, family associations) and events, with an iCalendar
feed (issue 12). Only what is marked public (``places.selectors``); never a person. No script,
no map tiles or other outside calls: addresses and areas are enough."""

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from tsunagu.core.access import public
from tsunagu.places import selectors
from tsunagu.places.models import Event, Place
from tsunagu.public.forms import DirectoryFilterForm
from tsunagu.public.ics import events_calendar


def request_link(obj: Place | Event) -> str:
    """The consultation request form, saying which public page it was opened from."""
    prefix = "place" if isinstance(obj, Place) else "event"
    return f"{reverse('public:request')}?about={prefix}-{obj.pk}"


@public
def directory(request: HttpRequest) -> HttpResponse:
    searched = any(request.GET.get(name) for name in DirectoryFilterForm.base_fields)
    form = DirectoryFilterForm(request.GET if searched else None)
    chosen = selectors.PlaceFilter()
    if searched:
        form.is_valid()  # the errors are shown on the page; the valid fields still filter
        chosen = form.chosen()
    page = selectors.public_places_page(chosen, request.GET)
    context = {"form": form, "page": page, "searched": searched}
    return render(request, "public/directory.html", context)


@public
def place_detail(request: HttpRequest, pk: int) -> HttpResponse:
    place = selectors.public_place_get(pk)
    if place is None:
        raise Http404
    context = {
        "place": place,
        "events": selectors.public_events_of_place(place),
        "request_url": request_link(place),
    }
    return render(request, "public/place.html", context)


@public
def event_list(request: HttpRequest) -> HttpResponse:
    return render(request, "public/events.html", {"page": selectors.public_events_page(request.GET)})


@public
def event_detail(request: HttpRequest, pk: int) -> HttpResponse:
    event = selectors.public_event_get(pk)
    if event is None:
        raise Http404
    # The related place is a link only when it has a public page itself.
    place = selectors.public_place_get(event.place_id) if event.place_id else None
    context = {"event": event, "place": place, "request_url": request_link(event)}
    return render(request, "public/event.html", context)


@public
def events_ics(request: HttpRequest) -> HttpResponse:
    """The public events as an iCalendar feed for the ward's site to embed or subscribe to."""
    body = events_calendar(selectors.public_events_for_feed(), request)
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="events.ics"'
    response["Cache-Control"] = "public, max-age=900"
    return response

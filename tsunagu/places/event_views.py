"""Staff pages of events (issue 12): the list (everybody with a membership), create and edit (the
organising agency's desk, caseworkers, supervisors and secretariat)."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from tsunagu.core.access import staff
from tsunagu.core.editing import apply_errors, versioned_edit
from tsunagu.core.paging import Ordering, paginate
from tsunagu.core.types import AuthenticatedHttpRequest
from tsunagu.places import event_services
from tsunagu.places.event_access import (
    EVENT_ROLES,
    event_can_write,
    event_get_for_user,
    event_organisers,
    events_visible_to,
)
from tsunagu.places.event_forms import EventEditForm, EventForm, event_fields

UPCOMING = Ordering.of("events_upcoming", "starts_at", "pk")
PAST = Ordering.of("events_past", "-starts_at", "-pk")


@staff()
def event_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    past = request.GET.get("when") == "past"
    today = timezone.make_aware(dt.datetime.combine(timezone.localdate(), dt.time.min))
    events = events_visible_to(request.user)
    events = events.filter(starts_at__lt=today) if past else events.filter(starts_at__gte=today)
    page = paginate(events, PAST if past else UPCOMING, request.GET)
    writable = {event.pk for event in page if event_can_write(request.user, event)}
    context = {"page": page, "past": past, "writable": writable, "can_create": event_organisers(request.user).exists()}
    return render(request, "events/list.html", context)


@staff(EVENT_ROLES)
def event_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    organisers = event_organisers(request.user)
    form = EventForm(request.POST or None, organisers=organisers)
    if request.method == "POST" and form.is_valid():
        try:
            _event, _created = event_services.event_create(
                user=request.user,
                agency=form.cleaned_data["agency"],
                fields=event_fields(form.cleaned_data),
                key=form.cleaned_data["submission_key"],
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            return redirect("events:list")
    return render(request, "events/form.html", {"form": form}, status=400 if form.is_bound else 200)


@staff(EVENT_ROLES)
def event_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    event = event_get_for_user(request.user, pk, write=True)
    start = timezone.localtime(event.starts_at)

    return versioned_edit(
        request,
        form_class=EventEditForm,
        template="events/edit.html",
        context={"event": event},
        initial={
            "version": event.version,
            "title": event.title,
            "kind": event.kind,
            "starts_on": start.date(),
            "starts_time": start.time(),
            "ends_time": timezone.localtime(event.ends_at).time() if event.ends_at else None,
            "venue": event.venue,
            "district": event.district_id,
            "place": event.place_id,
            "audience": event.audience,
            "description": event.description,
            "how_to_apply": event.how_to_apply,
            "apply_by": event.apply_by,
            "capacity": event.capacity,
            "is_public": event.is_public,
        },
        save=lambda data: event_services.event_update(
            user=request.user, event=event, expected_version=data["version"], fields=event_fields(data)
        ),
        done=reverse("events:list"),
    )

"""Public pages: no login, no personal data shown, nothing read back but a reference code."""

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django_ratelimit.core import get_usage

from tsunagu.agencies.models import Agency
from tsunagu.agencies.selectors import central_desk
from tsunagu.core.access import public
from tsunagu.core.editing import apply_errors
from tsunagu.core.services import created_for_key
from tsunagu.intake.models import Consultation
from tsunagu.intake.services import PublicRequestData, public_request_submit
from tsunagu.places.models import Event, Place
from tsunagu.public.about import about_label, about_object, summary_with_about
from tsunagu.public.forms import PublicRequestForm


@public
def where_to_consult(request: HttpRequest) -> HttpResponse:
    others = Agency.objects.filter(active=True, is_public=True, is_central_desk=False).order_by("kind", "code")
    return render(request, "public/where.html", {"desk": central_desk(), "others": others})


RATE_GROUP = "public-request"


def _rate_usage(request: HttpRequest, *, increment: bool) -> dict | None:
    return get_usage(
        request, group=RATE_GROUP, key="ip", rate=settings.PUBLIC_FORM_RATE, method="POST", increment=increment
    )


def _over_limit(request: HttpRequest) -> bool:
    """Whether this address has already sent as many accepted requests as the rate allows.

    Only accepted submissions are counted (issue 8, defect 21): a person who made a few
    mistakes is not told to come back later."""
    usage = _rate_usage(request, increment=False)
    return usage is not None and usage["count"] >= usage["limit"]


def _count_accepted(request: HttpRequest) -> None:
    _rate_usage(request, increment=True)


@public
def request_form(request: HttpRequest) -> HttpResponse:
    """The public consultation request. Bad input: field errors, 400, nothing kept or counted.
    Over the rate limit: 429 with the form and the person's text still in it."""
    desk = central_desk()
    if request.method != "POST":
        about = about_object(request.GET.get("about", ""))
        form = PublicRequestForm(initial={"about": request.GET.get("about", "") if about else ""})
        return render(request, "public/request_form.html", _context(form, desk, about))
    form = PublicRequestForm(request.POST)
    if not form.is_valid():
        about = about_object(form.cleaned_data.get("about", ""))
        return render(request, "public/request_form.html", _context(form, desk, about), status=400)
    data = form.cleaned_data
    about = about_object(data["about"])
    earlier = created_for_key(data["submission_key"])
    if isinstance(earlier, Consultation):
        # The same form sent again (back button, double click): its code, not a second count.
        return render(request, "public/request_done.html", {"code": earlier.reference_code, "desk": desk})
    if _over_limit(request):
        return render(request, "public/request_form.html", {**_context(form, desk, about), "limited": True}, status=429)
    if data["website"]:
        # A bot filled the honeypot: answer like a success (and count like one), keep nothing.
        _count_accepted(request)
        return render(request, "public/request_done.html", {"code": None, "desk": desk})
    try:
        consultation, created = public_request_submit(
            data=PublicRequestData.from_cleaned({**data, "summary": summary_with_about(data["summary"], about)}),
            key=data["submission_key"],
        )
    except ValidationError as exc:
        apply_errors(form, exc)
        return render(request, "public/request_form.html", _context(form, desk, about), status=400)
    if created:
        _count_accepted(request)
    return render(request, "public/request_done.html", {"code": consultation.reference_code, "desk": desk})


def _context(form: PublicRequestForm, desk: Agency | None, about: Place | Event | None) -> dict[str, Any]:
    return {"form": form, "desk": desk, "about": about_label(about) if about else ""}


def rate_limited(request: HttpRequest, exception: Exception | None) -> HttpResponse:
    return render(request, "public/rate_limited.html", {"desk": central_desk()}, status=429)

"""Public pages: no login, no personal data shown, nothing read back but a reference code."""

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
        return render(request, "public/request_form.html", {"form": PublicRequestForm(), "desk": desk})
    form = PublicRequestForm(request.POST)
    if not form.is_valid():
        return render(request, "public/request_form.html", {"form": form, "desk": desk}, status=400)
    data = form.cleaned_data
    earlier = created_for_key(data["submission_key"])
    if isinstance(earlier, Consultation):
        # The same form sent again (back button, double click): its code, not a second count.
        return render(request, "public/request_done.html", {"code": earlier.reference_code, "desk": desk})
    if _over_limit(request):
        return render(request, "public/request_form.html", {"form": form, "desk": desk, "limited": True}, status=429)
    if data["website"]:
        # A bot filled the honeypot: answer like a success (and count like one), keep nothing.
        _count_accepted(request)
        return render(request, "public/request_done.html", {"code": None, "desk": desk})
    try:
        consultation, created = public_request_submit(
            data=PublicRequestData.from_cleaned(data), key=data["submission_key"]
        )
    except ValidationError as exc:
        apply_errors(form, exc)
        return render(request, "public/request_form.html", {"form": form, "desk": desk}, status=400)
    if created:
        _count_accepted(request)
    return render(request, "public/request_done.html", {"code": consultation.reference_code, "desk": desk})


def rate_limited(request: HttpRequest, exception: Exception | None) -> HttpResponse:
    return render(request, "public/rate_limited.html", {"desk": central_desk()}, status=429)

"""Public pages: no login, no personal data shown, nothing read back but a reference code."""

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django_ratelimit.core import is_ratelimited

from tsunagu.agencies.models import Agency
from tsunagu.agencies.selectors import central_desk
from tsunagu.core.access import public
from tsunagu.intake.services import public_request_submit
from tsunagu.public.forms import PublicRequestForm


@public
def where_to_consult(request: HttpRequest) -> HttpResponse:
    others = Agency.objects.filter(active=True, is_public=True, is_central_desk=False).order_by("kind", "code")
    return render(request, "public/where.html", {"desk": central_desk(), "others": others})


@public
def request_form(request: HttpRequest) -> HttpResponse:
    desk = central_desk()
    if request.method != "POST":
        return render(request, "public/request_form.html", {"form": PublicRequestForm(), "desk": desk})
    if is_ratelimited(
        request, group="public-request", key="ip", rate=settings.PUBLIC_FORM_RATE, method="POST", increment=True
    ):
        return rate_limited(request, None)
    form = PublicRequestForm(request.POST)
    if not form.is_valid():
        return render(request, "public/request_form.html", {"form": form, "desk": desk}, status=400)
    if form.cleaned_data["website"]:
        # A bot filled the honeypot: answer like a success, keep nothing.
        return render(request, "public/request_done.html", {"code": None, "desk": desk})
    consultation = public_request_submit(data=form.cleaned_data, key=form.cleaned_data["submission_key"])
    return render(request, "public/request_done.html", {"code": consultation.reference_code, "desk": desk})


def rate_limited(request: HttpRequest, exception: Exception | None) -> HttpResponse:
    return render(request, "public/rate_limited.html", {"desk": central_desk()}, status=429)

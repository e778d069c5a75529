"""The secretariat's page of estimate parameters (issue 13 item 3): the ward's population by age
and the national rates that 「把握率」 divides by. No personal data."""

from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from tsunagu.agencies.models import Role
from tsunagu.core.access import staff
from tsunagu.core.editing import apply_errors, versioned_edit
from tsunagu.core.types import AuthenticatedHttpRequest
from tsunagu.reports import estimate_services as services
from tsunagu.reports.estimate_forms import EstimateCreateForm, EstimateEditForm
from tsunagu.reports.models import PrevalenceEstimate

TEMPLATE = "reports/estimates.html"


def _context() -> dict[str, object]:
    return {"estimates": list(PrevalenceEstimate.objects.select_related("updated_by"))}


@staff(roles=[Role.SECRETARIAT])
def estimates(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The estimates and a form to add one."""
    form = EstimateCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.estimate_create(
                user=request.user, fields=form.cleaned_data, key=form.cleaned_data["submission_key"]
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            return redirect("reports:estimates")
    return render(request, TEMPLATE, {**_context(), "form": form}, status=400 if form.is_bound else 200)


@staff(roles=[Role.SECRETARIAT])
def estimate_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    estimate = get_object_or_404(PrevalenceEstimate, pk=pk)
    return versioned_edit(
        request,
        form_class=EstimateEditForm,
        template=TEMPLATE,
        context={**_context(), "editing": estimate},
        initial={
            "version": estimate.version,
            "label": estimate.label,
            "age_low": estimate.age_low,
            "age_high": estimate.age_high,
            "population": estimate.population,
            "rate_percent": estimate.rate_percent,
            "note": estimate.note,
        },
        save=lambda data: services.estimate_update(
            user=request.user, estimate=estimate, expected_version=data["version"], fields=data
        ),
        done=reverse("reports:estimates"),
    )

from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from tsunagu.agencies.models import CASE_ROLES
from tsunagu.cases.access import case_get_for_user, full_access
from tsunagu.core.access import staff
from tsunagu.core.editing import apply_errors, versioned_edit
from tsunagu.core.types import AuthenticatedHttpRequest
from tsunagu.records import services
from tsunagu.records.access import record_get_for_user
from tsunagu.records.forms import RecordCorrectForm, RecordCreateForm
from tsunagu.records.services import RECORD_FIELDS


@staff(CASE_ROLES)
def record_create(request: AuthenticatedHttpRequest, case_pk: int) -> HttpResponse:
    case, _level = case_get_for_user(request.user, case_pk, write=True)
    form = RecordCreateForm(request.POST or None, household=case.household)
    if request.method == "POST" and form.is_valid():
        try:
            services.record_create(
                user=request.user,
                case=case,
                data=services.RecordData.from_cleaned(form.cleaned_data),
                key=form.cleaned_data["submission_key"],
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            return redirect(reverse("cases:detail", kwargs={"pk": case.pk}) + "#timeline")
    return render(
        request, "records/record_form.html", {"form": form, "case": case}, status=400 if form.is_bound else 200
    )


@staff(CASE_ROLES)
def record_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    record = record_get_for_user(request.user, pk)
    return render(
        request,
        "records/record_detail.html",
        {
            "record": record,
            # Emergency access reads only: no 訂正する that would answer 404.
            "can_write": full_access(request.user, record.case, write=True) is not None,
            "persons": record.persons.all(),
            "revisions": record.revisions.select_related("corrected_by"),
        },
    )


@staff(CASE_ROLES)
def record_correct(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    record = record_get_for_user(request.user, pk, write=True)
    initial = {name: getattr(record, name) for name in RECORD_FIELDS}
    initial |= {
        "version": record.version,
        "reached": "yes" if record.reached else "no",
        "persons": list(record.persons.values_list("pk", flat=True)),
    }
    return versioned_edit(
        request,
        form_class=RecordCorrectForm,
        form_kwargs={"household": record.case.household},
        template="records/record_form.html",
        context={"case": record.case, "record": record},
        initial=initial,
        save=lambda data: services.record_correct(
            user=request.user,
            record=record,
            expected_version=data["version"],
            data=services.RecordData.from_cleaned(data),
            reason=data["reason"],
        ),
        done=reverse("records:detail", kwargs={"pk": record.pk}),
    )

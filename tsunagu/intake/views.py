from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from tsunagu.agencies.models import CASE_ROLES, District
from tsunagu.agencies.selectors import staff_agency
from tsunagu.core.access import staff
from tsunagu.core.conflict import rebased, stale
from tsunagu.core.editing import apply_errors, versioned_edit
from tsunagu.core.middleware import is_poll
from tsunagu.core.services import ConflictError
from tsunagu.core.types import AuthenticatedHttpRequest
from tsunagu.intake import access, selectors, services
from tsunagu.intake.forms import ConsultationCreateForm, ConsultationEditForm, QueueFilterForm, TriageFormSet
from tsunagu.intake.services import CONSULTATION_FIELDS
from tsunagu.people import access as people_access
from tsunagu.people.models import Household, Person
from tsunagu.people.services import PossibleDuplicate

DESK = ("desk",)


@staff(DESK)
def queue(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = QueueFilterForm(request.GET, districts=District.objects.select_related("area"))
    chosen = form.valid()
    filters = selectors.QueueFilters(
        show=chosen.get("show") or "open",
        channel=chosen.get("channel") or None,
        district_id=chosen["district"].pk if chosen.get("district") else None,
        late=bool(chosen.get("late")),
    )
    page = selectors.desk_queue(
        user=request.user, filters=filters, params=request.GET, now=timezone.now(), poll=is_poll(request)
    )
    template = "intake/_queue_rows.html" if request.headers.get("HX-Request") else "intake/queue.html"
    return render(request, template, {"rows": page, "page": page, "show": filters.show, "form": form})


@staff(DESK)
def consultation_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    if request.method == "POST":
        form = ConsultationCreateForm(request.POST)
        if form.is_valid():
            try:
                consultation, _created = services.consultation_create(
                    user=request.user,
                    data=services.ConsultationData.from_cleaned(form.cleaned_data),
                    key=form.cleaned_data["submission_key"],
                )
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                return redirect("intake:detail", pk=consultation.pk)
        return render(request, "intake/consultation_form.html", {"form": form}, status=400)
    form = ConsultationCreateForm(initial={"received_at": timezone.localtime().replace(second=0, microsecond=0)})
    return render(request, "intake/consultation_form.html", {"form": form})


@staff(CASE_ROLES)
def consultation_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    consultation = access.consultation_get_for_user(request.user, pk)
    context = {"c": consultation, "received_by_agency": staff_agency(consultation.received_by, prefer_roles=DESK)}
    return render(request, "intake/consultation_detail.html", context)


@staff(DESK)
def consultation_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    consultation = access.consultation_get_for_user(request.user, pk, write=True)
    initial = {name: getattr(consultation, name) for name in CONSULTATION_FIELDS}
    initial |= {"received_at": timezone.localtime(consultation.received_at), "version": consultation.version}
    return versioned_edit(
        request,
        form_class=ConsultationEditForm,
        template="intake/consultation_form.html",
        context={"consultation": consultation},
        initial=initial,
        save=lambda data: services.consultation_update(
            user=request.user,
            consultation=consultation,
            expected_version=data["version"],
            data=services.ConsultationData.from_cleaned(data),
        ),
        done=reverse("intake:detail", kwargs={"pk": consultation.pk}),
    )


@staff(DESK)
def triage(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    consultation = access.consultation_get_for_user(request.user, pk, write=True)
    if consultation.is_triaged:
        return redirect("intake:detail", pk=consultation.pk)
    picked_person, picked_household = _picked(request)
    triage_forms = TriageFormSet(
        request.POST if request.method == "POST" else None,
        consultation=consultation,
        picked_person=picked_person,
        picked_household=picked_household,
    )
    suggestions = triage_forms.suggestions()
    context = {"c": consultation, **triage_forms.context(), "suggestions": suggestions}
    if request.method != "POST":
        return render(request, "intake/triage.html", context)
    context["similar"] = []
    if request.POST.get("action") == "suggest":
        # Show the suggestions without saving; preselect them where the desk has not chosen yet.
        context |= {"form": triage_forms.with_suggestions(suggestions), "suggest_only": True}
        return render(request, "intake/triage.html", context)
    if not triage_forms.is_valid():
        return render(request, "intake/triage.html", context, status=400)
    form = triage_forms.form
    try:
        consultation = services.consultation_triage(
            user=request.user,
            consultation=consultation,
            expected_version=triage_forms.version,
            decision=triage_forms.decision(),
        )
    except ConflictError as exc:
        context["stale"] = stale(form, exc.current)
        context["form"] = form = rebased(form, exc.current)
        form.add_error(None, _("この相談は他の職員が先に更新しました。内容を確認してからやり直してください。"))
        return render(request, "intake/triage.html", context, status=409)
    except PossibleDuplicate as exc:
        context["similar"] = exc.similar
        apply_errors(form, exc)
        return render(request, "intake/triage.html", context, status=400)
    except ValidationError as exc:
        apply_errors(form, exc)
        return render(request, "intake/triage.html", context, status=400)
    if consultation.case_id:
        return redirect("cases:detail", pk=consultation.case_id)
    return redirect("intake:detail", pk=consultation.pk)


def _picked(request: HttpRequest) -> tuple[Person | None, Household | None]:
    """The person or household the desk found with the search on the page (a link from the
    results on a first visit, the form's hidden fields after), through the access door."""
    source = request.POST if request.method == "POST" else request.GET
    if source.get("person") or source.get("person_id"):
        person = people_access.person_get_for_user(request.user, int(source.get("person_id") or source["person"]))
        return person, person.household
    if source.get("household") or source.get("household_id"):
        household = people_access.household_get_for_user(
            request.user, int(source.get("household_id") or source["household"])
        )
        return None, household
    return None, None

from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from tsunagu.agencies.models import CASE_ROLES
from tsunagu.assessments import services
from tsunagu.assessments.access import assessment_get_for_user
from tsunagu.assessments.chart import Series, line_chart
from tsunagu.assessments.definition import completeness
from tsunagu.assessments.forms import AssessmentCreateForm, AssessmentEditForm
from tsunagu.assessments.models import Assessment, AssessmentStatus, Target
from tsunagu.cases.access import Level, case_get_for_user, cases_seen_by, full_access
from tsunagu.core.access import staff
from tsunagu.core.conflict import render_conflict
from tsunagu.core.services import ConflictError
from tsunagu.core.types import AuthenticatedHttpRequest
from tsunagu.lib.wareki import format_wareki
from tsunagu.people.access import person_get_for_user


def _new(request: AuthenticatedHttpRequest, case_pk: int, target: str, person_pk: int | None) -> HttpResponse:
    case, _level = case_get_for_user(request.user, case_pk, write=True)
    person = None
    if person_pk is not None:
        person = case.household.members.filter(pk=person_pk).first()
        if person is None:
            raise Http404
    instrument = services.current_instrument(target)
    if instrument is None:
        raise Http404
    context = {"case": case, "person": person, "instrument": instrument}
    if request.method != "POST":
        form = AssessmentCreateForm(definition=instrument.definition, initial={"assessed_on": timezone.localdate()})
        return render(request, "assessments/form.html", {**context, "form": form})
    form = AssessmentCreateForm(request.POST, definition=instrument.definition)
    if form.is_valid():
        try:
            assessment, _created = services.assessment_create(
                user=request.user,
                case=case,
                person=person,
                instrument=instrument,
                assessed_on=form.cleaned_data["assessed_on"],
                answers=form.answers(),
                status=form.cleaned_data["status"],
                key=form.cleaned_data["submission_key"],
            )
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            return redirect("assessments:detail", pk=assessment.pk)
    return render(request, "assessments/form.html", {**context, "form": form}, status=400)


@staff(CASE_ROLES)
def person_new(request: AuthenticatedHttpRequest, case_pk: int, person_pk: int) -> HttpResponse:
    return _new(request, case_pk, Target.PERSON, person_pk)


@staff(CASE_ROLES)
def family_new(request: AuthenticatedHttpRequest, case_pk: int) -> HttpResponse:
    return _new(request, case_pk, Target.FAMILY, None)


@staff(CASE_ROLES)
def detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    assessment = assessment_get_for_user(request.user, pk)
    definition = assessment.instrument.definition
    form = AssessmentEditForm(definition=definition, answers=assessment.answers)
    return render(
        request,
        "assessments/detail.html",
        {
            "assessment": assessment,
            # Emergency access reads only: no 続きを入力する that would answer 404.
            "can_write": full_access(request.user, assessment.case, write=True) is not None,
            "form": form,
            "done": completeness(definition, assessment.answers),
            "scales": assessment.scores.get("scales", {}),
        },
    )


@staff(CASE_ROLES)
def edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    assessment = assessment_get_for_user(request.user, pk, write=True)
    if assessment.status == AssessmentStatus.COMPLETE:
        return redirect("assessments:detail", pk=assessment.pk)
    definition = assessment.instrument.definition
    context = {
        "case": assessment.case,
        "person": assessment.person,
        "instrument": assessment.instrument,
        "assessment": assessment,
    }
    if request.method != "POST":
        form = AssessmentEditForm(
            definition=definition,
            answers=assessment.answers,
            initial={"assessed_on": assessment.assessed_on, "version": assessment.version},
        )
        return render(request, "assessments/form.html", {**context, "form": form})
    form = AssessmentEditForm(request.POST, definition=definition)
    if form.is_valid():
        try:
            services.assessment_update(
                user=request.user,
                assessment=assessment,
                expected_version=form.cleaned_data["version"],
                assessed_on=form.cleaned_data["assessed_on"],
                answers=form.answers(),
                status=form.cleaned_data["status"],
            )
        except ConflictError as exc:
            return render_conflict(
                request,
                "assessments/form.html",
                form=form,
                current=exc.current,
                context=context,
                form_kwargs={"definition": definition},
            )
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            return redirect("assessments:detail", pk=assessment.pk)
    return render(request, "assessments/form.html", {**context, "form": form}, status=400)


@staff(CASE_ROLES)
def person_history(request: AuthenticatedHttpRequest, person_pk: int) -> HttpResponse:
    """A person's completed assessments over time: a chart (SVG, offline) and a table."""
    person = person_get_for_user(request.user, person_pk)
    # The person's cases the user sees in full, by the same grants as the assessment pages
    # (the desk's summary view shows no assessments).
    cases = cases_seen_by(request.user, level=Level.FULL).filter(household_id=person.household_id)
    rows = list(
        Assessment.objects.filter(person=person, status=AssessmentStatus.COMPLETE, case__in=cases)
        .select_related("instrument")
        .order_by("assessed_on", "pk")
    )
    labels = [format_wareki(a.assessed_on, short=True) for a in rows]

    def scale(a: Assessment, key: str) -> float | None:
        entry = a.scores.get("scales", {}).get(key)
        return entry["sum"] if entry and entry["counted"] else None

    chart = line_chart(
        [
            Series(
                _("日常生活"), list(zip(labels, [scale(a, "daily_life") for a in rows], strict=True)), 5, 20, "#0b5cad"
            ),
            Series(
                _("外出の状況（8が最も出ない）"),
                list(zip(labels, [a.going_out for a in rows], strict=True)),
                1,
                8,
                "#a4161a",
            ),
            Series(_("支援段階"), list(zip(labels, [a.support_stage for a in rows], strict=True)), 1, 4, "#1b6e3a"),
        ],
        title=_("%(name)s のアセスメントの推移") % {"name": person.display_name},
    )
    return render(
        request,
        "assessments/history.html",
        {
            "person": person,
            "rows": rows,
            "chart": chart,
        },
    )

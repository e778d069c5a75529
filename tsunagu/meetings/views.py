import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tsunagu.agencies.models import MEETING_ROLES, Agency
from tsunagu.agencies.selectors import staff_context
from tsunagu.cases.access import case_get_by_number_for_user, cases_openable
from tsunagu.core.access import staff
from tsunagu.core.conflict import Stale, stale
from tsunagu.core.editing import apply_errors, versioned_edit
from tsunagu.core.services import ConflictError
from tsunagu.core.types import AuthenticatedHttpRequest
from tsunagu.meetings import selectors, services
from tsunagu.meetings.access import (
    decision_get_for_user,
    decisions_read,
    meeting_can_write,
    meeting_get_for_user,
    meetings_visible_to,
    sharing_starts,
    sharing_window_open,
)
from tsunagu.meetings.forms import CaseAddForm, DecisionForm, DoneForm, MeetingEditForm, MeetingForm
from tsunagu.meetings.models import Meeting


def _held_at(data: dict[str, Any]) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(data["held_on"], data["held_time"]))


@staff(MEETING_ROLES)
def meeting_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    meetings = meetings_visible_to(request.user).select_related("organiser").order_by("-held_at", "-pk")[:200]
    return render(request, "meetings/list.html", {"meetings": meetings})


@staff(MEETING_ROLES)
def meeting_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    organisers = Agency.objects.filter(pk__in=staff_context(request.user).agency_ids(*MEETING_ROLES))
    form = MeetingForm(request.POST or None, organisers=organisers)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            meeting, _created = services.meeting_create(
                user=request.user,
                organiser=data["organiser"],
                kind=data["kind"],
                title=data["title"],
                held_at=_held_at(data),
                place=data["place"],
                agencies=data["agencies"],
                other_attendees=data["other_attendees"],
                key=data["submission_key"],
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            return redirect("meetings:detail", pk=meeting.pk)
    return render(request, "meetings/form.html", {"form": form}, status=400 if form.is_bound else 200)


def _detail(
    request: AuthenticatedHttpRequest, meeting: Meeting, status: int = 200, stale: Stale | None = None, **forms: Any
) -> HttpResponse:
    can_write = meeting_can_write(request.user, meeting)
    window = sharing_window_open(meeting)
    not_yet = timezone.now() < sharing_starts(meeting.held_at)
    agencies = list(meeting.agencies.order_by("kind", "code"))  # shown, and whose staff may own an action
    staff_list = services.staff_of(agencies)
    decisions = decisions_read(request.user, meeting.decisions.select_related("meeting", "case", "owner"))
    summaries = selectors.discussed_summaries(user=request.user, meeting=meeting) if window else []
    context = {
        "meeting": meeting,
        "can_write": can_write,
        "window": window,
        "not_yet": not_yet,
        "summaries": summaries,
        # A discussed case is a link only for those who may open it (the secretariat may not).
        "openable": cases_openable(request.user, [s.case.pk for s in summaries]),
        "discussed": meeting.discussed.select_related("case"),
        "agencies": agencies,
        "attendees": meeting.attendees.order_by("last_name", "first_name"),
        "decisions": decisions,
        "case_form": forms.get("case") or CaseAddForm(),
        "decision_form": forms.get("decision") or DecisionForm(meeting=meeting, staff=staff_list),
        "user_pk": request.user.pk,
        "stale": stale,
    }
    return render(request, "meetings/detail.html", context, status=status)


@staff(MEETING_ROLES)
def meeting_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _detail(request, meeting_get_for_user(request.user, pk))


@staff(MEETING_ROLES)
def meeting_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    meeting = meeting_get_for_user(request.user, pk, write=True)
    local = timezone.localtime(meeting.held_at)
    return versioned_edit(
        request,
        form_class=MeetingEditForm,
        form_kwargs={"staff": services.staff_of(meeting.agencies.all())},
        template="meetings/edit.html",
        context={"meeting": meeting},
        initial={
            "version": meeting.version,
            "kind": meeting.kind,
            "title": meeting.title,
            "held_on": local.date(),
            "held_time": local.time(),
            "place": meeting.place,
            "agencies": list(meeting.agencies.values_list("pk", flat=True)),
            "attendees": list(meeting.attendees.values_list("pk", flat=True)),
            "other_attendees": meeting.other_attendees,
            "minutes": meeting.minutes,
        },
        save=lambda data: services.meeting_update(
            user=request.user,
            meeting=meeting,
            expected_version=data["version"],
            kind=data["kind"],
            title=data["title"],
            held_at=_held_at(data),
            place=data["place"],
            agencies=data["agencies"],
            attendees=data["attendees"],
            other_attendees=data["other_attendees"],
            minutes=data["minutes"],
        ),
        done=reverse("meetings:detail", kwargs={"pk": meeting.pk}),
    )


@staff(MEETING_ROLES)
@require_POST
def case_add(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    meeting = meeting_get_for_user(request.user, pk, write=True)
    form = CaseAddForm(request.POST)
    if form.is_valid():
        # Only a case the user works on may be put on a meeting: anything else answers like a
        # missing case, so the form does not reveal which case numbers exist.
        case = case_get_by_number_for_user(request.user, form.case_pk(), write=True)
        if case is None:
            form.add_error("case_number", _("担当しているケースの番号を入力してください。"))
        else:
            try:
                services.meeting_add_case(user=request.user, meeting=meeting, case=case)
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                return redirect(reverse("meetings:detail", kwargs={"pk": meeting.pk}) + "#cases")
    return _detail(request, meeting, status=400, case=form)


@staff(MEETING_ROLES)
@require_POST
def decision_add(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    meeting = meeting_get_for_user(request.user, pk, write=True)
    form = DecisionForm(request.POST, meeting=meeting, staff=services.staff_of(meeting.agencies.all()))
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.decision_add(
                user=request.user,
                meeting=meeting,
                text=data["text"],
                case=data["case"],
                owner=data["owner"],
                due_on=data["due_on"],
                key=data["submission_key"],
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            return redirect(reverse("meetings:detail", kwargs={"pk": meeting.pk}) + "#decisions")
    return _detail(request, meeting, status=400, decision=form)


@staff(MEETING_ROLES)
@require_POST
def decision_done(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    decision = decision_get_for_user(request.user, pk, done=True)
    visible = meetings_visible_to(request.user).filter(pk=decision.meeting_id).exists()
    form = DoneForm(request.POST)
    if form.is_valid():
        try:
            services.decision_done(user=request.user, decision=decision, expected_version=form.cleaned_data["version"])
        except ConflictError as exc:
            # Somebody marked it done (or changed it) first: the one answer to a conflict (R2), the
            # meeting's page as it is now with the conflict panel, and a 409. An owner whose agency
            # no longer attends sees their work page instead, which shows the current state.
            if visible:
                return _detail(request, decision.meeting, status=409, stale=stale(None, exc.current))
    if request.POST.get("next") == "work" or not visible:
        return redirect(reverse("work:my_work") + "#actions")
    return redirect(reverse("meetings:detail", kwargs={"pk": decision.meeting_id}) + "#decisions")

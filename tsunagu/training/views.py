"""Pages of training (研修) and supervision (スーパービジョン); the rules are in ``access.py``."""

from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Count, Q, Sum
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from tsunagu.agencies.models import CASE_ROLES, Membership, Role
from tsunagu.cases.access import cases_openable
from tsunagu.core.access import staff
from tsunagu.core.conflict import stale
from tsunagu.core.editing import apply_errors, versioned_edit
from tsunagu.core.services import ConflictError
from tsunagu.core.types import AuthenticatedHttpRequest
from tsunagu.training import services
from tsunagu.training.access import (
    TRAINING_ROLES,
    attendance_staff,
    attendances_shown,
    course_can_edit,
    course_get_for_user,
    course_organisers,
    courses_visible_to,
    coverage_agencies,
    follow_up_get_for_user,
    session_get_for_user,
    sessions_visible_to,
    supervisees_for,
)
from tsunagu.training.forms import (
    AttendanceForm,
    CourseEditForm,
    CourseForm,
    DoneForm,
    FollowUpForm,
    SessionEditForm,
    SessionForm,
)
from tsunagu.training.models import CourseKind, SupervisionSession, TrainingAttendance, TrainingCourse

LIST_LIMIT = 200


def _course_fields(data: dict[str, Any]) -> dict[str, Any]:
    return {
        "organiser": data["organiser"],
        "title": data["title"],
        "held_on": data["held_on"],
        "hours": data["hours"],
        "kind": data["kind"],
        "description": data["description"],
        "capacity": data["capacity"],
    }


# --- courses -----------------------------------------------------------------------------------


@staff()
def course_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    courses = (
        courses_visible_to(request.user)
        .select_related("organiser")
        .annotate(attendees=Count("attendances"))
        .order_by("-held_on", "-pk")[:LIST_LIMIT]
    )
    mine = set(TrainingAttendance.objects.filter(user=request.user).values_list("course_id", flat=True))
    can_create = course_organisers(request.user).exists()
    return render(
        request,
        "training/course_list.html",
        {"courses": courses, "mine": mine, "can_create": can_create, "limit": LIST_LIMIT},
    )


@staff(TRAINING_ROLES)
def course_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    organisers = course_organisers(request.user)
    form = CourseForm(request.POST or None, organisers=organisers)
    if request.method == "POST" and form.is_valid():
        try:
            course, _created = services.course_create(
                user=request.user, key=form.cleaned_data["submission_key"], **_course_fields(form.cleaned_data)
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            return redirect("training:detail", pk=course.pk)
    return render(request, "training/course_form.html", {"form": form}, status=400 if form.is_bound else 200)


def _course_page(request: AuthenticatedHttpRequest, course: TrainingCourse, form: AttendanceForm | None = None):
    staff_choices = attendance_staff(request.user)
    can_record = staff_choices.exists()
    context = {
        "course": course,
        "can_edit": course_can_edit(request.user, course),
        "can_record": can_record,
        "attendances": attendances_shown(request.user, course).order_by("user__last_name", "user__username"),
        "recorded": course.attendances.count(),
        "form": form or (AttendanceForm(staff=staff_choices) if can_record else None),
    }
    return render(request, "training/course_detail.html", context, status=400 if form is not None else 200)


@staff()
def course_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _course_page(request, course_get_for_user(request.user, pk))


@staff(TRAINING_ROLES)
def course_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    course = course_get_for_user(request.user, pk, write=True)
    return versioned_edit(
        request,
        form_class=CourseEditForm,
        form_kwargs={"organisers": course_organisers(request.user)},
        template="training/course_edit.html",
        context={"course": course},
        initial={
            "version": course.version,
            "organiser": course.organiser_id,
            "title": course.title,
            "held_on": course.held_on,
            "hours": course.hours,
            "kind": course.kind,
            "description": course.description,
            "capacity": course.capacity,
        },
        save=lambda data: services.course_update(
            user=request.user, course=course, expected_version=data["version"], **_course_fields(data)
        ),
        done=reverse("training:detail", kwargs={"pk": course.pk}),
    )


@staff(TRAINING_ROLES)
@require_POST
def attendance_add(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    course = course_get_for_user(request.user, pk)
    form = AttendanceForm(request.POST, staff=attendance_staff(request.user))
    if form.is_valid():
        try:
            services.attendance_record(
                user=request.user,
                course=course,
                attendee=form.cleaned_data["attendee"],
                completed=form.cleaned_data["completed"],
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            return redirect(reverse("training:detail", kwargs={"pk": course.pk}) + "#attendance")
    return _course_page(request, course, form)


@staff()
def my_record(request: AuthenticatedHttpRequest) -> HttpResponse:
    """わたしの研修記録: the signed-in person's own attendances."""
    attendances = (
        TrainingAttendance.objects.filter(user=request.user)
        .select_related("course", "course__organiser")
        .order_by("-course__held_on", "-pk")
    )
    totals = attendances.aggregate(hours=Sum("course__hours", filter=Q(completed=True)), count=Count("pk"))
    has_basic = attendances.filter(completed=True, course__kind=CourseKind.BASIC).exists()
    return render(
        request,
        "training/my_record.html",
        {"attendances": attendances, "hours": totals["hours"] or 0, "has_basic": has_basic},
    )


@staff(TRAINING_ROLES)
def coverage(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Per agency: how many active staff who work cases have completed a basic course, and who has
    not (for the secretariat, and for each supervisor their own agencies)."""
    agencies = list(coverage_agencies(request.user).order_by("kind", "code"))
    basic = set(
        TrainingAttendance.objects.filter(completed=True, course__kind=CourseKind.BASIC).values_list(
            "user_id", flat=True
        )
    )
    memberships = (
        Membership.objects.filter(
            active=True, user__is_active=True, role__in=CASE_ROLES, agency__in=[a.pk for a in agencies]
        )
        .select_related("user")
        .order_by("user__last_name", "user__first_name", "user__username")
    )
    by_agency: dict[int, dict[int, Any]] = {a.pk: {} for a in agencies}
    for membership in memberships:
        by_agency[membership.agency_id][membership.user_id] = membership.user
    rows = []
    for agency in agencies:
        staff_members = list(by_agency[agency.pk].values())
        if not staff_members:
            continue
        missing = [u for u in staff_members if u.pk not in basic]
        rows.append(
            {
                "agency": agency,
                "total": len(staff_members),
                "done": len(staff_members) - len(missing),
                "missing": missing,
            }
        )
    return render(request, "training/coverage.html", {"rows": rows})


# --- supervision -------------------------------------------------------------------------------


@staff(CASE_ROLES)
def session_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    sessions = (
        sessions_visible_to(request.user)
        .select_related("supervisor")
        .prefetch_related("supervisees")
        .annotate(open_follow_ups=Count("follow_ups", filter=Q(follow_ups__done_at__isnull=True)))
        .order_by("-held_on", "-pk")[:LIST_LIMIT]
    )
    is_supervisor = supervisees_for(request.user).exists()
    return render(
        request,
        "training/session_list.html",
        {"sessions": sessions, "is_supervisor": is_supervisor, "limit": LIST_LIMIT},
    )


@staff((Role.SUPERVISOR,))
def session_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = SessionForm(request.POST or None, supervisees=supervisees_for(request.user))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            session, _created = services.session_create(
                user=request.user,
                held_on=data["held_on"],
                supervisees=data["supervisees"],
                case_ids=data["cases"],
                notes=data["notes"],
                key=data["submission_key"],
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            return redirect("supervision:detail", pk=session.pk)
    return render(request, "training/session_form.html", {"form": form}, status=400 if form.is_bound else 200)


def _session_page(
    request: AuthenticatedHttpRequest, session: SupervisionSession, status: int = 200, **extra: Any
) -> HttpResponse:
    is_supervisor = session.supervisor_id == request.user.pk
    cases = list(session.cases.order_by("pk"))
    supervisees = session.supervisees.order_by("last_name", "first_name", "username")
    follow_ups = session.follow_ups.select_related("assignee").order_by("pk")
    if not is_supervisor:
        follow_ups = follow_ups.filter(assignee=request.user)
    context = {
        "session": session,
        "is_supervisor": is_supervisor,
        "cases": cases,
        # The cases discussed are links only for those who may open them.
        "openable": cases_openable(request.user, [c.pk for c in cases]),
        "supervisees": supervisees,
        "follow_ups": follow_ups,
        "follow_up_form": extra.get("follow_up_form")
        or (FollowUpForm(assignees=supervisees) if is_supervisor else None),
        "stale": extra.get("stale"),
        "user_pk": request.user.pk,
    }
    return render(request, "training/session_detail.html", context, status=status)


@staff(CASE_ROLES)
def session_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _session_page(request, session_get_for_user(request.user, pk))


@staff((Role.SUPERVISOR,))
def session_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    session = session_get_for_user(request.user, pk, write=True)
    # Whom the session names stays choosable, whoever the supervisor supervises now.
    supervisees = (supervisees_for(request.user) | session.supervisees.all()).distinct()
    return versioned_edit(
        request,
        form_class=SessionEditForm,
        form_kwargs={"supervisees": supervisees},
        template="training/session_edit.html",
        context={"session": session},
        initial={
            "version": session.version,
            "held_on": session.held_on,
            "supervisees": list(session.supervisees.values_list("pk", flat=True)),
            "cases": "、".join(c.number for c in session.cases.order_by("pk")),
            "notes": session.notes,
        },
        save=lambda data: services.session_update(
            user=request.user,
            session=session,
            expected_version=data["version"],
            held_on=data["held_on"],
            supervisees=data["supervisees"],
            case_ids=data["cases"],
            notes=data["notes"],
        ),
        done=reverse("supervision:detail", kwargs={"pk": session.pk}),
    )


@staff((Role.SUPERVISOR,))
@require_POST
def follow_up_add(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    session = session_get_for_user(request.user, pk, write=True)
    form = FollowUpForm(request.POST, assignees=session.supervisees.all())
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.follow_up_add(
                user=request.user,
                session=session,
                assignee=data["assignee"],
                text=data["text"],
                due_on=data["due_on"],
                key=data["submission_key"],
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            return redirect(reverse("supervision:detail", kwargs={"pk": session.pk}) + "#follow-ups")
    return _session_page(request, session, status=400, follow_up_form=form)


@staff(CASE_ROLES)
@require_POST
def follow_up_done(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    follow_up = follow_up_get_for_user(request.user, pk)
    form = DoneForm(request.POST)
    to_work = request.POST.get("next") == "work"
    if form.is_valid():
        try:
            services.follow_up_done(
                user=request.user, follow_up=follow_up, expected_version=form.cleaned_data["version"]
            )
        except ConflictError as exc:
            session = session_get_for_user(request.user, follow_up.session_id)
            return _session_page(request, session, status=409, stale=stale(None, exc.current))
    if to_work:
        return redirect(reverse("work:my_work") + "#supervision-follow-ups")
    return redirect(reverse("supervision:detail", kwargs={"pk": follow_up.session_id}) + "#follow-ups")

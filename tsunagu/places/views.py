"""Staff pages of the places registry, sessions with attendance, and enrolments (issue 12)."""

from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import QuerySet, Sum
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from tsunagu.agencies.models import CASE_ROLES, Agency
from tsunagu.agencies.selectors import staff_context
from tsunagu.cases.access import case_get_for_user
from tsunagu.core.access import staff
from tsunagu.core.editing import apply_errors, versioned_edit
from tsunagu.core.paging import Ordering, paginate
from tsunagu.core.types import AuthenticatedHttpRequest
from tsunagu.people.access import persons_visible_to
from tsunagu.people.models import Person
from tsunagu.people.selectors import person_search
from tsunagu.places import services
from tsunagu.places.access import (
    enrolment_get_for_user,
    named_get_for_user,
    named_read,
    named_visible_to,
    place_get_for_user,
    places_visible_to,
    runs,
    session_get_for_user,
)
from tsunagu.places.forms import (
    CountsForm,
    EnrolmentEndForm,
    EnrolmentForm,
    NamedAddForm,
    NeedsForm,
    PersonSearchForm,
    PlaceEditForm,
    PlaceFilterForm,
    PlaceForm,
    SessionEditForm,
    SessionForm,
    count_field_name,
)
from tsunagu.places.models import AttendeeRole, Place, PlaceKind, PlaceSession, SessionKind

SESSIONS_PER_PAGE = 20
PLACE_ORDER = Ordering.of("places", "kind", "name", "pk")


def _staff_of(agency_id: int) -> QuerySet[Any]:
    return (
        get_user_model()
        .objects.filter(memberships__agency_id=agency_id, memberships__active=True, is_active=True)
        .distinct()
        .order_by("last_name", "first_name", "pk")
    )


@staff()
def place_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    filters = PlaceFilterForm(request.GET or None)
    chosen = filters.valid() if request.GET else {}
    places = places_visible_to(request.user)
    if chosen.get("kind"):
        places = places.filter(kind=chosen["kind"])
    if chosen.get("area"):
        places = places.filter(area=chosen["area"])
    if chosen.get("agency"):
        places = places.filter(agency=chosen["agency"])
    context = {
        "filters": filters,
        # Paged by a cursor, 50 rows a page: 300 rows at once were over P3 at national scale
        # (1,700 places; docs/benchmarks.md, "Issue 12 pages").
        "places": paginate(places, PLACE_ORDER, request.GET),
        "may_create": staff_context(request.user).has_role(*CASE_ROLES),
    }
    return render(request, "places/list.html", context)


@staff(CASE_ROLES)
def place_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    agencies = Agency.objects.filter(pk__in=staff_context(request.user).agency_ids(*CASE_ROLES)).order_by("code")
    form = PlaceForm(request.POST or None, agencies=agencies)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            place, _created = services.place_create(
                user=request.user, agency=data["agency"], data=data, key=data["submission_key"]
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            return redirect("places:detail", pk=place.pk)
    return render(request, "places/form.html", {"form": form}, status=400 if form.is_bound else 200)


@staff()
def place_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    place = place_get_for_user(request.user, pk)
    sessions = place.sessions.annotate(heads=Sum("counts__count")).order_by("-held_on", "-starts_at", "-pk")
    page = Paginator(sessions, SESSIONS_PER_PAGE).get_page(request.GET.get("page"))
    context = {"place": place, "page": page, "may_write": runs(request.user, place)}
    return render(request, "places/detail.html", context)


@staff(CASE_ROLES)
def place_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    place = place_get_for_user(request.user, pk, write=True)
    fields = PlaceEditForm.base_fields
    initial = {name: getattr(place, name) for name in fields if name != "version" and hasattr(place, name)}
    initial["area"] = place.area_id
    initial["version"] = place.version
    return versioned_edit(
        request,
        form_class=PlaceEditForm,
        template="places/edit.html",
        context={"place": place},
        initial=initial,
        save=lambda data: services.place_update(
            user=request.user, place=place, expected_version=data["version"], data=data
        ),
        done=reverse("places:detail", kwargs={"pk": place.pk}),
    )


@staff(CASE_ROLES)
def session_new(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    place = place_get_for_user(request.user, pk, write=True)
    kind = SessionKind.MEETING if place.kind == PlaceKind.FAMILY_ASSOCIATION else SessionKind.REGULAR
    form = SessionForm(
        request.POST or None,
        staff=_staff_of(place.agency_id),
        initial={"kind": kind, "held_on": timezone.localdate(), "staff": [request.user.pk]},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            session, _created = services.session_create(
                user=request.user, place=place, data=data, staff=data["staff"], key=data["submission_key"]
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            return redirect("places:session", pk=session.pk)
    return render(
        request, "places/session_form.html", {"form": form, "place": place}, status=400 if form.is_bound else 200
    )


@staff(CASE_ROLES)
def session_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    session = session_get_for_user(request.user, pk, write=True)
    return versioned_edit(
        request,
        form_class=SessionEditForm,
        form_kwargs={"staff": _staff_of(session.place.agency_id)},
        template="places/session_edit.html",
        context={"session": session, "place": session.place},
        initial={
            "version": session.version,
            "kind": session.kind,
            "held_on": session.held_on,
            "starts_at": session.starts_at,
            "ends_at": session.ends_at,
            "staff": list(session.staff.values_list("pk", flat=True)),
            "notes": session.notes,
        },
        save=lambda data: services.session_update(
            user=request.user, session=session, expected_version=data["version"], data=data, staff=data["staff"]
        ),
        done=reverse("places:session", kwargs={"pk": session.pk}),
    )


def _roles_for(place: Place) -> list[AttendeeRole]:
    if place.kind == PlaceKind.FAMILY_ASSOCIATION:
        return [AttendeeRole.FAMILY]
    return list(AttendeeRole)


def _counts_initial(session: PlaceSession) -> dict[str, int]:
    return {
        count_field_name(role, band, sex): n
        for role, band, sex, n in session.counts.values_list("role", "age_band", "sex", "count")
    }


def _needs_form(session: PlaceSession, data: Any = None) -> NeedsForm | None:
    if session.place.kind != PlaceKind.FAMILY_ASSOCIATION:
        return None
    options = services.family_need_options()
    form = NeedsForm(data, options=options)
    if data is None:
        saved = dict(session.needs.values_list("need", "count"))
        form.initial = {name: saved.get(value) for name, value in form.names.items()}
    return form


def _need_rows(session: PlaceSession) -> list[tuple[str, int]]:
    labels = dict(services.family_need_options())
    return [(labels.get(need, need), n) for need, n in session.needs.order_by("need").values_list("need", "count")]


def _session_page(
    request: AuthenticatedHttpRequest, session: PlaceSession, status: int = 200, **forms: Any
) -> HttpResponse:
    user = request.user
    may_write = runs(user, session.place)
    named = named_read(user, session, named_visible_to(user, session).order_by("pk"))
    counts = list(session.counts.order_by("role", "age_band", "sex"))
    search_form = forms.get("search") or PersonSearchForm(request.GET or None)
    found = None
    if may_write and search_form.is_bound and search_form.is_valid() and search_form.cleaned_data["q"]:
        found = person_search(user=user, q=search_form.cleaned_data["q"])
        # Only those who may be named (not the persons of a case opened by emergency access).
        nameable = set(
            persons_visible_to(user, write=True)
            .filter(pk__in=[p.pk for p in found.persons])
            .values_list("pk", flat=True)
        )
        found.persons = [p for p in found.persons if p.pk in nameable]
    context = {
        "session": session,
        "place": session.place,
        "may_write": may_write,
        "named": named,
        "counts": counts,
        "total_anonymous": sum(c.count for c in counts),
        "staff_on_duty": session.staff.order_by("last_name", "first_name"),
        "counts_form": forms.get("counts")
        or CountsForm(initial=_counts_initial(session), roles=_roles_for(session.place)),
        "needs_form": forms.get("needs") or _needs_form(session),
        "needs": _need_rows(session),
        "search_form": search_form,
        "found": found,
        "add_form": forms.get("add") or NamedAddForm(),
        "roles": _roles_for(session.place),
        "max_count": services.MAX_COUNT,
    }
    return render(request, "places/session.html", context, status=status)


@staff()
def session_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _session_page(request, session_get_for_user(request.user, pk))


@staff(CASE_ROLES)
@require_POST
def session_counts(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    session = session_get_for_user(request.user, pk, write=True)
    form = CountsForm(request.POST, roles=_roles_for(session.place))
    if form.is_valid():
        try:
            services.counts_replace(session=session, counts=form.counts())
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            return redirect(reverse("places:session", kwargs={"pk": session.pk}) + "#counts")
    return _session_page(request, session, status=400, counts=form)


@staff(CASE_ROLES)
@require_POST
def session_needs(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    session = session_get_for_user(request.user, pk, write=True)
    form = _needs_form(session, request.POST)
    if form is None:
        raise Http404
    if form.is_valid():
        try:
            services.needs_replace(session=session, needs=form.needs())
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            return redirect(reverse("places:session", kwargs={"pk": session.pk}) + "#needs")
    return _session_page(request, session, status=400, needs=form)


@staff(CASE_ROLES)
@require_POST
def named_add(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    session = session_get_for_user(request.user, pk, write=True)
    form = NamedAddForm(request.POST)
    if form.is_valid():
        person = Person.objects.filter(pk=form.cleaned_data["person"]).first()
        if person is None:
            form.add_error("person", services.PERSON_NOT_VISIBLE)
        else:
            try:
                services.named_add(user=request.user, session=session, person=person, role=form.cleaned_data["role"])
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                return redirect(reverse("places:session", kwargs={"pk": session.pk}) + "#named")
    return _session_page(request, session, status=400, add=form)


@staff(CASE_ROLES)
@require_POST
def named_remove(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    attendance = named_get_for_user(request.user, pk)
    session_pk = attendance.session_id
    services.named_remove(user=request.user, attendance=attendance)
    return redirect(reverse("places:session", kwargs={"pk": session_pk}) + "#named")


@staff(CASE_ROLES)
def enrolment_new(request: AuthenticatedHttpRequest, case_pk: int) -> HttpResponse:
    case, _access = case_get_for_user(request.user, case_pk, write=True)
    persons = case.household.members.order_by("pk")
    places = Place.objects.filter(active=True).order_by("kind", "name", "pk")
    form = EnrolmentForm(
        request.POST or None, persons=persons, places=places, initial={"starts_on": timezone.localdate()}
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.enrolment_create(
                user=request.user,
                case=case,
                person=data["person"],
                place=data["place"],
                starts_on=data["starts_on"],
                note=data["note"],
                key=data["submission_key"],
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            return redirect("places:enrolments", case_pk=case.pk)
    return render(
        request, "places/enrolment_form.html", {"form": form, "case": case}, status=400 if form.is_bound else 200
    )


@staff(CASE_ROLES)
def enrolment_list(request: AuthenticatedHttpRequest, case_pk: int) -> HttpResponse:
    case, _access = case_get_for_user(request.user, case_pk, write=True)
    enrolments = case.enrolments.select_related("place", "person").order_by("-starts_on", "-pk")
    context = {"case": case, "enrolments": enrolments, "suggestion": services.closure_suggestion(case)}
    return render(request, "places/enrolments.html", context)


@staff(CASE_ROLES)
def enrolment_end(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    enrolment = enrolment_get_for_user(request.user, pk)
    return versioned_edit(
        request,
        form_class=EnrolmentEndForm,
        template="places/enrolment_end.html",
        context={"enrolment": enrolment, "case": enrolment.case},
        initial={
            "version": enrolment.version,
            "ends_on": enrolment.ends_on or timezone.localdate(),
            "outcome": enrolment.outcome,
            "note": enrolment.note,
        },
        save=lambda data: services.enrolment_end(
            user=request.user,
            enrolment=enrolment,
            expected_version=data["version"],
            ends_on=data["ends_on"],
            outcome=data["outcome"],
            note=data["note"],
        ),
        done=reverse("places:enrolments", kwargs={"case_pk": enrolment.case_id}),
    )

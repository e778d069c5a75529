from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from tsunagu.agencies.models import CASE_ROLES, Membership
from tsunagu.agencies.selectors import staff_context
from tsunagu.audit.middleware import security_record
from tsunagu.audit.models import SecurityEventKind
from tsunagu.audit.selectors import READERS_ORDER, case_readers
from tsunagu.cases import selectors, services
from tsunagu.cases.access import Level, case_access, case_get_for_emergency, case_get_for_user
from tsunagu.cases.closure_hints import closure_hint
from tsunagu.cases.forms import (
    ConsentForm,
    EmergencyForm,
    EmergencyReviewForm,
    HandoffForm,
    LeadWorkerForm,
    StageForm,
    StatusForm,
    TeamAddForm,
    case_list_form,
)
from tsunagu.cases.models import Case, Consent
from tsunagu.cases.services import retention_hold as retention_holds
from tsunagu.core.access import staff
from tsunagu.core.editing import apply_errors, versioned_edit
from tsunagu.core.paging import Ordering, paginate
from tsunagu.core.types import AuthenticatedHttpRequest


@staff(CASE_ROLES)
def case_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The case list: a GET form of filters and an order, one page of 50 at a time."""
    form, filters = case_list_form(request.GET, user=request.user)
    today = timezone.localdate()
    page = selectors.case_list(user=request.user, filters=filters, params=request.GET, today=today)
    return render(request, "cases/list.html", {"rows": page, "page": page, "form": form, "today": today})


TIMELINE_PAGE = 20
TIMELINE_ORDER = Ordering.of("timeline", "-at", "-pk")
VIEWERS_PAGE = 20
BASIS_LABELS = {
    "team": gettext_lazy("担当機関"),
    "desk": gettext_lazy("窓口（概要）"),
    "emergency": gettext_lazy("緊急アクセス"),
    "referral": gettext_lazy("つなぎ（概要）"),
    "meeting": gettext_lazy("会議（概要）"),
    "review": gettext_lazy("緊急アクセスの確認"),
}


def _attach_readers(rows: Any) -> None:
    """Put the user (with their active agencies) and the basis label on each reader row: two
    queries for the page, whatever its length."""
    users = (
        get_user_model()
        .objects.filter(pk__in={row["user_id"] for row in rows if row["user_id"]})
        .prefetch_related(
            Prefetch(
                "memberships",
                queryset=Membership.objects.filter(active=True).select_related("agency").order_by("agency__name"),
                to_attr="active_memberships",
            )
        )
        .in_bulk()
    )
    for row in rows:
        row["reader"] = users.get(row["user_id"])
        row["agencies"] = [m.agency.name for m in getattr(row["reader"], "active_memberships", [])]
        row["basis_label"] = BASIS_LABELS.get(row["basis"], "—")


@staff(CASE_ROLES)
def case_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The case page. Its query count does not grow with the case's history: the timeline is
    one paginated table written by the services (docs/quality.md P2)."""
    case, access = case_get_for_user(request.user, pk)
    team = case.team.select_related("agency").order_by("role", "since")
    context = {"case": case, "team": team, "full": access.level == Level.FULL, "access": access}
    if access.level == Level.FULL:
        context["members"] = members = list(case.household.members.order_by("pk"))
        context["is_8050"] = case.household.derived_8050(members)
        context["plans"] = case.plans.order_by("-number")[:5]
        context["referrals"] = referrals = list(
            case.referrals.select_related("from_agency", "to_agency").order_by("-requested_at", "-pk")[:20]
        )
        mine = staff_context(request.user).agency_ids()
        for referral in referrals:
            setattr(referral, "linked", referral.from_agency_id in mine or referral.to_agency_id in mine)  # noqa: B010 - an attribute for the template, not a field
        context["assessments"] = case.assessments.select_related("instrument", "person").order_by(
            "-assessed_on", "-pk"
        )[:10]
        context["viewers"] = viewers = paginate(
            case_readers(case_id=case.pk),
            READERS_ORDER,
            request.GET,
            param="viewers",
            size=VIEWERS_PAGE,
            anchor="viewers",
        )
        _attach_readers(viewers.rows)
        # Keyset pages in the order of the index timeline_case_at: no OFFSET, no count of the history.
        context["timeline"] = paginate(
            case.timeline.select_related("user"),
            TIMELINE_ORDER,
            request.GET,
            param="timeline",
            size=TIMELINE_PAGE,
            anchor="timeline",
        )
        # The intake door (intake.access.consultations_visible_to) opens the consultations of a
        # case to the desk and to the case's team; for an emergency reader the entry is text.
        context["consultations_open"] = staff_context(request.user).is_desk or access.can_write
    return render(request, "cases/detail.html", context)


@staff(CASE_ROLES)
def case_status(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    case, _level = case_get_for_user(request.user, pk, write=True)
    return versioned_edit(
        request,
        form_class=StatusForm,
        template="cases/status_form.html",
        context={"case": case},
        initial={
            "version": case.version,
            "status": case.status,
            # An open case's closure reason is preselected from what the apps above suggest
            # (places: the outcome of a programme); the worker decides.
            "closure_reason": case.closure_reason or closure_hint(case) or "",
            "follow_up_on": case.follow_up_on,
        },
        save=lambda data: services.case_change_status(
            user=request.user,
            case=case,
            expected_version=data["version"],
            status=data["status"],
            closure_reason=data["closure_reason"],
            follow_up_on=data["follow_up_on"],
        ),
        done=reverse("cases:detail", kwargs={"pk": case.pk}),
    )


@staff(CASE_ROLES)
def person_stage(request: AuthenticatedHttpRequest, pk: int, person_pk: int) -> HttpResponse:
    case, _level = case_get_for_user(request.user, pk, write=True)
    person = case.household.members.filter(pk=person_pk).first()
    if person is None:
        raise Http404
    return versioned_edit(
        request,
        form_class=StageForm,
        template="cases/stage_form.html",
        context={"case": case, "person": person},
        initial={"version": person.version, "stage": person.support_stage},
        save=lambda data: services.person_set_stage(
            user=request.user, case=case, person=person, expected_version=data["version"], stage=data["stage"]
        ),
        done=reverse("cases:detail", kwargs={"pk": case.pk}),
    )


@staff(CASE_ROLES)
def case_lead_worker(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    case, _level = case_get_for_user(request.user, pk, write=True)
    return versioned_edit(
        request,
        form_class=LeadWorkerForm,
        form_kwargs={"workers": services.eligible_workers(case)},
        template="cases/lead_worker_form.html",
        context={"case": case},
        initial={"version": case.version, "worker": case.lead_worker_id},
        save=lambda data: services.case_set_lead_worker(
            user=request.user, case=case, expected_version=data["version"], worker=data["worker"]
        ),
        done=reverse("cases:detail", kwargs={"pk": case.pk}),
    )


@staff(CASE_ROLES)
def emergency(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Break the glass. The case's existence is revealed only after a reason is on record."""
    form = EmergencyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        case, access = case_get_for_emergency(request.user, form.case_pk())
        if case is None:
            form.add_error("case_number", _("該当するケースが見つかりません。"))
        elif access.level == Level.FULL:
            return redirect("cases:detail", pk=case.pk)
        else:
            try:
                services.emergency_open(user=request.user, case=case, reason=form.cleaned_data["reason"])
            except services.EmergencyLimitReached as exc:
                security_record(request=request, kind=SecurityEventKind.EMERGENCY_LIMIT, status=400)
                apply_errors(form, exc)
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                return redirect("cases:detail", pk=case.pk)
    return render(
        request,
        "cases/emergency_form.html",
        {"form": form, "hours": settings.EMERGENCY_ACCESS_HOURS, "per_day": settings.EMERGENCY_ACCESS_PER_DAY},
        status=400 if form.is_bound else 200,
    )


@staff(("supervisor",))
def emergency_review(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The review of one emergency grant: who, when, why and what they read (from the access
    trail), without the case itself; the reviewer marks it reviewed. Outside the reviewer's scope:
    404."""
    in_scope = services.emergency_in_scope_of(request.user).select_related("case", "user", "reviewed_by")
    emergency = in_scope.filter(pk=pk).first()
    if emergency is None:
        raise Http404
    form = EmergencyReviewForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.emergency_review(user=request.user, emergency=emergency, note=form.cleaned_data["note"])
        return redirect(reverse("work:my_work") + "#emergency")
    review = services.emergency_review_details(user=request.user, emergency=emergency)
    return render(
        request,
        "cases/emergency_review.html",
        {"emergency": emergency, "form": form, **review},
        status=400 if form.is_bound else 200,
    )


def _team_page(
    request: HttpRequest, case: Case, *, add=None, handoff=None, error: str = "", status: int = 200
) -> HttpResponse:
    members = case.team.select_related("agency", "consent").order_by("until", "role", "since")
    return render(
        request,
        "cases/team.html",
        {
            "case": case,
            "members": members,
            "add_form": add or TeamAddForm(case=case),
            "handoff_form": handoff or HandoffForm(case=case),
            "error": error,
        },
        status=status,
    )


@staff(CASE_ROLES)
def team(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    case, _access = case_get_for_user(request.user, pk, write=True)
    return _team_page(request, case)


@staff(CASE_ROLES)
@require_POST
def team_add(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    case, _access = case_get_for_user(request.user, pk, write=True)
    form = TeamAddForm(request.POST, case=case)
    if form.is_valid():
        try:
            services.team_add(
                user=request.user,
                case=case,
                agency=form.cleaned_data["agency"],
                basis=form.cleaned_data["basis"],
                basis_note=form.cleaned_data["basis_note"],
                consent=form.cleaned_data["consent"],
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            return redirect("cases:team", pk=case.pk)
    return _team_page(request, case, add=form, status=400)


@staff(CASE_ROLES)
@require_POST
def team_end(request: AuthenticatedHttpRequest, pk: int, member_pk: int) -> HttpResponse:
    case, _access = case_get_for_user(request.user, pk, write=True)
    member = case.team.filter(pk=member_pk).select_related("agency", "case").first()
    if member is None:
        raise Http404
    try:
        services.team_end(user=request.user, member=member)
    except ValidationError as exc:
        return _team_page(request, case, error=" ".join(exc.messages), status=400)
    done = _("ケース %(number)s の担当から %(agency)s が外れました。") % {
        "number": case.number,
        "agency": member.agency.name,
    }
    return _after_team_change(request, case, done, stay=reverse("cases:team", kwargs={"pk": case.pk}))


@staff(CASE_ROLES)
@require_POST
def handoff(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    case, _access = case_get_for_user(request.user, pk, write=True)
    form = HandoffForm(request.POST, case=case)
    if form.is_valid():
        try:
            services.lead_handoff(
                user=request.user,
                case=case,
                to_agency=form.cleaned_data["agency"],
                basis=form.cleaned_data["basis"],
                basis_note=form.cleaned_data["basis_note"],
                consent=form.cleaned_data["consent"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            done = _("ケース %(number)s の主担当を %(agency)s に引き継ぎました。") % {
                "number": case.number,
                "agency": form.cleaned_data["agency"].name,
            }
            return _after_team_change(request, case, done, stay=reverse("cases:detail", kwargs={"pk": case.pk}))
    return _team_page(request, case, handoff=form, status=400)


def _after_team_change(request: AuthenticatedHttpRequest, case: Case, done: str, *, stay: str) -> HttpResponse:
    """Where a user lands after changing a case's team: ``stay`` while they may still use it,
    the case page while they still see it, else their work page, always saying what happened
    (an action that ends one's own access never ends on a 404)."""
    access = case_access(request.user, case)
    if access.can_write:
        messages.success(request, done)
        return redirect(stay)
    if access.level != Level.NONE:
        messages.success(request, done)
        return redirect("cases:detail", pk=case.pk)
    messages.success(
        request, done + _("あなたの機関はこのケースの担当ではなくなったため、このケースは開けなくなりました。")
    )
    return redirect("work:my_work")


@staff(CASE_ROLES)
def consents(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    case, _access = case_get_for_user(request.user, pk, write=True)
    form = ConsentForm(request.POST or None, case=case)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.consent_create(
                user=request.user,
                person=data["person"],
                agencies=data["agencies"],
                purpose=data["purpose"],
                method=data["method"],
                given_on=data["given_on"],
                expires_on=data["expires_on"],
                key=data["submission_key"],
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            return redirect("cases:consents", pk=case.pk)
    rows = Consent.objects.filter(person__household_id=case.household_id).select_related("person")
    rows = rows.prefetch_related("agencies")
    return render(
        request,
        "cases/consents.html",
        {"case": case, "form": form, "consents": rows, "today": timezone.localdate()},
        status=400 if form.is_bound else 200,
    )


@staff(CASE_ROLES)
@require_POST
def consent_withdraw(request: AuthenticatedHttpRequest, pk: int, consent_pk: int) -> HttpResponse:
    case, _access = case_get_for_user(request.user, pk, write=True)
    consent = Consent.objects.filter(pk=consent_pk, person__household_id=case.household_id).first()
    if consent is None:
        raise Http404
    services.consent_withdraw(user=request.user, consent=consent, on=timezone.localdate())
    return redirect("cases:consents", pk=case.pk)


class RetentionHoldForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("保存を続ける理由"),
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("例：情報公開請求への対応中のため。理由は記録に残ります。"),
    )


@staff(("supervisor",))
def retention_hold(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """保存の指示: a supervisor of the lead agency or of the central desk stops the retention job
    for this case, or sees and lifts the holds (decision 0031)."""
    case, _level = case_get_for_user(request.user, pk)
    if not retention_holds.may_hold(request.user, case):
        raise Http404
    holds = list(case.retention_holds.select_related("placed_by", "lifted_by").order_by("-placed_at", "-pk"))
    active = [h for h in holds if h.lifted_at is None]
    form = RetentionHoldForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if active:
            form.add_error("reason", _("このケースにはすでに保存の指示があります。"))
        else:
            try:
                retention_holds.hold_place(user=request.user, case=case, reason=form.cleaned_data["reason"])
            except ValidationError as error:
                form.add_error("reason", error)
            else:
                messages.success(
                    request, _("保存の指示をしました。解除するまで、このケースは保存期間の処理から除かれます。")
                )
                return redirect("cases:retention_hold", pk=case.pk)
    return render(
        request,
        "cases/retention_hold.html",
        {"case": case, "holds": holds, "active": active, "form": form},
        status=400 if request.method == "POST" else 200,
    )


@staff(("supervisor",))
@require_POST
def retention_hold_lift(request: AuthenticatedHttpRequest, pk: int, hold_pk: int) -> HttpResponse:
    case, _level = case_get_for_user(request.user, pk)
    hold = case.retention_holds.filter(pk=hold_pk).first()
    if hold is None or not retention_holds.may_hold(request.user, case):
        raise Http404
    retention_holds.hold_lift(user=request.user, hold=hold)
    messages.success(request, _("保存の指示を解除しました。"))
    return redirect("cases:retention_hold", pk=case.pk)

import datetime as dt
import uuid

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tsunagu.agencies.models import CASE_ROLES
from tsunagu.cases.access import case_get_for_user, full_access
from tsunagu.core.access import staff
from tsunagu.core.conflict import Stale, rebased, stale
from tsunagu.core.editing import apply_errors, versioned_edit
from tsunagu.core.services import ConflictError
from tsunagu.core.types import AuthenticatedHttpRequest
from tsunagu.plans import services
from tsunagu.plans.access import plan_get_for_user
from tsunagu.plans.forms import (
    ADD_GOAL,
    GOAL_FORM_FIELDS,
    DecisionForm,
    PlanCreateForm,
    PlanEditForm,
    goal_rows_in,
    goals_from,
)
from tsunagu.plans.models import PlanStatus, SupportPlan


def _with_another_goal(request: HttpRequest, form_class: type[PlanCreateForm | PlanEditForm], context: dict, **kwargs):
    """目標を追加: the same page again with what was typed and one more blank goal row; nothing is
    validated or saved (a server round trip, so it works without script and under the CSP)."""
    typed = {key: value for key, value in request.POST.items() if key not in ("csrfmiddlewaretoken", ADD_GOAL)}
    form = form_class(initial=typed, rows=goal_rows_in(request.POST) + 1, **kwargs)
    return render(request, "plans/form.html", {**context, "form": form, "added_goal": form.goal_rows - 1})


@staff(CASE_ROLES)
def plan_new(request: AuthenticatedHttpRequest, case_pk: int) -> HttpResponse:
    case, _level = case_get_for_user(request.user, case_pk, write=True)
    if request.method == "POST" and ADD_GOAL in request.POST:
        return _with_another_goal(request, PlanCreateForm, {"case": case}, household=case.household)
    form = PlanCreateForm(
        request.POST or None,
        household=case.household,
        initial={"review_on": timezone.localdate() + dt.timedelta(days=90)},
    )
    if request.method == "POST" and form.is_valid():
        try:
            plan, _created = services.plan_create(
                user=request.user,
                case=case,
                review_on=form.cleaned_data["review_on"],
                goals=form.goals(),
                key=form.cleaned_data["submission_key"],
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            return redirect("plans:detail", pk=plan.pk)
    return render(request, "plans/form.html", {"form": form, "case": case}, status=400 if form.is_bound else 200)


@staff(CASE_ROLES)
def plan_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    plan = plan_get_for_user(request.user, pk)
    return render(
        request,
        "plans/detail.html",
        {
            "plan": plan,
            # Emergency access reads only: no 修正 / 承認を依頼 / 新しい版 that would answer 404.
            "can_write": full_access(request.user, plan.case, write=True) is not None,
            "goals": plan.goals.select_related("person", "owner"),
            "may_decide": plan.status == PlanStatus.SUBMITTED and services.may_decide(request.user, plan),
            "decision_form": DecisionForm(initial={"version": plan.version}),
            "new_key": uuid.uuid4(),
        },
    )


@staff(CASE_ROLES)
def plan_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    plan = plan_get_for_user(request.user, pk, write=True)
    if plan.status not in services.EDITABLE:
        return redirect("plans:detail", pk=plan.pk)
    if request.method == "POST" and ADD_GOAL in request.POST:
        return _with_another_goal(
            request, PlanEditForm, {"case": plan.case, "plan": plan}, household=plan.case.household
        )
    initial = {"version": plan.version, "review_on": plan.review_on}
    for n, goal in enumerate(plan.goals.all()):
        initial |= {
            f"g{n}_{name}": getattr(goal, f"{name}_id" if name in ("person", "owner") else name)
            for name in GOAL_FORM_FIELDS
        }
    return versioned_edit(
        request,
        form_class=PlanEditForm,
        form_kwargs={"household": plan.case.household},
        template="plans/form.html",
        context={"case": plan.case, "plan": plan},
        initial=initial,
        save=lambda data: services.plan_update(
            user=request.user,
            plan=plan,
            expected_version=data["version"],
            review_on=data["review_on"],
            goals=goals_from(data),
        ),
        done=reverse("plans:detail", kwargs={"pk": plan.pk}),
    )


@staff(CASE_ROLES)
@require_POST
def plan_submit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    plan = plan_get_for_user(request.user, pk, write=True)
    try:
        version = int(request.POST.get("version", ""))
    except ValueError:
        return _detail_with_error(request, plan, _("提出できませんでした。画面を読み込み直してください。"))
    try:
        services.plan_submit(user=request.user, plan=plan, expected_version=version)
    except ConflictError as exc:
        plan.refresh_from_db()
        return _detail_with_error(
            request,
            plan,
            _("他の職員が先にこの計画を更新しました。最新の内容を確認してください。"),
            status=409,
            stale=stale(None, exc.current),
        )
    except ValidationError as exc:
        return _detail_with_error(request, plan, " ".join(exc.messages))
    return redirect("plans:detail", pk=plan.pk)


@staff(("supervisor",))
@require_POST
def plan_decide(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    plan = plan_get_for_user(request.user, pk, write=True)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        return _detail_with_error(request, plan, _("判断を選んでください。"), form=form)
    try:
        services.plan_decide(
            user=request.user,
            plan=plan,
            expected_version=form.cleaned_data["version"],
            approve=form.cleaned_data["decision"] == "approve",
            comment=form.cleaned_data["comment"],
        )
    except PermissionDenied:
        raise
    except ConflictError as exc:
        plan.refresh_from_db()
        return _detail_with_error(
            request,
            plan,
            _("他の職員が先にこの計画を更新しました。"),
            form=rebased(form, exc.current),
            status=409,
            stale=stale(form, exc.current),
        )
    except ValidationError as exc:
        apply_errors(form, exc)
        return _detail_with_error(request, plan, "", form=form)
    return redirect("plans:detail", pk=plan.pk)


@staff(CASE_ROLES)
@require_POST
def plan_new_version(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    plan = plan_get_for_user(request.user, pk, write=True)
    try:
        key = uuid.UUID(request.POST.get("submission_key", ""))
    except ValueError:
        return _detail_with_error(request, plan, _("画面を読み込み直してから、もう一度押してください。"))
    try:
        new, _created = services.plan_new_version(user=request.user, plan=plan, key=key)
    except ValidationError as exc:
        return _detail_with_error(request, plan, " ".join(exc.messages))
    return redirect("plans:edit", pk=new.pk)


def _detail_with_error(
    request: AuthenticatedHttpRequest,
    plan: SupportPlan,
    message: str,
    *,
    form: DecisionForm | None = None,
    status: int = 400,
    stale: Stale | None = None,
) -> HttpResponse:
    """The plan page again with ``message`` (already translated: a service's own words) on top."""
    return render(
        request,
        "plans/detail.html",
        {
            "plan": plan,
            "goals": plan.goals.select_related("person", "owner"),
            "error": message,
            "may_decide": plan.status == PlanStatus.SUBMITTED and services.may_decide(request.user, plan),
            "decision_form": form or DecisionForm(initial={"version": plan.version}),
            "new_key": uuid.uuid4(),
            "stale": stale,
        },
        status=status,
    )

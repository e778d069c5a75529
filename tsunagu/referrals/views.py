from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tsunagu.agencies.models import CASE_ROLES, Agency
from tsunagu.cases.access import case_get_for_user, cases_openable
from tsunagu.core.access import staff
from tsunagu.core.conflict import Stale, rebased, stale
from tsunagu.core.editing import apply_errors
from tsunagu.core.services import ConflictError
from tsunagu.core.types import AuthenticatedHttpRequest
from tsunagu.referrals import selectors, services
from tsunagu.referrals.access import RECEIVER_ROLES, referral_get_for_user, sending_agencies
from tsunagu.referrals.forms import (
    AnswerForm,
    FirstMetForm,
    InboxFilterForm,
    MessageForm,
    ReferralForm,
    WithdrawForm,
)
from tsunagu.referrals.models import Referral


@staff(RECEIVER_ROLES)
def inbox(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = InboxFilterForm(request.GET, agencies=Agency.objects.filter(active=True).order_by("code"))
    chosen = form.valid()
    filters = selectors.InboxFilters(
        box=chosen.get("box") or "",
        status=chosen.get("status") or None,
        overdue=bool(chosen.get("overdue")),
        agency_id=chosen["agency"].pk if chosen.get("agency") else None,
        sort=chosen.get("sort") or "newest",
    )
    today = timezone.localdate()
    inbox = selectors.referral_inbox(user=request.user, filters=filters, params=request.GET, today=today)
    return render(
        request,
        "referrals/inbox.html",
        {"received": inbox.received, "sent": inbox.sent, "box": filters.box, "form": form, "today": today},
    )


@staff(CASE_ROLES)
def referral_new(request: AuthenticatedHttpRequest, case_pk: int) -> HttpResponse:
    case, _access = case_get_for_user(request.user, case_pk, write=True)
    form = ReferralForm(request.POST or None, case=case, from_agencies=sending_agencies(request.user, case))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            referral, _created = services.referral_send(
                user=request.user,
                case=case,
                from_agency=data["from_agency"],
                to_agency=data["agency"],
                person=data["person"],
                reason=data["reason"],
                summary=data["summary"],
                basis=data["basis"],
                basis_note=data["basis_note"],
                consent=data["consent"],
                accompanied=data["accompanied"],
                key=data["submission_key"],
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            return redirect("referrals:detail", pk=referral.pk)
    return render(request, "referrals/form.html", {"case": case, "form": form}, status=400 if form.is_bound else 200)


def _detail(
    request: AuthenticatedHttpRequest,
    referral: Referral,
    side: str,
    status: int = 200,
    error: str = "",
    stale: Stale | None = None,
    **forms: Any,
) -> HttpResponse:
    referral.late = referral.is_open and referral.due_on < timezone.localdate()  # type: ignore[attr-defined]
    context = {
        "referral": referral,
        "side": side,
        "error": error,
        "stale": stale,
        "events": referral.events.select_related("user"),
        "answer_form": forms.get("answer") or AnswerForm(initial={"version": referral.version}),
        "message_form": forms.get("message") or MessageForm(),
        "first_met_form": forms.get("first_met") or FirstMetForm(initial={"version": referral.version}),
        "withdraw_form": forms.get("withdraw") or WithdrawForm(initial={"version": referral.version}),
        # A link to the case only when the user may open it (by the one rule of cases.access): the
        # sender's agency may have left the team, the receiver sees it once accepted.
        "case_link": referral.case_id in cases_openable(request.user, [referral.case_id]),
    }
    return render(request, "referrals/detail.html", context, status=status)


@staff(RECEIVER_ROLES)
def detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    referral, side = referral_get_for_user(request.user, pk)
    return _detail(request, referral, side)


def _refused(form: Any, exc: ValidationError) -> str:
    """Field errors go on the form; a refusal of the whole action (the referral has moved on
    meanwhile) is returned to be shown at the top of the page, where it is seen even when the
    form is no longer offered."""
    if hasattr(exc, "error_dict"):
        apply_errors(form, exc)
        return ""
    return " ".join(exc.messages)


def _stale() -> str:
    # Shown at the top of the page: the form itself is gone when the referral has moved on.
    return _("ほかの職員が先にこのつなぎを更新しました。内容を確かめてからもう一度操作してください。")


def _act(
    request: AuthenticatedHttpRequest,
    pk: int,
    *,
    side: str | None,
    form_class: type[Any],
    form_name: str,
    run: Callable[[Referral, str, dict[str, Any]], Any],
) -> HttpResponse:
    """The shape of every action on a referral: validate, run the service, back to the page; on
    bad input or a refusal, the page again with the message where it belongs (R4)."""
    referral, found = referral_get_for_user(request.user, pk, side=side)
    form = form_class(request.POST)
    error = ""
    if form.is_valid():
        try:
            run(referral, found, form.cleaned_data)
        except ValidationError as exc:
            error = _refused(form, exc)
        except ConflictError as exc:
            # The one answer to a conflict (R2): 409, the panel, the input kept on the current version.
            panel = stale(form, exc.current)
            referral.refresh_from_db()
            return _detail(
                request,
                referral,
                found,
                status=409,
                error=_stale(),
                stale=panel,
                **{form_name: rebased(form, exc.current)},
            )
        else:
            return redirect("referrals:detail", pk=referral.pk)
    referral.refresh_from_db()
    return _detail(request, referral, found, status=400, error=error, **{form_name: form})


def _answer(user: Any, referral: Referral, data: dict[str, Any]) -> Referral:
    if data["answer"] == "accept":
        return services.referral_accept(
            user=user, referral=referral, expected_version=data["version"], comment=data["comment"]
        )
    return services.referral_decline(
        user=user,
        referral=referral,
        expected_version=data["version"],
        decline_reason=data["decline_reason"],
        comment=data["comment"],
    )


@staff(RECEIVER_ROLES)
@require_POST
def answer(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _act(
        request,
        pk,
        side="receiver",
        form_class=AnswerForm,
        form_name="answer",
        run=lambda referral, _side, data: _answer(request.user, referral, data),
    )


@staff(RECEIVER_ROLES)
@require_POST
def message(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """A question from the receiver, or the sender's reply: the side decides which."""
    return _act(
        request,
        pk,
        side=None,
        form_class=MessageForm,
        form_name="message",
        run=lambda referral, side, data: services.referral_message(
            user=request.user, referral=referral, side=side, text=data["text"], key=data["submission_key"]
        ),
    )


@staff(RECEIVER_ROLES)
@require_POST
def first_met(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _act(
        request,
        pk,
        side="receiver",
        form_class=FirstMetForm,
        form_name="first_met",
        run=lambda referral, _side, data: services.referral_first_met(
            user=request.user, referral=referral, expected_version=data["version"], on=data["on"]
        ),
    )


@staff(CASE_ROLES)
@require_POST
def withdraw(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _act(
        request,
        pk,
        side="sender",
        form_class=WithdrawForm,
        form_name="withdraw",
        run=lambda referral, _side, data: services.referral_withdraw(
            user=request.user, referral=referral, expected_version=data["version"], reason=data["reason"]
        ),
    )


@staff(CASE_ROLES)
@require_POST
def seen(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    referral, _side = referral_get_for_user(request.user, pk, side="sender")
    services.referral_seen(user=request.user, referral=referral)
    return redirect("work:my_work")

"""The second-factor pages (docs/quality.md S6, decision 0033): the step after the password, the
enrolment of an authenticator app on first sign-in, one's own factors, and the administrator's
reset. On the top floor because each step is recorded in the security log (audit) about what core
keeps (the factors, the sessions).

After the password a session is "signing in": it reaches these pages and sign-out, nothing else
(core.access). A wrong code counts towards the lockout of the user name and address, exactly as a
wrong password does, and the app's codes wait 1, 2, 4, … seconds after wrong ones (django-otp)."""

from typing import Any

import django_otp
from axes.handlers.proxy import AxesProxyHandler
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model, logout
from django.contrib.auth.signals import user_login_failed
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render, resolve_url
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp_webauthn.models import WebAuthnCredential

from tsunagu.audit.middleware import security_record
from tsunagu.audit.models import SecurityEventKind
from tsunagu.core import mfa
from tsunagu.core.access import login_only, second_factor_ok, signing_in
from tsunagu.core.models import RecoveryCodeDevice
from tsunagu.core.views import signin_locked

NEW_APP_KEY = "tsunagu_totp_new"  # session: the unconfirmed app key being enrolled


def _next(request: HttpRequest) -> str:
    """Where to go after the step: the page first asked for, when it is ours, else home."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure()):
        return target
    # A URL, not the setting's URL name: it also goes into the pages' links and hidden fields.
    return resolve_url(settings.LOGIN_REDIRECT_URL)


def _with_next(url: str, request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next")
    return f"{url}?{urlencode({'next': target})}" if target else url


def _device_kind(device: Any) -> str:
    if isinstance(device, TOTPDevice):
        return "app"
    if isinstance(device, WebAuthnCredential):
        return "security_key"
    return "recovery_code"


class CodeForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("確認コード"),
        max_length=40,
        help_text=gettext_lazy("認証アプリに表示されている6桁の数字、または回復コード（例: ABCDE-23456）"),
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "text", "autofocus": True}),
    )


def _demo_hint(user: Any) -> str:
    """The demo's current code (TSUNAGU_DEMO_SECOND_FACTOR_HINT, refused in production)."""
    if not settings.DEMO_SECOND_FACTOR_HINT:
        return ""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()
    return mfa.current_code(device) if device is not None else ""


def _locked(request: HttpRequest) -> HttpResponse:
    """The lockout of this name and address: this half-signed-in session ends with it."""
    logout(request)
    return signin_locked(request)


@signing_in
def verify_view(request: HttpRequest) -> HttpResponseBase:
    """The second step of signing in: a code from the app, a recovery code, or a security key."""
    user = request.user
    if second_factor_ok(request):
        return redirect(_next(request))
    if not mfa.has_factor(user):
        return redirect(_with_next(reverse("mfa:enrol"), request))
    credentials = {"username": user.get_username(), "second_factor": True}
    form = CodeForm(request.POST or None)
    wait = 0
    if request.method == "POST":
        if not AxesProxyHandler.is_allowed(request, credentials):
            return _locked(request)
        if form.is_valid():
            check = mfa.code_check(user, form.cleaned_data["code"])
            if check.device is not None:
                return _passed(request, check.device)
            wait = check.wait_seconds
            user_login_failed.send(sender=__name__, credentials=credentials, request=request)
            if getattr(request, "axes_locked_out", False):
                return _locked(request)
            if wait:
                form.add_error(
                    "code",
                    _("続けて間違えたため、認証アプリのコードは %(n)s 秒後まで受け付けません。回復コードは使えます。")
                    % {"n": wait},
                )
            else:
                form.add_error("code", _("コードが違うか、すでに使われたコードです。"))
    return render(
        request,
        "mfa/verify.html",
        {
            "form": form,
            "next": _next(request),
            "has_security_key": mfa.has_security_key(user),
            "has_app": TOTPDevice.objects.filter(user=user, confirmed=True).exists(),
            "demo_code": _demo_hint(user),
        },
    )


def _passed(request: HttpRequest, device: Any) -> HttpResponse:
    mfa.second_factor_passed(request, device)
    kind = _device_kind(device)
    security_record(request=request, kind=SecurityEventKind.SECOND_FACTOR, details={"factor": kind})
    if kind == "recovery_code":
        left = mfa.recovery_codes_left(request.user)
        messages.warning(
            request,
            _(
                "回復コードでログインしました。残りは %(n)s 個です。"
                "認証手段を失くした場合は「二要素認証」の画面で登録し直してください。"
            )
            % {"n": left},
        )
    return redirect(_next(request))


@signing_in
def enrol_view(request: HttpRequest) -> HttpResponseBase:
    """Add an authenticator app: on first sign-in (no factor yet), or later from one's own
    factors page. A person who already has a factor must pass it first."""
    user = request.user
    first = not mfa.has_factor(user)
    if not first and not second_factor_ok(request):
        return redirect(_with_next(reverse("mfa:verify"), request))
    device = TOTPDevice.objects.filter(pk=request.session.get(NEW_APP_KEY), user=user, confirmed=False).first()
    if device is None:
        device = mfa.totp_device_new(user)
        request.session[NEW_APP_KEY] = device.pk
    form = CodeForm(request.POST or None)
    form.fields["code"].help_text = _("アプリに表示された6桁の数字")
    if request.method == "POST" and form.is_valid():
        if mfa.totp_confirm(device, form.cleaned_data["code"]):
            request.session.pop(NEW_APP_KEY, None)
            security_record(request=request, kind=SecurityEventKind.FACTOR_ADDED, details={"factor": "app"})
            codes: list[str] = []
            if first:
                mfa.second_factor_passed(request, device)
                security_record(request=request, kind=SecurityEventKind.SECOND_FACTOR, details={"factor": "app"})
            if not RecoveryCodeDevice.objects.filter(user=user, confirmed=True).exists():
                codes = mfa.recovery_codes_new(user)
                security_record(request=request, kind=SecurityEventKind.RECOVERY_CODES)
            if codes:
                return render(
                    request, "mfa/recovery_codes.html", {"codes": codes, "next": _next(request), "first": first}
                )
            messages.success(request, _("認証アプリを登録しました。"))
            return redirect("mfa:factors")
        form.add_error("code", _("コードが違います。アプリに表示されている最新の6桁を入力してください。"))
    secret = device.config_url.split("secret=", 1)[1].split("&", 1)[0]
    return render(
        request,
        "mfa/enrol.html",
        {
            "form": form,
            "first": first,
            "next": _next(request),
            "qr": mfa.qr_picture(device.config_url),
            "secret_groups": [secret[i : i + 4] for i in range(0, len(secret), 4)],
        },
    )


@login_only
def factors_view(request: HttpRequest) -> HttpResponse:
    """One's own factors: the apps and security keys, how many recovery codes are left."""
    user = request.user
    return render(
        request,
        "mfa/factors.html",
        {
            "apps": TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk"),
            "keys": WebAuthnCredential.objects.filter(user=user, confirmed=True).order_by("pk"),
            "codes_left": mfa.recovery_codes_left(user),
        },
    )


_FACTOR_MODELS = {"app": TOTPDevice, "security_key": WebAuthnCredential}


@login_only
@require_POST
def factor_remove_view(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    """Remove one of one's own factors; the last one stays (without it the next sign-in would
    enrol a new one with the password alone)."""
    model = _FACTOR_MODELS[kind]
    # Two removals at once (two tabs) must not both see "not the last": the person's row is the
    # lock they take turns on (PostgreSQL; SQLite writes one at a time anyway).
    get_user_model().objects.select_for_update().filter(username=request.user.get_username()).values_list("pk").first()
    device = get_object_or_404(model, pk=pk, user=request.user, confirmed=True)
    if len(mfa.factors_of(request.user)) <= 1:
        messages.error(request, _("最後の認証手段は削除できません。先に別の認証手段を登録してください。"))
        return redirect("mfa:factors")
    was_this_sessions = request.session.get(DEVICE_ID_SESSION_KEY) == device.persistent_id
    device.delete()
    if was_this_sessions:
        # The person passed the second factor with it; the session stays passed, now in the name
        # of a factor that still exists (django-otp looks the session's device up on each request).
        django_otp.login(request, mfa.factors_of(request.user)[0])
    security_record(request=request, kind=SecurityEventKind.FACTOR_REMOVED, details={"factor": kind})
    messages.success(request, _("認証手段を削除しました。"))
    return redirect("mfa:factors")


@login_only
@require_POST
def recovery_codes_view(request: HttpRequest) -> HttpResponse:
    """Ten new recovery codes, shown once; the earlier ones stop working."""
    codes = mfa.recovery_codes_new(request.user)
    security_record(request=request, kind=SecurityEventKind.RECOVERY_CODES)
    return render(request, "mfa/recovery_codes.html", {"codes": codes, "next": "", "first": False})


def factors_reset(*, request: HttpRequest, user: Any) -> int:
    """An administrator removes every factor of ``user`` (app, keys and codes all lost) and ends
    their sessions; recorded with whose they were. Used by the user admin's action (work/admin.py)."""
    removed = mfa.factors_reset(user)
    security_record(
        request=request,
        kind=SecurityEventKind.FACTORS_RESET,
        details={"reset_username": user.get_username(), "reset_user_id": str(user.pk)},
    )
    return removed

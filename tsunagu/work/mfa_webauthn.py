"""Security keys and Windows Hello (WebAuthn) as a second factor (docs/quality.md S6, decision
0033, issue 11 item 1): django-otp-webauthn's four JSON endpoints, each behind our own door, and
the page that names a new key and shows the recovery codes when they are new.

The package's own URLs are not included: their views declare no access rule, mark a session
verified without giving it a new key, and count no failed assertion. Here:

- signing in with a key (``key_auth_*``) is a step of signing in (``signing_in``): it is checked
  against the lockout first, a failed assertion is sent as a failed sign-in (as a wrong code is,
  work/mfa.py) and the lockout ends the half-signed-in session; success passes the second factor
  through ``mfa.second_factor_passed`` (new session key, the session's row moved);
- registering a key (``key_register_*``) takes a password-only session only while the account has
  no factor at all (the first sign-in's enrolment, which then passes the second factor with the new
  key); otherwise only a session that has passed its second factor.

Every answer is JSON, in the user's language, and never names what went wrong inside."""

import json
import logging
from collections.abc import Callable
from typing import Any

from axes.handlers.proxy import AxesProxyHandler
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.signals import user_login_failed
from django.http import HttpRequest, HttpResponse, HttpResponseBase, JsonResponse
from django.middleware.csrf import get_token
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp_webauthn import exceptions
from django_otp_webauthn.models import WebAuthnCredential
from django_otp_webauthn.utils import rewrite_exceptions
from django_otp_webauthn.views import (
    BeginCredentialAuthenticationView,
    BeginCredentialRegistrationView,
    CompleteCredentialAuthenticationView,
    CompleteCredentialRegistrationView,
)

from tsunagu.audit.middleware import security_record
from tsunagu.audit.models import SecurityEventKind
from tsunagu.core import mfa
from tsunagu.core.access import second_factor_ok, signing_in
from tsunagu.core.forms import no_hidden_chars_in_line
from tsunagu.core.models import RecoveryCodeDevice
from tsunagu.work.mfa import NEW_APP_KEY, _next

logger = logging.getLogger(settings.OTP_WEBAUTHN_EXCEPTION_LOGGER_NAME)

KEY_NEW = "tsunagu_key_new"  # session: the key just registered, to be named on the next page
KEY_FIRST = "tsunagu_key_first"  # session: it was the account's first factor (its codes are shown)
DEFAULT_KEY_NAME = "セキュリティキー"  # stored like the app's 「認証アプリ」 (core/mfa.py)
KEY_NAME_MAX = 64  # django-otp's Device.name


def registration_allowed(request: HttpRequest) -> bool:
    """Whether this session may register a security key: one that has passed its second factor,
    or a password-only one of an account without any factor yet (the first sign-in's enrolment).
    Never a password-only session of an account that has a factor: whoever learnt the password
    would add their own key and never need the second factor."""
    return second_factor_ok(request) or not mfa.has_factor(request.user)


def default_key_name(user: Any) -> str:
    names = set(WebAuthnCredential.objects.filter(user=user).values_list("name", flat=True))
    if DEFAULT_KEY_NAME not in names:
        return DEFAULT_KEY_NAME
    number = 2
    while f"{DEFAULT_KEY_NAME}（{number}）" in names:
        number += 1
    return f"{DEFAULT_KEY_NAME}（{number}）"


# --- What the JSON answers say -----------------------------------------------------------------


def _body(request: HttpRequest) -> Any:
    """The JSON body the package's base view parsed into ``request.data``."""
    return getattr(request, "data", {})


class RegistrationRefused(exceptions.OTPWebAuthnApiError):
    status_code = 403
    default_code = "user_not_verified"


class NoSecurityKey(exceptions.OTPWebAuthnApiError):
    status_code = 400
    default_code = "no_security_key"


def _message(code: str) -> str:
    """The user's sentence for an error code. Which check failed inside (a key of another person,
    an unknown key, a wrong signature) is not told apart."""
    if code == "malformed_request":
        return _("送られた内容を読み取れませんでした。ページを読み込み直して、もう一度お試しください。")
    if code == "invalid_state":
        return _("手続きが始まっていないか、期限が切れました。もう一度ボタンを押してください。")
    if code == "user_not_verified":
        return _("セキュリティキーを登録するには、先にいまの認証手段で二要素認証をしてください。")
    if code == "no_security_key":
        return _(
            "セキュリティキー・Windows Hello が登録されていません。認証アプリのコードか回復コードを入力してください。"
        )
    if code == "locked":
        minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
        return _(
            "続けて間違えたため、このユーザー名でのこの端末からのログインを止めています。"
            "%(n)s分たってから、もう一度お試しください。"
        ) % {"n": minutes}
    if code == "verification_failed":
        return _("このセキュリティキーでは確認できませんでした。登録したキーを使っているか確かめてください。")
    return _("セキュリティキーの処理ができませんでした。もう一度お試しください。")


def _error(code: str, status: int) -> JsonResponse:
    return JsonResponse({"detail": _message(code), "code": code}, status=status)


# The errors whose own sentence is told; any other refusal gets the general one.
TOLD = frozenset({"malformed_request", "invalid_state", "user_not_verified", "no_security_key", "verification_failed"})

# Raised deep inside the ceremony by data that is JSON but not a credential (bad base64, CBOR,
# lengths): a request error, never a server error.
MALFORMED = (ValueError, TypeError, KeyError, IndexError, AttributeError, OverflowError)


def _checked(step: Callable[[], Any]) -> Any:
    """A step of py_webauthn: its refusals become the package's API errors (logged with the reason,
    without a traceback: a wrong answer is no fault of the server), and data that is JSON but no
    credential (bad base64, CBOR, lengths) a malformed request."""
    try:
        with rewrite_exceptions(logger=None):
            return step()
    except exceptions.OTPWebAuthnApiError as exc:
        logger.warning("WebAuthn answer refused: %s (%s)", exc.code, exc.__cause__ or exc)
        raise
    except MALFORMED as exc:
        logger.warning("WebAuthn answer unreadable: %s", type(exc).__name__)
        raise exceptions.MalformedRequest() from exc


class _Ceremony:
    """What our four endpoints share: JSON in (an object, or nothing), JSON out, our wording."""

    request: HttpRequest

    def _parse_request_data(self, request: HttpRequest) -> dict[str, Any]:
        if not request.body:
            return {}
        if request.content_type != "application/json":
            raise exceptions.MalformedRequest()
        try:
            data = json.loads(request.body)
        except ValueError as exc:  # not JSON, or not UTF-8
            raise exceptions.MalformedRequest() from exc
        if not isinstance(data, dict):
            raise exceptions.MalformedRequest()
        return data

    def handle_exception(self, exc: Exception) -> HttpResponse:
        if isinstance(exc, exceptions.OTPWebAuthnApiError):
            code = exc.code if exc.code in TOLD else "error"
            return _error(code, exc.status_code if 400 <= exc.status_code < 500 else 400)
        raise exc


# --- Registration ------------------------------------------------------------------------------


class _Registration(_Ceremony):
    def user_is_mfa_enrolled(self, user: Any) -> bool:
        """The package's own check (a password-only session of an enrolled account registers
        nothing) with our meaning of enrolled: an app or a key, as everywhere else."""
        return mfa.has_factor(user)

    def check_can_register(self) -> None:
        if not registration_allowed(self.request):
            raise RegistrationRefused()


class KeyRegisterBeginView(_Registration, BeginCredentialRegistrationView):
    pass


class KeyRegisterCompleteView(_Registration, CompleteCredentialRegistrationView):
    def post(self, *args: Any, **kwargs: Any) -> HttpResponse:
        request = self.request
        user = request.user
        first = not mfa.has_factor(user)
        state = self.get_state()  # popped: a state is used once
        helper = self.get_helper()
        device = _checked(lambda: helper.register_complete(user=user, state=state, data=_body(request)))
        device.name = default_key_name(user)
        device.save(update_fields=["name"])
        security_record(request=request, kind=SecurityEventKind.FACTOR_ADDED, details={"factor": "security_key"})
        if first:
            # The app key the enrolment page made meanwhile is not needed (nor shown again).
            TOTPDevice.objects.filter(user=user, confirmed=False).delete()
            request.session.pop(NEW_APP_KEY, None)
            mfa.second_factor_passed(request, device)
            security_record(request=request, kind=SecurityEventKind.SECOND_FACTOR, details={"factor": "security_key"})
        request.session[KEY_NEW] = device.pk
        request.session[KEY_FIRST] = first
        return JsonResponse({"id": device.pk})


# --- Authentication (the second factor) ---------------------------------------------------------


def _credentials(request: HttpRequest) -> dict[str, Any]:
    """As work/mfa.py sends a wrong code: the lockout counts the name and the address."""
    return {"username": request.user.get_username(), "second_factor": True}


def _locked(request: HttpRequest) -> JsonResponse:
    """The lockout of this name and address: the half-signed-in session ends with it, and the
    answer stays JSON (the script shows its sentence) rather than django-axes' lockout page."""
    logout(request)
    request.axes_locked_out = False  # type: ignore[attr-defined]  # handled here, in JSON
    return _error("locked", 429)


class _Authentication(_Ceremony):
    def check_can_authenticate(self) -> None:
        super().check_can_authenticate()  # type: ignore[misc]
        if not mfa.has_security_key(self.request.user):
            raise NoSecurityKey()


class KeyAuthBeginView(_Authentication, BeginCredentialAuthenticationView):
    def post(self, *args: Any, **kwargs: Any) -> HttpResponse:
        if not AxesProxyHandler.is_allowed(self.request, _credentials(self.request)):
            return _locked(self.request)
        return super().post(*args, **kwargs)


class KeyAuthCompleteView(_Authentication, CompleteCredentialAuthenticationView):
    def post(self, *args: Any, **kwargs: Any) -> HttpResponse:
        request = self.request
        credentials = _credentials(request)
        if not AxesProxyHandler.is_allowed(request, credentials):
            return _locked(request)
        try:
            state = self.get_state()  # popped first: an answer is checked once
            helper = self.get_helper()
            device = _checked(lambda: helper.authenticate_complete(user=request.user, state=state, data=_body(request)))
            self.check_device_usable(device)
        except exceptions.OTPWebAuthnApiError as exc:
            user_login_failed.send(sender=__name__, credentials=credentials, request=request)
            if getattr(request, "axes_locked_out", False):
                return _locked(request)
            if isinstance(exc, exceptions.InvalidState | exceptions.MalformedRequest):
                return _error(exc.code, 400)
            return _error("verification_failed", 403)
        mfa.second_factor_passed(request, device)
        security_record(request=request, kind=SecurityEventKind.SECOND_FACTOR, details={"factor": "security_key"})
        return JsonResponse({"id": device.pk, "redirect_url": resolve_url(_next(request))})


key_register_begin_view = signing_in(KeyRegisterBeginView.as_view())
key_register_complete_view = signing_in(KeyRegisterCompleteView.as_view())
key_auth_begin_view = signing_in(KeyAuthBeginView.as_view())
key_auth_complete_view = signing_in(KeyAuthCompleteView.as_view())


# --- After a registration: the key's name, and the recovery codes when they are new --------------


class KeyNameForm(forms.Form):
    name = forms.CharField(
        label=gettext_lazy("キーの名前"),
        max_length=KEY_NAME_MAX,
        required=False,
        validators=[no_hidden_chars_in_line],
    )


@signing_in
@require_POST
def key_registered_view(request: HttpRequest) -> HttpResponseBase:
    """The form beside the button, sent by the page's script once the key is registered: it
    names the key, and shows ten recovery codes (once) when the account has none yet. Only for
    the session that registered the key, which has passed its second factor by now."""
    pk = request.session.get(KEY_NEW)
    if not second_factor_ok(request):
        return redirect("mfa:verify")
    device = WebAuthnCredential.objects.filter(pk=pk, user=request.user, confirmed=True).first()
    if pk is None or device is None:
        return redirect("mfa:factors")
    first = bool(request.session.pop(KEY_FIRST, False))
    request.session.pop(KEY_NEW, None)
    form = KeyNameForm(request.POST)
    if form.is_valid():
        if form.cleaned_data["name"]:
            device.name = form.cleaned_data["name"]
            device.save(update_fields=["name"])
    else:
        messages.warning(
            request, _("キーの名前に使えない文字があったため、「%(name)s」として登録しました。") % {"name": device.name}
        )
    user = request.user
    if not RecoveryCodeDevice.objects.filter(user=user, confirmed=True).exists():
        codes = mfa.recovery_codes_new(user)
        security_record(request=request, kind=SecurityEventKind.RECOVERY_CODES)
        return render(request, "mfa/recovery_codes.html", {"codes": codes, "next": _next(request), "first": first})
    messages.success(request, _("セキュリティキー・Windows Hello を登録しました。"))
    return redirect(_next(request) if first else "mfa:factors")


# --- The page's part ----------------------------------------------------------------------------


def script_config(request: HttpRequest) -> dict[str, Any]:
    """The configuration the package's scripts read (``json_script`` id ``otp_webauthn_config``),
    with our endpoints."""
    return {
        "autocompleteLoginFieldSelector": None,  # no sign-in with the key alone
        "nextFieldSelector": "input[name='next']",
        "csrfToken": get_token(request),
        "beginAuthenticationUrl": reverse("mfa:key_auth_begin"),
        "completeAuthenticationUrl": reverse("mfa:key_auth_complete"),
        "beginRegistrationUrl": reverse("mfa:key_register_begin"),
        "completeRegistrationUrl": reverse("mfa:key_register_complete"),
    }


def script_messages() -> dict[str, str]:
    """The package's script sentences in the user's language, keyed by the package's English text.
    The page carries them (``json_script``) and static/tsunagu/webauthn.js answers the scripts'
    ``gettext()`` from them: no catalogue endpoint, and the sentences are in our own catalogue."""
    failed = _("うまくいきませんでした。もう一度お試しください。")
    server = _("サーバーで確かめられませんでした。もう一度お試しください。")
    technical = (
        "Registration failed. A technical problem occurred that prevents you from registering a Passkey for this site."
    )
    return {
        # Verification (the second factor)
        "Verify with Passkey": _("セキュリティキー・Windows Hello で確認"),
        "Verifying...": _("確認しています…"),
        "Finishing verification...": _("確認を終えています…"),
        "Verification successful!": _("確認できました。"),
        "Verification aborted.": _("確認を中止しました。"),
        "Verification canceled or not allowed.": _(
            "確認が取り消されたか、許可されませんでした。もう一度押すか、コードを入力してください。"
        ),
        "Verification failed. Could not retrieve parameters from the server.": failed,
        "Verification failed. An unknown error occurred.": failed,
        "Verification failed. A server error occurred.": server,
        "Verification failed. An unknown server error occurred.": server,
        "An error occurred during verification.": failed,
        # Registration
        "Register a Passkey": _("セキュリティキー・Windows Hello を登録する"),
        "Registering...": _("登録しています…"),
        "Finishing registration...": _("登録を終えています…"),
        "Registration successful!": _("登録しました。"),
        "Registration aborted.": _("登録を中止しました。"),
        "Registration aborted or not allowed.": _("登録が取り消されたか、許可されませんでした。"),
        "Registration failed. You most likely already have a Passkey registered for this site.": _(
            "このセキュリティキーは登録済みのようです。"
        ),
        technical: _("このページの設定では登録できません。管理者に連絡してください。"),
        "Registration failed. Unable to fetch registration options from server.": failed,
        "Registration failed. An unknown error occurred.": failed,
        "Registration failed. The server was unable to verify this passkey.": _(
            "このセキュリティキーを確かめられませんでした。もう一度お試しください。"
        ),
        "Registration failed. A server error occurred.": server,
        "An error occurred during registration.": failed,
    }

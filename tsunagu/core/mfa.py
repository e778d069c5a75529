"""Two-factor sign-in (docs/quality.md S6, docs/decisions/0033-two-factor-sign-in.md): what a
person's second factors are, how a code is checked, and what passing the step does to the session.

The factors are django-otp devices: ``TOTPDevice`` (an authenticator app), ``WebAuthnCredential``
(a security key, Windows Hello) and ``RecoveryCodeDevice`` (ten one-time codes, core/models.py).
The pages that use them, and record each step in the security log, are on the top floor
(``work/mfa.py``); this module records nothing itself."""

import secrets
import unicodedata
from dataclasses import dataclass
from hashlib import sha256
from typing import Any

import django_otp
import qrcode
from axes.models import AccessAttempt
from django.conf import settings
from django.db import transaction
from django.http import HttpRequest
from django.http.request import split_domain_port
from django.utils import timezone
from django_otp.models import VerifyNotAllowed
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp_webauthn.helpers import WebAuthnHelper as BaseWebAuthnHelper
from django_otp_webauthn.models import WebAuthnCredential

from tsunagu.core.middleware import USERNAME_MAX_LENGTH, client_ip_or_none
from tsunagu.core.models import RecoveryCode, RecoveryCodeDevice, StaffSession
from tsunagu.core.sessions import sessions_end_all

RECOVERY_CODE_COUNT = 10
RECOVERY_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O, 1/I: read aloud and typed from paper
RECOVERY_LENGTH = 10  # 50 random bits


def relying_party_id(request: HttpRequest) -> str:
    """WebAuthn's relying party: the configured name, else the host the browser asked for."""
    return settings.OTP_WEBAUTHN_RP_ID or split_domain_port(request.get_host())[0].strip("[]")


class WebAuthnHelper(BaseWebAuthnHelper):
    """django-otp-webauthn's helper with the origins of settings, and outside production also the
    page's own origin (the development server's and the tests' ports vary)."""

    def get_allowed_origins(self) -> list[str]:
        origins = list(settings.OTP_WEBAUTHN_ALLOWED_ORIGINS)
        if not settings.PRODUCTION:
            origins.append(f"{self.request.scheme}://{self.request.get_host()}")
        return origins


# Dropped from a typed code: spaces, and the hyphen in whichever form it arrives. NFKC makes a
# full-width hyphen ASCII but leaves 「ー」 (U+30FC, the hyphen key of a Japanese input method in
# kana mode; half-width U+FF70 becomes it), the Unicode hyphens and dashes, the minus sign (copied
# from a printed or pasted list) and the underscore (the shifted hyphen key).
CODE_SEPARATORS = frozenset(" \t\u3000-_\u30fc\u2010\u2011\u2012\u2013\u2014\u2015\u2212")


def normalised_code(text: str) -> str:
    """What was typed, as the code it means: full-width digits and letters from a Japanese input
    method become ASCII, spaces and hyphens (CODE_SEPARATORS) go, letters are upper case."""
    folded = unicodedata.normalize("NFKC", text or "")
    return "".join(ch for ch in folded if ch not in CODE_SEPARATORS).upper()


def recovery_digest(text: str) -> str:
    code = normalised_code(text)
    if len(code) != RECOVERY_LENGTH or any(ch not in RECOVERY_ALPHABET for ch in code):
        return ""
    return sha256(code.encode()).hexdigest()


def factors_of(user: Any) -> list[Any]:
    """The person's confirmed factors (app and security keys), oldest first; not the recovery codes."""
    apps = list(TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk"))
    keys = list(WebAuthnCredential.objects.filter(user=user, confirmed=True).order_by("pk"))
    return apps + keys


def has_factor(user: Any) -> bool:
    return (
        TOTPDevice.objects.filter(user=user, confirmed=True).exists()
        or WebAuthnCredential.objects.filter(user=user, confirmed=True).exists()
    )


def has_security_key(user: Any) -> bool:
    return WebAuthnCredential.objects.filter(user=user, confirmed=True).exists()


def recovery_codes_left(user: Any) -> int:
    return RecoveryCode.objects.filter(device__user=user, device__confirmed=True, used_at__isnull=True).count()


@dataclass(frozen=True)
class CodeCheck:
    device: Any = None  # the factor that accepted the code
    wait_seconds: int = 0  # >0: the app's codes are refused for this long after wrong ones


def code_check(user: Any, text: str) -> CodeCheck:
    """Check a typed code against the person's authenticator apps (6 digits) or recovery codes.
    Each device is checked under its row lock (django-otp), so one code passes once."""
    code = normalised_code(text)
    if not code:
        return CodeCheck()
    if code.isdigit() and len(code) == 6:
        candidates: list[Any] = list(TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk"))
    else:
        candidates = list(RecoveryCodeDevice.objects.filter(user=user, confirmed=True))
    wait = 0
    for device in candidates:
        allowed, info = device.verify_is_allowed()
        if not allowed and info and info.get("reason") == VerifyNotAllowed.N_FAILED_ATTEMPTS:
            locked_until = info.get("locked_until")
            if locked_until is not None:
                wait = max(wait, int((locked_until - timezone.now()).total_seconds()) + 1)
            continue
        matched = django_otp.verify_token(user, device.persistent_id, code)
        if matched is not None:
            return CodeCheck(device=matched)
    return CodeCheck(wait_seconds=wait)


def second_factor_passed(request: HttpRequest, device: Any) -> None:
    """The session has passed its second factor with ``device``: mark it (django-otp), give it a
    new key (what was a password-only session id is worth nothing now) and move its row."""
    old_key = request.session.session_key
    django_otp.login(request, device)
    request.session.cycle_key()
    if old_key:
        StaffSession.objects.filter(session_key=old_key).update(session_key=request.session.session_key)
    sign_in_failures_clear(request)


def sign_in_failures_clear(request: HttpRequest) -> None:
    """The whole sign-in has succeeded: the failures of this name from this address (wrong
    passwords and wrong codes, django-axes) are forgotten. Not at the password alone
    (``AXES_RESET_ON_SUCCESS`` is off): whoever holds the password would sign in again after each
    few wrong codes and never be locked out."""
    AccessAttempt.objects.filter(
        username=request.user.get_username()[:USERNAME_MAX_LENGTH], ip_address=client_ip_or_none(request)
    ).delete()


def totp_device_new(user: Any) -> TOTPDevice:
    """A new, unconfirmed authenticator-app key for ``user`` (their earlier unconfirmed ones go):
    it becomes a factor when a code from it is typed back."""
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    return TOTPDevice.objects.create(user=user, name="認証アプリ", confirmed=False)


def totp_confirm(device: TOTPDevice, text: str) -> bool:
    """Confirm a new app key by a code from it (single-use like every other)."""
    code = normalised_code(text)
    if not (code.isdigit() and len(code) == 6):
        return False
    with transaction.atomic():
        locked = TOTPDevice.objects.select_for_update().get(pk=device.pk)
        # No wait between tries here: the person typing holds the key already (it is on the page).
        locked.throttle_reset(commit=False)
        if not locked.verify_token(code):
            return False
        locked.confirmed = True
        locked.save(update_fields=["confirmed"])
    device.refresh_from_db()
    return True


def current_code(device: TOTPDevice) -> str:
    """The code the app shows now, or the next step's when this step's was spent (django-otp
    accepts one step either side). For the tests, the benchmark's client and the demo's hint."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    t = totp.t()
    if device.last_t >= t:
        totp.time = (device.last_t + 1) * device.step + device.t0
    return f"{totp.token():0{device.digits}d}"


def recovery_codes_new(user: Any) -> list[str]:
    """Ten new recovery codes for ``user``, shown once; the earlier ones stop working."""
    with transaction.atomic():
        device, _created = RecoveryCodeDevice.objects.get_or_create(
            user=user, defaults={"name": "回復コード", "confirmed": True}
        )
        device.codes.all().delete()
        codes = [
            "".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(RECOVERY_LENGTH))
            for _ in range(RECOVERY_CODE_COUNT)
        ]
        RecoveryCode.objects.bulk_create(
            RecoveryCode(device=device, digest=sha256(code.encode()).hexdigest()) for code in codes
        )
    return [f"{code[:5]}-{code[5:]}" for code in codes]


def factors_reset(user: Any) -> int:
    """Remove every factor of ``user`` and end all their sessions (an administrator's reset, when
    the app, the key and the codes are all lost): the next sign-in enrols a factor afresh.
    Returns how many factors went."""
    with transaction.atomic():
        removed = TOTPDevice.objects.filter(user=user).delete()[0]
        removed += WebAuthnCredential.objects.filter(user=user).delete()[0]
        RecoveryCodeDevice.objects.filter(user=user).delete()
        sessions_end_all(user)
    return removed


@dataclass(frozen=True)
class QrPicture:
    size: int  # modules per side, quiet zone included
    path: str  # SVG path data of the dark modules, one unit square each


def qr_picture(text: str) -> QrPicture:
    """The QR code of ``text`` as SVG path data, drawn by the template (no markup built here)."""
    code = qrcode.QRCode(border=4, error_correction=qrcode.constants.ERROR_CORRECT_M)
    code.add_data(text)
    code.make(fit=True)
    matrix = code.get_matrix()
    path = "".join(f"M{x} {y}h1v1h-1z" for y, row in enumerate(matrix) for x, dark in enumerate(row) if dark)
    return QrPicture(size=len(matrix), path=path)

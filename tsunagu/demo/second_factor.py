"""The demo's and the benchmark's second factors (decision 0033): every demo and benchmark
account has an authenticator app (a TOTP key made when the account is), whose current code is
read from the database by whoever may read it here: the benchmark's HTTP client signing its
personas in, and the demo's hint on the second-factor page (TSUNAGU_DEMO_SECOND_FACTOR_HINT,
refused in production)."""

from typing import Any

from django.contrib.auth import get_user_model
from django_otp.plugins.otp_totp.models import TOTPDevice

from tsunagu.core.mfa import current_code


def app_seed(user: Any, name: str = "デモ用の認証アプリ") -> TOTPDevice:
    """The account's app, made once (a random key)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()
    return device or TOTPDevice.objects.create(user=user, name=name, confirmed=True)


def code_now(username: str) -> str:
    """The code the account's app shows now (one not yet spent)."""
    user = get_user_model().objects.get(username=username)
    device = TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()
    if device is None:
        raise RuntimeError(f"{username} has no authenticator app")
    return current_code(device)

"""The sign-in trail (S7, docs/decisions/0025-sign-in-lockout.md): every sign-in, failed sign-in,
lockout and sign-out (and each wrong second-factor code) is appended to the security log, from
Django's and django-axes' signals, connected in ``AuditConfig.ready()``. The lift of a lockout is
recorded by the admin action that does it (``audit/admin.py``).

Each event carries the name typed (``username``) and, when it names an account, the account;
the address is REMOTE_ADDR, as in every other record. Passwords never reach these receivers'
records (Django cleanses them from ``credentials``)."""

import datetime as dt
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils import timezone

from tsunagu.audit.middleware import security_record
from tsunagu.audit.models import SecurityEvent, SecurityEventKind
from tsunagu.core.middleware import client_ip


def _over_http(request: Any) -> bool:
    """A sign-in made through a request: not the test client's ``force_login``, whose request is
    a bare HttpRequest without a method."""
    return request is not None and request.method is not None


def _account(username: str) -> Any:
    return get_user_model()._default_manager.filter(username=username).first() if username else None


def signed_in(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if _over_http(request):
        security_record(request=request, kind=SecurityEventKind.SIGN_IN, user=user)


def signed_out(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if _over_http(request) and user is not None:
        security_record(request=request, kind=SecurityEventKind.SIGN_OUT, user=user)


def sign_in_failed(sender: Any, credentials: dict[str, Any], request: Any = None, **kwargs: Any) -> None:
    if not _over_http(request):
        return
    username = str(credentials.get("username") or "")[:150]
    # A wrong second-factor code is sent as a failed sign-in too (work/mfa.py), so that the
    # lockout counts it; the log tells the two apart.
    kind = (
        SecurityEventKind.SECOND_FACTOR_FAILED if credentials.get("second_factor") else SecurityEventKind.SIGN_IN_FAILED
    )
    security_record(request=request, kind=kind, user=_account(username), username=username)


def locked_out(sender: Any, request: Any, username: str | None, ip_address: str | None, **kwargs: Any) -> None:
    """django-axes signals a lockout on every refused try while it lasts: the first one of a
    cool-off is recorded, and the first one after an administrator lifted it (a new lockout)."""
    if not _over_http(request):
        return
    name, ip = str(username or "")[:150], client_ip(request)
    since = timezone.now() - settings.AXES_COOLOFF_TIME - dt.timedelta(seconds=1)
    last = (
        SecurityEvent.objects.filter(kind=SecurityEventKind.LOCKED_OUT, username=name, ip=ip, at__gte=since)
        .order_by("-id")
        .first()
    )
    already = (
        last is not None
        and not SecurityEvent.objects.filter(
            kind=SecurityEventKind.UNLOCKED,
            arguments__unlocked_username=name,
            arguments__unlocked_ip=ip,
            id__gt=last.id,
        ).exists()
    )
    if not already:
        security_record(request=request, kind=SecurityEventKind.LOCKED_OUT, user=_account(name), username=name)

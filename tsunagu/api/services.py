"""Issuing, revoking and checking tokens (decision 0037).

A token reads ``tsg_<prefix>_<secret>``. The prefix finds the row; the secret (32 random bytes)
is kept only as its SHA-256: a secret of that strength needs no slow hash, and a stolen table
gives no usable token. The whole token is returned once, by :func:`token_issue`.
"""

import datetime as dt
import hashlib
import hmac
import secrets
from collections.abc import Sequence

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tsunagu.agencies.models import Agency, Membership
from tsunagu.api.models import ApiToken
from tsunagu.api.scopes import SCOPE_ROLES, Scope
from tsunagu.core.types import User

MARK = "tsg"  # the start of every token, so that a leaked one is recognised


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def token_check_issue(
    *, account: User, agency: Agency, scopes: Sequence[str], expires_at: dt.datetime, now: dt.datetime | None = None
) -> None:
    """The rules of a new token; a ValidationError names the field that breaks one."""
    now = now or timezone.now()
    errors: dict[str, str] = {}
    if account.is_staff or account.is_superuser or account.has_usable_password() or not account.is_active:
        errors["user"] = _(
            "トークンは、画面にサインインしないシステム用アカウント（パスワードなし・管理者でない有効なアカウント）にだけ発行できます。"
        )
    memberships = list(Membership.objects.filter(user=account, active=True, agency__active=True))
    if not errors and (len(memberships) != 1 or memberships[0].agency_id != agency.pk):
        errors["agency"] = _("システム用アカウントは、この機関だけに所属している必要があります。")
    unknown = [scope for scope in scopes if scope not in Scope.values]
    if not scopes or unknown:
        errors["scopes"] = _("権限の範囲を選んでください。")
    elif memberships and not errors:
        role = memberships[0].role
        refused = [Scope(scope).label for scope in scopes if role not in SCOPE_ROLES[scope]]
        if refused:
            errors["scopes"] = _("このアカウントの役割では使えない範囲です：%(scopes)s") % {
                "scopes": "、".join(str(label) for label in refused)
            }
    longest = dt.timedelta(days=settings.API_TOKEN_MAX_DAYS)
    if expires_at <= now or expires_at > now + longest:
        errors["expires_at"] = _("有効期限は、今から%(days)s日以内の日時にしてください。") % {
            "days": settings.API_TOKEN_MAX_DAYS
        }
    if errors:
        raise ValidationError(errors)


def token_issue(
    *,
    user: User,
    account: User,
    agency: Agency,
    name: str,
    scopes: Sequence[str],
    expires_at: dt.datetime,
) -> tuple[ApiToken, str]:
    """Issue a token to ``account`` (by the administrator ``user``); returns it and the whole
    token text, which is shown once and never kept."""
    token_check_issue(account=account, agency=agency, scopes=scopes, expires_at=expires_at)
    prefix = secrets.token_hex(6)
    secret = secrets.token_urlsafe(32)
    with transaction.atomic():
        token = ApiToken.objects.create(
            name=name,
            user=account,
            agency=agency,
            prefix=prefix,
            secret_hash=_hash(secret),
            scopes=sorted(set(scopes)),
            created_by=user,
            expires_at=expires_at,
        )
    return token, f"{MARK}_{prefix}_{secret}"


def token_revoke(*, user: User, token: ApiToken) -> ApiToken:
    """Revoke a token for good (a revoked token is kept, with who revoked it, never deleted)."""
    with transaction.atomic():
        ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=timezone.now(), revoked_by=user)
    token.refresh_from_db()
    return token


def token_named(text: str) -> ApiToken | None:
    """The token whose prefix ``text`` carries, whatever its state and secret (for the call log:
    a call with a revoked, expired or forged token of a known prefix is recorded against it)."""
    parts = text.split("_", 2)
    if len(parts) != 3 or parts[0] != MARK or not parts[1] or not parts[2]:
        return None
    return ApiToken.objects.select_related("user", "agency").filter(prefix=parts[1][:16]).first()


def token_valid(token: ApiToken, text: str, *, now: dt.datetime | None = None) -> bool:
    """Whether ``text`` is the usable ``token``: the right secret, not revoked, not expired, its
    account active and its membership and agency switched on. The account rules of the issue
    (:func:`token_check_issue`) are asked again at every call: an account that was given a
    password or made staff, or a second agency, after the token was issued would act beyond what
    was issued. Each failure answers the same."""
    if not hmac.compare_digest(token.secret_hash, _hash(text.split("_", 2)[2])):
        return False
    account = token.user
    if not token.usable(now) or not account.is_active:
        return False
    if account.is_staff or account.is_superuser or account.has_usable_password():
        return False
    agencies = list(
        Membership.objects.filter(user=account, active=True, agency__active=True).values_list("agency_id", flat=True)
    )
    return agencies == [token.agency_id]


def token_used(*, token_id: int, at: dt.datetime) -> None:
    ApiToken.objects.filter(pk=token_id).update(last_used_at=at)

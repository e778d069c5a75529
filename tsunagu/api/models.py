"""Tokens of the agencies' systems and the record of every call (decision 0037).

A token belongs to one **system account** (an ordinary user of one agency, made for that
agency's system, that never signs in on the screen) and acts with that account's memberships,
through the same doors as a person. Only a hash of its secret is kept: the token is shown once,
when an administrator issues it.
"""

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tsunagu.agencies.models import Agency


class ApiToken(models.Model):
    name = models.CharField(_("名前（どの機関のどのシステムか）"), max_length=100)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="api_tokens", verbose_name=_("システム用アカウント")
    )
    agency = models.ForeignKey(Agency, models.PROTECT, related_name="api_tokens", verbose_name=_("機関"))
    # The public part of the token, by which it is found; the secret part is kept only as a hash.
    prefix = models.CharField(_("識別子"), max_length=16, unique=True, editable=False)
    secret_hash = models.CharField(max_length=64, editable=False)
    scopes = models.JSONField(_("権限の範囲"), default=list)
    created_at = models.DateTimeField(_("発行日時"), default=timezone.now, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", null=True, verbose_name=_("発行した管理者")
    )
    expires_at = models.DateTimeField(_("有効期限"))
    revoked_at = models.DateTimeField(_("失効日時"), null=True, blank=True, editable=False)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        editable=False,
        verbose_name=_("失効させた管理者"),
    )
    last_used_at = models.DateTimeField(_("最後に使われた日時"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("APIトークン")
        verbose_name_plural = _("APIトークン")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix})"

    def usable(self, now: dt.datetime | None = None) -> bool:
        now = now or timezone.now()
        return self.revoked_at is None and self.expires_at > now


class ApiCall(models.Model):
    """One call made with a token: who (the token), when, what (method, path, status), from where.
    The personal data read or written is in the access events (``audit.AccessEvent``) as for the
    screens; this is the token's own trail, kept for the rate and for questions about a system."""

    token = models.ForeignKey(ApiToken, models.PROTECT, related_name="calls", verbose_name=_("トークン"))
    at = models.DateTimeField(_("日時"), default=timezone.now, db_index=True)
    method = models.CharField(_("メソッド"), max_length=10)
    path = models.CharField(_("パス"), max_length=300)
    status = models.PositiveSmallIntegerField(_("応答"))
    ip = models.GenericIPAddressField(_("アドレス"), null=True, blank=True)

    class Meta:
        verbose_name = _("API呼び出し")
        verbose_name_plural = _("API呼び出し")
        indexes = [models.Index(fields=["token", "-at"], name="apicall_token_at")]

    def __str__(self) -> str:
        return f"{self.method} {self.path} {self.status}"

from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.encoding import force_str
from django.utils.translation import gettext_lazy as _
from django_otp.models import Device, TimestampMixin


def choice_labels(field: Any) -> dict[Any, Any]:
    """The field's choices as a dict of value → (lazy) label, built once per field."""
    labels = field.__dict__.get("_tsunagu_choice_labels")
    if labels is None:
        labels = field._tsunagu_choice_labels = dict(field.flatchoices)
    return labels


class ChoiceLabels:
    """``get_FOO_display`` from a dict built once per field. Django's own builds a dict of every
    choice on each call and hashes the labels to do so, which translates every lazy label: a list
    of 50 rows with a 15-choice field translated 750 labels to show 50 (issue 10). The result is the
    same: the label of the value, translated now, or the value itself when it is not a choice."""

    def _get_FIELD_display(self, field: Any) -> Any:
        value = getattr(self, field.attname)
        try:
            label = choice_labels(field).get(value, value)
        except TypeError:  # an unhashable value (never a choice): Django's own lookup
            return super()._get_FIELD_display(field)  # type: ignore[misc]
        return force_str(label, strings_only=True)


class BaseModel(ChoiceLabels, models.Model):
    """Who made and last changed a record, when, and a version for optimistic locking (R2).

    ``version`` is raised by :func:`tsunagu.core.services.save_versioned`; a save that carries a
    stale version is refused instead of overwriting somebody else's change.
    """

    created_at = models.DateTimeField(_("作成日時"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("作成者"),
    )
    updated_at = models.DateTimeField(_("更新日時"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("更新者"),
    )
    version = models.PositiveIntegerField(_("版"), default=1)

    class Meta:
        abstract = True


class IdempotencyKey(models.Model):
    """One submitted form: a second submission with the same key finds the first record (R3)."""

    key = models.UUIDField(unique=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, null=True, related_name="+")
    object_type = models.CharField(max_length=60)
    object_id = models.BigIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.key} → {self.object_type}:{self.object_id}"


class StaffSession(models.Model):
    """A signed-in session of a staff member, so that they can see where they are signed in and
    end a session (docs/quality.md S8): written at sign-in (``core.sessions``), removed at
    sign-out and when ended. The session itself stays in Django's session table; a row whose
    session has gone (expired, ended elsewhere) is not shown and is removed when the list is read."""

    session_key = models.CharField(_("セッション"), max_length=40, unique=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.CASCADE, related_name="staff_sessions", verbose_name=_("職員")
    )
    signed_in_at = models.DateTimeField(_("ログインした日時"), auto_now_add=True)
    ip = models.CharField(_("接続元"), max_length=45, blank=True)
    user_agent = models.CharField(_("ブラウザ"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("ログイン中の端末")
        verbose_name_plural = _("ログイン中の端末")
        indexes = [models.Index(fields=["user", "signed_in_at"], name="staffsession_user")]

    def __str__(self) -> str:
        return f"{self.user_id} {self.signed_in_at:%Y-%m-%d %H:%M}"


class RecoveryCodeDevice(TimestampMixin, Device):
    """A person's one-time recovery codes, as one django-otp device (docs/quality.md S6): the way
    in when the authenticator app or the security key is lost. Ten codes are shown once, when
    made; only their SHA-256 digests are kept (each code carries 50 random bits, so a digest
    cannot be guessed back), and a code is spent by the one UPDATE that marks it used."""

    class Meta:
        verbose_name = _("回復コード")
        verbose_name_plural = _("回復コード")

    def verify_token(self, token: Any) -> bool:
        from tsunagu.core.mfa import recovery_digest  # the code's form lives with the rest of it

        digest = recovery_digest(str(token))
        if not digest:
            return False
        spent = RecoveryCode.objects.filter(device=self, digest=digest, used_at__isnull=True).update(
            used_at=timezone.now()
        )
        if spent:
            self.set_last_used_timestamp(commit=True)
        return bool(spent)


class RecoveryCode(models.Model):
    device = models.ForeignKey(RecoveryCodeDevice, models.CASCADE, related_name="codes")
    digest = models.CharField(max_length=64)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["device", "digest"], name="recoverycode_unique")]

    def __str__(self) -> str:
        return f"{self.device_id}: {'used' if self.used_at else 'unused'}"

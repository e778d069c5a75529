from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class BaseModel(models.Model):
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

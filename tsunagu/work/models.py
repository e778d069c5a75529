"""The retention job's report (decision 0031). Work is the top floor: it may read every app."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class RetentionRun(models.Model):
    """One run of ``manage.py retention``: a dry run (what would be removed) or an applied one
    (what was removed), with counts per kind and the ids of the cases and consultations."""

    started_at = models.DateTimeField(_("開始日時"))
    finished_at = models.DateTimeField(_("終了日時"), null=True, blank=True)
    applied = models.BooleanField(_("実行した（試行ではない）"), default=False)
    case_cutoff = models.DateTimeField(_("この日時より前に終結したケースが対象"))
    consultation_cutoff = models.DateTimeField(_("この日時より前に受け付けた相談が対象"))
    counts = models.JSONField(_("種類ごとの件数"), default=dict)
    case_ids = models.JSONField(_("対象のケースID"), default=list)
    consultation_ids = models.JSONField(_("対象の相談ID"), default=list)
    held_case_ids = models.JSONField(_("保存の指示で除いたケースID"), default=list)

    class Meta:
        ordering = ["-started_at", "-pk"]
        verbose_name = _("保存期間の処理")
        verbose_name_plural = _("保存期間の処理")

    def __str__(self) -> str:
        return f"{self.started_at:%Y-%m-%d %H:%M} {'apply' if self.applied else 'dry run'}"

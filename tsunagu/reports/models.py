"""What the reports app keeps: a council meeting's snapshot of a report (issue 13 item 6)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tsunagu.meetings.models import Meeting


class ReportSnapshot(models.Model):
    """The published tables of one report section as they were on the day they were attached to
    a council meeting (連絡協議会・庁内調整会議). Only what was published is kept (withheld entries
    stay ＊): a snapshot holds no person and no true small count. Never changed afterwards."""

    meeting = models.ForeignKey(Meeting, models.PROTECT, related_name="+", verbose_name=_("会議"))
    section = models.CharField(_("区分"), max_length=20)
    title = models.CharField(_("表題"), max_length=200)
    period_start = models.DateField(_("期間の初日"))
    period_end = models.DateField(_("期間の末日"))
    period_label = models.CharField(_("期間"), max_length=100)
    scope_kind = models.CharField(_("範囲の種類"), max_length=10)
    scope_id = models.BigIntegerField(_("範囲"), null=True, blank=True)
    scope_label = models.CharField(_("範囲の名称"), max_length=120)
    as_of = models.DateField(_("基準日"))
    threshold = models.PositiveSmallIntegerField(_("非表示にする値の基準"))
    tables = models.JSONField(_("表"))
    taken_at = models.DateTimeField(_("添付日時"))
    taken_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("添付者"))

    class Meta:
        ordering = ["-taken_at", "-pk"]
        indexes = [models.Index(fields=["meeting", "taken_at"], name="reportsnapshot_meeting")]
        verbose_name = _("会議資料（統計）")
        verbose_name_plural = _("会議資料（統計）")

    def __str__(self) -> str:
        return f"{self.title} {self.taken_at:%Y-%m-%d}"

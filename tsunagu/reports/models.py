"""What the reports app keeps (issue 13): the estimates the secretariat enters for the survey's
「把握率」, and the report snapshots kept with council meetings. Neither is personal data."""

from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from tsunagu.core.models import BaseModel
from tsunagu.meetings.models import Meeting


class PrevalenceEstimate(BaseModel):
    """One age group's estimated number of people in withdrawal: the ward's population of that
    age × a national rate (内閣府 survey), both entered by the secretariat. Not personal data."""

    label = models.CharField(_("区分の名称"), max_length=40, help_text=_("例：15〜39歳"))
    age_low = models.PositiveSmallIntegerField(_("年齢の下限"), validators=[MaxValueValidator(120)])
    age_high = models.PositiveSmallIntegerField(
        _("年齢の上限"), null=True, blank=True, validators=[MaxValueValidator(120)], help_text=_("空欄は上限なし")
    )
    population = models.PositiveIntegerField(_("区の人口（この年齢）"), validators=[MaxValueValidator(10_000_000)])
    rate_percent = models.DecimalField(
        _("出現率（％）"),
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
    )
    note = models.CharField(_("出典・備考"), max_length=200, blank=True)

    class Meta:
        ordering = ["age_low", "pk"]
        verbose_name = _("推計の前提")
        verbose_name_plural = _("推計の前提")

    def __str__(self) -> str:
        return self.label

    @property
    def estimated(self) -> int:
        """population × rate ÷ 100, rounded half up to whole people."""
        value = Decimal(self.population) * self.rate_percent / 100
        return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


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

"""What the secretariat enters for the reports (issue 13 item 3): the estimates that the survey's
「把握率」 divides by."""

from decimal import ROUND_HALF_UP, Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from tsunagu.core.models import BaseModel


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

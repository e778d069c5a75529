"""Support plans: goals for the person, the family and the household, with actions; approved by a
supervisor; every version kept."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tsunagu.agencies.models import Agency
from tsunagu.cases.models import Case
from tsunagu.core.models import BaseModel
from tsunagu.people.models import Person


class PlanStatus(models.TextChoices):
    DRAFT = "draft", _("作成中")
    SUBMITTED = "submitted", _("承認待ち")
    RETURNED = "returned", _("差し戻し")
    APPROVED = "approved", _("承認済み")
    SUPERSEDED = "superseded", _("新しい版に置き換え")


class GoalTarget(models.TextChoices):
    PERSON = "person", _("本人")
    FAMILY = "family", _("家族")
    HOUSEHOLD = "household", _("世帯")


class GoalStatus(models.TextChoices):
    OPEN = "open", _("取り組み中")
    ACHIEVED = "achieved", _("達成")
    DROPPED = "dropped", _("見直し・中止")


class SupportPlan(BaseModel):
    case = models.ForeignKey(Case, models.PROTECT, related_name="plans", verbose_name=_("ケース"))
    number = models.PositiveIntegerField(_("版"))
    supersedes = models.OneToOneField(
        "self", models.PROTECT, null=True, blank=True, related_name="superseded_by", verbose_name=_("前の版")
    )
    status = models.CharField(_("状態"), max_length=12, choices=PlanStatus.choices, default=PlanStatus.DRAFT)
    review_on = models.DateField(_("見直し予定日"))
    submitted_at = models.DateTimeField(_("提出日時"), null=True, blank=True)
    decided_at = models.DateTimeField(_("承認・差し戻し日時"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("承認者")
    )
    comment = models.TextField(_("スーパーバイザーのコメント"), blank=True, max_length=2000)

    class Meta:
        ordering = ["case", "-number"]
        constraints = [models.UniqueConstraint(fields=["case", "number"], name="plan_case_number")]
        # The plans waiting for a supervisor (the work page, plans.selectors.plans_to_approve).
        indexes = [
            models.Index(
                fields=["submitted_at", "id", "case"], name="plan_submitted", condition=models.Q(status="submitted")
            )
        ]
        verbose_name = _("支援計画")
        verbose_name_plural = _("支援計画")

    def __str__(self) -> str:
        return f"{self.case.number} 第{self.number}版"


class Goal(models.Model):
    plan = models.ForeignKey(SupportPlan, models.CASCADE, related_name="goals", verbose_name=_("計画"))
    order = models.PositiveSmallIntegerField(_("順番"), default=0)
    target = models.CharField(_("対象"), max_length=10, choices=GoalTarget.choices)
    person = models.ForeignKey(Person, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("本人"))
    text = models.CharField(_("目標"), max_length=300)
    status = models.CharField(_("状態"), max_length=10, choices=GoalStatus.choices, default=GoalStatus.OPEN)
    action = models.CharField(_("具体的な支援"), max_length=300, blank=True)
    owner = models.ForeignKey(
        Agency, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("担当機関")
    )
    due_on = models.DateField(_("期日"), null=True, blank=True)

    class Meta:
        ordering = ["plan", "order", "pk"]
        verbose_name = _("目標")
        verbose_name_plural = _("目標")

    def __str__(self) -> str:
        return self.text

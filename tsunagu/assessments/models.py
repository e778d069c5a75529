"""Instruments (versioned definitions as data) and the assessments made with them."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tsunagu.cases.models import Case
from tsunagu.core.models import BaseModel
from tsunagu.people.models import Person


class Target(models.TextChoices):
    PERSON = "person", _("本人")
    FAMILY = "family", _("家族")


class Instrument(models.Model):
    """One version of an instrument. Never edited once loaded: a change is a new version, so
    assessments made with an old version keep meaning what they meant."""

    code = models.SlugField(_("コード"), max_length=60)
    version = models.PositiveIntegerField(_("版"))
    name = models.CharField(_("名称"), max_length=100)
    target = models.CharField(_("対象"), max_length=10, choices=Target.choices)
    definition = models.JSONField(_("定義"))
    loaded_at = models.DateTimeField(_("読み込み日時"), auto_now_add=True)
    active = models.BooleanField(_("新しいアセスメントに使う"), default=True)

    class Meta:
        ordering = ["code", "-version"]
        constraints = [models.UniqueConstraint(fields=["code", "version"], name="instrument_code_version")]
        verbose_name = _("アセスメント様式")
        verbose_name_plural = _("アセスメント様式")

    def __str__(self) -> str:
        return f"{self.name}（第{self.version}版）"


PATHWAY_ITEM = "pathway"  # the standard sheet's 「きっかけ（複数可）」 item (instruments/)


class AssessmentStatus(models.TextChoices):
    DRAFT = "draft", _("下書き")
    COMPLETE = "complete", _("完了")


class Assessment(BaseModel):
    case = models.ForeignKey(Case, models.PROTECT, related_name="assessments", verbose_name=_("ケース"))
    person = models.ForeignKey(
        Person, models.PROTECT, null=True, blank=True, related_name="assessments", verbose_name=_("本人")
    )
    instrument = models.ForeignKey(Instrument, models.PROTECT, related_name="assessments", verbose_name=_("様式"))
    target = models.CharField(_("対象"), max_length=10, choices=Target.choices)
    status = models.CharField(
        _("状態"), max_length=10, choices=AssessmentStatus.choices, default=AssessmentStatus.DRAFT
    )
    assessed_on = models.DateField(_("実施日"))
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("実施者")
    )
    answers = models.JSONField(_("回答"), default=dict)
    scores = models.JSONField(_("得点"), default=dict)
    # Denormalised from the answers for charts and statistics.
    going_out = models.PositiveSmallIntegerField(_("外出の状況"), null=True, blank=True)
    support_stage = models.PositiveSmallIntegerField(_("支援段階"), null=True, blank=True)
    # The answer to the 「きっかけ」 item as text (what SQL's ``answers ->> 'pathway'`` gives: a JSON
    # list; empty without an answer), kept beside the answers so that the survey reads it from the index below.
    pathway = models.TextField(_("きっかけ（集計用）"), blank=True, default="")

    class Meta:
        ordering = ["-assessed_on", "-pk"]
        indexes = [
            # A person's sheets newest first; covering what the survey reads of the latest complete
            # one (docs/quality.md P4): an index-only probe per person known, no table read.
            models.Index(
                fields=["person", "assessed_on", "id"],
                include=["status", "instrument", "support_stage", "pathway"],
                name="assessment_person_latest",
            )
        ]
        verbose_name = _("アセスメント")
        verbose_name_plural = _("アセスメント")

    def __str__(self) -> str:
        return f"{self.instrument} {self.assessed_on}"

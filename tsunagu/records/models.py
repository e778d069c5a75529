"""Progress records (支援経過記録). Never deleted: a correction keeps the earlier text."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tsunagu.cases.models import Case
from tsunagu.core.models import BaseModel
from tsunagu.people.models import Person


class Method(models.TextChoices):
    PHONE = "phone", _("電話")
    VISIT_OFFICE = "office", _("来所")
    HOME_VISIT = "home_visit", _("訪問")
    OUTREACH = "outreach", _("アウトリーチ")
    EMAIL = "email", _("メール")
    SNS = "sns", _("SNS")
    ONLINE = "online", _("オンライン")
    ACCOMPANY = "accompany", _("同行")
    MEETING = "meeting", _("会議")
    PLACE = "place", _("居場所・プログラム")


class ProgressRecord(BaseModel):
    case = models.ForeignKey(Case, models.PROTECT, related_name="records", verbose_name=_("ケース"))
    persons = models.ManyToManyField(Person, related_name="records", verbose_name=_("対象の人"))
    occurred_on = models.DateField(_("日付"))
    method = models.CharField(_("方法"), max_length=20, choices=Method.choices)
    reached = models.BooleanField(_("本人・家族と会えた／話せた"), default=True)
    summary = models.TextField(_("内容"), max_length=4000)
    next_action = models.CharField(_("次の対応"), max_length=300, blank=True)
    next_action_on = models.DateField(_("次の対応の予定日"), null=True, blank=True)
    # Withdrawn (a named attendance recorded by mistake, places.services.named_remove): kept, with
    # its revision, but no longer part of the case's work state (decision 0017): neither a contact,
    # nor an unanswered outreach, nor the latest record's next action.
    withdrawn = models.BooleanField(_("取り消し"), default=False, db_default=False, editable=False)

    class Meta:
        verbose_name = _("支援経過記録")
        verbose_name_plural = _("支援経過記録")
        indexes = [
            models.Index(fields=["case", "-occurred_on"], name="record_case_date"),
            # A case's first contact (the statistics' "consultation to first support"): the records
            # that reached the person and stand, so the probe reads the index only.
            models.Index(
                fields=["case", "occurred_on"],
                condition=models.Q(reached=True, withdrawn=False),
                name="record_case_first_contact",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.occurred_on} {self.get_method_display()}"


class ProgressRecordRevision(models.Model):
    """The text of a record as it was before a correction (append-only)."""

    record = models.ForeignKey(ProgressRecord, models.CASCADE, related_name="revisions")
    version = models.PositiveIntegerField()
    snapshot = models.JSONField()
    reason = models.CharField(_("訂正の理由"), max_length=300)
    corrected_at = models.DateTimeField(auto_now_add=True)
    corrected_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-version"]
        constraints = [models.UniqueConstraint(fields=["record", "version"], name="record_revision_once")]

    def __str__(self) -> str:
        return f"{self.record_id} v{self.version}"

"""Meetings: case conferences that share a case under a recorded basis, and councils that steer.

A case meeting (支援会議, 重層的支援会議, 支援調整会議, ケース会議) discusses cases; the attending
agencies see those cases' summaries under the meeting's basis. Councils (連絡協議会, 庁内調整会議)
and family-association meetings carry no personal data. Decisions may carry an action item with an
owner and a due date, shown on the owner's work page until done.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tsunagu.agencies.models import Agency
from tsunagu.cases.models import Case, SharingBasis
from tsunagu.core.models import BaseModel


class MeetingKind(models.TextChoices):
    SUPPORT_ART9 = "support_art9", _("支援会議（生活困窮者自立支援法第9条）")
    SUPPORT_ART106_6 = "support_art106_6", _("支援会議（社会福祉法第106条の6）")
    JUSOU = "jusou", _("重層的支援会議")
    COORDINATION = "coordination", _("支援調整会議")
    CASE_CONFERENCE = "case_conference", _("ケース会議")
    LIAISON_COUNCIL = "liaison_council", _("連絡協議会")
    INTERNAL = "internal", _("庁内調整会議")
    FAMILY = "family", _("家族会")


# The sharing basis a kind of case meeting gives (docs/domain.md §6): the two statutory 支援会議 share
# without consent; the others work with the person's consent.
KIND_BASIS = {
    MeetingKind.SUPPORT_ART9: SharingBasis.MEETING_ART9,
    MeetingKind.SUPPORT_ART106_6: SharingBasis.MEETING_ART106_6,
    MeetingKind.JUSOU: SharingBasis.CONSENT,
    MeetingKind.COORDINATION: SharingBasis.CONSENT,
    MeetingKind.CASE_CONFERENCE: SharingBasis.CONSENT,
}
CASE_KINDS = frozenset(KIND_BASIS)
# Councils are the secretariat's: it alone creates and writes them; they carry no personal data.
COUNCIL_KINDS = frozenset({MeetingKind.LIAISON_COUNCIL, MeetingKind.INTERNAL})


class Meeting(BaseModel):
    kind = models.CharField(_("会議の種類"), max_length=20, choices=MeetingKind.choices)
    title = models.CharField(_("件名"), max_length=200)
    held_at = models.DateTimeField(_("日時"))
    place = models.CharField(_("場所"), max_length=200, blank=True)
    organiser = models.ForeignKey(Agency, models.PROTECT, related_name="+", verbose_name=_("主催機関"))
    agencies = models.ManyToManyField(Agency, related_name="meetings", verbose_name=_("出席機関"))
    attendees = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="meetings", blank=True, verbose_name=_("出席した職員")
    )
    other_attendees = models.CharField(
        _("その他の出席者"), max_length=300, blank=True, help_text=_("例：民生委員、本人の母親")
    )
    minutes = models.TextField(_("議事録"), max_length=20000, blank=True)

    class Meta:
        ordering = ["-held_at", "-pk"]
        verbose_name = _("会議")
        verbose_name_plural = _("会議")
        indexes = [models.Index(fields=["held_at"], name="meeting_held_at")]

    def __str__(self) -> str:
        return self.title

    @property
    def discusses_cases(self) -> bool:
        return self.kind in CASE_KINDS

    @property
    def is_council(self) -> bool:
        return self.kind in COUNCIL_KINDS

    @property
    def sharing_basis(self) -> str:
        return KIND_BASIS.get(MeetingKind(self.kind), "")

    def get_sharing_basis_display(self) -> str:
        basis = self.sharing_basis
        return str(SharingBasis(basis).label) if basis else ""


class MeetingCase(models.Model):
    meeting = models.ForeignKey(Meeting, models.CASCADE, related_name="discussed", verbose_name=_("会議"))
    case = models.ForeignKey(Case, models.PROTECT, related_name="meetings", verbose_name=_("ケース"))
    added_at = models.DateTimeField(_("追加日時"))
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("追加した職員")
    )

    class Meta:
        verbose_name = _("検討したケース")
        verbose_name_plural = _("検討したケース")
        constraints = [models.UniqueConstraint(fields=["meeting", "case"], name="meeting_case_once")]

    def __str__(self) -> str:
        return f"{self.meeting} / {self.case}"


class Decision(BaseModel):
    """A decision of a meeting; with an owner and a due date it is also an action item."""

    meeting = models.ForeignKey(Meeting, models.CASCADE, related_name="decisions", verbose_name=_("会議"))
    case = models.ForeignKey(
        Case, models.PROTECT, null=True, blank=True, related_name="decisions", verbose_name=_("ケース")
    )
    text = models.CharField(_("決定事項"), max_length=500)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="actions",
        verbose_name=_("担当者"),
    )
    due_on = models.DateField(_("期日"), null=True, blank=True)
    done_at = models.DateTimeField(_("完了日時"), null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("完了にした職員"),
    )

    class Meta:
        ordering = ["pk"]
        verbose_name = _("決定事項")
        verbose_name_plural = _("決定事項")
        indexes = [models.Index(fields=["owner", "done_at", "due_on"], name="decision_owner_open")]

    def __str__(self) -> str:
        return self.text

    @property
    def is_action(self) -> bool:
        return self.owner_id is not None

"""The support case on a household, with its team of agencies (minimal here; built out next)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from tsunagu.agencies.models import Agency, TeamRole
from tsunagu.core.models import BaseModel
from tsunagu.people.models import Household


class CaseStatus(models.TextChoices):
    RECEIVED = "received", _("受付")
    ACTIVE = "active", _("支援中")
    WATCHING = "watching", _("見守り")
    CLOSED = "closed", _("終結")


class SharingBasis(models.TextChoices):
    """The ground on which an agency receives a person's data (DOMAIN.md §6)."""

    CONSENT = "consent", _("本人（または家族）の同意")
    MEETING_ART9 = "meeting_art9", _("支援会議（生活困窮者自立支援法第9条）")
    MEETING_ART106_6 = "meeting_art106_6", _("支援会議（社会福祉法第106条の6）")
    VITAL_INTEREST = "vital_interest", _("生命・身体の保護のため（同意を得ることが困難）")
    OTHER_LAW = "other_law", _("その他の法令に基づく")


class Case(BaseModel):
    household = models.ForeignKey(Household, models.PROTECT, related_name="cases", verbose_name=_("世帯"))
    status = models.CharField(_("状態"), max_length=10, choices=CaseStatus.choices, default=CaseStatus.RECEIVED)
    opened_at = models.DateTimeField(_("開始日時"))
    closed_at = models.DateTimeField(_("終結日時"), null=True, blank=True)

    class Meta:
        verbose_name = _("支援ケース")
        verbose_name_plural = _("支援ケース")
        indexes = [models.Index(fields=["status", "opened_at"], name="case_status_opened")]

    def __str__(self) -> str:
        return self.number

    @property
    def number(self) -> str:
        return f"K-{self.pk:06d}" if self.pk else "K-新規"

    def lead(self) -> "CaseAgency | None":
        for member in self.team.all():
            if member.role == TeamRole.LEAD and member.until is None:
                return member
        return None


class CaseAgency(models.Model):
    case = models.ForeignKey(Case, models.CASCADE, related_name="team", verbose_name=_("ケース"))
    agency = models.ForeignKey(Agency, models.PROTECT, related_name="case_memberships", verbose_name=_("機関"))
    role = models.CharField(_("役割"), max_length=10, choices=TeamRole.choices)
    since = models.DateField(_("開始日"))
    until = models.DateField(_("終了日"), null=True, blank=True)
    sharing_basis = models.CharField(_("情報共有の根拠"), max_length=20, choices=SharingBasis.choices)

    class Meta:
        verbose_name = _("ケースの担当機関")
        verbose_name_plural = _("ケースの担当機関")
        indexes = [models.Index(fields=["agency", "until", "case"], name="caseagency_agency_open")]
        constraints = [
            models.UniqueConstraint(
                fields=["case"], condition=models.Q(role="lead", until__isnull=True), name="case_one_open_lead"
            )
        ]

    def __str__(self) -> str:
        return f"{self.case} / {self.agency} ({self.get_role_display()})"

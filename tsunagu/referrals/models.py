"""Referrals (つなぎ): one agency hands a person on to another, and always gets an answer.

A referral shares a summary written for the receiver, under a recorded sharing basis. Until it
answers, the receiving agency sees that summary and nothing else of the case; accepting makes it
a member of the case team. Every change of state is a ``ReferralEvent`` (append-only).
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tsunagu.agencies.models import Agency
from tsunagu.cases.models import Case, CaseAgency, Consent, SharingBasis
from tsunagu.core.models import BaseModel


class ReferralStatus(models.TextChoices):
    REQUESTED = "requested", _("依頼中")
    ACCEPTED = "accepted", _("受理")
    FIRST_MET = "first_met", _("初回面談済")
    DECLINED = "declined", _("辞退")
    WITHDRAWN = "withdrawn", _("取下げ")


class DeclineReason(models.TextChoices):
    OUT_OF_SCOPE = "out_of_scope", _("対象外（年齢・地域・分野）")
    BETTER_ELSEWHERE = "better_elsewhere", _("他の機関のほうが適している")
    NO_CAPACITY = "no_capacity", _("いまは受け入れられない（体制）")
    NO_CONSENT = "no_consent", _("本人・家族の同意が確認できない")
    NOT_ENOUGH = "not_enough", _("情報が足りない")
    OTHER = "other", _("その他")


class Referral(BaseModel):
    case = models.ForeignKey(Case, models.PROTECT, related_name="referrals", verbose_name=_("ケース"))
    person = models.ForeignKey(
        "people.Person", models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("つなぐ人")
    )
    from_agency = models.ForeignKey(Agency, models.PROTECT, related_name="referrals_sent", verbose_name=_("依頼元"))
    to_agency = models.ForeignKey(Agency, models.PROTECT, related_name="referrals_received", verbose_name=_("依頼先"))
    reason = models.CharField(_("つなぐ理由"), max_length=300)
    summary = models.TextField(_("依頼先に伝える概要"), max_length=2000)
    sharing_basis = models.CharField(_("情報共有の根拠"), max_length=20, choices=SharingBasis.choices)
    basis_note = models.CharField(_("根拠の補足（法令名など）"), max_length=200, blank=True)
    consent = models.ForeignKey(
        Consent, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("同意")
    )
    accompanied = models.BooleanField(_("同行してつなぐ"), default=False)
    requested_at = models.DateTimeField(_("依頼日時"))
    due_on = models.DateField(_("回答期限"))
    status = models.CharField(
        _("状態"), max_length=12, choices=ReferralStatus.choices, default=ReferralStatus.REQUESTED
    )
    decline_reason = models.CharField(_("辞退の理由"), max_length=20, choices=DeclineReason.choices, blank=True)
    answer_comment = models.TextField(_("回答のコメント"), max_length=1000, blank=True)
    answered_at = models.DateTimeField(_("回答日時"), null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("回答者")
    )
    first_met_on = models.DateField(_("初回面談日"), null=True, blank=True)
    withdrawn_at = models.DateTimeField(_("取下げ日時"), null=True, blank=True)
    question_open = models.BooleanField(_("依頼元の返答待ちの質問"), default=False)
    escalated_at = models.DateTimeField(_("期限超過の連絡日時"), null=True, blank=True)
    sender_seen_at = models.DateTimeField(_("依頼元が回答を確認した日時"), null=True, blank=True)
    member = models.ForeignKey(
        CaseAgency, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("加わった担当機関")
    )

    class Meta:
        ordering = ["-requested_at", "-pk"]
        verbose_name = _("つなぎ")
        verbose_name_plural = _("つなぎ")
        indexes = [
            models.Index(fields=["to_agency", "status", "due_on"], name="referral_inbox"),
            models.Index(fields=["from_agency", "status"], name="referral_outbox"),
            models.Index(fields=["status", "due_on"], name="referral_due"),
            # The inbox's newest-first pages (referrals.selectors.INBOX_SORTS).
            models.Index(fields=["to_agency", "-requested_at", "-id"], name="referral_received_newest"),
            models.Index(fields=["from_agency", "-requested_at", "-id"], name="referral_sent_newest"),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def number(self) -> str:
        return f"T-{self.pk:06d}" if self.pk else "T-新規"

    @property
    def is_open(self) -> bool:
        return self.status == ReferralStatus.REQUESTED

    @property
    def answered(self) -> bool:
        return self.status in (ReferralStatus.ACCEPTED, ReferralStatus.FIRST_MET, ReferralStatus.DECLINED)


class ReferralEventKind(models.TextChoices):
    SENT = "sent", _("依頼")
    QUESTION = "question", _("質問")
    REPLY = "reply", _("質問への返答")
    ACCEPTED = "accepted", _("受理")
    DECLINED = "declined", _("辞退")
    FIRST_MET = "first_met", _("初回面談")
    WITHDRAWN = "withdrawn", _("取下げ")
    ESCALATED = "escalated", _("期限超過の連絡")
    SEEN = "seen", _("依頼元が回答を確認")


class ReferralEvent(models.Model):
    """One change of a referral's state, or one message between the two agencies (append-only)."""

    referral = models.ForeignKey(Referral, models.CASCADE, related_name="events", verbose_name=_("つなぎ"))
    at = models.DateTimeField(_("日時"))
    kind = models.CharField(_("種類"), max_length=12, choices=ReferralEventKind.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("職員")
    )
    text = models.TextField(_("内容"), max_length=1000, blank=True)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("つなぎの経過")
        verbose_name_plural = _("つなぎの経過")

    def __str__(self) -> str:
        return f"{self.referral} {self.get_kind_display()}"

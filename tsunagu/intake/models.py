"""Consultations (相談受付) and the desk's triage of them."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tsunagu.agencies.models import Agency
from tsunagu.cases.models import Case
from tsunagu.core.models import BaseModel
from tsunagu.people.models import Household, Person


class Channel(models.TextChoices):
    PHONE = "phone", _("電話")
    VISIT = "visit", _("来所")
    EMAIL = "email", _("メール")
    LETTER = "letter", _("手紙")
    ONLINE_FORM = "online_form", _("オンライン相談フォーム")
    OUTREACH = "outreach", _("アウトリーチ")
    AGENCY = "agency", _("関係機関から")


class ContactType(models.TextChoices):
    SELF = "self", _("本人")
    FAMILY = "family", _("家族")
    AGENCY = "agency", _("関係機関")
    NEIGHBOUR = "neighbour", _("近隣・民生委員")
    OTHER = "other", _("その他")


class FamilyRelation(models.TextChoices):
    MOTHER = "mother", _("母")
    FATHER = "father", _("父")
    SIBLING = "sibling", _("きょうだい")
    SPOUSE = "spouse", _("配偶者")
    CHILD = "child", _("子")
    GRANDPARENT = "grandparent", _("祖父母")
    RELATIVE = "relative", _("その他の親族")


class Concern(models.TextChoices):
    """The concern checklist of the 相談受付票 (docs/domain.md §5)."""

    ILLNESS = "illness", _("病気・障害")
    HOUSING = "housing", _("住まい")
    INCOME = "income", _("収入・生活費")
    RENT = "rent", _("家賃・ローン")
    TAX = "tax", _("税・公共料金")
    DEBT = "debt", _("債務")
    JOB_SEARCH = "job_search", _("仕事探し")
    WORK = "work", _("仕事上の不安")
    COMMUNITY = "community", _("地域との関係")
    FAMILY = "family", _("家族関係")
    CHILDCARE = "childcare", _("子育て")
    CARE = "care", _("介護")
    WITHDRAWAL = "withdrawal", _("ひきこもり・不登校")
    ABUSE = "abuse", _("DV・虐待")
    FOOD = "food", _("食べるものがない")
    OTHER = "other", _("その他")


class ContactPreference(models.TextChoices):
    MAY_CONTACT = "may_contact", _("連絡してよい")
    NO_CONTACT = "no_contact", _("連絡は不要（情報だけほしい）")


class Screening(models.TextChoices):
    CONTINUE = "continue", _("継続支援")
    REFER = "refer", _("他機関へ紹介")
    INFO_ONLY = "info_only", _("情報提供のみ")


class Source(models.TextChoices):
    DESK = "desk", _("窓口で記録")
    PUBLIC_FORM = "public_form", _("オンライン相談フォーム")


class Consultation(BaseModel):
    reference_code = models.CharField(_("受付番号"), max_length=20, unique=True)
    source = models.CharField(_("登録元"), max_length=20, choices=Source.choices, default=Source.DESK)
    received_at = models.DateTimeField(_("受付日時"))
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("受付者")
    )
    channel = models.CharField(_("相談の方法"), max_length=20, choices=Channel.choices)
    contact_type = models.CharField(_("相談者"), max_length=20, choices=ContactType.choices)
    contact_relation = models.CharField(_("本人との関係"), max_length=20, choices=FamilyRelation.choices, blank=True)
    contact_agency = models.ForeignKey(
        Agency, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("相談元の機関")
    )
    contact_name = models.CharField(_("相談者の氏名"), max_length=60, blank=True)
    contact_phone = models.CharField(_("電話番号"), max_length=30, blank=True)
    contact_email = models.EmailField(_("メールアドレス"), max_length=200, blank=True)
    contact_note = models.CharField(_("連絡のしかた（時間帯など）"), max_length=200, blank=True)
    contact_preference = models.CharField(
        _("連絡の希望"), max_length=20, choices=ContactPreference.choices, default=ContactPreference.MAY_CONTACT
    )
    # Optional: the public form lets a person write without ticking any concern (issue 8, defect 10).
    concerns = models.JSONField(_("相談内容"), default=list, blank=True)
    main_concern = models.CharField(_("主な相談内容"), max_length=20, choices=Concern.choices, blank=True)
    summary = models.TextField(_("相談の概要"), max_length=4000)
    urgent = models.BooleanField(_("緊急（生命・健康の危険）"), default=False)
    # Triage
    screening = models.CharField(_("スクリーニング結果"), max_length=20, choices=Screening.choices, blank=True)
    screening_note = models.CharField(_("振り分けのメモ"), max_length=400, blank=True)
    triaged_at = models.DateTimeField(_("振り分け日時"), null=True, blank=True)
    triaged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("振り分け者")
    )
    household = models.ForeignKey(
        Household, models.PROTECT, null=True, blank=True, related_name="consultations", verbose_name=_("世帯")
    )
    person = models.ForeignKey(
        Person, models.PROTECT, null=True, blank=True, related_name="consultations", verbose_name=_("対象者")
    )
    case = models.ForeignKey(
        Case, models.PROTECT, null=True, blank=True, related_name="consultations", verbose_name=_("支援ケース")
    )
    # Set by the retention job (work.retention, decision 0031) when the contact details and texts
    # were irreversibly anonymised.
    anonymised_at = models.DateTimeField(_("匿名化日時"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("相談受付")
        verbose_name_plural = _("相談受付")
        indexes = [
            models.Index(fields=["triaged_at", "urgent", "received_at"], name="consultation_queue"),
            models.Index(fields=["received_at"], name="consultation_received"),
            # The desk queue's two orders (intake.selectors.QUEUE_ORDER, RECENT_ORDER).
            models.Index(
                fields=["-urgent", "received_at", "id"],
                condition=models.Q(triaged_at__isnull=True),
                name="consultation_untriaged",
            ),
            models.Index(fields=["-received_at", "-id"], name="consultation_received_id"),
            # A household's first consultation (the statistics' first contact and "consultation to
            # first support"): one index-only probe per household on PostgreSQL.
            models.Index(
                fields=["household", "received_at", "id"], include=["contact_type"], name="consultation_household_first"
            ),
        ]

    def __str__(self) -> str:
        return self.reference_code

    @property
    def is_triaged(self) -> bool:
        return self.triaged_at is not None

    def received_how(self) -> list[str]:
        """How it came and how it was registered, each said once: a public form request is
        「オンライン相談フォーム」, a call the desk wrote down is 「電話、窓口で記録」."""
        labels = [str(self.get_channel_display())]
        source = str(self.get_source_display())
        if source not in labels:
            labels.append(source)
        return labels

    def concern_labels(self) -> list[str]:
        labels = dict(Concern.choices)
        return [str(labels[c]) for c in self.concerns if c in labels]

    @property
    def contact_display(self) -> str:
        who = str(self.get_contact_type_display())
        if self.contact_type == ContactType.FAMILY and self.contact_relation:
            who = f"{who}（{self.get_contact_relation_display()}）"
        if self.contact_agency_id:
            who = f"{who}（{self.contact_agency}）"
        return who

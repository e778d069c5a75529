"""Households and persons. Every identity field is optional: anonymous is normal, not an error."""

import datetime as dt

from django.db import models
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from tsunagu.agencies.models import District
from tsunagu.core.models import BaseModel
from tsunagu.lib import wareki
from tsunagu.lib.ages import estimate_age


class Household(BaseModel):
    label = models.CharField(
        _("世帯の呼び名"), max_length=60, blank=True, help_text=_("例：山田さん宅（氏名が分からないときの目印）")
    )
    postal_code = models.CharField(_("郵便番号"), max_length=8, blank=True)
    address = models.CharField(_("住所"), max_length=200, blank=True)
    district = models.ForeignKey(
        District, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("地区")
    )
    phone = models.CharField(_("電話番号"), max_length=30, blank=True)
    # 8050 signals (docs/domain.md §7)
    sig_elderly_parent = models.BooleanField(_("高齢の親がいる"), default=False)
    sig_adult_child_home = models.BooleanField(_("日中、働いていない成人の子が在宅"), default=False)
    sig_parent_pension = models.BooleanField(_("親の年金で生活"), default=False)
    sig_care_need = models.BooleanField(_("親に介護・入院の必要"), default=False)
    sig_arrears = models.BooleanField(_("家賃・公共料金・税の滞納"), default=False)
    sig_refuses_services = models.BooleanField(_("サービス・訪問の拒否"), default=False)

    class Meta:
        verbose_name = _("世帯")
        verbose_name_plural = _("世帯")
        indexes = [
            # The households of a district or an area by the index alone (the statistics' area
            # and district scopes join it: docs/quality.md P4).
            models.Index(fields=["district", "id"], name="household_district_ids")
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        if self.label:
            return self.label
        return str(_("世帯 #{number}")).format(number=self.pk)

    def derived_8050(self, members: "list[Person] | None" = None) -> bool:
        """A member aged 65 or over lives with a person of concern aged 40 or over (docs/domain.md §7).

        Ages come from birth dates, or from the approximate decade (its middle) when unknown.
        """
        elderly = concerned_40 = False
        today = timezone.localdate()  # once, not per member: the queue asks this of 50 households
        for member in self.members.all() if members is None else members:
            age = member.age_estimate(today)
            if age is None:
                continue
            elderly = elderly or age >= 65
            concerned_40 = concerned_40 or (member.is_concerned and age >= 40)
        return elderly and concerned_40

    def signals(self) -> list[str]:
        labels = {field.name: str(field.verbose_name) for field in self._meta.fields}
        return [labels[name] for name in SIGNAL_FIELDS if getattr(self, name)]


SIGNAL_FIELDS = (
    "sig_elderly_parent",
    "sig_adult_child_home",
    "sig_parent_pension",
    "sig_care_need",
    "sig_arrears",
    "sig_refuses_services",
)


class Sex(models.TextChoices):
    MALE = "male", _("男性")
    FEMALE = "female", _("女性")
    OTHER = "other", _("その他・回答しない")
    UNKNOWN = "unknown", _("不明")


class Relation(models.TextChoices):
    SELF = "head", _("世帯主")
    SPOUSE = "spouse", _("配偶者")
    FATHER = "father", _("父")
    MOTHER = "mother", _("母")
    SON = "son", _("息子")
    DAUGHTER = "daughter", _("娘")
    SIBLING = "sibling", _("きょうだい")
    GRANDPARENT = "grandparent", _("祖父母")
    GRANDCHILD = "grandchild", _("孫")
    OTHER = "other", _("その他")
    UNKNOWN = "unknown", _("不明")


class Disability(models.TextChoices):
    CERTIFICATE = "certificate", _("手帳あり")
    DIAGNOSED = "diagnosed", _("診断あり手帳なし")
    SUSPECTED = "suspected", _("疑い")
    NONE = "none", _("なし")
    UNKNOWN = "unknown", _("不明")


class GoingOut(models.IntegerChoices):
    DAILY = 1, _("仕事や学校で毎日外出する")
    WEEKLY = 2, _("仕事や学校で週に3〜4日外出する")
    SOCIAL = 3, _("遊び等でよく外出する")
    SOMETIMES = 4, _("人づきあいのためにときどき外出する")
    HOBBY = 5, _("趣味の用事のときだけ外出する")
    NEARBY = 6, _("近所のコンビニなどには出かける")
    ROOM = 7, _("自室からは出るが、家からは出ない")
    ROOM_ONLY = 8, _("自室からほとんど出ない")


class SupportStage(models.IntegerChoices):
    """The guideline's support stages (支援の諸段階, docs/domain.md §4), recorded per person."""

    ENCOUNTER = 1, _("出会い・評価段階")
    INDIVIDUAL = 2, _("個人的支援段階")
    GROUP = 3, _("中間的・過渡的な集団との再会段階")
    PARTICIPATION = 4, _("社会参加の試行段階")


class Precision(models.TextChoices):
    """How much of an approximate date is known (decision 0010)."""

    YEAR = wareki.YEAR, _("年まで")
    MONTH = wareki.MONTH, _("月まで")
    DAY = wareki.DAY, _("日まで")


DECADE_CHOICES = [(d, format_lazy(_("{decade}代"), decade=d)) for d in range(10, 80, 10)] + [(80, _("80代以上"))]


class Person(BaseModel):
    household = models.ForeignKey(Household, models.PROTECT, related_name="members", verbose_name=_("世帯"))
    family_name = models.CharField(_("姓"), max_length=40, blank=True)
    given_name = models.CharField(_("名"), max_length=40, blank=True)
    family_name_kana = models.CharField(_("セイ"), max_length=60, blank=True)
    given_name_kana = models.CharField(_("メイ"), max_length=60, blank=True)
    label = models.CharField(
        _("呼び名（氏名が分からないとき）"),
        max_length=60,
        blank=True,
        help_text=_("例：相談者の長男（50代）"),
    )
    sex = models.CharField(_("性別"), max_length=10, choices=Sex.choices, default=Sex.UNKNOWN)
    birth_date = models.DateField(_("生年月日"), null=True, blank=True)
    approx_decade = models.PositiveSmallIntegerField(_("おおよその年代"), null=True, blank=True, choices=DECADE_CHOICES)
    relation = models.CharField(_("世帯での続柄"), max_length=20, choices=Relation.choices, default=Relation.UNKNOWN)
    is_concerned = models.BooleanField(_("支援の対象者（ひきこもり状態にある本人）"), default=False)
    disability = models.CharField(_("障害"), max_length=20, choices=Disability.choices, default=Disability.UNKNOWN)
    withdrawal_since = models.DateField(_("ひきこもり状態になった時期"), null=True, blank=True)
    # Families say 「平成18年ごろ」: the date above is then the first day of that year or month.
    withdrawal_since_precision = models.CharField(
        _("ひきこもり状態になった時期の精度"),
        max_length=5,
        choices=Precision.choices,
        default=Precision.DAY,
        db_default=Precision.DAY,  # rows written by SQL (the search benchmark) are whole dates too
    )
    going_out = models.PositiveSmallIntegerField(_("外出の状況"), null=True, blank=True, choices=GoingOut.choices)
    phone = models.CharField(_("電話番号"), max_length=30, blank=True)
    support_stage = models.PositiveSmallIntegerField(_("支援段階"), null=True, blank=True, choices=SupportStage.choices)
    # Derived by services from the names above; never typed by a user.
    key_name = models.CharField(max_length=100, blank=True, editable=False)
    key_kana = models.CharField(max_length=130, blank=True, editable=False)
    # Written by the retention job (decision 0031) when it erases the birth date: the age in whole
    # years on the day the household's first case opened (else its first consultation), so that
    # counts by age band stay true after anonymisation. Null while the birth date is kept.
    retained_age = models.PositiveSmallIntegerField(_("匿名化時に残した年齢"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("人")
        verbose_name_plural = _("人")
        indexes = [
            models.Index(fields=["birth_date"], name="person_birth_date"),
            models.Index(fields=["key_kana", "birth_date"], name="person_kana_birth"),
            models.Index(fields=["key_name", "birth_date"], name="person_name_birth"),
            # The statistics (reports.survey, the cases' support stage) on PostgreSQL: the persons
            # of concern with every column they are counted by, so the people known are read from this index
            # (about a fifth of the persons, a narrow row) instead of the whole table; and each
            # household's members with what decides "aged 65 or over".
            models.Index(
                fields=["household"],
                include=[
                    "id",
                    "sex",
                    "disability",
                    "birth_date",
                    "retained_age",
                    "approx_decade",
                    "withdrawal_since",
                    "withdrawal_since_precision",
                    "support_stage",
                ],
                condition=models.Q(is_concerned=True),
                name="person_concerned_survey",
            ),
            models.Index(
                fields=["household"],
                include=["id", "is_concerned", "birth_date", "retained_age", "approx_decade"],
                name="person_household_ages",
            ),
        ]

    def __str__(self) -> str:
        return self.display_name

    def age_estimate(self, today: dt.date | None = None) -> int | None:
        age, _estimated = estimate_age(
            birth_date=self.birth_date, decade=self.approx_decade, today=today or timezone.localdate()
        )
        return age

    @property
    def withdrawal_since_approx(self) -> wareki.ApproxDate | None:
        """The withdrawal onset as it was given (平成18年ごろ, 平成18年4月ごろ or a day)."""
        if self.withdrawal_since is None:
            return None
        return wareki.ApproxDate(self.withdrawal_since, self.withdrawal_since_precision or wareki.DAY)

    @property
    def years_withdrawn(self) -> int | None:
        """Whole years since the onset (from the middle of the year or month when approximate)."""
        since = self.withdrawal_since_approx
        return wareki.years_since(since, timezone.localdate()) if since else None

    @property
    def full_name(self) -> str:
        return f"{self.family_name} {self.given_name}".strip()

    @property
    def full_kana(self) -> str:
        return f"{self.family_name_kana} {self.given_name_kana}".strip()

    @property
    def display_name(self) -> str:
        if self.full_name:
            return self.full_name
        if self.label:
            return self.label
        parts = [str(self.get_relation_display())] if self.relation != Relation.UNKNOWN else []
        if self.approx_decade:
            parts.append(f"（{self.get_approx_decade_display()}）")
        return str(_("氏名不明の人")) + ("：" + "".join(parts) if parts else "")


class PersonNameKey(models.Model):
    """One normalised name part a person can be found by (family, given, full; kanji and kana).

    Searched by prefix on a B-tree index (``text_pattern_ops`` on PostgreSQL), so "any part of the
    name" finds 山田 in 山田花子 and ハナコ in ヤマダハナコ without scanning the person table.
    """

    person = models.ForeignKey(Person, models.CASCADE, related_name="name_keys")
    key = models.CharField(max_length=130)

    class Meta:
        indexes = [
            models.Index(
                fields=["key", "person"], name="personnamekey_key", opclasses=["text_pattern_ops", "int8_ops"]
            ),
        ]
        constraints = [models.UniqueConstraint(fields=["person", "key"], name="personnamekey_unique")]

    def __str__(self) -> str:
        return self.key

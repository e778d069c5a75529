"""Reference data: areas, districts, postal codes, agencies, memberships and routing rules.

All of it is data that another municipality replaces; nothing about Setagaya is in code.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Area(models.Model):
    code = models.SlugField(_("コード"), unique=True)
    name = models.CharField(_("名称"), max_length=40)
    order = models.PositiveSmallIntegerField(_("表示順"), default=0)

    class Meta:
        ordering = ["order", "code"]
        verbose_name = _("地域")
        verbose_name_plural = _("地域")

    def __str__(self) -> str:
        return self.name


class District(models.Model):
    area = models.ForeignKey(Area, models.PROTECT, related_name="districts", verbose_name=_("地域"))
    code = models.SlugField(_("コード"), unique=True)
    name = models.CharField(_("名称"), max_length=40)
    order = models.PositiveSmallIntegerField(_("表示順"), default=0)

    class Meta:
        ordering = ["area__order", "order", "code"]
        verbose_name = _("地区")
        verbose_name_plural = _("地区")

    def __str__(self) -> str:
        return self.name


class PostalCode(models.Model):
    code = models.CharField(_("郵便番号"), max_length=7, unique=True, help_text=_("7桁の数字"))
    town = models.CharField(_("町名"), max_length=60)
    district = models.ForeignKey(District, models.CASCADE, related_name="postal_codes", verbose_name=_("地区"))

    class Meta:
        ordering = ["code"]
        verbose_name = _("郵便番号")
        verbose_name_plural = _("郵便番号")

    def __str__(self) -> str:
        return f"〒{self.code[:3]}-{self.code[3:]} {self.town}"


class AgencyKind(models.TextChoices):
    CENTRAL_DESK = "central_desk", _("相談窓口（センター）")
    YOUTH = "youth", _("若者支援")
    DISABILITY = "disability", _("障害者支援")
    ELDERLY = "elderly", _("高齢者支援（あんしんすこやかセンター）")
    PUBLIC_HEALTH = "public_health", _("保健福祉センター")
    EMPLOYMENT = "employment", _("就労支援")
    EDUCATION = "education", _("教育")
    MEDICAL = "medical", _("医療機関")
    FAMILY_ASSOCIATION = "family_association", _("家族会")
    WARD_OFFICE = "ward_office", _("区役所")


class Agency(models.Model):
    code = models.SlugField(_("コード"), max_length=60, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    public_name = models.CharField(_("窓口の呼び名"), max_length=100, blank=True)
    kind = models.CharField(_("種別"), max_length=30, choices=AgencyKind.choices)
    area = models.ForeignKey(
        Area, models.PROTECT, null=True, blank=True, related_name="agencies", verbose_name=_("担当地域")
    )
    district = models.ForeignKey(
        District, models.PROTECT, null=True, blank=True, related_name="agencies", verbose_name=_("担当地区")
    )
    age_min = models.PositiveSmallIntegerField(_("対象年齢（下限）"), null=True, blank=True)
    age_max = models.PositiveSmallIntegerField(_("対象年齢（上限）"), null=True, blank=True)
    specialties = models.TextField(_("専門分野"), blank=True)
    phone = models.CharField(_("電話番号"), max_length=30, blank=True)
    address = models.CharField(_("所在地"), max_length=200, blank=True)
    hours = models.CharField(_("受付時間"), max_length=200, blank=True)
    is_central_desk = models.BooleanField(_("中央の相談窓口"), default=False)
    is_public = models.BooleanField(_("区民向けページに掲載"), default=False)
    public_description = models.TextField(_("区民向けの説明"), blank=True)
    to_confirm = models.BooleanField(_("要確認"), default=False, help_text=_("名称・連絡先が未確認の参照データ"))
    stall_days = models.PositiveSmallIntegerField(
        _("連絡が途絶えたとみなす日数"),
        default=30,
        help_text=_("主担当のケースで、この日数だけ本人・家族と会えていないと知らせます"),
    )
    referral_days = models.PositiveSmallIntegerField(
        _("つなぎの回答期限（営業日）"),
        default=5,
        help_text=_("この機関へのつなぎに回答する期限。土日・祝日・年末年始を除いて数えます"),
    )
    active = models.BooleanField(_("有効"), default=True)

    class Meta:
        ordering = ["kind", "code"]
        verbose_name = _("支援機関")
        verbose_name_plural = _("支援機関")

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    DESK = "desk", _("窓口相談員")
    CASEWORKER = "caseworker", _("相談支援員")
    SUPERVISOR = "supervisor", _("スーパーバイザー")
    SECRETARIAT = "secretariat", _("事務局")
    PARTNER = "partner", _("連携先")
    ADMIN = "admin", _("管理者")
    # Reviews the whole access trail (audit review, issue 11); reads no case content.
    AUDITOR = "auditor", _("監査担当")


# The role sets, defined once. Case roles work cases (they open them through the case grants,
# cases/grants.py); referrals also reach partners (a school, a clinic); meetings also the
# secretariat (councils).
CASE_ROLES: tuple[str, ...] = (Role.DESK, Role.CASEWORKER, Role.SUPERVISOR)
REFERRAL_ROLES: tuple[str, ...] = (*CASE_ROLES, Role.PARTNER)
MEETING_ROLES: tuple[str, ...] = (*CASE_ROLES, Role.SECRETARIAT)


class Membership(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.CASCADE, related_name="memberships", verbose_name=_("職員")
    )
    agency = models.ForeignKey(Agency, models.PROTECT, related_name="memberships", verbose_name=_("所属機関"))
    role = models.CharField(_("役割"), max_length=20, choices=Role.choices)
    active = models.BooleanField(_("有効"), default=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "agency"], name="membership_one_role_per_agency")]
        verbose_name = _("所属")
        verbose_name_plural = _("所属")

    def __str__(self) -> str:
        return f"{self.user} / {self.agency} / {self.get_role_display()}"


class PasswordChangeRequired(models.Model):
    """An account whose password an administrator set (a new account, or a password set for
    someone else): its owner must choose their own at the next sign-in before reaching anything
    else (docs/quality.md S8). Removed when they have."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        models.CASCADE,
        primary_key=True,
        related_name="password_change_required",
        verbose_name=_("職員"),
    )
    since = models.DateTimeField(_("設定された日時"), auto_now_add=True)

    class Meta:
        verbose_name = _("パスワードの変更が必要な職員")
        verbose_name_plural = _("パスワードの変更が必要な職員")

    def __str__(self) -> str:
        return str(self.user_id)


class RuleCondition(models.TextChoices):
    AGE_AT_MOST = "age_at_most", _("本人の年齢がN歳以下")
    AGE_AT_LEAST = "age_at_least", _("本人の年齢がN歳以上")
    DISABILITY = "disability", _("障害者手帳あり・障害の疑い")
    ELDERLY_MEMBER = "elderly_member", _("世帯にN歳以上の人がいる")
    SCHOOL = "school", _("学齢期・不登校")
    HEALTH_RISK = "health_risk", _("生命・健康の危険、精神症状")
    GOAL_WORK = "goal_work", _("就労の希望")
    NEARING_AGE_LIMIT = "nearing_age_limit", _("主担当機関の対象年齢上限までNか月以内")


class TargetScope(models.TextChoices):
    SPECIFIC = "specific", _("指定の機関")
    WARD = "ward", _("区全域の同種別の機関")
    AREA = "area", _("世帯の地域の機関")
    DISTRICT = "district", _("世帯の地区の機関")


class TeamRole(models.TextChoices):
    LEAD = "lead", _("主担当")
    PARTNER = "partner", _("協力")


class RoutingRule(models.Model):
    """A routing suggestion (docs/domain.md §9). Suggestions only: the desk decides."""

    code = models.SlugField(_("コード"), max_length=60, unique=True)
    name = models.CharField(_("ルール名"), max_length=100)
    description = models.CharField(_("説明"), max_length=300, blank=True)
    condition = models.CharField(_("条件"), max_length=30, choices=RuleCondition.choices)
    threshold = models.PositiveSmallIntegerField(_("N（年齢・月数）"), null=True, blank=True)
    team_role = models.CharField(_("提案する役割"), max_length=10, choices=TeamRole.choices, default=TeamRole.PARTNER)
    scope = models.CharField(
        _("提案先の決め方"), max_length=10, choices=TargetScope.choices, default=TargetScope.SPECIFIC
    )
    target_agencies = models.ManyToManyField(Agency, blank=True, related_name="+", verbose_name=_("提案先（指定）"))
    target_kinds = models.CharField(
        _("提案先の種別"),
        max_length=200,
        blank=True,
        help_text=_("地域・地区・区全域で選ぶときの機関種別（カンマ区切りのコード）"),
    )
    priority = models.PositiveSmallIntegerField(_("優先順"), default=100)
    active = models.BooleanField(_("有効"), default=True)

    class Meta:
        ordering = ["priority", "code"]
        verbose_name = _("振り分けルール")
        verbose_name_plural = _("振り分けルール")

    def __str__(self) -> str:
        return self.name

    def kinds(self) -> list[str]:
        return [k.strip() for k in self.target_kinds.split(",") if k.strip()]

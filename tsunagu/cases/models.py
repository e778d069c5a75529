"""The support case on a household: its team of agencies, status, closure and timeline."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tsunagu.agencies.models import Agency, TeamRole
from tsunagu.core.models import BaseModel, ChoiceLabels
from tsunagu.people.models import Household


class CaseStatus(models.TextChoices):
    RECEIVED = "received", _("受付")
    ACTIVE = "active", _("支援中")
    WATCHING = "watching", _("見守り")
    CLOSED = "closed", _("終結")


class SharingBasis(models.TextChoices):
    """The ground on which an agency receives a person's data (docs/domain.md §6)."""

    CONSENT = "consent", _("本人（または家族）の同意")
    MEETING_ART9 = "meeting_art9", _("支援会議（生活困窮者自立支援法第9条）")
    MEETING_ART106_6 = "meeting_art106_6", _("支援会議（社会福祉法第106条の6）")
    VITAL_INTEREST = "vital_interest", _("生命・身体の保護のため（同意を得ることが困難）")
    OTHER_LAW = "other_law", _("その他の法令に基づく")


class ClosureReason(models.TextChoices):
    WORK = "work", _("就労")
    SCHOOL = "school", _("就学")
    SOCIAL = "social", _("社会参加")
    TRANSFER = "transfer", _("他機関へ移行")
    MOVED = "moved", _("転出")
    LOST_CONTACT = "lost_contact", _("連絡途絶")
    WISH = "wish", _("本人の希望")
    DEATH = "death", _("死亡")
    OTHER = "other", _("その他")


OPEN = ~models.Q(status="closed")  # the open cases (partial indexes of the work page)


class Case(BaseModel):
    household = models.ForeignKey(Household, models.PROTECT, related_name="cases", verbose_name=_("世帯"))
    status = models.CharField(_("状態"), max_length=10, choices=CaseStatus.choices, default=CaseStatus.RECEIVED)
    opened_at = models.DateTimeField(_("開始日時"))
    closed_at = models.DateTimeField(_("終結日時"), null=True, blank=True)
    closure_reason = models.CharField(_("終結の理由"), max_length=20, choices=ClosureReason.choices, blank=True)
    follow_up_on = models.DateField(_("フォローアップ予定日"), null=True, blank=True)
    lead_worker = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("主担当者")
    )
    # The work state (decision 0017): what the work page lists, kept by the services that move
    # it in the same transaction (records.work_state, cases.work_state) and rebuilt from the
    # records by records.work_state.rebuild_work_state(). Never edited by hand.
    last_contact_on = models.DateField(_("最後に会えた日"), null=True, blank=True, editable=False)
    next_action_on = models.DateField(_("次の対応の予定日"), null=True, blank=True, editable=False)
    next_action = models.CharField(_("次の対応"), max_length=300, blank=True, default="", editable=False)
    unanswered_streak = models.PositiveIntegerField(_("続けて会えなかった回数"), default=0, editable=False)
    # The day since which nobody has been reached (the last contact, else the Tokyo day the case
    # opened), and the day the case counts as stalled: that day + the lead agency's stall_days.
    quiet_since = models.DateField(_("連絡が途絶えている起点の日"), null=True, blank=True, editable=False)
    stalled_on = models.DateField(_("連絡途絶とみなす日"), null=True, blank=True, editable=False)
    # The earliest review day of the case's approved plans, kept by plans.services when a plan is
    # decided and rebuilt by plans.work_state.plan_review_rebuild() (decision 0024).
    plan_review_on = models.DateField(_("計画の見直し予定日"), null=True, blank=True, editable=False)
    # The day the first concerned person of the household passes the current lead agency's age
    # limit (their limit + 1st birthday); none without a limit. Kept by cases.work_state
    # .ages_out_refresh when the lead, the limit or the household's persons change (decision 0024).
    ages_out_on = models.DateField(_("対象年齢を超える日"), null=True, blank=True, editable=False)
    # Set by the retention job (work.retention, decision 0031) when the case's personal data was
    # irreversibly anonymised; the job skips such a case, so that running it twice changes nothing.
    anonymised_at = models.DateTimeField(_("匿名化日時"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("支援ケース")
        verbose_name_plural = _("支援ケース")
        indexes = [
            models.Index(fields=["status", "opened_at"], name="case_status_opened"),
            # The work page, scope "mine": the open cases of one lead worker, per section.
            models.Index(fields=["lead_worker", "next_action_on"], name="case_work_due", condition=OPEN),
            models.Index(fields=["lead_worker", "stalled_on"], name="case_work_stalled", condition=OPEN),
            models.Index(fields=["lead_worker", "unanswered_streak"], name="case_work_unanswered", condition=OPEN),
            models.Index(fields=["lead_worker", "ages_out_on"], name="case_work_ages_out", condition=OPEN),
            # The home page's count of open cases (an index-only count of the open ones).
            models.Index(fields=["id"], name="case_open_id", condition=OPEN),
            # The case list's default filter (open) in its orders (cases.selectors.CASE_SORTS). The
            # last-contact orders sort one agency's open cases in memory: an index for "DESC NULLS
            # LAST" cannot be declared on SQLite.
            models.Index(fields=["-opened_at", "-id"], name="case_list_opened", condition=OPEN),
            models.Index(fields=["next_action_on", "id"], name="case_list_next_action", condition=OPEN),
            # Every status in the default order: the list filtered to 「すべて」 and its exports
            # (reports.list_exports), which walk it by keyset steps of 10,000; without it each step
            # sorted every case (1 s a step at 195,000 cases, 0.27 s with it).
            models.Index(fields=["-opened_at", "-id"], name="case_list_opened_all"),
        ]

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


class CaseAgency(ChoiceLabels, models.Model):
    case = models.ForeignKey(Case, models.CASCADE, related_name="team", verbose_name=_("ケース"))
    agency = models.ForeignKey(Agency, models.PROTECT, related_name="case_memberships", verbose_name=_("機関"))
    role = models.CharField(_("役割"), max_length=10, choices=TeamRole.choices)
    since = models.DateField(_("開始日"))
    until = models.DateField(_("終了日"), null=True, blank=True)
    sharing_basis = models.CharField(_("情報共有の根拠"), max_length=20, choices=SharingBasis.choices)
    basis_note = models.CharField(_("根拠の補足（法令名など）"), max_length=200, blank=True)
    consent = models.ForeignKey(
        "cases.Consent", models.PROTECT, null=True, blank=True, related_name="team_memberships", verbose_name=_("同意")
    )
    note = models.CharField(_("引き継ぎのメモ"), max_length=500, blank=True)
    # The case's work state, copied onto its current team rows while the case is open (null and 0
    # once closed) by the services that move it, so that an agency's work page reads a range of
    # its own rows (cases.work_state.team_state_refresh; decision 0020).
    next_action_on = models.DateField(_("次の対応の予定日"), null=True, blank=True, editable=False)
    stalled_on = models.DateField(_("連絡途絶とみなす日"), null=True, blank=True, editable=False)
    unanswered_streak = models.PositiveIntegerField(_("続けて会えなかった回数"), default=0, editable=False)
    # The sort keys of the sections, copied too, so that a section is read in order from the
    # agency's own index without visiting the cases (decision 0024).
    quiet_since = models.DateField(_("連絡が途絶えている起点の日"), null=True, blank=True, editable=False)
    opened_at = models.DateTimeField(_("ケースの開始日時"), null=True, blank=True, editable=False)
    plan_review_on = models.DateField(_("計画の見直し予定日"), null=True, blank=True, editable=False)
    ages_out_on = models.DateField(_("対象年齢を超える日"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("ケースの担当機関")
        verbose_name_plural = _("ケースの担当機関")
        indexes = [
            models.Index(fields=["agency", "until", "case"], name="caseagency_agency_open"),
            # The supervisor's work page, one per section (work.worklist), each in the section's
            # order: the first rows are read by walking the index and the rest are counted from
            # it alone (decision 0024). The stalled section walks ``quiet_since`` and checks
            # ``stalled_on`` in the index; ``caseagency_work_stalled`` counts it.
            models.Index(
                fields=["agency", "next_action_on", "opened_at", "case"],
                name="caseagency_work_due_order",
                condition=models.Q(until__isnull=True, next_action_on__isnull=False),
            ),
            models.Index(
                fields=["agency", "stalled_on"],
                name="caseagency_work_stalled",
                condition=models.Q(until__isnull=True, stalled_on__isnull=False),
            ),
            models.Index(
                fields=["agency", "quiet_since", "opened_at", "case", "stalled_on"],
                name="caseagency_work_quiet_order",
                condition=models.Q(until__isnull=True, stalled_on__isnull=False),
            ),
            models.Index(
                fields=["agency", "ages_out_on", "case"],
                name="caseagency_work_ages_out",
                condition=models.Q(until__isnull=True, ages_out_on__isnull=False),
            ),
            models.Index(
                fields=["agency", "plan_review_on", "case"],
                name="caseagency_work_plan_review",
                condition=models.Q(until__isnull=True, plan_review_on__isnull=False),
            ),
            models.Index(
                fields=["agency", "unanswered_streak", "opened_at", "case"],
                name="caseagency_work_unanswered",
                condition=models.Q(until__isnull=True, unanswered_streak__gt=0),
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["case"], condition=models.Q(role="lead", until__isnull=True), name="case_one_open_lead"
            )
        ]

    def __str__(self) -> str:
        return f"{self.case} / {self.agency} ({self.get_role_display()})"


class TimelineKind(models.TextChoices):
    OPENED = "opened", _("ケース開始")
    CONSULTATION = "consultation", _("相談受付")
    STATUS = "status", _("状態の変更")
    RECORD = "record", _("支援経過記録")
    RECORD_CORRECTED = "record_corrected", _("記録の訂正")
    STAGE = "stage", _("支援段階の変更")
    LEAD_WORKER = "lead_worker", _("主担当者の変更")
    ASSESSMENT = "assessment", _("アセスメント")
    PLAN = "plan", _("支援計画")
    EMERGENCY = "emergency", _("緊急アクセス")
    TEAM = "team", _("担当機関の変更")
    CONSENT = "consent", _("同意")
    REFERRAL = "referral", _("つなぎ")
    MEETING = "meeting", _("会議")
    ENROLMENT = "enrolment", _("プログラムへの参加")


class TimelineEntry(ChoiceLabels, models.Model):
    """One line of a case's history, written by the service that made the event (append-only).

    The case page reads one page of these with a fixed number of queries, however long the
    history is (docs/quality.md P2).
    """

    case = models.ForeignKey(Case, models.CASCADE, related_name="timeline", verbose_name=_("ケース"))
    at = models.DateTimeField(_("日時"))
    kind = models.CharField(_("種類"), max_length=20, choices=TimelineKind.choices)
    object_id = models.BigIntegerField(null=True, blank=True)
    summary = models.CharField(_("内容"), max_length=300)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("職員")
    )

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["case", "-at", "-id"], name="timeline_case_at")]
        verbose_name = _("経過")
        verbose_name_plural = _("経過")

    def __str__(self) -> str:
        return f"{self.case} {self.at:%Y-%m-%d} {self.summary}"


class EmergencyAccess(models.Model):
    """Break the glass (docs/quality.md S13): a staff member opens a case they cannot otherwise see,
    with a reason, for a limited time; a supervisor of their agency reviews it afterwards."""

    case = models.ForeignKey(Case, models.PROTECT, related_name="emergency_accesses", verbose_name=_("ケース"))
    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("職員"))
    reason = models.CharField(_("理由"), max_length=500)
    started_at = models.DateTimeField(_("開始日時"))
    expires_at = models.DateTimeField(_("期限"))
    reviewed_at = models.DateTimeField(_("確認日時"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("確認者")
    )
    review_note = models.CharField(_("確認のメモ"), max_length=500, blank=True)

    class Meta:
        ordering = ["-started_at"]
        indexes = [models.Index(fields=["user", "case", "expires_at"], name="emergency_user_case")]
        verbose_name = _("緊急アクセス")
        verbose_name_plural = _("緊急アクセス")

    def __str__(self) -> str:
        return f"{self.case} {self.user} {self.started_at:%Y-%m-%d %H:%M}"


class ConsentMethod(models.TextChoices):
    WRITTEN = "written", _("書面")
    ORAL = "oral", _("口頭")


class Consent(BaseModel):
    """A person's consent to share their information with named agencies (docs/domain.md §6).

    Withdrawing it ends every team membership that rested on it.
    """

    person = models.ForeignKey("people.Person", models.PROTECT, related_name="consents", verbose_name=_("本人"))
    agencies = models.ManyToManyField(Agency, related_name="consents", verbose_name=_("共有してよい機関"))
    purpose = models.CharField(_("目的"), max_length=300)
    method = models.CharField(_("同意の方法"), max_length=10, choices=ConsentMethod.choices)
    given_on = models.DateField(_("同意日"))
    expires_on = models.DateField(_("有効期限"), null=True, blank=True)
    withdrawn_on = models.DateField(_("撤回日"), null=True, blank=True)

    class Meta:
        ordering = ["-given_on", "-pk"]
        verbose_name = _("同意")
        verbose_name_plural = _("同意")

    def __str__(self) -> str:
        return f"{self.person} {self.given_on}"

    def active_on(self, day) -> bool:
        return (
            self.given_on <= day
            and (self.expires_on is None or day <= self.expires_on)
            and (self.withdrawn_on is None or day < self.withdrawn_on)
        )


class RetentionHold(models.Model):
    """A hold that stops the retention job for a case (decision 0031): while a hold is not lifted,
    nothing of the case or its household is anonymised. Placed and lifted by a supervisor of the
    case's lead agency or of the central desk (cases.services.retention_hold); every placing and
    lifting is an access event."""

    case = models.ForeignKey(Case, models.PROTECT, related_name="retention_holds", verbose_name=_("ケース"))
    reason = models.CharField(_("保存を続ける理由"), max_length=300)
    placed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("保存の指示をした職員")
    )
    placed_at = models.DateTimeField(_("保存の指示の日時"))
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("保存の指示を解除した職員"),
    )
    lifted_at = models.DateTimeField(_("保存の指示の解除日時"), null=True, blank=True)

    class Meta:
        ordering = ["-placed_at", "-pk"]
        indexes = [models.Index(fields=["case"], name="retentionhold_active", condition=models.Q(lifted_at=None))]
        verbose_name = _("保存の指示")
        verbose_name_plural = _("保存の指示")

    def __str__(self) -> str:
        return f"{self.case} {self.placed_at:%Y-%m-%d}"

    @property
    def active(self) -> bool:
        return self.lifted_at is None

"""Training and supervision (人材育成・SV, issue 12).

Training courses (研修) with the attendance of staff, and supervision sessions (スーパービジョン)
between a supervisor and the staff of their agency, with the cases discussed and follow-ups for
the supervisees. Staff names and training are not residents' personal data; a supervision
session is (its notes talk about cases), so its reads and writes are recorded (docs/access.md)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tsunagu.agencies.models import Agency
from tsunagu.cases.models import Case
from tsunagu.core.models import BaseModel


class CourseKind(models.TextChoices):
    BASIC = "basic", _("基礎")
    ADVANCED = "advanced", _("専門")
    SUPERVISION = "supervision", _("SV")
    OTHER = "other", _("その他")


class TrainingCourse(BaseModel):
    """One training course on one day, organised by an agency (the secretariat's ward office, a
    support agency); edited by the secretariat and the organiser's supervisors."""

    title = models.CharField(_("研修名"), max_length=200)
    organiser = models.ForeignKey(Agency, models.PROTECT, related_name="training_courses", verbose_name=_("主催機関"))
    held_on = models.DateField(_("開催日"))
    hours = models.DecimalField(_("時間数"), max_digits=4, decimal_places=1)
    kind = models.CharField(_("種類"), max_length=20, choices=CourseKind.choices)
    description = models.TextField(_("内容"), blank=True)
    capacity = models.PositiveSmallIntegerField(_("定員"), null=True, blank=True)

    class Meta:
        ordering = ["-held_on", "-pk"]
        verbose_name = _("研修")
        verbose_name_plural = _("研修")
        indexes = [models.Index(fields=["kind", "held_on"], name="trainingcourse_kind")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(hours__gt=0) & models.Q(hours__lte=100), name="trainingcourse_hours"
            )
        ]

    def __str__(self) -> str:
        return f"{self.held_on} {self.title}"


class TrainingAttendance(BaseModel):
    """A staff member at a course; ``completed`` when they took the whole course (修了)."""

    course = models.ForeignKey(TrainingCourse, models.CASCADE, related_name="attendances", verbose_name=_("研修"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="training_attendances", verbose_name=_("職員")
    )
    completed = models.BooleanField(_("修了"), default=True)

    class Meta:
        ordering = ["course", "pk"]
        verbose_name = _("研修の受講")
        verbose_name_plural = _("研修の受講")
        constraints = [models.UniqueConstraint(fields=["course", "user"], name="trainingattendance_unique")]

    def __str__(self) -> str:
        return f"{self.course_id} {self.user_id}"


class SupervisionSession(BaseModel):
    """A supervision session: a supervisor with one or more staff of their agency, the cases
    discussed (only cases the supervisor sees) and free notes."""

    supervisor = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="supervisions_given", verbose_name=_("スーパーバイザー")
    )
    supervisees = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="supervisions_received", verbose_name=_("スーパーバイジー")
    )
    held_on = models.DateField(_("実施日"))
    notes = models.TextField(_("記録"), blank=True)
    cases = models.ManyToManyField(Case, blank=True, related_name="+", verbose_name=_("検討したケース"))

    class Meta:
        ordering = ["-held_on", "-pk"]
        verbose_name = _("スーパービジョン")
        verbose_name_plural = _("スーパービジョン")
        indexes = [models.Index(fields=["supervisor", "held_on"], name="supervision_supervisor")]

    def __str__(self) -> str:
        return f"{self.held_on} {self.supervisor_id}"


class SupervisionFollowUp(BaseModel):
    """What a supervisee is to do after a session; open until its assignee marks it done. Shown
    on the assignee's work page."""

    session = models.ForeignKey(
        SupervisionSession, models.CASCADE, related_name="follow_ups", verbose_name=_("スーパービジョン")
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="supervision_follow_ups", verbose_name=_("担当者")
    )
    text = models.CharField(_("フォローアップ"), max_length=500)
    due_on = models.DateField(_("期日"), null=True, blank=True)
    done_at = models.DateTimeField(_("完了日時"), null=True, blank=True)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("フォローアップ")
        verbose_name_plural = _("フォローアップ")
        indexes = [
            models.Index(fields=["assignee", "due_on"], name="followup_open", condition=models.Q(done_at__isnull=True))
        ]

    def __str__(self) -> str:
        return f"{self.session_id} {self.assignee_id}"

"""The network around the case (issue 12): places (居場所), programmes (就労体験, ボランティア,
学習支援, 社会参加, 講座) and family associations (家族会), their sessions and who came, a person's
enrolment in a programme with its outcome, and public events.

Who came is counted two ways (docs/domain.md): a named attendance of a person the recording
user may see, or an anonymous head count by age band, sex and whether the attendee came as the
person concerned or as a family member. Anonymous is normal: nobody becomes a person record to be
counted. A named attendance of a person whose household has an open case is also a progress
record of that case (method "居場所・プログラム"), so it is on the case's timeline and counts as
contact; ``NamedAttendance.record`` is that record."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tsunagu.agencies.models import Agency, Area, District
from tsunagu.cases.models import Case
from tsunagu.core.models import BaseModel
from tsunagu.people.models import Person, Sex
from tsunagu.records.models import ProgressRecord


class PlaceKind(models.TextChoices):
    IBASHO = "ibasho", _("居場所")
    WORK_EXPERIENCE = "work_experience", _("就労体験")
    VOLUNTEER = "volunteer", _("ボランティア")
    LEARNING = "learning", _("学習支援")
    SOCIAL = "social", _("社会参加")
    COURSE = "course", _("講座")
    FAMILY_ASSOCIATION = "family_association", _("家族会")


PROGRAMME_KINDS = (
    PlaceKind.WORK_EXPERIENCE,
    PlaceKind.VOLUNTEER,
    PlaceKind.LEARNING,
    PlaceKind.SOCIAL,
    PlaceKind.COURSE,
)


class Audience(models.TextChoices):
    PERSON = "person", _("本人")
    FAMILY = "family", _("家族")
    BOTH = "both", _("本人・家族")


class Joining(models.TextChoices):
    OPEN = "open", _("予約不要")
    BOOKING = "booking", _("要予約")
    REFERRAL = "referral", _("紹介のみ")


class Place(BaseModel):
    """A 居場所, a programme or a family association: run by an agency (whose staff edit it) or,
    for a family group without an agency in Tsunagu, by a named group with an agency that looks
    after its entry (``agency`` is then the agency that keeps it up to date)."""

    name = models.CharField(_("名称"), max_length=100)
    code = models.SlugField(
        _("コード"), max_length=60, unique=True, null=True, blank=True, help_text=_("参照データから読み込んだもの")
    )
    kind = models.CharField(_("種類"), max_length=20, choices=PlaceKind.choices)
    agency = models.ForeignKey(
        Agency, models.PROTECT, related_name="places", verbose_name=_("運営する機関（情報を更新する機関）")
    )
    organiser = models.CharField(
        _("運営する団体"), max_length=100, blank=True, help_text=_("機関以外の団体（家族会など）が運営するとき")
    )
    description = models.TextField(_("内容"), blank=True)
    audience = models.CharField(_("対象"), max_length=10, choices=Audience.choices, default=Audience.PERSON)
    age_min = models.PositiveSmallIntegerField(_("対象年齢（下限）"), null=True, blank=True)
    age_max = models.PositiveSmallIntegerField(_("対象年齢（上限）"), null=True, blank=True)
    district = models.ForeignKey(
        District, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("地区")
    )
    area = models.ForeignKey(Area, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("地域"))
    address = models.CharField(_("所在地"), max_length=200, blank=True)
    schedule = models.CharField(
        _("開催日時（定例）"), max_length=200, blank=True, help_text=_("例: 毎週水曜 13:00〜16:00")
    )
    capacity = models.PositiveSmallIntegerField(_("定員"), null=True, blank=True)
    joining = models.CharField(_("参加のしかた"), max_length=10, choices=Joining.choices, default=Joining.OPEN)
    accessibility = models.TextField(_("バリアフリー・配慮"), blank=True)
    contact = models.CharField(_("問い合わせ先"), max_length=200, blank=True)
    is_public = models.BooleanField(_("区民向けページに載せる"), default=False)
    active = models.BooleanField(_("開催中"), default=True)

    class Meta:
        ordering = ["kind", "name", "pk"]
        verbose_name = _("居場所・プログラム・家族会")
        verbose_name_plural = _("居場所・プログラム・家族会")
        indexes = [models.Index(fields=["is_public", "active", "kind"], name="place_public")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(age_min__isnull=True)
                | models.Q(age_max__isnull=True)
                | models.Q(age_min__lte=models.F("age_max")),
                name="place_age_range",
            )
        ]

    def __str__(self) -> str:
        return self.name


class SessionKind(models.TextChoices):
    REGULAR = "regular", _("定例の開催")
    MEETING = "meeting", _("例会")
    STUDY = "study", _("学習会")
    OTHER = "other", _("その他")


class PlaceSession(BaseModel):
    """One session of a place, programme or family association (開催回)."""

    place = models.ForeignKey(Place, models.PROTECT, related_name="sessions", verbose_name=_("居場所・プログラム"))
    kind = models.CharField(_("種類"), max_length=10, choices=SessionKind.choices, default=SessionKind.REGULAR)
    held_on = models.DateField(_("開催日"))
    starts_at = models.TimeField(_("開始時刻"), null=True, blank=True)
    ends_at = models.TimeField(_("終了時刻"), null=True, blank=True)
    staff = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="+", verbose_name=_("担当した職員")
    )
    notes = models.TextField(_("メモ"), blank=True)

    class Meta:
        ordering = ["-held_on", "-starts_at", "-pk"]
        verbose_name = _("開催回")
        verbose_name_plural = _("開催回")
        indexes = [models.Index(fields=["place", "-held_on"], name="placesession_place_day")]

    def __str__(self) -> str:
        return f"{self.place} {self.held_on}"


class AgeBand(models.TextChoices):
    """The bands an anonymous head count uses (what a worker can tell without asking)."""

    TEENS = "10s", _("10代")
    TWENTIES = "20s", _("20代")
    THIRTIES = "30s", _("30代")
    FORTIES = "40s", _("40代")
    FIFTIES = "50s", _("50代")
    SIXTIES = "60s", _("60代")
    SEVENTY_PLUS = "70+", _("70代以上")
    UNKNOWN = "unknown", _("不明")


class AttendeeRole(models.TextChoices):
    PERSON = "person", _("本人")
    FAMILY = "family", _("家族")


class AnonymousCount(models.Model):
    """How many came without giving a name, by age band, sex and role (not personal data)."""

    session = models.ForeignKey(PlaceSession, models.CASCADE, related_name="counts", verbose_name=_("開催回"))
    role = models.CharField(_("参加者"), max_length=10, choices=AttendeeRole.choices, default=AttendeeRole.PERSON)
    age_band = models.CharField(_("年代"), max_length=10, choices=AgeBand.choices, default=AgeBand.UNKNOWN)
    sex = models.CharField(_("性別"), max_length=10, choices=Sex.choices)
    count = models.PositiveSmallIntegerField(_("人数"))

    class Meta:
        verbose_name = _("匿名の参加人数")
        verbose_name_plural = _("匿名の参加人数")
        constraints = [
            models.UniqueConstraint(fields=["session", "role", "age_band", "sex"], name="anonymouscount_unique"),
            models.CheckConstraint(condition=models.Q(count__gte=1), name="anonymouscount_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.session_id} {self.role} {self.age_band} {self.sex} {self.count}"


class NamedAttendance(models.Model):
    """A person the recording user may see came to the session (personal data: seen by the
    running agency and the person's case team). ``record`` is the progress record it made on the
    open case of the person's household, if there was one."""

    session = models.ForeignKey(PlaceSession, models.CASCADE, related_name="named", verbose_name=_("開催回"))
    person = models.ForeignKey(Person, models.PROTECT, related_name="attendances", verbose_name=_("参加した人"))
    role = models.CharField(_("参加者"), max_length=10, choices=AttendeeRole.choices, default=AttendeeRole.PERSON)
    record = models.ForeignKey(
        ProgressRecord, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("支援経過記録")
    )
    created_at = models.DateTimeField(_("記録した日時"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, related_name="+", verbose_name=_("記録した職員")
    )

    class Meta:
        verbose_name = _("参加（名前あり）")
        verbose_name_plural = _("参加（名前あり）")
        constraints = [models.UniqueConstraint(fields=["session", "person"], name="namedattendance_unique")]
        indexes = [models.Index(fields=["person", "session"], name="namedattendance_person")]

    def __str__(self) -> str:
        return f"{self.session_id} {self.person_id}"


class FamilyNeedCount(models.Model):
    """A family association's record of the needs families brought to a session, counted by the
    options of the family needs sheet (``tsunagu-family``: difficulties, 8050 signals), not per
    family: an association counts needs, it does not keep files."""

    session = models.ForeignKey(PlaceSession, models.CASCADE, related_name="needs", verbose_name=_("開催回"))
    need = models.CharField(_("困りごと"), max_length=40)
    count = models.PositiveSmallIntegerField(_("家族の数"))

    class Meta:
        verbose_name = _("家族のニーズ（件数）")
        verbose_name_plural = _("家族のニーズ（件数）")
        constraints = [
            models.UniqueConstraint(fields=["session", "need"], name="familyneedcount_unique"),
            models.CheckConstraint(condition=models.Q(count__gte=1), name="familyneedcount_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.session_id} {self.need} {self.count}"


class Outcome(models.TextChoices):
    WORK = "work", _("就労")
    SCHOOL = "school", _("就学")
    VOLUNTEER = "volunteer", _("ボランティア")
    CONTINUING = "continuing", _("継続利用")
    DROPPED = "dropped", _("中断")
    OTHER = "other", _("その他")


class Enrolment(BaseModel):
    """A person's enrolment in a programme or place, from the case page: start, end, outcome."""

    place = models.ForeignKey(Place, models.PROTECT, related_name="enrolments", verbose_name=_("プログラム"))
    person = models.ForeignKey(Person, models.PROTECT, related_name="enrolments", verbose_name=_("参加する人"))
    case = models.ForeignKey(Case, models.PROTECT, related_name="enrolments", verbose_name=_("ケース"))
    starts_on = models.DateField(_("開始日"))
    ends_on = models.DateField(_("終了日"), null=True, blank=True)
    outcome = models.CharField(_("結果"), max_length=20, choices=Outcome.choices, blank=True)
    note = models.TextField(_("メモ"), blank=True)

    class Meta:
        ordering = ["-starts_on", "-pk"]
        verbose_name = _("プログラムへの参加")
        verbose_name_plural = _("プログラムへの参加")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__isnull=True) | models.Q(ends_on__gte=models.F("starts_on")),
                name="enrolment_dates",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person_id} → {self.place_id} {self.starts_on}"


class EventKind(models.TextChoices):
    LECTURE = "lecture", _("講演会")
    FAMILY_COURSE = "family_course", _("家族向け講座")
    CONSULTATION = "consultation", _("相談会")
    OTHER = "other", _("その他")


class Event(BaseModel):
    """A public event (講演会, 家族向け講座, 相談会) of an agency, with how to apply."""

    title = models.CharField(_("名称"), max_length=120)
    kind = models.CharField(_("種類"), max_length=20, choices=EventKind.choices)
    agency = models.ForeignKey(Agency, models.PROTECT, related_name="events", verbose_name=_("主催する機関"))
    place = models.ForeignKey(
        Place, models.SET_NULL, null=True, blank=True, related_name="events", verbose_name=_("関係する居場所・家族会")
    )
    description = models.TextField(_("内容"), blank=True)
    starts_at = models.DateTimeField(_("開始日時"))
    ends_at = models.DateTimeField(_("終了日時"), null=True, blank=True)
    venue = models.CharField(_("会場"), max_length=200)
    district = models.ForeignKey(
        District, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("地区")
    )
    audience = models.CharField(_("対象"), max_length=10, choices=Audience.choices, default=Audience.BOTH)
    how_to_apply = models.TextField(_("申し込み方法"), blank=True)
    apply_by = models.DateField(_("申し込みの締切"), null=True, blank=True)
    capacity = models.PositiveSmallIntegerField(_("定員"), null=True, blank=True)
    is_public = models.BooleanField(_("区民向けページに載せる"), default=True)

    class Meta:
        ordering = ["starts_at", "pk"]
        verbose_name = _("催し")
        verbose_name_plural = _("催し")
        indexes = [models.Index(fields=["is_public", "starts_at"], name="event_public")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__isnull=True) | models.Q(ends_at__gte=models.F("starts_at")),
                name="event_times",
            ),
        ]

    def __str__(self) -> str:
        return self.title

"""Writes of training and supervision (docs/style.md §2). Each service checks what the user may
do here again (the views' choices are not trusted) and records its access event when it writes
a supervision session or a follow-up."""

import datetime as dt
import uuid
from collections.abc import Iterable
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tsunagu.agencies.models import Agency, Role
from tsunagu.agencies.selectors import staff_context
from tsunagu.audit.models import Action
from tsunagu.cases.models import Case
from tsunagu.core.services import create_once, save_versioned
from tsunagu.core.types import User
from tsunagu.training.access import (
    FOLLOW_UP_OBJECT,
    SUPERVISION_OBJECT,
    attendance_staff,
    cases_discussable,
    course_organisers,
    session_reason,
    supervisees_for,
    supervision_events,
)
from tsunagu.training.models import SupervisionFollowUp, SupervisionSession, TrainingAttendance, TrainingCourse

# --- courses -----------------------------------------------------------------------------------


def _check_organiser(user: User, organiser: Agency) -> None:
    if not course_organisers(user).filter(pk=organiser.pk).exists():
        raise ValidationError({"organiser": _("主催機関には、あなたがスーパーバイザーを務める機関を選んでください。")})


def course_create(
    *,
    user: User,
    organiser: Agency,
    title: str,
    held_on: dt.date,
    hours: Decimal,
    kind: str,
    description: str = "",
    capacity: int | None = None,
    key: uuid.UUID | None = None,
) -> tuple[TrainingCourse, bool]:
    _check_organiser(user, organiser)
    return create_once(
        key=key,
        user=user,
        create=lambda: TrainingCourse.objects.create(
            organiser=organiser,
            title=title,
            held_on=held_on,
            hours=hours,
            kind=kind,
            description=description,
            capacity=capacity,
            created_by=user,
            updated_by=user,
        ),
    )


def course_update(
    *,
    user: User,
    course: TrainingCourse,
    expected_version: int,
    organiser: Agency,
    title: str,
    held_on: dt.date,
    hours: Decimal,
    kind: str,
    description: str = "",
    capacity: int | None = None,
) -> TrainingCourse:
    _check_organiser(user, organiser)
    return save_versioned(
        obj=course,
        expected_version=expected_version,
        user=user,
        fields={
            "organiser": organiser,
            "title": title,
            "held_on": held_on,
            "hours": hours,
            "kind": kind,
            "description": description,
            "capacity": capacity,
        },
    )


def attendance_record(*, user: User, course: TrainingCourse, attendee: User, completed: bool) -> TrainingAttendance:
    """Record (or correct) a staff member's attendance of a course; recording it twice changes
    nothing (one row per course and person)."""
    if not attendance_staff(user).filter(pk=attendee.pk).exists():
        raise ValidationError({"attendee": _("あなたが受講を記録できる職員を選んでください。")})
    with transaction.atomic():
        attendance, created = TrainingAttendance.objects.select_for_update().get_or_create(
            course=course, user=attendee, defaults={"completed": completed, "created_by": user, "updated_by": user}
        )
        if not created and attendance.completed != completed:
            attendance = save_versioned(
                obj=attendance, expected_version=attendance.version, user=user, fields={"completed": completed}
            )
    return attendance


# --- supervision -------------------------------------------------------------------------------


def _check_session(
    user: User,
    supervisees: Iterable[User],
    case_ids: Iterable[int],
    kept: Iterable[int] = (),
    kept_supervisees: Iterable[int] = (),
) -> tuple[list[User], list[Case]]:
    """``kept``, ``kept_supervisees``: the cases and supervisees already on the session, which may
    stay even if the supervisor no longer sees or supervises them (they were checked when put on)."""
    if not staff_context(user).has_role(Role.SUPERVISOR):
        raise ValidationError(_("スーパービジョンを記録できるのはスーパーバイザーです。"))
    supervisees = list(supervisees)
    case_ids = list(dict.fromkeys(int(pk) for pk in case_ids))
    errors: dict[str, str] = {}
    allowed = set(supervisees_for(user).filter(pk__in=[u.pk for u in supervisees]).values_list("pk", flat=True))
    allowed |= set(kept_supervisees)
    if not supervisees:
        errors["supervisees"] = _("スーパーバイジーを一人以上選んでください。")
    elif any(u.pk not in allowed for u in supervisees):
        errors["supervisees"] = _("あなたがスーパーバイザーを務める機関の職員を選んでください。")
    visible = set(cases_discussable(user).filter(pk__in=case_ids).values_list("pk", flat=True))
    visible |= set(kept) & set(case_ids)
    refused = sorted(pk for pk in case_ids if pk not in visible)
    if refused:
        # The same words for a case that does not exist and one the supervisor may not see.
        errors["cases"] = _(
            "次のケース番号は選べません：%(numbers)s。あなたが見ることのできるケースの番号を入力してください。"
        ) % {"numbers": "、".join(f"K-{pk:06d}" for pk in refused)}
    if errors:
        raise ValidationError(errors)
    return supervisees, list(Case.objects.filter(pk__in=case_ids).order_by("pk"))


def session_create(
    *,
    user: User,
    held_on: dt.date,
    supervisees: Iterable[User],
    case_ids: Iterable[int],
    notes: str = "",
    key: uuid.UUID | None = None,
) -> tuple[SupervisionSession, bool]:
    supervisees, cases = _check_session(user, supervisees, case_ids)

    def create() -> SupervisionSession:
        session = SupervisionSession.objects.create(
            supervisor=user, held_on=held_on, notes=notes, created_by=user, updated_by=user
        )
        session.supervisees.set(supervisees)
        session.cases.set(cases)
        supervision_events(
            user=user,
            action=Action.CREATE,
            object_type=SUPERVISION_OBJECT,
            object_ids=[session.pk],
            case_ids=[c.pk for c in cases],
            reason=session_reason(session.pk),
        )
        return session

    with transaction.atomic():
        return create_once(key=key, user=user, create=create)


def session_update(
    *,
    user: User,
    session: SupervisionSession,
    expected_version: int,
    held_on: dt.date,
    supervisees: Iterable[User],
    case_ids: Iterable[int],
    notes: str = "",
) -> SupervisionSession:
    if session.supervisor_id != user.pk:
        raise ValidationError(_("このスーパービジョンを変更できるのは、記録したスーパーバイザーです。"))
    before = set(session.cases.values_list("pk", flat=True))
    supervisees, cases = _check_session(
        user,
        supervisees,
        case_ids,
        kept=before,
        kept_supervisees=session.supervisees.values_list("pk", flat=True),
    )
    assigned = set(session.follow_ups.values_list("assignee_id", flat=True))
    if assigned - {u.pk for u in supervisees}:
        raise ValidationError({"supervisees": _("フォローアップの担当者はスーパーバイジーから外せません。")})
    with transaction.atomic():
        session = save_versioned(
            obj=session, expected_version=expected_version, user=user, fields={"held_on": held_on, "notes": notes}
        )
        session.supervisees.set(supervisees)
        session.cases.set(cases)
        supervision_events(
            user=user,
            action=Action.UPDATE,
            object_type=SUPERVISION_OBJECT,
            object_ids=[session.pk],
            case_ids=before | {c.pk for c in cases},
            reason=session_reason(session.pk),
        )
    return session


def follow_up_add(
    *,
    user: User,
    session: SupervisionSession,
    assignee: User,
    text: str,
    due_on: dt.date | None = None,
    key: uuid.UUID | None = None,
) -> tuple[SupervisionFollowUp, bool]:
    if session.supervisor_id != user.pk:
        raise ValidationError(_("フォローアップを加えられるのは、記録したスーパーバイザーです。"))
    if not session.supervisees.filter(pk=assignee.pk).exists():
        raise ValidationError({"assignee": _("このスーパービジョンのスーパーバイジーを選んでください。")})

    def create() -> SupervisionFollowUp:
        follow_up = SupervisionFollowUp.objects.create(
            session=session, assignee=assignee, text=text, due_on=due_on, created_by=user, updated_by=user
        )
        supervision_events(
            user=user,
            action=Action.CREATE,
            object_type=FOLLOW_UP_OBJECT,
            object_ids=[follow_up.pk],
            case_ids=session.cases.values_list("pk", flat=True),
            reason=session_reason(session.pk),
        )
        return follow_up

    with transaction.atomic():
        return create_once(key=key, user=user, create=create)


def follow_up_done(*, user: User, follow_up: SupervisionFollowUp, expected_version: int) -> SupervisionFollowUp:
    """The assignee marks a follow-up done; done twice is done once."""
    if follow_up.assignee_id != user.pk:
        raise ValidationError(_("完了にできるのは担当者です。"))
    if follow_up.done_at is not None:
        return follow_up
    with transaction.atomic():
        follow_up = save_versioned(
            obj=follow_up, expected_version=expected_version, user=user, fields={"done_at": timezone.now()}
        )
        supervision_events(
            user=user,
            action=Action.UPDATE,
            object_type=FOLLOW_UP_OBJECT,
            object_ids=[follow_up.pk],
            case_ids=follow_up.session.cases.values_list("pk", flat=True),
            reason=session_reason(follow_up.session_id),
        )
    return follow_up

"""Writes of meetings. Putting a case on a meeting shares its summary with every attending agency,
so the meeting's basis must hold for each of them (docs/quality.md S5)."""

import datetime as dt
import uuid
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from tsunagu.agencies.models import MEETING_ROLES, Agency, Role
from tsunagu.agencies.selectors import staff_context
from tsunagu.audit.models import Action
from tsunagu.audit.services import access_record
from tsunagu.cases.models import Case, Consent, SharingBasis, TimelineKind
from tsunagu.cases.services import timeline_add
from tsunagu.core.services import create_once, save_versioned
from tsunagu.core.types import User
from tsunagu.lib.wareki import format_wareki
from tsunagu.meetings.access import meeting_can_write
from tsunagu.meetings.models import (
    CASE_KINDS,
    COUNCIL_KINDS,
    KIND_BASIS,
    Decision,
    Meeting,
    MeetingCase,
    MeetingKind,
)


def _check_kind(*, user: User, kind: str, organiser: Agency) -> None:
    context = staff_context(user)
    if kind not in MeetingKind.values:
        raise ValidationError({"kind": _("会議の種類を選んでください。")})
    if kind in COUNCIL_KINDS and not context.has_role(Role.SECRETARIAT):
        raise ValidationError({"kind": _("連絡協議会・庁内調整会議は事務局が記録します。")})
    if kind not in COUNCIL_KINDS and organiser.pk not in context.agency_ids(*MEETING_ROLES):
        raise ValidationError({"organiser": _("主催機関は自分の所属機関から選んでください。")})


def _check_date(held_at: dt.datetime) -> None:
    """The meeting day starts the sharing window: a date far ahead would share for years."""
    days = settings.MEETING_MAX_DAYS_AHEAD
    if timezone.localdate(held_at) > timezone.localdate() + dt.timedelta(days=days):
        raise ValidationError({"held_on": _("開催日は今日から%(days)s日先までの日付にしてください。") % {"days": days}})


def meeting_create(
    *,
    user: User,
    organiser: Agency,
    kind: str,
    title: str,
    held_at: Any,
    place: str,
    agencies: Iterable[Agency],
    other_attendees: str = "",
    key: uuid.UUID | None = None,
) -> tuple[Meeting, bool]:
    _check_kind(user=user, kind=kind, organiser=organiser)
    _check_date(held_at)

    def create() -> Meeting:
        meeting = Meeting.objects.create(
            kind=kind,
            title=title,
            held_at=held_at,
            place=place,
            organiser=organiser,
            other_attendees=other_attendees,
            created_by=user,
            updated_by=user,
        )
        meeting.agencies.set({a.pk: a for a in [organiser, *agencies]}.values())
        access_record(user=user, action=Action.CREATE, object_type="meeting", object_ids=[meeting.pk])
        return meeting

    with transaction.atomic():
        return create_once(key=key, user=user, create=create)


def staff_of(agencies: Iterable[Any]) -> QuerySet[Any]:
    """Active staff of the given agencies who may attend meetings (the choices for attendees and
    action owners)."""
    return (
        get_user_model()
        .objects.filter(
            is_active=True,
            memberships__active=True,
            memberships__agency__in=list(agencies),
            memberships__role__in=MEETING_ROLES,
        )
        .distinct()
        .order_by("last_name", "first_name", "username")
    )


def meeting_update(
    *,
    user: User,
    meeting: Meeting,
    expected_version: int,
    title: str,
    held_at: Any,
    place: str,
    agencies: Iterable[Agency],
    attendees: Iterable[Any],
    other_attendees: str,
    minutes: str,
    kind: str | None = None,
) -> Meeting:
    """Save the meeting's record. A change that widens who sees a discussed case (an attending
    agency added, the kind changed to another basis, the date moved) is checked against the
    basis again, as putting the case on the meeting was; a refusal writes nothing."""
    kind = kind or meeting.kind
    if kind != meeting.kind:
        _check_kind(user=user, kind=kind, organiser=meeting.organiser)
    if held_at != meeting.held_at:
        _check_date(held_at)
    attending = {a.pk: a for a in [meeting.organiser, *agencies]}
    attendees = list(attendees)
    allowed = set(staff_of(attending.values()).values_list("pk", flat=True))
    if any(a.pk not in allowed for a in attendees):
        raise ValidationError({"attendees": _("出席した職員は、出席機関の職員から選んでください。")})
    with transaction.atomic():
        # Serialise with putting a case on this meeting: the agencies and cases checked are the
        # ones the save changes (on PostgreSQL; SQLite writes one at a time anyway).
        _lock(meeting)
        previous = set(meeting.agencies.values_list("pk", flat=True))
        added = [a for pk, a in attending.items() if pk not in previous]
        cases = [item.case for item in meeting.discussed.select_related("case").order_by("added_at", "pk")]
        if cases:
            _check_widening(meeting=meeting, kind=kind, held_at=held_at, attending=attending, added=added, cases=cases)
        meeting = save_versioned(
            obj=meeting,
            expected_version=expected_version,
            user=user,
            fields={
                "kind": kind,
                "title": title,
                "held_at": held_at,
                "place": place,
                "other_attendees": other_attendees,
                "minutes": minutes,
            },
        )
        meeting.agencies.set(attending.values())
        meeting.attendees.set(attendees)
        access_record(user=user, action=Action.UPDATE, object_type="meeting", object_ids=[meeting.pk])
        if added:
            for case in cases:
                access_record(
                    user=user,
                    action=Action.SHARE,
                    object_type="case",
                    object_ids=[case.pk],
                    person_ids=case.household.members.values_list("pk", flat=True),
                    case_id=case.pk,
                    reason=f"meeting {meeting.pk} ({meeting.sharing_basis}): added {' '.join(a.code for a in added)}",
                )
    return meeting


def _check_widening(
    *,
    meeting: Meeting,
    kind: str,
    held_at: dt.datetime,
    attending: dict[int, Agency],
    added: list[Agency],
    cases: list[Case],
) -> None:
    """Refuse an edit of a meeting with cases on it that would share them without a basis."""
    if kind not in CASE_KINDS:
        raise ValidationError({"kind": _("検討ケースがある会議は、個人情報を載せない種類の会議に変えられません。")})
    if KIND_BASIS[MeetingKind(kind)] != SharingBasis.CONSENT:
        return  # a statutory 支援会議 shares without consent
    # Under consent, the agencies to check: the new ones; all of them when the basis or the
    # meeting day (on which the consent must still hold) changes.
    if KIND_BASIS[MeetingKind(meeting.kind)] != SharingBasis.CONSENT:
        checked, field = list(attending.values()), "kind"
    elif timezone.localdate(held_at) != timezone.localdate(meeting.held_at):
        checked, field = list(attending.values()), "held_on"
    else:
        checked, field = added, "agencies"
    problems = []
    for case in cases:
        missing = _agencies_without_consent(checked, case, held_at)
        if missing:
            problems.append(
                _("ケース %(case)s：%(agencies)s")
                % {"case": case.number, "agencies": "、".join(a.name for a in missing)}
            )
    if problems:
        raise ValidationError(
            {
                field: _(
                    "この会議は本人の同意にもとづいて情報を共有します。次の出席機関への同意が、会議の日まで有効なものとして記録されていません（何も保存していません）。%(problems)s"
                )
                % {"problems": "／".join(problems)}
            }
        )


def _agencies_without_consent(agencies: Iterable[Agency], case: Case, held_at: dt.datetime) -> list[Agency]:
    """Of ``agencies``, those not on the case team and not named by a consent of a member of the
    household that is active today and on the meeting day (when sharing starts)."""
    today = timezone.localdate()
    days = {today, max(today, timezone.localdate(held_at))}
    on_team = set(case.team.filter(until__isnull=True).values_list("agency_id", flat=True))
    consents = Consent.objects.filter(person__household_id=case.household_id).prefetch_related("agencies")
    named = {a.pk for c in consents if all(c.active_on(day) for day in days) for a in c.agencies.all()}
    return [a for a in sorted(agencies, key=lambda a: a.pk) if a.pk not in on_team and a.pk not in named]


def _lock(meeting: Meeting) -> Meeting:
    """The meeting's row, locked until the end of the transaction (PostgreSQL), as it is now."""
    return Meeting.objects.select_for_update().select_related("organiser").get(pk=meeting.pk)


def meeting_add_case(*, user: User, meeting: Meeting, case: Case) -> MeetingCase:
    """Put a case on a case meeting: its summary is shared with the attending agencies under the
    meeting's basis, and the share is on the case's timeline and in the audit trail."""
    with transaction.atomic():
        # Checked under the lock: the kind and attending agencies are the ones the case is shared with.
        return _add_case(user=user, meeting=_lock(meeting), case=case)


def _add_case(*, user: User, meeting: Meeting, case: Case) -> MeetingCase:
    if meeting.kind not in CASE_KINDS:
        raise ValidationError(
            {"case_number": _("この種類の会議では個別のケースを扱いません（個人情報を載せない会議です）。")}
        )
    if not meeting_can_write(user, meeting):
        raise ValidationError({"case_number": _("この会議を記録できるのは主催機関の職員です。")})
    if meeting.discussed.filter(case=case).exists():
        raise ValidationError({"case_number": _("このケースはすでに検討ケースです。")})
    if meeting.sharing_basis == SharingBasis.CONSENT:
        missing = _agencies_without_consent(meeting.agencies.all(), case, meeting.held_at)
        if missing:
            raise ValidationError(
                {
                    "case_number": _(
                        "この会議は本人の同意にもとづいて情報を共有します。次の出席機関への同意が記録されていません：%(agencies)s"
                    )
                    % {"agencies": "、".join(a.name for a in missing)}
                }
            )
    with transaction.atomic():
        item = MeetingCase.objects.create(meeting=meeting, case=case, added_at=timezone.now(), added_by=user)
        timeline_add(
            case=case,
            kind=TimelineKind.MEETING,
            user=user,
            object_id=meeting.pk,
            summary=_("%(kind)s（%(date)s）で検討：%(title)s")
            % {
                "kind": meeting.get_kind_display(),
                "date": format_wareki(timezone.localdate(meeting.held_at)),
                "title": meeting.title,
            },
        )
        access_record(
            user=user,
            action=Action.SHARE,
            object_type="case",
            object_ids=[case.pk],
            person_ids=case.household.members.values_list("pk", flat=True),
            case_id=case.pk,
            reason=f"meeting {meeting.pk} ({meeting.sharing_basis})",
        )
    return item


def decision_add(
    *,
    user: User,
    meeting: Meeting,
    text: str,
    case: Case | None,
    owner: Any,
    due_on: Any,
    key: uuid.UUID | None = None,
) -> tuple[Decision, bool]:
    if case is not None and not meeting.discussed.filter(case=case).exists():
        raise ValidationError({"case": _("この会議で検討したケースから選んでください。")})
    if owner is not None and not staff_of(meeting.agencies.all()).filter(pk=owner.pk).exists():
        raise ValidationError({"owner": _("担当者は出席機関の職員から選んでください。")})
    if owner is not None and due_on is None:
        raise ValidationError({"due_on": _("担当者を決めたときは期日も決めてください。")})

    def create() -> Decision:
        decision = Decision.objects.create(
            meeting=meeting, case=case, text=text, owner=owner, due_on=due_on, created_by=user, updated_by=user
        )
        if case is not None:
            timeline_add(
                case=case,
                kind=TimelineKind.MEETING,
                user=user,
                object_id=meeting.pk,
                summary=_("会議の決定：%(text)s") % {"text": text[:200]},
            )
        access_record(
            user=user,
            action=Action.CREATE,
            object_type="decision",
            object_ids=[decision.pk],
            case_id=case.pk if case else None,
        )
        return decision

    with transaction.atomic():
        return create_once(key=key, user=user, create=create)


def decision_done(*, user: User, decision: Decision, expected_version: int) -> Decision:
    if decision.done_at is not None:
        return decision
    with transaction.atomic():
        decision = save_versioned(
            obj=decision,
            expected_version=expected_version,
            user=user,
            fields={"done_at": timezone.now(), "done_by": user},
        )
        access_record(
            user=user,
            action=Action.UPDATE,
            object_type="decision",
            object_ids=[decision.pk],
            case_id=decision.case_id,
            reason="done",
        )
    return decision

"""Writes of meetings. Putting a case on a meeting shares its summary with every attending agency,
so the meeting's basis must hold for each of them (QUALITY.md S5)."""

import uuid
from collections.abc import Iterable
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from tsunagu.agencies.models import Agency, Role
from tsunagu.agencies.selectors import staff_context
from tsunagu.audit.models import Action
from tsunagu.audit.services import access_record
from tsunagu.cases.models import Case, Consent, SharingBasis, TimelineKind
from tsunagu.cases.services import timeline_add
from tsunagu.core.services import create_once, save_versioned
from tsunagu.lib.wareki import format_wareki
from tsunagu.meetings.access import MEETING_ROLES, meeting_can_write
from tsunagu.meetings.models import CASE_KINDS, COUNCIL_KINDS, Decision, Meeting, MeetingCase, MeetingKind


def _check_kind(*, user: Any, kind: str, organiser: Agency) -> None:
    context = staff_context(user)
    if kind not in MeetingKind.values:
        raise ValidationError({"kind": _("会議の種類を選んでください。")})
    if kind in COUNCIL_KINDS and not context.has_role(Role.SECRETARIAT):
        raise ValidationError({"kind": _("連絡協議会・庁内調整会議は事務局が記録します。")})
    if kind not in COUNCIL_KINDS and organiser.pk not in context.agency_ids(*MEETING_ROLES):
        raise ValidationError({"organiser": _("主催機関は自分の所属機関から選んでください。")})


def meeting_create(
    *,
    user: Any,
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
    user: Any,
    meeting: Meeting,
    expected_version: int,
    title: str,
    held_at: Any,
    place: str,
    agencies: Iterable[Agency],
    attendees: Iterable[Any],
    other_attendees: str,
    minutes: str,
) -> Meeting:
    attending = {a.pk: a for a in [meeting.organiser, *agencies]}
    attendees = list(attendees)
    allowed = set(staff_of(attending.values()).values_list("pk", flat=True))
    if any(a.pk not in allowed for a in attendees):
        raise ValidationError({"attendees": _("出席した職員は、出席機関の職員から選んでください。")})
    with transaction.atomic():
        meeting = save_versioned(
            obj=meeting,
            expected_version=expected_version,
            user=user,
            fields={
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
    return meeting


def _agencies_without_consent(meeting: Meeting, case: Case) -> list[Agency]:
    """Attending agencies not on the case team and not named by an active consent of a member
    of the household."""
    today = timezone.localdate()
    on_team = set(case.team.filter(until__isnull=True).values_list("agency_id", flat=True))
    consents = Consent.objects.filter(person__household_id=case.household_id).prefetch_related("agencies")
    named = {a.pk for c in consents if c.active_on(today) for a in c.agencies.all()}
    return [a for a in meeting.agencies.order_by("pk") if a.pk not in on_team and a.pk not in named]


def meeting_add_case(*, user: Any, meeting: Meeting, case: Case) -> MeetingCase:
    """Put a case on a case meeting: its summary is shared with the attending agencies under the
    meeting's basis, and the share is on the case's timeline and in the audit trail."""
    if meeting.kind not in CASE_KINDS:
        raise ValidationError(
            {"case_number": _("この種類の会議では個別のケースを扱いません（個人情報を載せない会議です）。")}
        )
    if not meeting_can_write(user, meeting):
        raise ValidationError({"case_number": _("この会議を記録できるのは主催機関の職員です。")})
    if meeting.discussed.filter(case=case).exists():
        raise ValidationError({"case_number": _("このケースはすでに検討ケースです。")})
    if meeting.sharing_basis == SharingBasis.CONSENT:
        missing = _agencies_without_consent(meeting, case)
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
    user: Any,
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


def decision_done(*, user: Any, decision: Decision, expected_version: int) -> Decision:
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

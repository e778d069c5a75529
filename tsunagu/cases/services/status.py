"""A case's status and the support stage of each person in it."""

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tsunagu.audit.models import Action
from tsunagu.audit.services import access_record
from tsunagu.cases.models import (
    Case,
    CaseStatus,
    ClosureReason,
    TimelineKind,
)
from tsunagu.cases.services.timeline import timeline_add
from tsunagu.cases.work_state import team_state_refresh
from tsunagu.core.services import save_versioned
from tsunagu.core.types import User
from tsunagu.lib.wareki import format_wareki
from tsunagu.people.models import Person, SupportStage


def case_change_status(
    *,
    user: User,
    case: Case,
    expected_version: int,
    status: str,
    closure_reason: str = "",
    follow_up_on: Any = None,
) -> Case:
    """Move a case through 受付 → 支援中 → 見守り → 終結; closing needs a reason, reopening keeps
    the history (the timeline keeps every change)."""
    if status not in CaseStatus.values:
        raise ValidationError({"status": _("状態を選んでください。")})
    if status == case.status:
        raise ValidationError({"status": _("状態が変わっていません。")})
    closing = status == CaseStatus.CLOSED
    if closing and closure_reason not in ClosureReason.values:
        raise ValidationError({"closure_reason": _("終結の理由を選んでください。")})
    now = timezone.now()
    fields: dict[str, Any] = {
        "status": status,
        "closed_at": now if closing else None,
        "closure_reason": closure_reason if closing else "",
        "follow_up_on": follow_up_on if closing else None,
    }
    before = case.get_status_display()
    with transaction.atomic():
        case = save_versioned(obj=case, expected_version=expected_version, user=user, fields=fields)
        team_state_refresh(Case.objects.filter(pk=case.pk))  # closed: off the agencies' work pages
        summary = f"{before} → {case.get_status_display()}"
        if closing:
            summary += f"（{case.get_closure_reason_display()}"
            if follow_up_on:
                summary += "、" + _("フォローアップ %(date)s") % {"date": format_wareki(follow_up_on)}
            summary += "）"
        timeline_add(case=case, kind=TimelineKind.STATUS, summary=summary, user=user, at=now)
        access_record(user=user, action=Action.UPDATE, object_type="case", object_ids=[case.pk], case_id=case.pk)
    return case


def person_set_stage(*, user: User, case: Case, person: Person, expected_version: int, stage: int) -> Person:
    """Record a person's support stage (the guideline's four stages) from their case."""
    if person.household_id != case.household_id:
        raise ValidationError(_("このケースの世帯の人ではありません。"))
    if stage not in SupportStage.values:
        raise ValidationError({"stage": _("支援段階を選んでください。")})
    with transaction.atomic():
        person = save_versioned(
            obj=person, expected_version=expected_version, user=user, fields={"support_stage": stage}
        )
        timeline_add(
            case=case,
            kind=TimelineKind.STAGE,
            summary=f"{person.display_name}：{SupportStage(stage).label}",
            user=user,
            object_id=person.pk,
        )
        access_record(
            user=user,
            action=Action.UPDATE,
            object_type="person",
            object_ids=[person.pk],
            person_ids=[person.pk],
            case_id=case.pk,
        )
    return person

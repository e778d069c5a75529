"""Writes of progress records. A record is never deleted; a correction keeps what it replaced."""

import datetime as dt
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tsunagu.audit.models import Action
from tsunagu.audit.services import access_record
from tsunagu.cases.models import Case, TimelineKind
from tsunagu.cases.services import timeline_add
from tsunagu.cases.work_state import case_lock
from tsunagu.core.services import create_once, save_versioned
from tsunagu.core.types import User
from tsunagu.people.models import Person
from tsunagu.records.models import ProgressRecord, ProgressRecordRevision
from tsunagu.records.work_state import work_state_refresh

RECORD_FIELDS = ("occurred_on", "method", "reached", "summary", "next_action", "next_action_on")


@dataclass(frozen=True)
class RecordData:
    """What a progress record says: when, how, whether the person was reached, about whom, what
    happened and what comes next."""

    occurred_on: dt.date
    method: str
    reached: bool
    persons: Sequence[Person]
    summary: str
    next_action: str = ""
    next_action_on: dt.date | None = None

    @classmethod
    def from_cleaned(cls, cleaned: Mapping[str, Any]) -> "RecordData":
        return cls(**{name: cleaned[name] for name in (*RECORD_FIELDS, "persons")})

    def fields(self) -> dict[str, Any]:
        """The record's own columns (the persons are a relation)."""
        return {name: getattr(self, name) for name in RECORD_FIELDS}


def _check_persons(case: Case, persons: list[Person]) -> None:
    members = set(case.household.members.values_list("pk", flat=True))
    if not persons:
        raise ValidationError({"persons": _("記録の対象の人を選んでください。")})
    if any(p.pk not in members for p in persons):
        raise ValidationError({"persons": _("このケースの世帯の人だけを選べます。")})


def _summary(record: ProgressRecord) -> str:
    reached = _("会えた") if record.reached else _("会えず")
    return f"{record.get_method_display()}（{reached}）{record.summary[:80]}"


def record_create(*, user: User, case: Case, data: RecordData, key: uuid.UUID | None) -> tuple[ProgressRecord, bool]:
    persons = list(data.persons)
    _check_persons(case, persons)

    def create() -> ProgressRecord:
        case_lock(case.pk)
        record = ProgressRecord(case=case, created_by=user, updated_by=user, **data.fields())
        record.full_clean()
        record.save()
        record.persons.set(persons)
        work_state_refresh(case.pk)
        # On the timeline a record stands at the day it happened, not the moment it was typed in.
        occurred = timezone.make_aware(dt.datetime.combine(record.occurred_on, dt.time(0, 0)))
        timeline_add(
            case=case, kind=TimelineKind.RECORD, summary=_summary(record), user=user, object_id=record.pk, at=occurred
        )
        access_record(
            user=user,
            action=Action.CREATE,
            object_type="record",
            object_ids=[record.pk],
            person_ids=[p.pk for p in persons],
            case_id=case.pk,
        )
        return record

    with transaction.atomic():
        return create_once(key=key, user=user, create=create)


def record_correct(
    *,
    user: User,
    record: ProgressRecord,
    expected_version: int,
    data: RecordData,
    reason: str,
    withdraw: bool = False,
) -> ProgressRecord:
    """Correct a record: the text it had is kept as a revision, with who corrected it and why.
    ``withdraw`` marks it withdrawn for good: the case's work state leaves it out (decision 0017)."""
    if not reason.strip():
        raise ValidationError({"reason": _("訂正の理由を書いてください。")})
    persons = list(data.persons)
    _check_persons(record.case, persons)
    snapshot: dict[str, Any] = {name: str(getattr(record, name)) for name in RECORD_FIELDS}
    snapshot["persons"] = sorted(record.persons.values_list("pk", flat=True))
    with transaction.atomic():
        case_lock(record.case_id)
        ProgressRecordRevision.objects.create(
            record=record, version=record.version, snapshot=snapshot, reason=reason, corrected_by=user
        )
        record = save_versioned(
            obj=record,
            expected_version=expected_version,
            user=user,
            fields={**data.fields(), **({"withdrawn": True} if withdraw else {})},
        )
        record.persons.set(persons)
        work_state_refresh(record.case_id)
        timeline_add(
            case=record.case,
            kind=TimelineKind.RECORD_CORRECTED,
            summary=_("訂正：%(reason)s") % {"reason": reason[:120]},
            user=user,
            object_id=record.pk,
        )
        access_record(
            user=user,
            action=Action.UPDATE,
            object_type="record",
            object_ids=[record.pk],
            person_ids=[p.pk for p in persons],
            case_id=record.case_id,
        )
    return record

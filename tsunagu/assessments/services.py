"""Writes of instruments and assessments."""

import datetime as dt
import json
import uuid
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from tsunagu.assessments import definition as spec
from tsunagu.assessments.models import PATHWAY_ITEM, Assessment, AssessmentStatus, Instrument, Target
from tsunagu.audit.models import Action
from tsunagu.audit.services import access_record
from tsunagu.cases.models import Case, TimelineKind
from tsunagu.cases.services import timeline_add
from tsunagu.core.services import create_once, save_versioned
from tsunagu.core.types import User
from tsunagu.people.models import Person


def instrument_load(*, definition: Any) -> tuple[Instrument, bool]:
    """Load one version. The same code and version again: unchanged, or refused if it differs."""
    spec.validate(definition)
    existing = Instrument.objects.filter(code=definition["code"], version=definition["version"]).first()
    if existing is not None:
        if existing.definition != definition:
            raise spec.DefinitionError(
                [
                    f"{definition['code']} 第{definition['version']}版はすでに別の内容で読み込まれています。"
                    "版を上げてください。"
                ]
            )
        return existing, False
    with transaction.atomic():
        instrument = Instrument.objects.create(
            code=definition["code"],
            version=definition["version"],
            name=definition["name"],
            target=definition["target"],
            definition=definition,
        )
        Instrument.objects.filter(code=instrument.code, version__lt=instrument.version).update(active=False)
    return instrument, True


def current_instrument(target: str) -> Instrument | None:
    return Instrument.objects.filter(target=target, active=True).order_by("code", "-version").first()


def _derived(instrument: Instrument, answers: dict[str, Any]) -> dict[str, Any]:
    def as_int(value: Any) -> int | None:
        try:
            return int(value)
        except (TypeError, ValueError):
            return None

    return {
        "scores": spec.score(instrument.definition, answers),
        "going_out": as_int(answers.get("going_out")),
        "support_stage": as_int(answers.get("support_stage")),
        "pathway": answer_text(answers.get(PATHWAY_ITEM)),
    }


def answer_text(value: Any) -> str:
    """An answer as SQL's JSON ``->>`` operator gives it: a text as it is, anything else as JSON
    (a list ``["school", "illness"]``); no answer as an empty text."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False)


def _check_complete(instrument: Instrument, answers: dict[str, Any], status: str) -> None:
    if status != AssessmentStatus.COMPLETE:
        return
    missing = spec.completeness(instrument.definition, answers).missing
    if missing:
        raise ValidationError({item_id: _("完了するには回答するか「不明」を選んでください。") for item_id in missing})


def assessment_create(
    *,
    user: User,
    case: Case,
    person: Person | None,
    instrument: Instrument,
    assessed_on: dt.date,
    answers: dict[str, Any],
    status: str,
    key: uuid.UUID | None,
) -> tuple[Assessment, bool]:
    if instrument.target == Target.PERSON and (person is None or person.household_id != case.household_id):
        raise ValidationError(_("このケースの世帯の人を選んでください。"))
    _check_complete(instrument, answers, status)

    def create() -> Assessment:
        assessment = Assessment.objects.create(
            case=case,
            person=person if instrument.target == Target.PERSON else None,
            instrument=instrument,
            target=instrument.target,
            status=status,
            assessed_on=assessed_on,
            assessed_by=user,
            answers=answers,
            created_by=user,
            updated_by=user,
            **_derived(instrument, answers),
        )
        who = person.display_name if person and instrument.target == Target.PERSON else _("家族")
        timeline_add(
            case=case,
            kind=TimelineKind.ASSESSMENT,
            object_id=assessment.pk,
            user=user,
            summary=f"{instrument.name}：{who}（{assessment.get_status_display()}）",
        )
        access_record(
            user=user,
            action=Action.CREATE,
            object_type="assessment",
            object_ids=[assessment.pk],
            person_ids=[person.pk] if person else [],
            case_id=case.pk,
        )
        return assessment

    with transaction.atomic():
        return create_once(key=key, user=user, create=create)


def assessment_update(
    *,
    user: User,
    assessment: Assessment,
    expected_version: int,
    assessed_on: dt.date,
    answers: dict[str, Any],
    status: str,
) -> Assessment:
    if assessment.status == AssessmentStatus.COMPLETE:
        raise ValidationError(_("完了したアセスメントは変更できません。新しいアセスメントを作ってください。"))
    _check_complete(assessment.instrument, answers, status)
    with transaction.atomic():
        assessment = save_versioned(
            obj=assessment,
            expected_version=expected_version,
            user=user,
            fields={
                "assessed_on": assessed_on,
                "answers": answers,
                "status": status,
                **_derived(assessment.instrument, answers),
            },
        )
        if status == AssessmentStatus.COMPLETE:
            timeline_add(
                case=assessment.case,
                kind=TimelineKind.ASSESSMENT,
                object_id=assessment.pk,
                user=user,
                summary=f"{assessment.instrument.name}（{assessment.get_status_display()}）",
            )
        access_record(
            user=user,
            action=Action.UPDATE,
            object_type="assessment",
            object_ids=[assessment.pk],
            person_ids=[assessment.person_id],
            case_id=assessment.case_id,
        )
    return assessment

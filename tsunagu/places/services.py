"""Writes of places, sessions, attendance and enrolments (issue 12).

A named attendance of a person whose household has an open case is also a progress record of
that case (method 居場所・プログラム, reached): written through ``records.services.record_create``
so that it is on the case's timeline and moves the case's work state (last contact, the
no-contact clock; decision 0017) like any record. Its author is the worker who recorded the
attendance, who may not be on the case's team: the record service checks only that the persons
belong to the case's household, and the door for the attendance (the running agency's staff,
picking among the persons they may see) is this module's caller. The access event of the record
says who wrote it; the attendance's own event gives the basis "place".

The record carries the case's next action as it was (the latest record gives the case its next
action, and the place's staff plan nothing), so an attendance does not erase the team's plan.

Removing a named attendance corrects that record (``record_correct(withdraw=True)``, never a
deletion): it no longer says the person was reached, its text says the attendance was withdrawn,
and, withdrawn, it no longer counts in the case's work state: the last contact moves back to the
contact before it, and it is no unanswered outreach either (decision 0017).
"""

import datetime as dt
import uuid
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tsunagu.assessments.definition import items_of
from tsunagu.assessments.services import current_instrument
from tsunagu.audit.models import Action
from tsunagu.audit.services import access_record
from tsunagu.cases.models import OPEN, Case, TimelineKind
from tsunagu.cases.services import timeline_add
from tsunagu.core.services import create_once, save_versioned
from tsunagu.core.types import User
from tsunagu.people.access import persons_visible_to
from tsunagu.people.models import Person
from tsunagu.places.models import (
    AnonymousCount,
    Enrolment,
    FamilyNeedCount,
    NamedAttendance,
    Outcome,
    Place,
    PlaceSession,
)
from tsunagu.records.models import Method
from tsunagu.records.services import RecordData, record_correct, record_create

PLACE_FIELDS = (
    "name",
    "kind",
    "organiser",
    "description",
    "audience",
    "age_min",
    "age_max",
    "area",
    "address",
    "schedule",
    "capacity",
    "joining",
    "accessibility",
    "contact",
    "is_public",
    "active",
)
SESSION_FIELDS = ("kind", "held_on", "starts_at", "ends_at", "notes")
FAMILY_NEED_ITEMS = ("difficulties", "signals_8050")
MAX_COUNT = 999
PERSON_NOT_VISIBLE = gettext_lazy("選べる人の中から選んでください。")
NOT_YET = gettext_lazy("名前ありの参加は、開催日の当日から記録できます。")


def _check_place(place: Place) -> None:
    place.full_clean(exclude=["agency", "code", "version", "created_by", "updated_by"])


def place_create(*, user: User, agency: Any, data: Mapping[str, Any], key: uuid.UUID | None) -> tuple[Place, bool]:
    def create() -> Place:
        place = Place(agency=agency, created_by=user, updated_by=user, **{f: data[f] for f in PLACE_FIELDS})
        _check_place(place)
        place.save()
        return place

    with transaction.atomic():
        return create_once(key=key, user=user, create=create)


def place_update(*, user: User, place: Place, expected_version: int, data: Mapping[str, Any]) -> Place:
    fields = {f: data[f] for f in PLACE_FIELDS}
    probe = Place(agency_id=place.agency_id, **fields)
    _check_place(probe)
    return save_versioned(obj=place, expected_version=expected_version, user=user, fields=fields)


def _check_session(data: Mapping[str, Any]) -> None:
    starts, ends = data.get("starts_at"), data.get("ends_at")
    if starts and ends and ends < starts:
        raise ValidationError({"ends_at": _("終了時刻は開始時刻より後にしてください。")})


def session_create(
    *, user: User, place: Place, data: Mapping[str, Any], staff: Any, key: uuid.UUID | None
) -> tuple[PlaceSession, bool]:
    _check_session(data)

    def create() -> PlaceSession:
        session = PlaceSession(place=place, created_by=user, updated_by=user, **{f: data[f] for f in SESSION_FIELDS})
        session.full_clean(exclude=["created_by", "updated_by"])
        session.save()
        session.staff.set(staff)
        return session

    with transaction.atomic():
        return create_once(key=key, user=user, create=create)


def session_update(
    *, user: User, session: PlaceSession, expected_version: int, data: Mapping[str, Any], staff: Any
) -> PlaceSession:
    """Change a session. A new day moves the progress records its named attendance made (each
    corrected, with the reason), so that the cases' last contact follows the real day."""
    _check_session(data)
    moved = data["held_on"] != session.held_on
    named = list(session.named.select_related("record").filter(record__isnull=False))
    if moved and named and data["held_on"] > timezone.localdate():
        raise ValidationError({"held_on": NOT_YET})
    with transaction.atomic():
        session = save_versioned(
            obj=session, expected_version=expected_version, user=user, fields={f: data[f] for f in SESSION_FIELDS}
        )
        session.staff.set(staff)
        for record in [row.record for row in named if row.record is not None] if moved else []:
            record_correct(
                user=user,
                record=record,
                expected_version=record.version,
                reason=_("居場所・プログラムの開催日の訂正"),
                data=RecordData(
                    occurred_on=session.held_on,
                    method=record.method,
                    reached=record.reached,
                    persons=list(record.persons.all()),
                    summary=record.summary,
                    next_action=record.next_action,
                    next_action_on=record.next_action_on,
                ),
            )
    return session


def counts_replace(*, session: PlaceSession, counts: Mapping[tuple[str, str, str], int]) -> int:
    """Replace the session's anonymous counts by ``counts`` ((role, age band, sex) → number;
    zeros are left out), in one transaction. Never touches a person. Returns the total."""
    rows = [
        AnonymousCount(session=session, role=role, age_band=band, sex=sex, count=n)
        for (role, band, sex), n in counts.items()
        if n
    ]
    if any(not 0 < row.count <= MAX_COUNT for row in rows):
        raise ValidationError(_("人数は0から%(max)sまでで入力してください。") % {"max": MAX_COUNT})
    with transaction.atomic():
        AnonymousCount.objects.filter(session=session).delete()
        AnonymousCount.objects.bulk_create(rows)
    return sum(row.count for row in rows)


def family_need_options() -> list[tuple[str, str]]:
    """The needs a family association counts: the options of the family needs sheet's
    difficulties and 8050 signals, from the current ``tsunagu-family`` instrument."""
    instrument = current_instrument("family")
    if instrument is None:
        return []
    options: list[tuple[str, str]] = []
    for item in items_of(instrument.definition):
        if item.get("id") in FAMILY_NEED_ITEMS:
            options += [(f"{item['id']}:{o['value']}", str(o["label"])) for o in item.get("options", [])]
    return options


def needs_replace(*, session: PlaceSession, needs: Mapping[str, int]) -> int:
    known = {value for value, _label in family_need_options()}
    rows = [FamilyNeedCount(session=session, need=need, count=n) for need, n in needs.items() if n]
    if any(row.need not in known for row in rows):
        raise ValidationError(_("家族のニーズの項目が正しくありません。"))
    if any(not 0 < row.count <= MAX_COUNT for row in rows):
        raise ValidationError(_("人数は0から%(max)sまでで入力してください。") % {"max": MAX_COUNT})
    with transaction.atomic():
        FamilyNeedCount.objects.filter(session=session).delete()
        FamilyNeedCount.objects.bulk_create(rows)
    return sum(row.count for row in rows)


def open_case_of(person: Person) -> Case | None:
    """The newest open case of the person's household, if any."""
    return Case.objects.filter(OPEN, household_id=person.household_id).order_by("-opened_at", "-pk").first()


def named_add(*, user: User, session: PlaceSession, person: Person, role: str) -> tuple[NamedAttendance, bool]:
    """Record that ``person`` (one the user may name: the desk, or their case's team) came; a
    second time is the first one. With an open case, a progress record on it (see the module's note)."""
    # Write visibility: the attendance writes a progress record on the person's case, which
    # emergency access (read only) does not allow; the desk and the case teams may.
    if not persons_visible_to(user, write=True).filter(pk=person.pk).exists():
        raise ValidationError({"person": PERSON_NOT_VISIBLE})
    if session.held_on > timezone.localdate():
        # A contact on a day still to come would stop the no-contact clock for nothing.
        raise ValidationError({"person": NOT_YET})
    existing = NamedAttendance.objects.filter(session=session, person=person).first()
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            row = NamedAttendance.objects.create(session=session, person=person, role=role, created_by=user)
    except IntegrityError:  # the same person at the same moment from another tab
        return NamedAttendance.objects.get(session=session, person=person), False
    case = open_case_of(person)
    if case is not None:
        record, _created = record_create(
            user=user,
            case=case,
            key=None,
            data=RecordData(
                occurred_on=session.held_on,
                method=Method.PLACE,
                reached=True,
                persons=[person],
                summary=_("%(place)s（%(kind)s）に参加")
                % {
                    "place": session.place.name,
                    "kind": session.place.get_kind_display(),
                },
                # The team's next action stays the case's: the latest record gives it (decision
                # 0017), and this one is written by the place's staff, who plan nothing for it.
                next_action=case.next_action,
                next_action_on=case.next_action_on,
            ),
        )
        row.record = record
        row.save(update_fields=["record"])
    access_record(
        user=user,
        action=Action.CREATE,
        object_type="attendance",
        object_ids=[row.pk],
        person_ids=[person.pk],
        case_id=case.pk if case else None,
        reason=f"place session {session.pk}",
        basis="place",
    )
    return row, True


def named_remove(*, user: User, attendance: NamedAttendance) -> None:
    """Withdraw a named attendance recorded by mistake. Its progress record is corrected (not
    deleted): not reached any more, the text says why, the last contact moves back."""
    record = attendance.record
    person_id = attendance.person_id
    case_id = record.case_id if record is not None else None
    with transaction.atomic():
        if record is not None:
            record_correct(
                user=user,
                record=record,
                expected_version=record.version,
                reason=_("居場所・プログラムの参加の記録を取り消し"),
                withdraw=True,
                data=RecordData(
                    occurred_on=record.occurred_on,
                    method=record.method,
                    reached=False,
                    persons=list(record.persons.all()),
                    summary=_("（取り消し）%(summary)s") % {"summary": record.summary},
                    next_action=record.next_action,
                    next_action_on=record.next_action_on,
                ),
            )
        pk = attendance.pk
        attendance.delete()
        access_record(
            user=user,
            action=Action.UPDATE,
            object_type="attendance",
            object_ids=[pk],
            person_ids=[person_id],
            case_id=case_id,
            reason="attendance withdrawn",
            basis="place",
        )


def _timeline_enrolment(user: User, enrolment: Enrolment, summary: str) -> None:
    timeline_add(case=enrolment.case, kind=TimelineKind.ENROLMENT, summary=summary, user=user, object_id=enrolment.pk)


def enrolment_create(
    *,
    user: User,
    case: Case,
    person: Person,
    place: Place,
    starts_on: dt.date,
    note: str,
    key: uuid.UUID | None,
) -> tuple[Enrolment, bool]:
    if not case.household.members.filter(pk=person.pk).exists():
        raise ValidationError({"person": _("このケースの世帯の人だけを選べます。")})

    def create() -> Enrolment:
        enrolment = Enrolment.objects.create(
            case=case, person=person, place=place, starts_on=starts_on, note=note, created_by=user, updated_by=user
        )
        _timeline_enrolment(user, enrolment, _("%(place)sへの参加を開始") % {"place": place.name})
        access_record(
            user=user,
            action=Action.CREATE,
            object_type="enrolment",
            object_ids=[enrolment.pk],
            person_ids=[person.pk],
            case_id=case.pk,
        )
        return enrolment

    with transaction.atomic():
        return create_once(key=key, user=user, create=create)


def enrolment_end(
    *, user: User, enrolment: Enrolment, expected_version: int, ends_on: dt.date, outcome: str, note: str
) -> Enrolment:
    """End an enrolment with its outcome: a line on the case's timeline (the person's support
    stage is then set on the case page; an outcome of work, school or volunteering is offered
    as the case's closure reason)."""
    if ends_on < enrolment.starts_on:
        raise ValidationError({"ends_on": _("終了日は開始日より後にしてください。")})
    if outcome not in Outcome.values:
        raise ValidationError({"outcome": _("結果を選んでください。")})
    with transaction.atomic():
        enrolment = save_versioned(
            obj=enrolment,
            expected_version=expected_version,
            user=user,
            fields={"ends_on": ends_on, "outcome": outcome, "note": note},
        )
        _timeline_enrolment(
            user,
            enrolment,
            _("%(place)sへの参加を終了（結果：%(outcome)s）")
            % {"place": enrolment.place.name, "outcome": enrolment.get_outcome_display()},
        )
        access_record(
            user=user,
            action=Action.UPDATE,
            object_type="enrolment",
            object_ids=[enrolment.pk],
            person_ids=[enrolment.person_id],
            case_id=enrolment.case_id,
        )
    return enrolment


# An ended enrolment's outcome → the closure reason the case's closure form suggests.
OUTCOME_CLOSURE: dict[str, str] = {Outcome.WORK: "work", Outcome.SCHOOL: "school", Outcome.VOLUNTEER: "social"}


def closure_suggestion(case: Case) -> str | None:
    """The closure reason the latest ended enrolment of the case suggests (work, school, social)."""
    latest = (
        Enrolment.objects.filter(case=case, outcome__in=list(OUTCOME_CLOSURE))
        .order_by("-ends_on", "-pk")
        .values_list("outcome", flat=True)
        .first()
    )
    return OUTCOME_CLOSURE.get(latest) if latest else None


def today() -> dt.date:
    return timezone.localdate()

"""The import's writes: the checked rows of a file in bulk (``bulk_create`` in chunks), in the
caller's one transaction (all or nothing, R5).

The services that create one household, person, consultation, case or record at a time
(``people.services``, ``intake.services``, ``cases.services.case_open``, ``records.services``) do a
few queries each; at 100,000 rows that is far below P8's 2,000 rows/s. So the import writes the
same columns the services write, derived the same way (``name_keys`` and the search keys of a
person, the work state of a case set-based by ``cases.work_state`` and
``records.work_state.rebuild_work_state``, a timeline line per case and per record), after the
same rules were checked (``check.py``). Decision 0038 lists what differs: imported consultations
are marked as already sorted (they are history, not the desk's queue), and the access events are
one per batch and kind of object, in steps of 10,000 ids, as the list exports do.
"""

import datetime as dt
import secrets
from collections.abc import Callable
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from tsunagu.agencies.models import TeamRole
from tsunagu.audit.models import Action
from tsunagu.audit.services import Read, access_records
from tsunagu.cases.models import Case, CaseAgency, CaseStatus, TimelineEntry, TimelineKind
from tsunagu.cases.work_state import ages_out_set, stall_refresh, team_state_refresh
from tsunagu.core.types import User
from tsunagu.imports.models import ImportBatch, ImportedObject, Kind
from tsunagu.intake.models import Consultation, ContactPreference, Source
from tsunagu.lib import wareki
from tsunagu.people.models import Disability, Household, Person, PersonNameKey, Relation, Sex
from tsunagu.people.services import name_keys
from tsunagu.records.models import Method, ProgressRecord
from tsunagu.records.work_state import rebuild_work_state

BATCH = 2_000  # rows per INSERT (SQLite's variable limit with ~25 columns)
EVENT_IDS = 10_000  # ids per access event
Progress = Callable[[int], None]


def _tz() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def _objects(batch: ImportBatch, model: str, rows: list[tuple[int, str]]) -> None:
    ImportedObject.objects.bulk_create(
        [ImportedObject(batch=batch, model=model, object_id=pk, ref=ref) for pk, ref in rows], batch_size=BATCH * 2
    )


def _events(user: User, object_type: str, pairs: list[tuple[int, list[int], int | None]], batch: ImportBatch) -> None:
    """Access events of the written objects: (object id, person ids, case id), in steps."""
    reason = f"import #{batch.pk}"
    reads = []
    if object_type in ("case", "record"):
        # One event per case, as the services record them (the case page's 「このケースを見た人」).
        by_case: dict[int | None, tuple[list[int], set[int]]] = {}
        for pk, persons, case_id in pairs:
            ids, people = by_case.setdefault(case_id, ([], set()))
            ids.append(pk)
            people.update(persons)
        reads = [
            Read(object_type=object_type, object_ids=ids, person_ids=people, case_id=case_id, reason=reason)
            for case_id, (ids, people) in by_case.items()
        ]
    else:
        for start in range(0, len(pairs), EVENT_IDS):
            step = pairs[start : start + EVENT_IDS]
            reads.append(
                Read(
                    object_type=object_type,
                    object_ids=[pk for pk, _p, _c in step],
                    person_ids=[p for _pk, persons, _c in step for p in persons],
                    reason=reason,
                )
            )
    for start in range(0, len(reads), 1_000):
        access_records(user=user, action=Action.CREATE, reads=reads[start : start + 1_000])


def write_persons(batch: ImportBatch, user: User, rows: list[dict[str, Any]], progress: Progress) -> int:
    households: dict[str, Household] = {}
    for row in rows:
        ref = row["household_ref"]
        if ref not in households:
            first = row["_household"]
            households[ref] = Household(
                label=first.get("household_label") or "",
                postal_code=first.get("postal_code") or "",
                address=first.get("address") or "",
                district_id=first.get("district"),
                phone=first.get("household_phone") or "",
                created_by=user,
                updated_by=user,
            )
    made = list(households.values())
    Household.objects.bulk_create(made, batch_size=BATCH)
    _objects(batch, "people.household", [(h.pk, ref) for ref, h in households.items()])
    persons = []
    for row in rows:
        since = row.get("withdrawal_since")
        persons.append(
            Person(
                household=households[row["household_ref"]],
                family_name=row.get("family_name") or "",
                given_name=row.get("given_name") or "",
                family_name_kana=row.get("family_name_kana") or "",
                given_name_kana=row.get("given_name_kana") or "",
                label=row.get("label") or "",
                sex=row.get("sex") or Sex.UNKNOWN,
                birth_date=row.get("birth_date"),
                approx_decade=row.get("approx_decade"),
                relation=row.get("relation") or Relation.UNKNOWN,
                is_concerned=bool(row.get("is_concerned")),
                disability=row.get("disability") or Disability.UNKNOWN,
                withdrawal_since=since.day if since else None,
                withdrawal_since_precision=since.precision if since else wareki.DAY,
                going_out=row.get("going_out"),
                phone=row.get("phone") or "",
                key_name=row["key_name"],
                key_kana=row["key_kana"],
                created_by=user,
                updated_by=user,
            )
        )
    written = 0
    for start in range(0, len(persons), BATCH):
        Person.objects.bulk_create(persons[start : start + BATCH])
        written += len(persons[start : start + BATCH])
        progress(written)
    keys = [PersonNameKey(person=p, key=k) for p in persons for k in name_keys(p)]
    PersonNameKey.objects.bulk_create(keys, batch_size=BATCH * 2)
    _objects(
        batch, "people.person", [(p.pk, row.get("person_ref") or "") for p, row in zip(persons, rows, strict=True)]
    )
    members: dict[int, list[int]] = {}
    for person in persons:
        members.setdefault(person.household_id, []).append(person.pk)
    _events(user, "household", [(h.pk, members.get(h.pk, []), None) for h in made], batch)
    _events(user, "person", [(p.pk, [p.pk], None) for p in persons], batch)
    return len(persons)


_CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"


def _reference_codes(count: int) -> list[str]:
    """Unguessable reference codes, as ``intake.services.new_reference_code`` makes them, checked
    against the stored ones in one query per chunk instead of one per code."""
    codes: set[str] = set()
    while len(codes) < count:
        fresh: set[str] = set()
        while len(fresh) < count - len(codes):
            raw = "".join(secrets.choice(_CODE_ALPHABET) for _ in range(8))
            fresh.add(f"{raw[:4]}-{raw[4:]}")
        fresh -= codes
        taken = set()
        listed = list(fresh)
        for start in range(0, len(listed), BATCH):
            taken |= set(
                Consultation.objects.filter(reference_code__in=listed[start : start + BATCH]).values_list(
                    "reference_code", flat=True
                )
            )
        codes |= fresh - taken
    return sorted(codes)[:count]


def write_consultations(batch: ImportBatch, user: User, rows: list[dict[str, Any]], progress: Progress) -> int:
    now = timezone.now()
    codes = _reference_codes(len(rows))
    made = []
    for row, code in zip(rows, codes, strict=True):
        received = dt.datetime.combine(row["received_on"], row.get("received_time") or dt.time(0, 0), tzinfo=_tz())
        made.append(
            Consultation(
                reference_code=code,
                source=Source.DESK,
                received_at=received,
                received_by=user,
                channel=row["channel"],
                contact_type=row["contact_type"],
                contact_relation=row.get("contact_relation") or "",
                contact_agency=row.get("contact_agency"),
                contact_name=row.get("contact_name") or "",
                contact_phone=row.get("contact_phone") or "",
                contact_preference=ContactPreference.MAY_CONTACT,
                concerns=list(row.get("concerns") or []),
                main_concern=row.get("main_concern") or "",
                summary=row["summary"],
                urgent=bool(row.get("urgent")),
                screening=row.get("screening") or "",
                screening_note=_("Excelの台帳から取り込み"),
                triaged_at=now,
                triaged_by=user,
                household_id=row.get("household_id"),
                created_by=user,
                updated_by=user,
            )
        )
    for start in range(0, len(made), BATCH):
        Consultation.objects.bulk_create(made[start : start + BATCH])
        progress(start + len(made[start : start + BATCH]))
    _objects(batch, "intake.consultation", [(c.pk, row.get("ref") or "") for c, row in zip(made, rows, strict=True)])
    household_ids = {c.household_id for c in made if c.household_id}
    members: dict[int, list[int]] = {}
    for pk, household_id in Person.objects.filter(household_id__in=household_ids).values_list("pk", "household_id"):
        members.setdefault(household_id, []).append(pk)
    _events(user, "consultation", [(c.pk, members.get(c.household_id or 0, []), None) for c in made], batch)
    return len(made)


def write_cases(batch: ImportBatch, user: User, rows: list[dict[str, Any]], progress: Progress) -> int:
    tz = _tz()
    made = []
    for row in rows:
        opened = dt.datetime.combine(row["opened_on"], dt.time(0, 0), tzinfo=tz)
        closed = row.get("closed_on")
        made.append(
            Case(
                household_id=row["household_id"],
                status=row["status"],
                opened_at=opened,
                closed_at=dt.datetime.combine(closed, dt.time(0, 0), tzinfo=tz) if closed else None,
                closure_reason=row.get("closure_reason") or "",
                quiet_since=row["opened_on"],
                stalled_on=row["opened_on"] + dt.timedelta(days=row["lead"].stall_days),
                created_by=user,
                updated_by=user,
            )
        )
    for start in range(0, len(made), BATCH):
        Case.objects.bulk_create(made[start : start + BATCH])
        progress(start + len(made[start : start + BATCH]))
    team = []
    timeline = []
    for case, row in zip(made, rows, strict=True):
        lead = row["lead"]
        team.append(
            CaseAgency(
                case=case,
                agency=lead,
                role=TeamRole.LEAD,
                since=row["opened_on"],
                sharing_basis=row["sharing_basis"],
            )
        )
        partners = {a.pk: a for a in row.get("partners") or [] if a.pk != lead.pk}
        for agency in partners.values():
            team.append(
                CaseAgency(
                    case=case,
                    agency=agency,
                    role=TeamRole.PARTNER,
                    since=row["opened_on"],
                    sharing_basis=row["sharing_basis"],
                )
            )
        names = "、".join([lead.name, *[a.name for a in partners.values()]])
        timeline.append(
            TimelineEntry(
                case=case,
                kind=TimelineKind.OPENED,
                at=case.opened_at,
                summary=(_("ケース開始（担当：%(team)s）") % {"team": names})[:300],
                user=user,
            )
        )
        if case.status == CaseStatus.CLOSED:
            timeline.append(
                TimelineEntry(
                    case=case,
                    kind=TimelineKind.STATUS,
                    at=case.closed_at or case.opened_at,
                    summary=f"{case.get_status_display()}（{case.get_closure_reason_display()}）",
                    user=user,
                )
            )
    CaseAgency.objects.bulk_create(team, batch_size=BATCH)
    TimelineEntry.objects.bulk_create(timeline, batch_size=BATCH)
    ids = [c.pk for c in made]
    for start in range(0, len(ids), 1_000):
        cases = Case.objects.filter(pk__in=ids[start : start + 1_000])
        ages_out_set(cases)
        stall_refresh(cases)
        team_state_refresh(cases)
    _objects(batch, "cases.case", [(c.pk, row["ref"]) for c, row in zip(made, rows, strict=True)])
    _objects(batch, "cases.caseagency", [(t.pk, "") for t in team])
    _objects(batch, "cases.timelineentry", [(t.pk, "") for t in timeline])
    members: dict[int, list[int]] = {}
    for pk, household_id in Person.objects.filter(household_id__in={c.household_id for c in made}).values_list(
        "pk", "household_id"
    ):
        members.setdefault(household_id, []).append(pk)
    _events(user, "case", [(c.pk, members.get(c.household_id, []), c.pk) for c in made], batch)
    return len(made)


def write_records(batch: ImportBatch, user: User, rows: list[dict[str, Any]], progress: Progress) -> int:
    tz = _tz()
    made = [
        ProgressRecord(
            case_id=row["case_id"],
            occurred_on=row["occurred_on"],
            method=row["method"] or Method.PHONE,
            reached=bool(row["reached"]),
            summary=row["summary"],
            next_action=row.get("next_action") or "",
            next_action_on=row.get("next_action_on"),
            created_by=user,
            updated_by=user,
        )
        for row in rows
    ]
    for start in range(0, len(made), BATCH):
        ProgressRecord.objects.bulk_create(made[start : start + BATCH])
        progress(start + len(made[start : start + BATCH]))
    through = ProgressRecord.persons.through
    links = [
        through(progressrecord_id=record.pk, person_id=pk)
        for record, row in zip(made, rows, strict=True)
        for pk in row["person_ids"]
    ]
    through.objects.bulk_create(links, batch_size=BATCH * 2)
    timeline = []
    for record in made:
        reached = _("会えた") if record.reached else _("会えず")
        timeline.append(
            TimelineEntry(
                case_id=record.case_id,
                kind=TimelineKind.RECORD,
                at=dt.datetime.combine(record.occurred_on, dt.time(0, 0), tzinfo=tz),
                summary=f"{record.get_method_display()}（{reached}）{record.summary[:80]}"[:300],
                user=user,
                object_id=record.pk,
            )
        )
    TimelineEntry.objects.bulk_create(timeline, batch_size=BATCH)
    rebuild_work_state({r.case_id for r in made})
    _objects(batch, "records.progressrecord", [(r.pk, "") for r in made])
    _objects(batch, "cases.timelineentry", [(t.pk, "") for t in timeline])
    _events(user, "record", [(r.pk, row["person_ids"], r.case_id) for r, row in zip(made, rows, strict=True)], batch)
    return len(made)


WRITERS = {
    Kind.PERSONS: write_persons,
    Kind.CONSULTATIONS: write_consultations,
    Kind.CASES: write_cases,
    Kind.RECORDS: write_records,
}

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
import functools
import secrets
from collections.abc import Callable, Iterable
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection
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
from tsunagu.lib import kana, wareki
from tsunagu.people.models import Disability, Household, Person, PersonNameKey, Relation, Sex
from tsunagu.records.models import Method, ProgressRecord
from tsunagu.records.work_state import rebuild_work_state

BATCH = 2_000  # rows per INSERT (SQLite's variable limit with ~25 columns)
EVENT_IDS = 10_000  # ids per access event
Progress = Callable[[int], None]


def _tz() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


@functools.lru_cache(maxsize=64)
def _insert(table: str, columns: tuple[str, ...], rows: int, returning: str = "") -> str:
    """INSERT INTO "table" ("a", "b") VALUES (%s, %s), … [RETURNING "id"], composed with psycopg's
    ``sql`` module (identifiers quoted, values only as placeholders); its quoting is standard SQL,
    which SQLite reads too."""
    from psycopg import sql

    one = sql.SQL("({})").format(sql.SQL(", ").join(sql.Placeholder() for _ in columns))
    statement = sql.SQL("INSERT INTO {} ({}) VALUES {}").format(
        sql.Identifier(table), sql.SQL(", ").join(sql.Identifier(c) for c in columns), sql.SQL(", ").join([one] * rows)
    )
    if returning:
        statement = sql.SQL("{} RETURNING {}").format(statement, sql.Identifier(returning))
    return statement.as_string()


def _copy(table: str, columns: tuple[str, ...], rows: Iterable[tuple[Any, ...]]) -> None:
    """PostgreSQL: COPY … FROM STDIN, rows formatted by psycopg (as the population generator
    writes, ``demo/population/writer.py``): Django's client-side binding formats every parameter
    of an INSERT in Python, and ``executemany`` sends one statement per row."""
    from psycopg import sql

    statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
        sql.Identifier(table), sql.SQL(", ").join(sql.Identifier(c) for c in columns)
    )
    with connection.cursor() as cursor:
        raw = cursor.connection.cursor()
        with raw.copy(statement) as copy:
            for row in rows:
                copy.write_row(row)


def insert_many(model: Any, columns: tuple[str, ...], rows: Iterable[tuple[Any, ...]]) -> None:
    """Plain INSERTs of many small rows that need no id back (name keys, the batch's list of what
    it wrote): ``bulk_create`` builds a model instance and compiles every value of every row, which
    took four fifths of a person import's time; the values here are ints and short strings."""
    if connection.vendor == "postgresql":
        _copy(model._meta.db_table, columns, rows)
        return
    statement = _insert(model._meta.db_table, columns, 1)
    with connection.cursor() as cursor:
        chunk: list[tuple[Any, ...]] = []
        for row in rows:
            chunk.append(row)
            if len(chunk) >= 10_000:
                cursor.executemany(statement, chunk)
                chunk = []
        if chunk:
            cursor.executemany(statement, chunk)


def _objects(batch: ImportBatch, model: str, rows: list[tuple[int, str]]) -> None:
    insert_many(
        ImportedObject, ("batch_id", "model", "object_id", "ref"), ((batch.pk, model, pk, ref) for pk, ref in rows)
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


def insert_returning(
    model: Any, columns: tuple[str, ...], rows: list[tuple[Any, ...]], progress: Progress
) -> list[int]:
    """Rows that need their ids back. SQLite: multi-row INSERT … RETURNING id, the statement
    ``bulk_create`` itself sends (the ids come back in the order of the rows), without building a
    model instance per row. PostgreSQL: ids from the sequence, then COPY. Values are given ready
    for the database (dates adapted by the backend's own operations)."""
    if connection.vendor == "postgresql":
        # Ids drawn from the table's own sequence, then the rows COPied with them.
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [model._meta.db_table, model._meta.pk.column, len(rows)],
            )
            new_ids = sorted(pk for (pk,) in cursor.fetchall())
        _copy(
            model._meta.db_table,
            (model._meta.pk.column, *columns),
            ((pk, *row) for pk, row in zip(new_ids, rows, strict=True)),
        )
        progress(len(new_ids))
        return new_ids
    per_statement = max(1, min(500, 30_000 // len(columns)))  # SQLite: at most 32,766 parameters
    ids: list[int] = []
    with connection.cursor() as cursor:
        for start in range(0, len(rows), per_statement):
            chunk = rows[start : start + per_statement]
            statement = _insert(model._meta.db_table, columns, len(chunk), returning=model._meta.pk.column)
            cursor.execute(statement, [value for row in chunk for value in row])
            ids.extend(pk for (pk,) in cursor.fetchall())
            progress(len(ids))
    if len(ids) != len(rows):
        raise RuntimeError("the database returned fewer ids than rows inserted")
    return ids


HOUSEHOLD_COLUMNS = (
    "label",
    "postal_code",
    "address",
    "district_id",
    "phone",
    "sig_elderly_parent",
    "sig_adult_child_home",
    "sig_parent_pension",
    "sig_care_need",
    "sig_arrears",
    "sig_refuses_services",
    "created_at",
    "created_by_id",
    "updated_at",
    "updated_by_id",
    "version",
)
PERSON_COLUMNS = (
    "household_id",
    "family_name",
    "given_name",
    "family_name_kana",
    "given_name_kana",
    "label",
    "sex",
    "birth_date",
    "approx_decade",
    "relation",
    "is_concerned",
    "disability",
    "withdrawal_since",
    "withdrawal_since_precision",
    "going_out",
    "phone",
    "support_stage",
    "key_name",
    "key_kana",
    "retained_age",
    "created_at",
    "created_by_id",
    "updated_at",
    "updated_by_id",
    "version",
)


def _name_keys(row: dict[str, Any]) -> set[str]:
    """``people.services.name_keys`` of the person the row becomes."""
    parts = [row.get(n) or "" for n in ("family_name", "given_name", "family_name_kana", "given_name_kana")]
    keys = {kana.search_key(part) for part in parts}
    keys.add(kana.search_key(parts[0] + parts[1]))
    keys.add(kana.search_key(parts[2] + parts[3]))
    keys.discard("")
    return keys


def write_persons(batch: ImportBatch, user: User, rows: list[dict[str, Any]], progress: Progress) -> int:
    """Households and persons, written column by column as ``people.services.household_create`` and
    ``person_create`` write them (search keys and name keys included), in multi-row INSERTs."""
    ops = connection.ops
    now = ops.adapt_datetimefield_value(timezone.now())

    def day(value: dt.date | None) -> Any:
        return ops.adapt_datefield_value(value) if value else None

    firsts: dict[str, dict[str, Any]] = {}
    for row in rows:
        firsts.setdefault(row["household_ref"], row["_household"])
    refs = list(firsts)
    household_ids = insert_returning(
        Household,
        HOUSEHOLD_COLUMNS,
        [
            (
                first.get("household_label") or "",
                first.get("postal_code") or "",
                first.get("address") or "",
                first.get("district"),
                first.get("household_phone") or "",
                *([False] * 6),
                now,
                user.pk,
                now,
                user.pk,
                1,
            )
            for first in firsts.values()
        ],
        lambda _done: None,
    )
    household_of = dict(zip(refs, household_ids, strict=True))
    _objects(batch, "people.household", [(pk, ref) for ref, pk in household_of.items()])
    values = []
    for row in rows:
        since = row.get("withdrawal_since")
        values.append(
            (
                household_of[row["household_ref"]],
                row.get("family_name") or "",
                row.get("given_name") or "",
                row.get("family_name_kana") or "",
                row.get("given_name_kana") or "",
                row.get("label") or "",
                row.get("sex") or Sex.UNKNOWN,
                day(row.get("birth_date")),
                row.get("approx_decade"),
                row.get("relation") or Relation.UNKNOWN,
                bool(row.get("is_concerned")),
                row.get("disability") or Disability.UNKNOWN,
                day(since.day if since else None),
                since.precision if since else wareki.DAY,
                row.get("going_out"),
                row.get("phone") or "",
                None,
                row["key_name"],
                row["key_kana"],
                None,
                now,
                user.pk,
                now,
                user.pk,
                1,
            )
        )
    person_ids = insert_returning(Person, PERSON_COLUMNS, values, progress)
    insert_many(
        PersonNameKey,
        ("person_id", "key"),
        ((pk, key) for pk, row in zip(person_ids, rows, strict=True) for key in _name_keys(row)),
    )
    _objects(
        batch, "people.person", [(pk, row.get("person_ref") or "") for pk, row in zip(person_ids, rows, strict=True)]
    )
    members: dict[int, list[int]] = {}
    for pk, row in zip(person_ids, rows, strict=True):
        members.setdefault(household_of[row["household_ref"]], []).append(pk)
    _events(user, "household", [(pk, members.get(pk, []), None) for pk in household_ids], batch)
    _events(user, "person", [(pk, [pk], None) for pk in person_ids], batch)
    return len(person_ids)


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
    insert_many(
        ProgressRecord.persons.through,
        ("progressrecord_id", "person_id"),
        ((record.pk, pk) for record, row in zip(made, rows, strict=True) for pk in row["person_ids"]),
    )
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

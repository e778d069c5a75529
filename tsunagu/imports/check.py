"""The dry run: every row of a file read and checked against the same rules as the forms and
services, with nothing written. The result is the rows to write (``Checked.rows``) and every bad
value with its line and column (``Checked.problems``).

Rules are the forms' and services' own (decision 0038 lists them): names, kana, phones, postal
codes and 和暦 dates as ``core.forms`` reads them; a person must be findable again
(``people.services.PERSON_FINDABLE_BY``); the duplicate rule of the person form
(``people.selectors.person_find_similar``: the same normalised name or reading, with the same birth
date or none on one side), applied in bulk to every person of the ward and also between the file's
own rows; the main concern among the concerns (``intake.services``); a closed
case with its day and reason; a record's persons in its case's household.
"""

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from tsunagu.agencies.models import Agency, District, PostalCode
from tsunagu.audit.models import Action
from tsunagu.audit.services import Read, access_records
from tsunagu.cases.models import Case, CaseStatus
from tsunagu.core.types import User
from tsunagu.imports import cells
from tsunagu.imports import kinds as k
from tsunagu.imports.kinds import COLUMNS, Column, heading_key
from tsunagu.imports.models import ImportedObject, Kind, Status
from tsunagu.lib import kana
from tsunagu.people.models import Person, Relation
from tsunagu.people.services import PERSON_FINDABLE_BY

CHUNK = 5_000
# PostgreSQL: a whole list as one array parameter (``__in`` with thousands of values is formatted
# into the statement one parameter at a time by Django's client-side binding: 0.1 s per 5,000).
REFS_ANY = (
    "SELECT o.ref, o.object_id FROM imports_importedobject o JOIN imports_importbatch b ON b.id = o.batch_id"
    " WHERE o.model = %s AND b.status = %s AND o.ref = ANY(%s)"
)
NAMES_ANY = "SELECT id, key_name, birth_date FROM people_person WHERE key_name = ANY(%s)"
READINGS_ANY = "SELECT id, key_kana, birth_date FROM people_person WHERE key_kana = ANY(%s)"
Progress = Callable[[int], None]


@dataclass
class Problem:
    line: int
    column: str
    message: str


@dataclass
class Checked:
    rows: list[dict[str, Any]] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    rows_total: int = 0
    similar_ids: set[int] = field(default_factory=set)


def _norm(text: str) -> str:
    return heading_key(text)


class Lookups:
    """Reference data and the ledger numbers already imported, read once per check."""

    def __init__(self, *, user: User, kind: str, may_write_case: Callable[[set[int]], set[int]]):
        self.user = user
        self.today = timezone.localdate()
        self.districts: dict[str, int] = {}
        for pk, code, name in District.objects.values_list("pk", "code", "name"):
            self.districts[_norm(code)] = pk
            self.districts[_norm(name)] = pk
        self.postal = dict(PostalCode.objects.values_list("code", "district_id"))
        self.agencies: dict[str, Agency] = {}
        for agency in Agency.objects.filter(active=True):
            for text in (agency.code, agency.name, agency.public_name):
                if text:
                    self.agencies[_norm(text)] = agency
        self.may_write_case = may_write_case

    def refs(self, model: str, refs: Iterable[str]) -> dict[str, int]:
        """Ledger number → id of the rows of ``model`` imported by batches still in force."""
        wanted = list({r for r in refs if r})
        found: dict[str, int] = {}
        if wanted and connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(REFS_ANY, [model, Status.IMPORTED, wanted])
                return dict(cursor.fetchall())
        for start in range(0, len(wanted), CHUNK):
            rows = ImportedObject.objects.filter(
                model=model, ref__in=wanted[start : start + CHUNK], batch__status=Status.IMPORTED
            ).values_list("ref", "object_id")
            found.update(rows)
        return found

    def district(self, value: Any) -> int | None:
        text = cells.text_of(value)
        if not text:
            return None
        try:
            return self.districts[_norm(text)]
        except KeyError:
            raise cells.CellError(_("地区「%(name)s」は登録されていません。") % {"name": text[:40]}) from None

    def agency(self, value: Any) -> Agency | None:
        text = cells.text_of(value)
        if not text:
            return None
        try:
            return self.agencies[_norm(text)]
        except KeyError:
            raise cells.CellError(_("機関「%(name)s」は登録されていません。") % {"name": text[:60]}) from None

    def agency_list(self, value: Any) -> list[Agency]:
        import re

        text = cells.text_of(value)
        return [
            a for part in re.split(r"[、,，;；\n]+", text) if part.strip() for a in [self.agency(part.strip())] if a
        ]


def _readers(lookups: Lookups) -> dict[str, Callable[[Any], Any]]:
    today = lookups.today
    return {
        # persons
        "household_ref": cells.ledger_number,
        "person_ref": cells.ledger_number,
        "household_label": lambda v: cells.name(v, length=60),
        "postal_code": cells.postal_code,
        "address": cells.line,
        "district": lookups.district,
        "household_phone": cells.phone,
        "family_name": cells.name,
        "given_name": cells.name,
        "family_name_kana": cells.reading,
        "given_name_kana": cells.reading,
        "label": lambda v: cells.name(v, length=60),
        "sex": k.SEX,
        "birth_date": lambda v: cells.date(v, today=today, past_only=True),
        "approx_decade": k.DECADE,
        "relation": k.RELATION,
        "is_concerned": cells.yes_no,
        "disability": k.DISABILITY,
        "withdrawal_since": lambda v: cells.approx_date(v, today=today),
        "going_out": k.GOING_OUT,
        "phone": cells.phone,
        "not_duplicate": cells.yes_no,
        # consultations
        "ref": cells.ledger_number,
        "received_on": lambda v: cells.date(v, today=today, past_only=True),
        "received_time": cells.time_of_day,
        "channel": k.CHANNEL,
        "contact_type": k.CONTACT_TYPE,
        "contact_relation": k.FAMILY_RELATION,
        "contact_agency": lookups.agency,
        "contact_name": lambda v: cells.name(v, length=60),
        "contact_phone": cells.phone,
        "concerns": k.CONCERN.many,
        "main_concern": k.CONCERN,
        "summary": cells.long_text,
        "urgent": cells.yes_no,
        "screening": k.SCREENING,
        # cases
        "lead": lookups.agency,
        "partners": lookups.agency_list,
        "sharing_basis": k.SHARING,
        "opened_on": lambda v: cells.date(v, today=today, past_only=True),
        "status": k.CASE_STATUS,
        "closed_on": lambda v: cells.date(v, today=today, past_only=True),
        "closure_reason": k.CLOSURE,
        # records
        "case_ref": cells.ledger_number,
        "occurred_on": lambda v: cells.date(v, today=today, past_only=True),
        "method": k.METHOD,
        "reached": cells.yes_no,
        "next_action": lambda v: cells.line(v, length=300),
        "next_action_on": lambda v: cells.date(v, today=today),
        "persons": cells.ledger_numbers,
    }


def read_cells(
    rows: Iterable[tuple[int, tuple[Any, ...]]],
    *,
    columns: tuple[Column, ...],
    mapping: dict[str, int],
    readers: dict[str, Callable[[Any], Any]],
    result: Checked,
    progress: Progress | None = None,
) -> None:
    """Each row's cells read by their column's reader; a bad or missing required value is a
    problem at its line and column."""
    placed = [(c, mapping[c.key]) for c in columns if c.key in mapping]
    missing_required = [c for c in columns if c.required and c.key not in mapping]
    example = [(i, c.example) for c, i in placed]
    # A reader is a pure function of the cell: its answer for a value is kept per column (sex,
    # relation, district, dates repeat on many rows). Lists are not kept (they are mutable).
    memo: dict[str, dict[tuple[type, Any], tuple[bool, Any]]] = {c.key: {} for c, _i in placed}
    for line, values in rows:
        width = len(values)
        if example and all(cells.text_of(values[i] if i < width else None) == text for i, text in example):
            continue  # the template's example row, left in place
        result.rows_total += 1
        row: dict[str, Any] = {"_line": line}
        for column, index in placed:
            raw = values[index] if index < width else None
            known = memo[column.key]
            key = (type(raw), raw)
            outcome = known.get(key)
            if outcome is None:
                try:
                    outcome = (True, readers[column.key](raw))
                except cells.CellError as exc:
                    outcome = (False, str(exc))
                if len(known) < 50_000 and not isinstance(outcome[1], list):
                    known[key] = outcome
            ok, value = outcome
            if not ok:
                result.problems.append(Problem(line, column.heading, value))
                row["_bad"] = True
                continue
            if column.required and value in (None, "", []):
                result.problems.append(Problem(line, column.heading, _("必須の項目です。入力してください。")))
                row["_bad"] = True
            row[column.key] = value
        for column in missing_required:
            result.problems.append(Problem(line, column.heading, _("必須の項目です。入力してください。")))
            row["_bad"] = True
        result.rows.append(row)
        if progress and result.rows_total % 1000 == 0:
            progress(result.rows_total)


def _bad(result: Checked, row: dict[str, Any], heading: str, message: str) -> None:
    result.problems.append(Problem(row["_line"], heading, message))
    row["_bad"] = True


def _unique_refs(result: Checked, key: str, heading: str, known: dict[str, int], *, group: bool = False) -> None:
    """A ledger number used once in the file (or, ``group``, on consecutive rows of one group) and
    not imported before."""
    first_line: dict[str, int] = {}
    for row in result.rows:
        ref = row.get(key)
        if not ref:
            continue
        if ref in known:
            _bad(result, row, heading, _("番号「%(ref)s」はすでに取り込まれています。") % {"ref": ref})
        elif ref in first_line and not group:
            _bad(
                result,
                row,
                heading,
                _("番号「%(ref)s」は%(line)d行目でも使われています。") % {"ref": ref, "line": first_line[ref]},
            )
        first_line.setdefault(ref, row["_line"])


HOUSEHOLD_KEYS = ("household_label", "postal_code", "address", "district", "household_phone")


def check_persons(result: Checked, lookups: Lookups, headings: dict[str, str]) -> None:
    _unique_refs(
        result,
        "household_ref",
        headings["household_ref"],
        lookups.refs("people.household", (r.get("household_ref", "") for r in result.rows)),
        group=True,
    )
    _unique_refs(
        result,
        "person_ref",
        headings["person_ref"],
        lookups.refs("people.person", (r.get("person_ref", "") for r in result.rows)),
    )
    households: dict[str, dict[str, Any]] = {}
    for row in result.rows:
        ref = row.get("household_ref")
        if not ref:
            continue
        if not row.get("district") and row.get("postal_code"):
            row["district"] = lookups.postal.get(row["postal_code"].replace("-", ""))
        first = households.setdefault(ref, {"_line": row["_line"]})
        for key in HOUSEHOLD_KEYS:
            value = row.get(key)
            if value in (None, ""):
                continue
            if first.get(key) in (None, ""):
                first[key] = value
            elif first[key] != value:
                _bad(
                    result,
                    row,
                    headings[key],
                    _("同じ世帯番号の%(line)d行目と違います。世帯の項目は同じ値にしてください。")
                    % {"line": first["_line"]},
                )
        row["_household"] = first
        findable = any(row.get(n) for n in PERSON_FINDABLE_BY) or row.get("relation") not in (None, Relation.UNKNOWN)
        if not findable:
            _bad(
                result,
                row,
                "",
                _("氏名・フリガナ・呼び名・生年月日・おおよその年代・続柄のどれか一つは入力してください。"),
            )
        birth, since = row.get("birth_date"), row.get("withdrawal_since")
        if birth and since and since.last_day() < birth:
            _bad(result, row, headings["withdrawal_since"], _("生年月日より前の時期は入力できません。"))
    _check_duplicates(result, lookups, headings)


def _check_duplicates(result: Checked, lookups: Lookups, headings: dict[str, str]) -> None:
    """``person_find_similar`` for every row at once: persons the importer may see with the same
    normalised name or reading and a birth date that does not tell them apart; and the file's own
    earlier rows by the same rule."""
    for row in result.rows:
        row["key_name"] = kana.search_key(row.get("family_name", "") + row.get("given_name", ""))
        row["key_kana"] = kana.search_key(row.get("family_name_kana", "") + row.get("given_name_kana", ""))
    names = {r["key_name"] for r in result.rows if r["key_name"]}
    readings = {r["key_kana"] for r in result.rows if r["key_kana"]}
    existing: dict[tuple[str, str], list[tuple[int, dt.date | None]]] = defaultdict(list)
    # Every person of the ward: only the central desk's supervisors import persons (access.py), and
    # the problem names no one (a count), so the import compares with everyone, not only with the
    # persons the importer's own role shows (decision 0038).
    visible = Person.objects.all()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for field_name, statement, values in (("key_name", NAMES_ANY, names), ("key_kana", READINGS_ANY, readings)):
                if values:
                    cursor.execute(statement, [sorted(values)])
                    for pk, key, birth in cursor.fetchall():
                        existing[(field_name, key)].append((pk, birth))
    lists = () if connection.vendor == "postgresql" else (("key_name", names), ("key_kana", readings))
    for field_name, values in lists:
        ordered = sorted(values)
        for start in range(0, len(ordered), CHUNK):
            chunk = ordered[start : start + CHUNK]
            for pk, key, birth in visible.filter(Q(**{f"{field_name}__in": chunk})).values_list(
                "pk", field_name, "birth_date"
            ):
                existing[(field_name, key)].append((pk, birth))
    seen: dict[tuple[str, str], list[tuple[int, dt.date | None]]] = defaultdict(list)
    column = headings.get("not_duplicate") or "別人として登録"
    for row in result.rows:
        birth = row.get("birth_date")
        similar_ids: set[int] = set()
        earlier: list[int] = []
        for field_name in ("key_name", "key_kana"):
            key = row[field_name]
            if not key:
                continue
            for pk, other_birth in existing.get((field_name, key), ()):
                if birth is None or other_birth is None or birth == other_birth:
                    similar_ids.add(pk)
            for line, other_birth in seen.get((field_name, key), ()):
                if birth is None or other_birth is None or birth == other_birth:
                    earlier.append(line)
        result.similar_ids |= similar_ids
        if not row.get("not_duplicate"):
            if similar_ids:
                _bad(
                    result,
                    row,
                    column,
                    _(
                        "似た人がすでに登録されています（%(count)d人）。同じ人なら行を消し、"
                        "別の人なら「別人として登録」に「はい」と入れてください。"
                    )
                    % {"count": len(similar_ids)},
                )
            elif earlier:
                _bad(
                    result,
                    row,
                    column,
                    _(
                        "%(line)d行目の人と似ています。同じ人なら行を消し、"
                        "別の人なら「別人として登録」に「はい」と入れてください。"
                    )
                    % {"line": min(earlier)},
                )
        for field_name in ("key_name", "key_kana"):
            if row[field_name]:
                seen[(field_name, row[field_name])].append((row["_line"], birth))


def check_consultations(result: Checked, lookups: Lookups, headings: dict[str, str]) -> None:
    _unique_refs(
        result, "ref", headings["ref"], lookups.refs("intake.consultation", (r.get("ref", "") for r in result.rows))
    )
    households = lookups.refs("people.household", (r.get("household_ref", "") for r in result.rows))
    for row in result.rows:
        main, concerns = row.get("main_concern"), row.get("concerns") or []
        if main and main not in concerns:
            _bad(result, row, headings["main_concern"], _("主な相談内容は、相談内容に書いた項目から選んでください。"))
        ref = row.get("household_ref")
        if ref:
            if ref in households:
                row["household_id"] = households[ref]
            else:
                _bad(
                    result,
                    row,
                    headings["household_ref"],
                    _("世帯番号「%(ref)s」の世帯は取り込まれていません。") % {"ref": ref},
                )


def check_cases(result: Checked, lookups: Lookups, headings: dict[str, str]) -> None:
    _unique_refs(result, "ref", headings["ref"], lookups.refs("cases.case", (r.get("ref", "") for r in result.rows)))
    households = lookups.refs("people.household", (r.get("household_ref", "") for r in result.rows))
    for row in result.rows:
        ref = row.get("household_ref")
        if ref:
            if ref in households:
                row["household_id"] = households[ref]
            else:
                _bad(
                    result,
                    row,
                    headings["household_ref"],
                    _("世帯番号「%(ref)s」の世帯は取り込まれていません（先に「世帯と人」を取り込んでください）。")
                    % {"ref": ref},
                )
        status = row.get("status") or CaseStatus.ACTIVE
        row["status"] = status
        opened, closed = row.get("opened_on"), row.get("closed_on")
        if status == CaseStatus.CLOSED:
            if not closed:
                _bad(result, row, headings["closed_on"], _("終結したケースには終結日を入力してください。"))
            if not row.get("closure_reason"):
                _bad(result, row, headings["closure_reason"], _("終結したケースには終結の理由を選んでください。"))
        elif closed or row.get("closure_reason"):
            _bad(result, row, headings["status"], _("終結日・終結の理由があるときは、状態を「終結」にしてください。"))
        if opened and closed and closed < opened:
            _bad(result, row, headings["closed_on"], _("終結日が開始日より前です。"))


def check_records(result: Checked, lookups: Lookups, headings: dict[str, str]) -> None:
    refs = {r.get("case_ref", "") for r in result.rows}
    by_ledger = lookups.refs("cases.case", refs)
    numbers = {}
    for ref in refs:
        if ref and ref.upper().startswith("K-") and ref[2:].isdigit() and ref not in by_ledger:
            numbers[ref] = int(ref[2:])
    case_ids = set(by_ledger.values()) | set(numbers.values())
    writable = lookups.may_write_case(case_ids)
    households = dict(Case.objects.filter(pk__in=writable).values_list("pk", "household_id")) if writable else {}
    person_refs = lookups.refs("people.person", (p for r in result.rows for p in r.get("persons") or []))
    members: dict[int, dict[int, bool]] = defaultdict(dict)
    household_ids = sorted(set(households.values()))
    for start in range(0, len(household_ids), CHUNK):
        for pk, household_id, is_concerned in Person.objects.filter(
            household_id__in=household_ids[start : start + CHUNK]
        ).values_list("pk", "household_id", "is_concerned"):
            members[household_id][pk] = is_concerned
    for row in result.rows:
        ref = row.get("case_ref")
        if not ref:
            continue
        case_id = by_ledger.get(ref) or numbers.get(ref)
        if case_id is None or case_id not in writable:
            _bad(
                result,
                row,
                headings["case_ref"],
                _("ケース番号「%(ref)s」のケースは見つからないか、記録を書けないケースです。") % {"ref": ref},
            )
            continue
        row["case_id"] = case_id
        household = members[households[case_id]]
        wanted = row.get("persons") or []
        if wanted:
            ids: list[int] = []
            for person_ref in wanted:
                found = person_refs.get(person_ref)
                if found is None or found not in household:
                    _bad(
                        result,
                        row,
                        headings["persons"],
                        _("人番号「%(ref)s」はこのケースの世帯の人ではありません。") % {"ref": person_ref},
                    )
                else:
                    ids.append(found)
            row["person_ids"] = ids
        else:
            concerned = [pk for pk, is_concerned in household.items() if is_concerned]
            row["person_ids"] = concerned or list(household)
            if not row["person_ids"]:
                _bad(result, row, headings["persons"], _("このケースの世帯には人が登録されていません。"))


ROW_RULES = {
    Kind.PERSONS: check_persons,
    Kind.CONSULTATIONS: check_consultations,
    Kind.CASES: check_cases,
    Kind.RECORDS: check_records,
}


def check_file(
    *,
    user: User,
    kind: str,
    rows: Iterable[tuple[int, tuple[Any, ...]]],
    mapping: dict[str, int],
    may_write_case: Callable[[set[int]], set[int]],
    progress: Progress | None = None,
) -> Checked:
    """Read and check every row; nothing is written but the access event of the duplicate check
    (a search of persons, as the person form records it)."""
    columns = COLUMNS[kind]
    lookups = Lookups(user=user, kind=kind, may_write_case=may_write_case)
    result = Checked()
    read_cells(rows, columns=columns, mapping=mapping, readers=_readers(lookups), result=result, progress=progress)
    headings = {c.key: c.heading for c in columns}
    ROW_RULES[Kind(kind)](result, lookups, headings)
    if not result.rows_total:
        result.problems.append(
            Problem(2, "", _("取り込む行がありません（記入例の行だけのファイルは取り込めません）。"))
        )
    if result.similar_ids:
        ids = sorted(result.similar_ids)
        access_records(
            user=user,
            action=Action.SEARCH,
            reads=[
                Read(
                    object_type="person",
                    object_ids=ids[i : i + 10_000],
                    person_ids=ids[i : i + 10_000],
                    reason="duplicate check (import)",
                )
                for i in range(0, len(ids), 10_000)
            ],
        )
    result.problems.sort(key=lambda p: p.line)
    return result

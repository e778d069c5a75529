"""An import from upload to undo (decision 0038).

upload → (column mapping) → dry run → import → (undo). The dry run and the import run in a
background thread started after the request's transaction commits (the project has no job queue),
or inline when ``IMPORTS_SYNCHRONOUS`` is set (tests, the benchmark); their progress is kept in
the cache and polled by the batch page. The import checks the whole file again and writes it in
one transaction: one bad row, and nothing is written (R5). A batch moves from 「取り込みできます」
to 「取り込み中」 by one conditional UPDATE, so that posting the confirmation twice imports once.
"""

import datetime as dt
import hashlib
import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import connections, transaction
from django.db.models.deletion import Collector, ProtectedError, RestrictedError
from django.utils import timezone
from django.utils.translation import gettext as _

from tsunagu.audit.models import Action
from tsunagu.audit.services import Read, access_records
from tsunagu.core.types import User
from tsunagu.imports import reading
from tsunagu.imports.access import case_writer
from tsunagu.imports.check import Checked, check_file
from tsunagu.imports.kinds import COLUMNS, auto_mapping
from tsunagu.imports.models import OPEN_STATES, ImportBatch, ImportedObject, ImportProblem, Kind, Status
from tsunagu.imports.write import WRITERS
from tsunagu.people.models import PersonNameKey
from tsunagu.records.models import ProgressRecord
from tsunagu.records.work_state import rebuild_work_state

log = logging.getLogger(__name__)
STALE_AFTER = dt.timedelta(minutes=30)  # a check or import still running after this has died


# --- progress ---------------------------------------------------------------------------------


def _progress_key(batch_id: int) -> str:
    return f"imports:progress:{batch_id}"


def progress_set(batch_id: int, phase: str, done: int) -> None:
    cache.set(_progress_key(batch_id), {"phase": phase, "done": done}, 3600)


def progress_of(batch: ImportBatch) -> dict[str, Any]:
    """What the batch page shows while a check or an import runs: rows done of the total."""
    value = cache.get(_progress_key(batch.pk)) or {}
    done = int(value.get("done", 0))
    total = batch.rows_total or 0
    percent = min(100, int(done * 100 / total)) if total else None
    return {"phase": value.get("phase", ""), "done": done, "total": total, "percent": percent}


def _run(task: Callable[[int], None], batch_id: int) -> None:
    """Inline (tests, the benchmark) or in a thread once the request has committed."""
    if getattr(settings, "IMPORTS_SYNCHRONOUS", False):
        task(batch_id)
        return

    def target() -> None:
        try:
            task(batch_id)
        finally:
            connections.close_all()

    transaction.on_commit(lambda: threading.Thread(target=target, name=f"import-{batch_id}", daemon=True).start())


# --- upload and mapping -----------------------------------------------------------------------


def batch_upload(*, user: User, kind: str, file_name: str, content: bytes) -> ImportBatch:
    """Keep an uploaded file as a new batch; start its check when every heading was recognised.
    Raises ``reading.FileRefused`` for a file that is not read at all."""
    if kind not in Kind.values:
        raise ValidationError({"kind": _("取り込む台帳の種類を選んでください。")})
    headings = reading.read_headings(content)
    digest = hashlib.sha256(content).hexdigest()
    earlier = ImportBatch.objects.filter(kind=kind, sha256=digest, status=Status.IMPORTED).first()
    if earlier is not None:
        raise reading.FileRefused(
            _("このファイルは取り込み済みです（取り込み #%(pk)d）。同じファイルを二度取り込むことはできません。")
            % {"pk": earlier.pk}
        )
    mapping = auto_mapping(kind, headings)
    batch = ImportBatch.objects.create(
        kind=kind,
        created_by=user,
        file_name=file_name[:200],
        file_size=len(content),
        sha256=digest,
        content=content,
        headings=headings,
        mapping=mapping,
        status=Status.MAPPING,
    )
    if mapping_complete(batch):
        batch_check_start(batch=batch)
    return batch


def mapping_complete(batch: ImportBatch) -> bool:
    """Every heading of the file is a known column and every required column is there."""
    mapped = set(batch.mapping.values())
    required = all(c.key in batch.mapping for c in COLUMNS[batch.kind] if c.required)
    named = {i for i, h in enumerate(batch.headings) if h}
    return required and named <= mapped


def batch_set_mapping(*, user: User, batch: ImportBatch, mapping: dict[str, int]) -> ImportBatch:
    if batch.status not in (Status.MAPPING, Status.INVALID):
        raise ValidationError(_("この取り込みの見出しは、いまは変えられません。"))
    missing = [c.heading for c in COLUMNS[batch.kind] if c.required and c.key not in mapping]
    if missing:
        raise ValidationError(_("必須の列を対応づけてください：%(names)s") % {"names": "、".join(missing)})
    if len(set(mapping.values())) != len(mapping):
        raise ValidationError(_("ファイルの同じ列を二つの項目に対応づけることはできません。"))
    batch.mapping = mapping
    batch.save(update_fields=["mapping"])
    return batch_check_start(batch=batch)


# --- the dry run ------------------------------------------------------------------------------


def batch_check_start(*, batch: ImportBatch) -> ImportBatch:
    ImportBatch.objects.filter(pk=batch.pk).update(status=Status.CHECKING, started_at=timezone.now())
    batch.status = Status.CHECKING
    progress_set(batch.pk, "check", 0)
    _run(run_check, batch.pk)
    return batch


def _checked(batch: ImportBatch, phase: str) -> Checked:
    assert batch.content is not None
    return check_file(
        user=batch.created_by,
        kind=batch.kind,
        rows=reading.read_rows(bytes(batch.content)),
        mapping={k: int(v) for k, v in batch.mapping.items()},
        may_write_case=case_writer(batch.created_by),
        progress=lambda done: progress_set(batch.pk, phase, done),
    )


def _keep_problems(batch: ImportBatch, checked: Checked) -> None:
    ImportProblem.objects.filter(batch=batch).delete()
    ImportProblem.objects.bulk_create(
        [
            ImportProblem(batch=batch, line=p.line, column=p.column[:100], message=p.message[:300])
            for p in checked.problems
        ],
        batch_size=2_000,
    )


def run_check(batch_id: int) -> None:
    """Read and check the whole file; keep every problem. Writes nothing else."""
    batch = ImportBatch.objects.select_related("created_by").get(pk=batch_id)
    started = time.perf_counter()
    try:
        # Read and checked outside a transaction: on SQLite (transactions IMMEDIATE) a transaction
        # would hold the one writer's lock for the whole check. Only its outcome is written at once.
        checked = _checked(batch, "check")
        with transaction.atomic():
            _keep_problems(batch, checked)
            ImportBatch.objects.filter(pk=batch_id).update(
                status=Status.INVALID if checked.problems else Status.VALID,
                rows_total=checked.rows_total,
                problem_count=len(checked.problems),
                checked_at=timezone.now(),
                check_seconds=time.perf_counter() - started,
                failure="",
            )
    except reading.FileRefused as exc:
        ImportBatch.objects.filter(pk=batch_id).update(status=Status.FAILED, failure=str(exc)[:300])
    except Exception:
        log.exception("import %s: the check failed", batch_id)
        ImportBatch.objects.filter(pk=batch_id).update(
            status=Status.FAILED,
            failure=_("確認の途中でエラーが起きました。ファイルを確かめて、もう一度アップロードしてください。"),
        )


# --- the import -------------------------------------------------------------------------------


def batch_import_start(*, user: User, batch: ImportBatch) -> bool:
    """Start the import of a checked batch. False when it is not (or no longer) waiting for it:
    a second confirmation of the same batch starts nothing."""
    started = ImportBatch.objects.filter(pk=batch.pk, status=Status.VALID).update(
        status=Status.IMPORTING, started_at=timezone.now()
    )
    if not started:
        return False
    progress_set(batch.pk, "import", 0)
    _run(run_import, batch.pk)
    return True


def run_import(batch_id: int) -> None:
    """Check the whole file again (the data may have changed since the dry run), then write every
    row in one transaction; one bad row and nothing is written (R5)."""
    batch = ImportBatch.objects.select_related("created_by").get(pk=batch_id)
    started = time.perf_counter()
    try:
        with transaction.atomic():
            if ImportBatch.objects.filter(kind=batch.kind, sha256=batch.sha256, status=Status.IMPORTED).exists():
                raise reading.FileRefused(_("このファイルは取り込み済みです。"))
            checked = _checked(batch, "check")
            if checked.problems:
                _keep_problems(batch, checked)
                ImportBatch.objects.filter(pk=batch_id).update(
                    status=Status.INVALID, problem_count=len(checked.problems), rows_total=checked.rows_total
                )
                return
            written = WRITERS[Kind(batch.kind)](
                batch, batch.created_by, checked.rows, lambda done: progress_set(batch_id, "import", done)
            )
            ImportBatch.objects.filter(pk=batch_id).update(
                status=Status.IMPORTED,
                rows_total=checked.rows_total,
                rows_written=written,
                imported_at=timezone.now(),
                import_seconds=time.perf_counter() - started,
                content=None,
                failure="",
            )
    except reading.FileRefused as exc:
        ImportBatch.objects.filter(pk=batch_id).update(status=Status.FAILED, failure=str(exc)[:300])
    except Exception:
        log.exception("import %s failed", batch_id)
        ImportBatch.objects.filter(pk=batch_id).update(
            status=Status.FAILED, failure=_("取り込みの途中でエラーが起きました。何も書き込まれていません。")
        )


def batch_discard(*, user: User, batch: ImportBatch) -> ImportBatch:
    """Drop a batch that was not imported, and the file it kept."""
    running = batch.status in (Status.CHECKING, Status.IMPORTING)
    stale = running and batch.started_at is not None and timezone.now() - batch.started_at > STALE_AFTER
    if batch.status not in OPEN_STATES and not stale:
        raise ValidationError(_("この取り込みは破棄できません。"))
    ImportBatch.objects.filter(pk=batch.pk).update(status=Status.DISCARDED, content=None)
    ImportProblem.objects.filter(batch=batch).delete()
    batch.status = Status.DISCARDED
    return batch


# --- undo -------------------------------------------------------------------------------------

# Deleted in this order: what refers to a row goes before it.
UNDO_ORDER = (
    "cases.timelineentry",
    "records.progressrecord",
    "cases.caseagency",
    "cases.case",
    "intake.consultation",
    "people.person",
    "people.household",
)
OBJECT_TYPES = {Kind.PERSONS: "person", Kind.CONSULTATIONS: "consultation", Kind.CASES: "case", Kind.RECORDS: "record"}
MAIN_MODEL = {
    Kind.PERSONS: "people.person",
    Kind.CONSULTATIONS: "intake.consultation",
    Kind.CASES: "cases.case",
    Kind.RECORDS: "records.progressrecord",
}


class UndoRefused(ValidationError):
    pass


def _refuse_on_top() -> UndoRefused:
    return UndoRefused(
        _(
            "この取り込みのあとで追加・変更されたデータがあるため、取り消せません"
            "（取り込んだ人の記録、ケース、相談、または後から取り込んだ台帳など）。"
        )
    )


def batch_undo(*, user: User, batch: ImportBatch) -> ImportBatch:
    """Delete exactly what the batch wrote, while nothing was added on top of it.

    Refused when a row it wrote was changed since (its ``version`` moved on), or when deleting it
    would delete or be blocked by anything it did not write (a person added to an imported
    household, a record or a team change on an imported case, a later import that refers to it):
    Django's deletion collector finds both, and the check runs before anything is deleted.
    """
    with transaction.atomic():
        locked = ImportBatch.objects.select_for_update().get(pk=batch.pk)
        if locked.status != Status.IMPORTED:
            raise UndoRefused(_("取り消せるのは取り込み済みの取り込みだけです。"))
        written: dict[str, list[int]] = {}
        for label, pk in ImportedObject.objects.filter(batch=locked).values_list("model", "object_id"):
            written.setdefault(label, []).append(pk)
        persons = set(written.get("people.person", []))
        for label, ids in written.items():
            edited: Any = apps.get_model(label)
            if any(f.name == "version" for f in edited._meta.fields):
                for start in range(0, len(ids), 5_000):
                    if edited.objects.filter(pk__in=ids[start : start + 5_000], version__gt=1).exists():
                        raise _refuse_on_top()
        case_ids: set[int] = set()
        if "records.progressrecord" in written:
            case_ids = set(
                ProgressRecord.objects.filter(pk__in=written["records.progressrecord"]).values_list(
                    "case_id", flat=True
                )
            )
        records = set(written.get("records.progressrecord", []))
        through = ProgressRecord.persons.through
        for label in UNDO_ORDER:
            ids = written.get(label, [])
            if not ids:
                continue
            model: Any = apps.get_model(label)
            mine = set(ids)
            for start in range(0, len(ids), 5_000):
                collector = Collector(using="default")
                try:
                    collector.collect(list(model.objects.filter(pk__in=ids[start : start + 5_000])))
                except (ProtectedError, RestrictedError):
                    raise _refuse_on_top() from None
                for collected_model, instances in collector.data.items():
                    if collected_model is through:
                        if not {getattr(o, "progressrecord_id", None) for o in instances} <= records:
                            raise _refuse_on_top()
                        continue
                    _only_ours(collected_model, {o.pk for o in instances}, written, mine, model)
                for queryset in collector.fast_deletes:
                    if queryset.model is PersonNameKey:
                        continue
                    if queryset.model is through:
                        if not set(queryset.values_list("progressrecord_id", flat=True)) <= records:
                            raise _refuse_on_top()
                        continue
                    _only_ours(queryset.model, set(queryset.values_list("pk", flat=True)), written, mine, model)
                collector.delete()
        if case_ids:
            rebuild_work_state(case_ids)
        ImportBatch.objects.filter(pk=locked.pk).update(status=Status.UNDONE, undone_at=timezone.now(), undone_by=user)
        object_type = OBJECT_TYPES[Kind(locked.kind)]
        main = written.get(MAIN_MODEL[Kind(locked.kind)], [])
        access_records(
            user=user,
            action=Action.UPDATE,
            reads=[
                Read(
                    object_type=object_type,
                    object_ids=main[start : start + 10_000],
                    person_ids=sorted(persons)[start : start + 10_000] if object_type == "person" else (),
                    reason=f"undo import #{locked.pk}",
                )
                for start in range(0, max(len(main), 1), 10_000)
            ],
        )
    locked.status = Status.UNDONE
    return locked


def _only_ours(collected: Any, ids: set[int], written: dict[str, list[int]], mine: set[int], model: Any) -> None:
    """A row the deletion would also remove must be one the batch wrote (or a person's name key)."""
    if collected is PersonNameKey:
        return
    label = collected._meta.label_lower
    allowed = mine if collected is model else set(written.get(label, []))
    if not ids <= allowed:
        raise _refuse_on_top()

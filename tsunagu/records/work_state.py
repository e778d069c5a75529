"""The work state of a case that its progress records decide, kept on ``cases.Case``
(decision 0017):

- ``last_contact_on``: the day of the latest record that reached the person (null if none);
- ``next_action_on`` / ``next_action``: those of the latest record (latest day, then latest made);
- ``unanswered_streak``: records that did not reach anyone, dated after the last contact.

Withdrawn records (``ProgressRecord.withdrawn``) count for none of them.

Two ways to the same values. :func:`work_state_refresh` is what the record services call, in
their transaction and under the case's row lock: a few index probes on ``record_case_date`` for
one case, whatever its history. :func:`rebuild_work_state` recomputes many cases at once from
aggregates (one UPDATE … FROM, no loop per case): the migration that backfilled existing cases and
the population generator use it, and the property test checks the services against it.
"""

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db import connection, transaction

from tsunagu.cases.models import Case
from tsunagu.cases.work_state import ages_out_set, stall_refresh
from tsunagu.records.models import ProgressRecord

CHUNK = 10_000  # ids per IN list (SQLite's variable limit is 32,766)


def work_state_refresh(case_id: int) -> None:
    """Recompute one case's work state from its records. Call inside the transaction that changed
    them, after :func:`case_lock`."""
    records = ProgressRecord.objects.filter(case_id=case_id, withdrawn=False).order_by("-occurred_on", "-pk")
    latest = records.values("next_action_on", "next_action").first()
    last_contact: dt.date | None = records.filter(reached=True).values_list("occurred_on", flat=True).first()
    unanswered = records.filter(reached=False)
    if last_contact is not None:
        unanswered = unanswered.filter(occurred_on__gt=last_contact)
    case = Case.objects.filter(pk=case_id)
    case.update(
        last_contact_on=last_contact,
        next_action_on=latest["next_action_on"] if latest else None,
        next_action=latest["next_action"] if latest else "",
        unanswered_streak=unanswered.count(),
    )
    stall_refresh(case)


def rebuild_work_state(case_ids: Iterable[int] | None = None) -> int:
    """Recompute the work state of these cases (every case when None) from their records, set-based,
    and the day each ages out (``cases.work_state.ages_out_set``), then copy both onto the team
    rows. Returns the number of cases written."""
    ids = None if case_ids is None else list(dict.fromkeys(case_ids))
    if ids is None:
        ages_out_set(Case.objects.all())
    else:
        for start in range(0, len(ids), CHUNK):
            ages_out_set(Case.objects.filter(pk__in=ids[start : start + CHUNK]))
    return _rebuild(Case, ProgressRecord, ids)


def _rebuild(case_model: Any, record_model: Any, case_ids: list[int] | None) -> int:
    """The rebuild on given models, so that a migration can pass its historical ones."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(DROP_TODO)
        cursor.execute(CREATE_TODO)
        if case_ids is None:
            cursor.execute(FILL_TODO_ALL)
        else:
            cursor.executemany(FILL_TODO, [(pk,) for pk in case_ids])
        if connection.vendor == "postgresql":
            cursor.execute(ANALYZE_TODO)  # a temporary table has no statistics of its own
        flagged = any(f.name == "withdrawn" for f in record_model._meta.get_fields())
        cursor.execute(UPDATE_FROM_RECORDS if flagged else UPDATE_FROM_RECORDS_BEFORE_WITHDRAWN)
        cursor.execute(COUNT_TODO)  # rowcount of a statement that starts with WITH is -1 on SQLite
        written = int(cursor.fetchone()[0])
        cursor.execute(DROP_TODO)
    cases = case_model.objects.all()
    if case_ids is not None:
        for start in range(0, len(case_ids), CHUNK):
            stall_refresh(cases.filter(pk__in=case_ids[start : start + CHUNK]))
    else:
        stall_refresh(cases)
    return written


# The cases to rebuild, in a temporary table, so that every statement below is constant SQL.
DROP_TODO = "DROP TABLE IF EXISTS work_state_todo"
CREATE_TODO = "CREATE TEMPORARY TABLE work_state_todo (case_id bigint PRIMARY KEY)"
FILL_TODO = "INSERT INTO work_state_todo (case_id) VALUES (%s)"
FILL_TODO_ALL = "INSERT INTO work_state_todo (case_id) SELECT id FROM cases_case"
ANALYZE_TODO = "ANALYZE work_state_todo"
COUNT_TODO = "SELECT COUNT(*) FROM work_state_todo JOIN cases_case ON cases_case.id = work_state_todo.case_id"

# One UPDATE … FROM over aggregates of the records (standard SQL that PostgreSQL and SQLite ≥ 3.33
# both run): the latest record by a window, the last contact by MAX, the streak by a COUNT of the
# unreached records after it.
UPDATE_FROM_RECORDS_TEMPLATE = """
WITH contact AS (
    SELECT r.case_id, MAX(r.occurred_on) AS day
    FROM records_progressrecord r JOIN work_state_todo t ON t.case_id = r.case_id
    WHERE r.reached AND LIVE GROUP BY r.case_id
)
UPDATE cases_case SET
    last_contact_on = state.last_contact_on,
    next_action_on = state.next_action_on,
    next_action = state.next_action,
    unanswered_streak = state.unanswered_streak
FROM (
    SELECT todo.case_id,
           contact.day AS last_contact_on,
           latest.next_action_on AS next_action_on,
           COALESCE(latest.next_action, '') AS next_action,
           COALESCE(streak.n, 0) AS unanswered_streak
    FROM work_state_todo todo
    LEFT JOIN contact ON contact.case_id = todo.case_id
    LEFT JOIN (
        SELECT ranked.case_id, ranked.next_action_on, ranked.next_action FROM (
            SELECT r.case_id, r.next_action_on, r.next_action,
                   ROW_NUMBER() OVER (PARTITION BY r.case_id ORDER BY r.occurred_on DESC, r.id DESC) AS n
            FROM records_progressrecord r JOIN work_state_todo t ON t.case_id = r.case_id
            WHERE LIVE
        ) ranked WHERE ranked.n = 1
    ) latest ON latest.case_id = todo.case_id
    LEFT JOIN (
        SELECT r.case_id, COUNT(*) AS n
        FROM records_progressrecord r JOIN work_state_todo t ON t.case_id = r.case_id
        LEFT JOIN contact c ON c.case_id = r.case_id
        WHERE NOT r.reached AND LIVE AND (c.day IS NULL OR r.occurred_on > c.day)
        GROUP BY r.case_id
    ) streak ON streak.case_id = todo.case_id
) state
WHERE cases_case.id = state.case_id
"""
# LIVE: the records the work state counts, those not withdrawn; before the flag existed (the
# backfill of migration records 0002 runs on the tables of its time), all of them.
UPDATE_FROM_RECORDS = UPDATE_FROM_RECORDS_TEMPLATE.replace("LIVE", "NOT r.withdrawn")
UPDATE_FROM_RECORDS_BEFORE_WITHDRAWN = UPDATE_FROM_RECORDS_TEMPLATE.replace("LIVE", "1 = 1")

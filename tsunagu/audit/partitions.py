"""Monthly partitions of the access trail on PostgreSQL (docs/decisions/0019-audit-partitions.md).

``audit_accessevent`` is partitioned by range on ``at``, one partition per calendar month in
``TIME_ZONE`` (``audit_accessevent_y2026m11``), plus a DEFAULT partition
(``audit_accessevent_default``) that takes a row whose month has no partition yet, so that an
access is never refused because a timer did not run. ``ensure_partitions`` (``manage.py
audit_partitions``, also run by ``migrate``) creates the partitions of the coming months ahead of
time and moves any row the DEFAULT partition caught into the month partition it belongs to.

Every partition is owned by the parent's owner and grants nothing to anybody: the application
role reaches the rows through the parent only (INSERT and SELECT, decision 0009), and the parent's
append-only trigger is cloned onto every partition by PostgreSQL. SQLite has no partitions.
"""

import datetime as dt
import zoneinfo
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.utils import timezone
from psycopg import sql

# The partitioned tables of the audit app (the security log is not: decision 0019).
PARTITIONED = ("audit_accessevent",)
# A constant key for pg_advisory_xact_lock: two runs of the job never interleave.
LOCK_KEY = 0x75A11D17
DEFAULT_AHEAD = 3


@dataclass
class Report:
    created: list[str] = field(default_factory=list)
    moved: int = 0


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def next_month(month: dt.date) -> dt.date:
    return (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def partition_name(table: str, month: dt.date) -> str:
    return f"{table}_y{month:%Y}m{month:%m}"


def default_name(table: str) -> str:
    return f"{table}_default"


def boundary(month: dt.date) -> str:
    """The first instant of the month in TIME_ZONE, as a timestamptz literal."""
    start = dt.datetime(month.year, month.month, 1, tzinfo=zoneinfo.ZoneInfo(settings.TIME_ZONE))
    return start.isoformat()


def is_partitioned(cursor: Any, table: str) -> bool:
    cursor.execute("SELECT relkind FROM pg_class WHERE oid = to_regclass(%s)", [table])
    row = cursor.fetchone()
    return row is not None and row[0] == "p"


def partitions_of(cursor: Any, table: str) -> list[str]:
    cursor.execute(
        "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid"
        " WHERE i.inhparent = to_regclass(%s) ORDER BY 1",
        [table],
    )
    return [row[0] for row in cursor.fetchall()]


def _owner(cursor: Any, table: str) -> str:
    cursor.execute("SELECT pg_get_userbyid(relowner) FROM pg_class WHERE oid = to_regclass(%s)", [table])
    return cursor.fetchone()[0]


def _create(cursor: Any, table: str, name: str, bounds: sql.Composable) -> None:
    """One partition, owned by the parent's owner, with no grant to anybody."""
    statement = sql.SQL("CREATE TABLE {} PARTITION OF {} {}")
    cursor.execute(statement.format(sql.Identifier(name), sql.Identifier(table), bounds))
    owner = _owner(cursor, table)
    cursor.execute("SELECT current_user")
    if cursor.fetchone()[0] != owner:
        cursor.execute(sql.SQL("ALTER TABLE {} OWNER TO {}").format(sql.Identifier(name), sql.Identifier(owner)))
    # Default privileges gave the application role rights on the new table: the parent is its
    # only door, so the partition keeps none (dbroles.restrict_audit_tables says the same).
    cursor.execute(
        "SELECT DISTINCT CASE WHEN a.grantee = 0 THEN '' ELSE pg_get_userbyid(a.grantee) END"
        " FROM pg_class c CROSS JOIN LATERAL aclexplode(c.relacl) a"
        " WHERE c.oid = to_regclass(%s) AND a.grantee <> c.relowner",
        [name],
    )
    for (role,) in cursor.fetchall():
        grantee = sql.Identifier(role) if role else sql.SQL("PUBLIC")
        cursor.execute(sql.SQL("REVOKE ALL ON TABLE {} FROM {}").format(sql.Identifier(name), grantee))


def create_month(cursor: Any, table: str, month: dt.date) -> str | None:
    name = partition_name(table, month)
    cursor.execute("SELECT to_regclass(%s)", [name])
    if cursor.fetchone()[0] is not None:
        return None
    bounds = sql.SQL("FOR VALUES FROM ({}) TO ({})").format(
        sql.Literal(boundary(month)), sql.Literal(boundary(next_month(month)))
    )
    _create(cursor, table, name, bounds)
    return name


def create_default(cursor: Any, table: str) -> str | None:
    name = default_name(table)
    cursor.execute("SELECT to_regclass(%s)", [name])
    if cursor.fetchone()[0] is not None:
        return None
    _create(cursor, table, name, sql.SQL("DEFAULT"))
    return name


def months_in(cursor: Any, relation: str) -> list[dt.date]:
    """The months (TIME_ZONE) that rows of ``relation`` fall in."""
    query = sql.SQL("SELECT DISTINCT date_trunc('month', at AT TIME ZONE %s)::date FROM {} ORDER BY 1")
    cursor.execute(query.format(sql.Identifier(relation)), [settings.TIME_ZONE])
    return [row[0] for row in cursor.fetchall()]


def ensure_table(cursor: Any, table: str, *, today: dt.date, ahead: int) -> Report:
    """The month partitions from this month to ``ahead`` months on, the DEFAULT partition, and
    every row the DEFAULT partition caught moved to its month. Idempotent."""
    report = Report()
    cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_KEY])
    default = default_name(table)
    caught = months_in(cursor, default) if default in partitions_of(cursor, table) else []
    months = [month_start(today)]
    for _ in range(ahead):
        months.append(next_month(months[-1]))
    if caught:
        # A month partition cannot be created while the DEFAULT partition holds rows of that
        # month. Detach the DEFAULT partition, put a new empty one in its place, create the
        # months, and insert the caught rows again through the parent (ids and times as they
        # were); then drop the detached table. One transaction: nothing is lost or doubled.
        held = f"{default}_moving"
        parent, caught_table, moving = sql.Identifier(table), sql.Identifier(default), sql.Identifier(held)
        cursor.execute(sql.SQL("ALTER TABLE {} DETACH PARTITION {}").format(parent, caught_table))
        cursor.execute(sql.SQL("ALTER TABLE {} RENAME TO {}").format(caught_table, moving))
        create_default(cursor, table)
        for month in sorted(set(caught) | set(months)):
            if name := create_month(cursor, table, month):
                report.created.append(name)
        cursor.execute(sql.SQL("INSERT INTO {} SELECT * FROM {}").format(parent, moving))
        report.moved = cursor.rowcount
        # A table with pending deferred foreign-key checks cannot be dropped: check them now
        # (Django's foreign keys are all INITIALLY DEFERRED, so deferring again restores them).
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        cursor.execute(sql.SQL("DROP TABLE {}").format(moving))
    else:
        create_default(cursor, table)
        for month in months:
            if name := create_month(cursor, table, month):
                report.created.append(name)
    return report


def ensure_partitions(connection: Any, *, today: dt.date | None = None, ahead: int = DEFAULT_AHEAD) -> Report:
    """Run the job on every partitioned audit table that is partitioned (PostgreSQL only)."""
    report = Report()
    if connection.vendor != "postgresql":
        return report
    from django.db import transaction

    today = today or timezone.localdate()
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        for table in PARTITIONED:
            if not is_partitioned(cursor, table):
                continue
            done = ensure_table(cursor, table, today=today, ahead=ahead)
            report.created += done.created
            report.moved += done.moved
    return report

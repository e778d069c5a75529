"""Bulk writing of generated rows: COPY on PostgreSQL, executemany on SQLite.

Rows are tuples in the order of the columns a :class:`Table` declares; every other concrete column
of the model gets the field's default, so a column added later (with a default) does not break the
generator. Rows are buffered per table and flushed in batches; the time spent writing is kept
per table for the summary.
"""

import datetime as dt
import json
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, TextIO

from django.core.management.color import no_style
from django.db import connection, models, transaction
from psycopg import sql

UTC = dt.UTC


def _sqlite_value(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.astimezone(UTC).replace(tzinfo=None).isoformat(" ")
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    return value


@dataclass
class Table:
    model: type[models.Model]
    columns: Sequence[str]
    rows: list[tuple] = field(default_factory=list)
    written: int = 0
    seconds: float = 0.0
    extra: tuple = ()  # the defaults of the columns the generator does not set
    extra_columns: tuple[str, ...] = ()

    @property
    def name(self) -> str:
        return self.model._meta.db_table

    def prepare(self) -> None:
        given = set(self.columns)
        known = {f.column for f in self.model._meta.concrete_fields}
        unknown = given - known
        if unknown:
            raise ValueError(f"{self.name}: no such columns {sorted(unknown)}")
        extra = [f for f in self.model._meta.concrete_fields if f.column not in given]
        for f in extra:
            if not f.null and not f.has_default() and f.db_default is models.NOT_PROVIDED:
                raise ValueError(f"{self.name}.{f.column} needs a value: the generator must set it")
        self.extra_columns = tuple(f.column for f in extra if f.db_default is models.NOT_PROVIDED)
        self.extra = tuple(
            _db_default(f) for f in extra if f.db_default is models.NOT_PROVIDED
        )  # fields with a db_default are left to the database


def _db_default(f: models.Field) -> Any:
    value = f.get_default() if f.has_default() else None
    if isinstance(f, models.JSONField):
        return json.dumps(value)
    return value


class Writer:
    """Buffers rows per table and writes them all once ``batch`` rows are waiting."""

    def __init__(self, tables: Sequence[Table], *, progress: "Progress", batch: int = 200_000) -> None:
        self.tables = {t.name: t for t in tables}
        for t in tables:
            t.prepare()
        self.progress = progress
        self.postgres = connection.vendor == "postgresql"
        self.buffered = 0
        self.batch = batch

    def add(self, table: Table, row: tuple) -> None:
        table.rows.append(row)
        self.buffered += 1
        if self.buffered >= self.batch:
            self.flush_all()

    def flush(self, table: Table) -> None:
        if not table.rows:
            return
        rows = table.rows
        table.rows = []
        started = time.perf_counter()
        columns = [*table.columns, *table.extra_columns]
        extra = table.extra
        names = sql.SQL(", ").join(sql.Identifier(c) for c in columns)
        if self.postgres:
            statement = sql.SQL("COPY {} ({}) FROM STDIN").format(sql.Identifier(table.name), names)
            with connection.cursor() as cursor:
                raw = cursor.connection.cursor()
                with raw.copy(statement) as copy:
                    write = copy.write_row  # formatted by psycopg's C implementation
                    if extra:
                        for row in rows:
                            write(row + extra)
                    else:
                        for row in rows:
                            write(row)
        else:
            marks = sql.SQL(", ").join(sql.SQL("?") for _ in columns)
            insert = sql.SQL("INSERT INTO {} ({}) VALUES ({})").format(sql.Identifier(table.name), names, marks)
            converted = [tuple(_sqlite_value(v) for v in row + extra) for row in rows]
            connection.ensure_connection()
            connection.connection.executemany(insert.as_string(), converted)
        table.written += len(rows)
        table.seconds += time.perf_counter() - started
        self.progress.tick(self)

    def flush_all(self) -> None:
        """Write every buffer, parents before children (the order the tables were given), in one
        transaction, so that every foreign key points at a row already written."""
        with transaction.atomic():
            for table in self.tables.values():
                self.flush(table)
        self.buffered = 0

    def reset_sequences(self) -> None:
        models_ = [t.model for t in self.tables.values()]
        statements = connection.ops.sequence_reset_sql(no_style(), models_)
        if statements:
            with connection.cursor() as cursor:
                for sql in statements:
                    cursor.execute(sql)


class Progress:
    """Progress on stderr: the table being written, its rows, rows/s and the ETA of the phase."""

    def __init__(self, stream: TextIO | None = None, *, every: float = 2.0) -> None:
        self.stream = stream or sys.stderr
        self.every = every
        self.last = 0.0
        self.phase = ""
        self.phase_started = time.perf_counter()
        self.done: Callable[[], float] = lambda: 0.0  # fraction of the phase done, 0..1

    def start(self, phase: str, done: Callable[[], float]) -> None:
        self.phase = phase
        self.phase_started = time.perf_counter()
        self.done = done

    def tick(self, writer: Writer, *, force: bool = False) -> None:
        now = time.perf_counter()
        if not force and now - self.last < self.every:
            return
        self.last = now
        elapsed = now - self.phase_started
        fraction = self.done()
        eta = elapsed * (1 - fraction) / fraction if fraction > 0 else 0.0
        total = sum(t.written for t in writer.tables.values())
        busiest = max(writer.tables.values(), key=lambda t: t.written)
        self.stream.write(
            f"[{self.phase}] {fraction:6.1%}  rows {total:>12,}  {total / max(elapsed, 1e-9):>9,.0f} rows/s  "
            f"ETA {eta:6.0f} s  (largest: {busiest.name} {busiest.written:,})\n"
        )
        self.stream.flush()


@contextmanager
def bulk_load(tables: Sequence[Table], stream: TextIO | None = None) -> Iterator[None]:
    """On PostgreSQL, load without the secondary indexes and the foreign-key and unique
    constraints of ``tables``, and build them again at the end (one pass each: much faster than
    maintaining them row by row, and every constraint is still checked when it is added back).

    Only outside a transaction (a test's transaction keeps everything as it is). Primary keys stay.
    """
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        yield
        return
    out = stream or sys.stderr
    names = [t.name for t in tables]
    with connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit = off")
        cursor.execute(
            """
            SELECT con.conrelid::regclass::text, con.conname, pg_get_constraintdef(con.oid)
            FROM pg_constraint con JOIN pg_class cl ON cl.oid = con.conrelid
            WHERE cl.relname = ANY(%s) AND con.contype IN ('f', 'u') AND con.conparentid = 0
            ORDER BY con.contype DESC, 1, 2
            """,
            [names],
        )
        constraints = cursor.fetchall()
        cursor.execute(
            """
            SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid)
            FROM pg_index i JOIN pg_class cl ON cl.oid = i.indrelid
            WHERE cl.relname = ANY(%s) AND NOT i.indisprimary
              AND NOT EXISTS (SELECT 1 FROM pg_constraint con WHERE con.conindid = i.indexrelid)
              AND NOT EXISTS (SELECT 1 FROM pg_inherits inh WHERE inh.inhrelid = i.indexrelid)
            ORDER BY 1
            """,
            [names],
        )
        indexes = cursor.fetchall()
        for table, name, _definition in reversed(constraints):  # the keys, then the unique ones
            cursor.execute(
                sql.SQL("ALTER TABLE {} DROP CONSTRAINT {}").format(sql.SQL(table), sql.Identifier(name)).as_string()
            )
        for name, _definition in indexes:
            cursor.execute(sql.SQL("DROP INDEX {}").format(sql.SQL(name)).as_string())
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SET maintenance_work_mem = '512MB'")
            for name, definition in indexes:
                started = time.perf_counter()
                # A partitioned table's index reads "ON ONLY parent": as written it would make an
                # invalid index on the parent alone, none on the partitions. Build it on all.
                cursor.execute(definition.replace(" ON ONLY ", " ON ", 1))
                out.write(f"[indexes] {name} built in {time.perf_counter() - started:.1f} s\n")
            for table, name, definition in constraints:  # the unique ones, then the keys
                started = time.perf_counter()
                cursor.execute(
                    sql.SQL("ALTER TABLE {} ADD CONSTRAINT {} {}")
                    .format(sql.SQL(table), sql.Identifier(name), sql.SQL(definition))
                    .as_string()
                )
                out.write(f"[constraints] {table}.{name} checked in {time.perf_counter() - started:.1f} s\n")
            out.flush()

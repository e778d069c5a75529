"""Backup and restore of the whole database, with a manifest to verify a restore (R6; decision 0026).

PostgreSQL: ``pg_dump --format=custom`` reading the snapshot of a REPEATABLE READ transaction in
which the manifest (row count and checksum of every table) is computed too, so the dump and its
manifest describe the same instant even while the app writes. ``pg_restore`` puts it into a
database without tables, in one transaction. Both connect as the schema owner
(``MIGRATE_DATABASE_URL`` when it names the same database), with the password in the environment.

SQLite: the online backup API, which copies a consistent image while the app runs (WAL); the
manifest is computed from the copy itself.

``table_checksums`` is the one definition of a table's checksum, used by the manifest, by the
verification after a restore and by the drill test.
"""

from __future__ import annotations

import copy
import datetime as dt
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import dj_database_url
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

MANIFEST_FORMAT = 1
MANIFEST_SUFFIX = ".manifest.json"
SUFFIXES = {"postgresql": ".dump", "sqlite": ".sqlite3"}
OWNER_KEYS = ("USER", "PASSWORD", "HOST", "PORT")
Progress = Callable[[str], object]


class BackupError(Exception):
    """A backup or restore that cannot go on; the message is for the user (Japanese)."""


@dataclass
class Result:
    path: Path
    manifest_path: Path
    size: int
    tables: int
    rows: int


@dataclass
class Verification:
    tables: int
    rows: int
    mismatches: list[str] = field(default_factory=list)


# --- Checksums --------------------------------------------------------------------------------


def quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def table_names(cursor: Any, vendor: str) -> list[str]:
    """Every table of the database, sorted: on PostgreSQL every table of the current schema,
    partitioned parents and their partitions both (so the partition layout is compared too);
    on SQLite every table including ``sqlite_sequence``."""
    if vendor == "postgresql":
        cursor.execute(
            "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p') ORDER BY c.relname"
        )
    else:
        cursor.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
    return [row[0] for row in cursor.fetchall()]


def row_hash(row: Any) -> int:
    """The first 64 bits of the MD5 of a row's text (a checksum, not a security control)."""
    digest = hashlib.md5(row[0].encode(), usedforsecurity=False).digest()
    return int.from_bytes(digest[:8], "big")


def table_checksums(cursor: Any, vendor: str) -> dict[str, dict[str, Any]]:
    """Row count and checksum of every table: ``{table: {"rows": n, "checksum": "16 hex"}}``.

    The checksum is the sum, modulo 2**64, of the first 64 bits of the MD5 of each row's text
    (PostgreSQL: the row cast to text in the database, one pass, no sort, no big string; SQLite:
    the row's columns as SQL literals, ``quote()``, hashed in Python). A sum does not depend on
    the order of the rows, so no primary key is needed and a copy whose pages lie differently
    gives the same value. It
    detects a lost, added or changed row; it is a check against accidents, not against someone
    who can rewrite both the backup and its manifest. Comparable on one vendor only (the text
    of a row differs between PostgreSQL and SQLite).
    """
    sums: dict[str, dict[str, Any]] = {}
    for table in table_names(cursor, vendor):
        if vendor == "postgresql":
            row_sums = "SELECT count(*), coalesce(sum(('x' || left(md5(t::text), 16))::bit(64)::bigint), 0)"
            cursor.execute(f"{row_sums} FROM {quote(table)} AS t")
            count, total = cursor.fetchone()
            value = int(total) % 2**64
        else:
            # Each row as SQLite's own literal text (quote()), so that the value does not depend on
            # the converters of the connection that reads it (Django's parses dates, the sqlite3
            # module's does not).
            cursor.execute(f"PRAGMA table_info({quote(table)})")
            columns = [row[1] for row in cursor.fetchall()]
            text = " || ',' || ".join(f"quote({quote(column)})" for column in columns) or "''"
            cursor.execute(f"SELECT {text} FROM {quote(table)}")  # noqa: S608 (names from the catalogue, quoted)
            count, value = 0, 0
            while batch := cursor.fetchmany(2000):
                for row in batch:
                    count += 1
                    value = (value + row_hash(row)) % 2**64
        sums[table] = {"rows": int(count), "checksum": f"{value:016x}"}
    return sums


def migration_state(cursor: Any, tables: list[str]) -> dict[str, str]:
    """The latest applied migration of each app (by name, as Django numbers them)."""
    if "django_migrations" not in tables:
        return {}
    cursor.execute("SELECT app, max(name) FROM django_migrations GROUP BY app ORDER BY app")
    return {app: name for app, name in cursor.fetchall()}


# --- Connections --------------------------------------------------------------------------------


def owner_settings(settings_dict: dict[str, Any]) -> dict[str, Any]:
    """The connection's settings with the schema owner's credentials when ``MIGRATE_DATABASE_URL``
    names the same database (as ``audit.owner.as_owner`` decides for ``migrate``); otherwise the
    connection's own (a test database ``test_<name>`` is never reached with production
    credentials)."""
    result = copy.deepcopy(settings_dict)
    url = getattr(settings, "MIGRATE_DATABASE_URL", "")
    if url:
        owner = dj_database_url.parse(url)
        if owner["ENGINE"] == result["ENGINE"] and owner["NAME"] == result["NAME"]:
            result.update({key: owner.get(key) for key in OWNER_KEYS})
    return result


@contextmanager
def side_connection(connection: Any, settings_dict: dict[str, Any]) -> Iterator[Any]:
    """A connection of its own (same backend, same session set-up as the app's), closed after."""
    other = type(connection)(settings_dict, alias=f"{connection.alias}_backup")
    try:
        yield other
    finally:
        other.close()


def pg_environment(settings_dict: dict[str, Any]) -> dict[str, str]:
    """libpq's variables for the client tools: the password never appears on a command line."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
    values = {
        "PGHOST": settings_dict.get("HOST"),
        "PGPORT": settings_dict.get("PORT"),
        "PGUSER": settings_dict.get("USER"),
        "PGPASSWORD": settings_dict.get("PASSWORD"),
        "PGDATABASE": settings_dict.get("NAME"),
    }
    env.update({key: str(value) for key, value in values.items() if value})
    return env


def client_tool(name: str) -> str:
    path = shutil.which(name) or shutil.which(name, path="/usr/bin")
    if not path:
        raise BackupError(
            _("%(tool)s が見つかりません。PostgreSQL のクライアント（postgresql-client）を入れてください。")
            % {"tool": name}
        )
    return path


def run_tool(args: list[str], env: dict[str, str]) -> None:
    done = subprocess.run(  # noqa: S603 (our own arguments, no shell)
        args, env=env, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        detail = (done.stderr or done.stdout).strip()
        raise BackupError(_("%(tool)s が失敗しました: %(detail)s") % {"tool": Path(args[0]).name, "detail": detail})


# --- Files --------------------------------------------------------------------------------------


def default_path(vendor: str) -> Path:
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
    return Path(settings.DATA_DIR) / "backups" / f"tsunagu-{stamp}{SUFFIXES.get(vendor, '.backup')}"


def manifest_path(path: Path) -> Path:
    return path.with_name(path.name + MANIFEST_SUFFIX)


def read_only(path: Path) -> str:
    """SQLite's URI of ``path`` opened read-only, its name percent-encoded: a ``#``, ``?`` or ``%``
    in it would otherwise end the name early and open (and create) another file."""
    return f"{Path(path).absolute().as_uri()}?mode=ro"


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(1024 * 1024):
            digest.update(chunk)
    return digest.hexdigest()


def create_private(path: Path) -> None:
    """An empty file only its owner may read (the backup holds personal data); never overwrites."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except FileExistsError as exc:
        raise BackupError(_("%(path)s はすでにあります。別の出力先を指定してください。") % {"path": path}) from exc
    os.chmod(path, 0o600)


def write_manifest(path: Path, manifest: dict[str, Any]) -> Path:
    target = manifest_path(path)
    create_private(target)
    target.write_text(json.dumps(manifest, ensure_ascii=False, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    return target


def read_manifest(path: Path) -> dict[str, Any]:
    source = manifest_path(path)
    try:
        manifest = json.loads(source.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise BackupError(
            _("マニフェスト %(path)s がありません。バックアップと同じ場所に置いてください。") % {"path": source}
        ) from exc
    except ValueError as exc:
        raise BackupError(_("マニフェスト %(path)s を読めません。") % {"path": source}) from exc
    if manifest.get("format") != MANIFEST_FORMAT or not isinstance(manifest.get("tables"), dict):
        raise BackupError(_("マニフェスト %(path)s の形式が違います。") % {"path": source})
    return manifest


# --- Backup -------------------------------------------------------------------------------------


def backup(connection: Any, path: Path, progress: Progress = lambda message: None) -> Result:
    vendor = connection.vendor
    if vendor not in SUFFIXES:
        raise BackupError(_("このデータベース（%(vendor)s）のバックアップには対応していません。") % {"vendor": vendor})
    create_private(path)
    try:
        if vendor == "postgresql":
            tables, migrations = _backup_postgresql(connection, path, progress)
        else:
            tables, migrations = _backup_sqlite(connection, path, progress)
        os.chmod(path, 0o600)
        progress(_("ファイルのチェックサムを計算しています…"))
        manifest = {
            "format": MANIFEST_FORMAT,
            "created_at": timezone.now().isoformat(),
            "vendor": vendor,
            "database": str(connection.settings_dict.get("NAME")),
            "file": path.name,
            "size": path.stat().st_size,
            "sha256": sha256(path),
            "migrations": migrations,
            "tables": tables,
        }
        written = write_manifest(path, manifest)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    rows = sum(table["rows"] for table in tables.values())
    return Result(path=path, manifest_path=written, size=manifest["size"], tables=len(tables), rows=rows)


def _backup_postgresql(connection: Any, path: Path, progress: Progress) -> tuple[dict, dict[str, str]]:
    params = owner_settings(connection.settings_dict)
    pg_dump = client_tool("pg_dump")
    with side_connection(connection, params) as side, side.cursor() as cursor:
        # One snapshot for the dump and the manifest: pg_dump imports the one this transaction
        # exported, and the checksums below read the same one, however much the app writes.
        cursor.execute("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        try:
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]
            progress(_("pg_dump でデータベースを書き出しています…"))
            run_tool(
                [pg_dump, "--format=custom", f"--snapshot={snapshot}", f"--file={path}", "--no-password"],
                pg_environment(params),
            )
            progress(_("テーブルごとの行数とチェックサムを計算しています…"))
            tables = table_checksums(cursor, "postgresql")
            migrations = migration_state(cursor, list(tables))
        finally:
            cursor.execute("COMMIT")
    return tables, migrations


def _backup_sqlite(connection: Any, path: Path, progress: Progress) -> tuple[dict, dict[str, str]]:
    connection.ensure_connection()
    progress(_("SQLite のオンラインバックアップでコピーしています…"))
    with closing(sqlite3.connect(path)) as target:
        # One step (pages=-1): the copy is one consistent image; with WAL, writers go on meanwhile.
        connection.connection.backup(target)
        target.execute("PRAGMA journal_mode=DELETE")
    progress(_("テーブルごとの行数とチェックサムを計算しています…"))
    # From the copy itself: the manifest describes exactly what the file holds.
    with closing(sqlite3.connect(read_only(path), uri=True)) as copied:
        cursor = copied.cursor()
        tables = table_checksums(cursor, "sqlite")
        migrations = migration_state(cursor, list(tables))
    return tables, migrations


# --- Restore ------------------------------------------------------------------------------------


def existing_tables(connection: Any) -> list[str]:
    params = owner_settings(connection.settings_dict) if connection.vendor == "postgresql" else None
    if params is None:
        with connection.cursor() as cursor:
            return table_names(cursor, connection.vendor)
    with side_connection(connection, params) as side, side.cursor() as cursor:
        return table_names(cursor, "postgresql")


def check_backup(path: Path, connection: Any) -> dict[str, Any]:
    """The manifest of ``path``, once the file is found whole and of this database's kind."""
    if not path.is_file():
        raise BackupError(_("バックアップファイル %(path)s がありません。") % {"path": path})
    manifest = read_manifest(path)
    if manifest.get("vendor") != connection.vendor:
        raise BackupError(
            _("このバックアップは %(backup)s のものです。%(target)s には戻せません。")
            % {"backup": manifest.get("vendor"), "target": connection.vendor}
        )
    if sha256(path) != manifest.get("sha256"):
        raise BackupError(_("バックアップファイルがマニフェストと一致しません（壊れているか、別のファイルです）。"))
    return manifest


def restore(connection: Any, path: Path, manifest: dict[str, Any], progress: Progress = lambda m: None) -> Verification:
    """Put the backup into the (table-less) database of ``connection`` and verify it."""
    if existing_tables(connection):
        raise BackupError(_("戻し先のデータベースにテーブルがあります。"))
    if connection.vendor == "postgresql":
        params = owner_settings(connection.settings_dict)
        progress(_("pg_restore で戻しています（1つのトランザクション）…"))
        run_tool(
            [
                client_tool("pg_restore"),
                "--no-owner",
                "--no-privileges",
                "--exit-on-error",
                "--single-transaction",
                "--no-password",
                f"--dbname={params['NAME']}",
                str(path),
            ],
            pg_environment(params),
        )
    else:
        progress(_("SQLite のオンラインバックアップで戻しています…"))
        connection.ensure_connection()
        with closing(sqlite3.connect(read_only(path), uri=True)) as source:
            source.backup(connection.connection)
    progress(_("テーブルごとの行数とチェックサムを確かめています…"))
    return verify(connection, manifest)


def verify(connection: Any, manifest: dict[str, Any]) -> Verification:
    if connection.vendor == "postgresql":
        with side_connection(connection, owner_settings(connection.settings_dict)) as side, side.cursor() as cursor:
            actual = table_checksums(cursor, "postgresql")
    else:
        with connection.cursor() as cursor:
            actual = table_checksums(cursor, connection.vendor)
    expected: dict[str, dict[str, Any]] = manifest["tables"]
    mismatches = []
    for table in sorted(set(expected) | set(actual)):
        if table not in actual:
            mismatches.append(_("%(table)s: 戻したデータベースにありません") % {"table": table})
        elif table not in expected:
            mismatches.append(_("%(table)s: マニフェストにありません") % {"table": table})
        elif actual[table] != expected[table]:
            mismatches.append(
                _("%(table)s: 行数 %(rows)s（期待 %(expected_rows)s）、チェックサム %(sum)s（期待 %(expected_sum)s）")
                % {
                    "table": table,
                    "rows": actual[table]["rows"],
                    "expected_rows": expected[table]["rows"],
                    "sum": actual[table]["checksum"],
                    "expected_sum": expected[table]["checksum"],
                }
            )
    rows = sum(table["rows"] for table in actual.values())
    return Verification(tables=len(actual), rows=rows, mismatches=mismatches)


def created_at(manifest: dict[str, Any]) -> dt.datetime | None:
    try:
        return dt.datetime.fromisoformat(manifest["created_at"])
    except (KeyError, TypeError, ValueError):
        return None

"""R6: the backup and restore drill, on both databases (docs/decisions/0026-backup-and-restore.md).

Data from the personas and their world (cases, records, plans, assessments, the access trail of
the pages read), ``manage.py backup``, then ``manage.py restore`` into a second, empty database,
then every table compared (rows and checksum, the one function the manifest uses), the audit
tables and Django's own included. Transactional tests: the data must be committed for pg_dump.
"""

import io
import json
import stat

import psycopg
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, connections
from django.urls import reverse

from tsunagu.audit.models import AccessEvent
from tsunagu.core import backup
from tsunagu.core.tests.personas import client_for

pytestmark = pytest.mark.django_db(transaction=True)
RESTORED = "bk_restored"


def checksums(conn) -> dict:
    with conn.cursor() as cursor:
        return backup.table_checksums(cursor, conn.vendor)


def sequences(conn) -> dict:
    with conn.cursor() as cursor:
        if conn.vendor == "postgresql":
            cursor.execute("SELECT sequencename, last_value FROM pg_sequences WHERE schemaname = current_schema()")
        else:
            cursor.execute("SELECT name, seq FROM sqlite_sequence")
        return dict(cursor.fetchall())


@pytest.fixture
def restored(tmp_path, monkeypatch):
    """Makes a second, empty database under the alias ``bk_restored``: a new SQLite file, or a
    new PostgreSQL database next to the test database, dropped afterwards. A connection made
    outside Django's registry (the test case allows only its own databases there), handed to the
    restore command under that alias."""
    settings_dict = dict(connection.settings_dict)
    admins, made = [], []

    def make():
        if connection.vendor == "postgresql":
            settings_dict["NAME"] = f"{connection.settings_dict['NAME']}_restore"
            admin = psycopg.connect(
                dbname="postgres",
                host=settings_dict.get("HOST") or "127.0.0.1",
                port=str(settings_dict.get("PORT") or 5432),
                user=settings_dict.get("USER") or "postgres",
                password=settings_dict.get("PASSWORD") or None,
                autocommit=True,
            )
            admins.append(admin)
            admin.execute(f'DROP DATABASE IF EXISTS "{settings_dict["NAME"]}"')
            admin.execute(f'CREATE DATABASE "{settings_dict["NAME"]}"')
        else:
            settings_dict["NAME"] = str(tmp_path / "restored.sqlite3")
        made.append(type(connections["default"])(settings_dict, alias=RESTORED))
        monkeypatch.setattr("tsunagu.core.management.commands.restore.connections", {RESTORED: made[0]})
        return made[0]

    try:
        yield make
    finally:
        for restored_connection in made:
            restored_connection.close()
        for admin in admins:
            admin.execute(f'DROP DATABASE IF EXISTS "{settings_dict["NAME"]}" WITH (FORCE)')
            admin.close()


def fill(world, users) -> None:
    """Besides the world: pages read, so the access trail (the partitioned table) holds rows."""
    client = client_for(users["lead_worker"])
    for url in (reverse("cases:detail", args=[world.case.pk]), reverse("work:home")):
        assert client.get(url).status_code == 200
    assert AccessEvent.objects.exists()


def test_the_drill_backup_then_restore_into_an_empty_database_gives_identical_tables(world, users, tmp_path, restored):
    make_restored = restored
    fill(world, users)
    path = tmp_path / "drill" / f"tsunagu{backup.SUFFIXES[connection.vendor]}"
    out = io.StringIO()
    call_command("backup", output=str(path), stdout=out)
    assert "バックアップを作成しました" in out.getvalue()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(backup.manifest_path(path).stat().st_mode) == 0o600

    source = checksums(connection)
    manifest = json.loads(backup.manifest_path(path).read_text(encoding="utf-8"))
    assert manifest["tables"] == source
    assert manifest["vendor"] == connection.vendor
    assert manifest["migrations"]["audit"].startswith("0010")
    # Every table, the audit trail and Django's own among them, and rows in what matters.
    for table in ("audit_accessevent", "audit_rolechange", "auth_user", "django_migrations", "cases_case"):
        assert table in source
    for table in ("audit_accessevent", "auth_user", "django_migrations", "cases_case", "records_progressrecord"):
        assert source[table]["rows"] > 0, table
    if connection.vendor == "postgresql":
        assert any(name.startswith("audit_accessevent_y") for name in source)  # the partitions too

    restored = make_restored()
    out = io.StringIO()
    call_command("restore", str(path), database=RESTORED, stdout=out)
    assert "復元を確認しました" in out.getvalue()

    assert checksums(restored) == source
    assert sequences(restored) == sequences(connection)
    # A restored database is a working one: the next id follows on, the trail stays append-only.
    with restored.cursor() as cursor:
        cursor.execute("SELECT max(id) FROM auth_user")
        last = cursor.fetchone()[0]
        cursor.execute(
            "INSERT INTO auth_user (password, is_superuser, username, first_name, last_name, email, is_staff,"
            " is_active, date_joined) VALUES ('', false, 'after-restore', '', '', '', false, true, '2026-11-29')"
        )
        cursor.execute("SELECT id FROM auth_user WHERE username = 'after-restore'")
        assert cursor.fetchone()[0] > last
    if connection.vendor == "postgresql":
        with pytest.raises(Exception, match="append-only"), restored.cursor() as cursor:
            cursor.execute("UPDATE audit_accessevent SET path = 'x'")


def test_a_restore_whose_data_differs_from_the_manifest_is_an_error(world, tmp_path, restored):
    path = tmp_path / f"tsunagu{backup.SUFFIXES[connection.vendor]}"
    call_command("backup", output=str(path), stdout=io.StringIO())
    manifest = json.loads(backup.manifest_path(path).read_text(encoding="utf-8"))
    manifest["tables"]["people_person"]["checksum"] = "0" * 16
    backup.manifest_path(path).write_text(json.dumps(manifest), encoding="utf-8")
    restored()
    err = io.StringIO()
    with pytest.raises(CommandError, match="一致しません"):
        call_command("restore", str(path), database=RESTORED, stdout=io.StringIO(), stderr=err)
    assert "people_person" in err.getvalue()


def test_restore_refuses_a_database_that_has_tables_and_a_changed_file(world, tmp_path):
    path = tmp_path / f"tsunagu{backup.SUFFIXES[connection.vendor]}"
    call_command("backup", output=str(path), stdout=io.StringIO())
    with pytest.raises(CommandError, match="すでにテーブルがあります"):
        call_command("restore", str(path), stdout=io.StringIO())
    with path.open("ab") as handle:
        handle.write(b"\0")
    with pytest.raises(CommandError, match="一致しません"):
        call_command("restore", str(path), stdout=io.StringIO())
    with pytest.raises(CommandError, match="すでにあります"):
        call_command("backup", output=str(path), stdout=io.StringIO())  # never overwrites


def test_restore_asks_for_yes_under_production_settings(settings, tmp_path):
    settings.PRODUCTION = True
    with pytest.raises(CommandError, match="--yes"):
        call_command("restore", str(tmp_path / "missing.dump"), stdout=io.StringIO())
    with pytest.raises(CommandError, match="ありません"):
        call_command("restore", str(tmp_path / "missing.dump"), yes=True, stdout=io.StringIO())


def test_the_default_backup_name_is_under_the_data_dir_with_the_time(settings, tmp_path, time_machine):
    settings.DATA_DIR = tmp_path
    time_machine.move_to("2026-11-29T03:15:00+09:00", tick=False)
    assert backup.default_path("postgresql") == tmp_path / "backups" / "tsunagu-20261129-031500.dump"
    assert backup.default_path("sqlite") == tmp_path / "backups" / "tsunagu-20261129-031500.sqlite3"


def test_the_owner_credentials_are_used_only_for_the_same_database(settings):
    base = {"ENGINE": "django.db.backends.postgresql", "NAME": "tsunagu", "USER": "tsunagu_app", "PASSWORD": "a"}
    settings.MIGRATE_DATABASE_URL = "postgres://tsunagu_owner:s3cret@db:5432/tsunagu"
    owner = backup.owner_settings(base)
    assert (owner["USER"], owner["PASSWORD"], owner["HOST"]) == ("tsunagu_owner", "s3cret", "db")
    assert backup.owner_settings({**base, "NAME": "test_tsunagu"})["USER"] == "tsunagu_app"
    env = backup.pg_environment(owner)
    assert env["PGPASSWORD"] == "s3cret"
    assert env["PGUSER"] == "tsunagu_owner"


def test_a_sqlite_backup_whose_path_holds_uri_characters_describes_that_file(world, tmp_path, restored):
    """The copy was read back as ``file:<path>?mode=ro``: a ``#`` (or ``?``, ``%``) in the path
    cut the URI short, so the manifest described an empty database made beside it, and a restore
    of that file copied the empty one, "verified" against that empty manifest."""
    if connection.vendor != "sqlite":
        pytest.skip("the SQLite backup and restore only")
    path = tmp_path / "nightly#1 100%.sqlite3"
    call_command("backup", output=str(path), stdout=io.StringIO())
    manifest = json.loads(backup.manifest_path(path).read_text(encoding="utf-8"))
    assert manifest["tables"] == checksums(connection)
    assert sorted(p.name for p in tmp_path.iterdir()) == [path.name, backup.manifest_path(path).name]
    target = restored()
    call_command("restore", str(path), database=RESTORED, stdout=io.StringIO())
    assert checksums(target) == manifest["tables"]

"""Issue 8 defect 5: the application's database role cannot erase the audit trail.

The PostgreSQL test builds the production set-up on a scratch database exactly as the README
tells operators to: ``manage.py db_roles --apply`` as a superuser, ``manage.py migrate`` with
``MIGRATE_DATABASE_URL`` (the owner) while ``DATABASE_URL`` is the application role, and then
tries, as the application role, every way of erasing the trail (decision 0009).
"""

import io
import os
import secrets
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest
from django.core.management import call_command
from django.db import connection
from psycopg import errors, sql

from tsunagu.audit import dbroles

ROOT = Path(__file__).resolve().parents[3]


def test_the_role_sql_names_every_audit_table_and_grants_no_more_than_it_must():
    statements = dbroles.role_setup_sql(owner="tsunagu_owner", app="tsunagu_app", database="tsunagu")
    text = ";\n".join(statements)
    assert set(dbroles.audit_tables()) >= {"audit_accessevent", "audit_rolechange"}
    assert f"SET tsunagu.audit_tables = '{','.join(dbroles.audit_tables())}'" in text
    assert "GRANT SELECT, INSERT ON TABLE" in text
    assert "TRUNCATE" not in text
    assert 'ALTER DEFAULT PRIVILEGES FOR ROLE "tsunagu_owner"' in text


@pytest.mark.parametrize(
    ("owner", "app", "database"),
    [
        ("owner; DROP TABLE x", "app", "db"),
        ("owner", 'app" SUPERUSER', "db"),
        ("same", "same", "db"),
        ("owner", "app", "db'; --"),
    ],
)
def test_the_role_sql_refuses_odd_names(owner, app, database):
    with pytest.raises(ValueError):
        dbroles.role_setup_sql(owner=owner, app=app, database=database)


def clean_env(env: dict[str, str]) -> dict[str, str]:
    full_env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "MIGRATE_DATABASE_URL")}
    return {**full_env, **env}


def run(command: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    """``manage.py migrate`` / ``load_reference`` / ``db_roles --check`` in a process of its own,
    configured like a deployment by its environment."""
    options = {"capture_output": True, "text": True, "timeout": 300, "check": False, "cwd": ROOT}
    if command == "migrate":
        return subprocess.run([sys.executable, "manage.py", "migrate", "--noinput"], env=clean_env(env), **options)
    if command == "load_reference":
        return subprocess.run([sys.executable, "manage.py", "load_reference"], env=clean_env(env), **options)
    if command == "audit_partitions":
        return subprocess.run(
            [sys.executable, "manage.py", "audit_partitions", "--ahead", "6"], env=clean_env(env), **options
        )
    return subprocess.run([sys.executable, "manage.py", "db_roles", "--check"], env=clean_env(env), **options)


@pytest.fixture
def scratch():
    """A scratch database with its own owner and application roles, dropped afterwards."""
    settings = connection.settings_dict
    base = str(settings["NAME"]).removeprefix("test_")[:30]
    name = f"{base}_roles_{secrets.token_hex(3)}"
    host, port = settings.get("HOST") or "127.0.0.1", str(settings.get("PORT") or 5432)
    superuser = settings.get("USER") or "postgres"
    admin_kwargs = {"host": host, "port": port, "user": superuser, "password": settings.get("PASSWORD") or None}
    with psycopg.connect(dbname="postgres", autocommit=True, **admin_kwargs) as admin:
        if not admin.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user").fetchone()[0]:
            pytest.skip("needs a PostgreSQL superuser to create roles (CI connects as postgres)")
        admin.execute(f'CREATE DATABASE "{name}"')
    passwords = {"owner": secrets.token_urlsafe(16), "app": secrets.token_urlsafe(16)}

    def url(user: str, password: str | None) -> str:
        auth = f"{user}:{password}" if password else user
        return f"postgres://{auth}@{host}:{port}/{name}"

    info = {
        "name": name,
        "owner": f"{name}_owner",
        "app": f"{name}_app",
        "superuser_url": url(superuser, settings.get("PASSWORD")),
        "host": host,
        "port": port,
        "passwords": passwords,
    }
    info["owner_url"] = url(info["owner"], passwords["owner"])
    info["app_url"] = url(info["app"], passwords["app"])
    try:
        yield info
    finally:
        with psycopg.connect(dbname="postgres", autocommit=True, **admin_kwargs) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            admin.execute(f'DROP ROLE IF EXISTS "{info["app"]}"')
            admin.execute(f'DROP ROLE IF EXISTS "{info["owner"]}"')


def set_passwords(scratch) -> None:
    """What the DBA does after db_roles (the README says how)."""
    with psycopg.connect(scratch["superuser_url"], autocommit=True) as admin:
        for role in ("owner", "app"):
            statement = sql.SQL("ALTER ROLE {} PASSWORD {}")
            admin.execute(statement.format(sql.Identifier(scratch[role]), sql.Literal(scratch["passwords"][role])))


def apply_roles(scratch) -> None:
    """The DBA (a superuser) runs what ``manage.py db_roles`` prints on the database."""
    out = io.StringIO()
    call_command("db_roles", owner=scratch["owner"], app=scratch["app"], database_name=scratch["name"], stdout=out)
    with psycopg.connect(scratch["superuser_url"], autocommit=True) as admin:
        admin.execute(out.getvalue())
    set_passwords(scratch)


REFUSED = [
    "UPDATE {t} SET id = id",
    "DELETE FROM {t}",
    "TRUNCATE {t}",
    "ALTER TABLE {t} DISABLE TRIGGER ALL",
    "ALTER TABLE {t} DISABLE TRIGGER USER",
    "DROP TABLE {t}",
    "ALTER TABLE {t} OWNER TO CURRENT_USER",
    "CREATE TRIGGER erase BEFORE INSERT ON {t} FOR EACH ROW EXECUTE FUNCTION audit_append_only()",
]

# On a partition of the access trail (decision 0019): the parent is the only door.
REFUSED_ON_PARTITION = [
    *REFUSED,
    "SELECT count(*) FROM {t}",
    "INSERT INTO {t} (at, username, action, object_type, object_ids, person_ids, ip, path, reason, basis)"
    " VALUES (now(), 'role-test', 'view', 'case', '[1]', '[]', '', '', '', '')",
    "ALTER TABLE audit_accessevent DETACH PARTITION {t}",
    "ALTER TABLE {t} RENAME TO erased",
    "CREATE TABLE public.erase PARTITION OF audit_accessevent FOR VALUES FROM ('2099-01-01') TO ('2099-02-01')",
]


def partitions_of_the_trail(connection) -> list[str]:
    rows = connection.execute(
        "SELECT inhrelid::regclass::text FROM pg_inherits WHERE inhparent = 'audit_accessevent'::regclass"
    ).fetchall()
    return sorted(row[0] for row in rows)


@pytest.mark.postgres_only
def test_the_application_role_can_only_read_and_append_the_audit_trail(scratch):
    # 1. Roles, as the README tells the DBA.
    apply_roles(scratch)

    # 2. The deployment migrates as the owner while the application's URL is the app role.
    migrated = run("migrate", env={"DATABASE_URL": scratch["app_url"], "MIGRATE_DATABASE_URL": scratch["owner_url"]})
    assert migrated.returncode == 0, migrated.stderr
    # The application itself works as the app role: reference data is written.
    loaded = run("load_reference", {"DATABASE_URL": scratch["app_url"]})
    assert loaded.returncode == 0, loaded.stderr

    with psycopg.connect(scratch["app_url"], autocommit=True) as app:
        owners = dict(app.execute("SELECT tablename, tableowner FROM pg_tables WHERE schemaname = 'public'").fetchall())
        assert set(owners.values()) == {scratch["owner"]}
        # Ordinary tables stay writable.
        app.execute("INSERT INTO agencies_area (code, name, \"order\") VALUES ('role-test', 'テスト地域', 99)")
        app.execute("UPDATE agencies_area SET name = 'テスト地域2' WHERE code = 'role-test'")
        app.execute("DELETE FROM agencies_area WHERE code = 'role-test'")
        # The trail: INSERT and SELECT work.
        app.execute(
            "INSERT INTO audit_accessevent (at, username, action, object_type, object_ids, person_ids, ip, path,"
            " reason, basis) VALUES (now(), 'role-test', 'view', 'case', '[1]', '[]', '', '', '', '')"
        )
        assert app.execute("SELECT count(*) FROM audit_accessevent WHERE username = 'role-test'").fetchone()[0] == 1
        app.execute(
            "INSERT INTO audit_rolechange (at, actor_username, subject_id, subject_username, kind, before, after,"
            " reads_cases, ip, path) VALUES (now(), 'role-test', 1, 'someone', 'grant', '{}', '{}', false, '', '')"
        )
        # Every way of erasing it is refused, on every table of the audit app.
        for table in dbroles.audit_tables():
            for statement in REFUSED:
                with pytest.raises(errors.InsufficientPrivilege):
                    app.execute(statement.format(t=table))
                    pytest.fail(f"not refused: {statement.format(t=table)}")
        # The access trail's partitions (months and DEFAULT): nothing, not even SELECT or INSERT.
        months = partitions_of_the_trail(app)
        assert "audit_accessevent_default" in months and len(months) >= 5
        for partition in months:
            for statement in REFUSED_ON_PARTITION:
                with pytest.raises(errors.InsufficientPrivilege):
                    app.execute(statement.format(t=partition))
                    pytest.fail(f"not refused: {statement.format(t=partition)}")
        # The application role cannot run the partition job itself (it may not create tables).
        alone = run("audit_partitions", {"DATABASE_URL": scratch["app_url"]})
        assert alone.returncode != 0 and "permission denied" in alone.stderr
        # A GRANT by a role that holds nothing to grant only warns, and changes nothing.
        app.execute(f"GRANT UPDATE, DELETE, TRUNCATE ON {dbroles.audit_tables()[0]} TO CURRENT_USER")
        with pytest.raises(errors.InsufficientPrivilege):
            app.execute(f"TRUNCATE {dbroles.audit_tables()[0]}")
        with pytest.raises(errors.InsufficientPrivilege):
            app.execute("SET session_replication_role = replica")
        with pytest.raises(errors.InsufficientPrivilege):
            app.execute("CREATE TABLE public.scratch (id int)")
        assert app.execute("SELECT count(*) FROM audit_accessevent WHERE username = 'role-test'").fetchone()[0] == 1
        assert app.execute("SHOW session_replication_role").fetchone()[0] == "origin"

    # 3. A new audit table receives UPDATE and DELETE from the default privileges, like every
    # table: the owner's next migrate takes them back, and db_roles --check shows no more.
    with psycopg.connect(scratch["owner_url"], autocommit=True) as owner:
        owner.execute(f'GRANT UPDATE, DELETE, TRUNCATE ON audit_rolechange TO "{scratch["app"]}"')
    again = run("migrate", env={"DATABASE_URL": scratch["app_url"], "MIGRATE_DATABASE_URL": scratch["owner_url"]})
    assert again.returncode == 0, again.stderr
    # The timer creates partitions as the owner: they too grant the application role nothing.
    timer = run("audit_partitions", {"DATABASE_URL": scratch["app_url"], "MIGRATE_DATABASE_URL": scratch["owner_url"]})
    assert timer.returncode == 0 and "Created partitions" in timer.stdout, timer.stderr
    with psycopg.connect(scratch["app_url"], autocommit=True) as app:
        assert len(partitions_of_the_trail(app)) > len(months)
        owners = dict(app.execute("SELECT tablename, tableowner FROM pg_tables WHERE schemaname = 'public'").fetchall())
        assert set(owners.values()) == {scratch["owner"]}
    check = run("db_roles --check", {"DATABASE_URL": scratch["app_url"]})
    held = {tuple(line.split("\t")) for line in check.stdout.splitlines()}
    with psycopg.connect(scratch["app_url"], autocommit=True) as app, pytest.raises(errors.InsufficientPrivilege):
        app.execute("TRUNCATE audit_rolechange")
    assert held == {(t, scratch["app"], p) for t in dbroles.audit_tables() for p in ("INSERT", "SELECT")}


@pytest.mark.django_db
def test_apply_refuses_anything_but_a_postgres_superuser(settings):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("db_roles", apply=True, database_name="tsunagu", stdout=io.StringIO())

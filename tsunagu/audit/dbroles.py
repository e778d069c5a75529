"""PostgreSQL roles that keep the audit trail out of the application's reach (decision 0009).

Two roles share the database:

- the **owner** owns the schema and every table; it runs the migrations and nothing else;
- the **application** role, which the web servers connect as, may SELECT, INSERT, UPDATE and
  DELETE the ordinary tables, but only SELECT and INSERT the tables of the audit app. It owns
  nothing, so it cannot TRUNCATE, ALTER or DROP a table or disable a trigger, and, not being a
  superuser, it cannot set ``session_replication_role``.

``role_setup_sql()`` is what ``manage.py db_roles`` prints (or applies, as a superuser).
``restrict_audit_tables()`` runs after every ``migrate`` (post_migrate of the audit app): the
default privileges grant a new audit table UPDATE and DELETE like every table, and this takes them
back, from every role other than the owner. Which tables are audit tables is decided in one
place, ``audit_tables()``: every model of the audit app. A partition of an audit table (the access
trail is partitioned by month, decision 0019) grants nothing to anybody: the parent is the only
door, and PostgreSQL checks only the parent's privileges for a statement on the parent.
"""

import re
from typing import Any

from django.apps import apps

ROLE_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")
DATABASE_NAME = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_\-]{0,62}$")
# What no role but the owner may hold on an audit table.
AUDIT_REFUSED = ("UPDATE", "DELETE", "TRUNCATE", "TRIGGER", "REFERENCES")


def audit_tables() -> list[str]:
    """Every table of the audit app: the access trail, the role-change trail and any later one."""
    return sorted(model._meta.db_table for model in apps.get_app_config("audit").get_models())


def ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def literal(name: str) -> str:
    return "'" + name.replace("'", "''") + "'"


def check_names(*, owner: str, app: str, database: str) -> None:
    for role in (owner, app):
        if not ROLE_NAME.match(role):
            raise ValueError(f"invalid role name {role!r} (lower-case letters, digits and _)")
    if owner == app:
        raise ValueError("the owner and the application role must be different roles")
    if not DATABASE_NAME.match(database):
        raise ValueError(f"invalid database name {database!r}")


# Constant PL/pgSQL blocks; the names come in through the session settings ``tsunagu.*`` (SET).
CREATE_ROLES = """DO $$ DECLARE role text; BEGIN
  FOREACH role IN ARRAY ARRAY[current_setting('tsunagu.owner_role'), current_setting('tsunagu.app_role')] LOOP
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = role AND rolsuper) THEN
      RAISE EXCEPTION 'role % is a superuser: choose another role', role;
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = role) THEN
      EXECUTE format('CREATE ROLE %I LOGIN', role);
    END IF;
    EXECUTE format('ALTER ROLE %I NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS', role);
  END LOOP;
END $$"""
TAKE_OWNERSHIP = """DO $$ DECLARE r record; owner text := current_setting('tsunagu.owner_role'); BEGIN
  FOR r IN SELECT c.oid::regclass AS name FROM pg_class c
    WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p', 'v', 'm', 'S')
      AND (c.relispartition OR NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass
        AND d.objid = c.oid AND d.deptype IN ('a', 'i', 'e')))
  LOOP EXECUTE format('ALTER TABLE %s OWNER TO %I', r.name, owner); END LOOP;
  FOR r IN SELECT p.oid::regprocedure AS name FROM pg_proc p
    WHERE p.pronamespace = 'public'::regnamespace
      AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_proc'::regclass
        AND d.objid = p.oid AND d.deptype = 'e')
  LOOP EXECUTE format('ALTER FUNCTION %s OWNER TO %I', r.name, owner); END LOOP;
END $$"""
RESTRICT_AUDIT = """DO $$ DECLARE t text; p regclass; app text := current_setting('tsunagu.app_role'); BEGIN
  FOREACH t IN ARRAY string_to_array(current_setting('tsunagu.audit_tables'), ',') LOOP
    IF to_regclass(format('public.%I', t)) IS NOT NULL THEN
      EXECUTE format('REVOKE ALL ON TABLE public.%I FROM PUBLIC, %I', t, app);
      EXECUTE format('GRANT SELECT, INSERT ON TABLE public.%I TO %I', t, app);
      FOR p IN SELECT inhrelid::regclass FROM pg_inherits WHERE inhparent = to_regclass(format('public.%I', t)) LOOP
        EXECUTE format('REVOKE ALL ON TABLE %s FROM PUBLIC, %I', p, app);
      END LOOP;
    END IF;
  END LOOP;
END $$"""


def role_setup_sql(*, owner: str, app: str, database: str, tables: list[str] | None = None) -> list[str]:
    """The statements a superuser runs once (and again after any change of roles); idempotent."""
    check_names(owner=owner, app=app, database=database)
    tables = audit_tables() if tables is None else tables
    o, a = ident(owner), ident(app)
    return [
        f"SET tsunagu.owner_role = {literal(owner)}",
        f"SET tsunagu.app_role = {literal(app)}",
        f"SET tsunagu.audit_tables = {literal(','.join(tables))}",
        CREATE_ROLES,
        # The application role must not inherit the owner's rights.
        f"REVOKE {o} FROM {a}",
        f"ALTER DATABASE {ident(database)} OWNER TO {o}",
        f"GRANT CONNECT, TEMPORARY ON DATABASE {ident(database)} TO {a}",
        f"ALTER SCHEMA public OWNER TO {o}",
        "REVOKE CREATE ON SCHEMA public FROM PUBLIC",
        f"GRANT USAGE ON SCHEMA public TO {a}",
        # Tables, sequences and functions made before (by another role) pass to the owner.
        TAKE_OWNERSHIP,
        # The application role: the ordinary tables, now and every table later migrations create.
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {a}",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {a}",
        f"ALTER DEFAULT PRIVILEGES FOR ROLE {o} IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {a}",
        f"ALTER DEFAULT PRIVILEGES FOR ROLE {o} IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO {a}",
        # The audit tables: read and append only (tables not migrated yet: after migrate).
        RESTRICT_AUDIT,
    ]


def audit_partitions(cursor: Any, tables: list[str]) -> list[str]:
    """The partitions of the audit tables (the access trail's months and DEFAULT, decision 0019)."""
    cursor.execute(
        "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid"
        " JOIN pg_class p ON p.oid = i.inhparent"
        " WHERE p.relnamespace = current_schema()::regnamespace AND p.relname = ANY(%s) ORDER BY 1",
        [tables],
    )
    return [row[0] for row in cursor.fetchall()]


def restrict_audit_tables(connection: Any) -> list[tuple[str, str]]:
    """Take UPDATE, DELETE, TRUNCATE, TRIGGER and REFERENCES on the audit tables, and every
    privilege on their partitions, back from every role but the table's owner. Returns the
    (table, role) pairs it revoked from.

    Runs as the migrating role (the owner); a grant made by another role (e.g. a superuser) is
    left as it is, and ``db_roles`` reports the audit tables' privileges for the DBA to check.
    """
    if connection.vendor != "postgresql":
        return []
    tables = audit_tables()
    query = (
        "SELECT DISTINCT c.relname, CASE WHEN a.grantee = 0 THEN '' ELSE pg_get_userbyid(a.grantee) END"
        " FROM pg_class c CROSS JOIN LATERAL aclexplode(c.relacl) a"
        " WHERE c.relnamespace = current_schema()::regnamespace AND c.relname = ANY(%s)"
        " AND a.grantee <> c.relowner AND a.privilege_type = ANY(%s)"
        " AND pg_has_role(current_user, a.grantor, 'USAGE')"
    )
    with connection.cursor() as cursor:
        cursor.execute(query, [tables, list(AUDIT_REFUSED)])
        pairs = sorted(cursor.fetchall())
        for table, role in pairs:
            cursor.execute(
                f"REVOKE {', '.join(AUDIT_REFUSED)} ON TABLE {ident(table)} FROM {ident(role) if role else 'PUBLIC'}"
            )
        everything = [*AUDIT_REFUSED, "SELECT", "INSERT", "MAINTAIN"]
        cursor.execute(query, [audit_partitions(cursor, tables), everything])
        held = sorted(cursor.fetchall())
        for table, role in held:
            cursor.execute(f"REVOKE ALL ON TABLE {ident(table)} FROM {ident(role) if role else 'PUBLIC'}")
    return pairs + held


def audit_privileges(connection: Any) -> list[tuple[str, str, str]]:
    """(table, role, privilege) held on the audit tables and their partitions by roles other
    than their owner (a partition should show none)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname, CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE pg_get_userbyid(a.grantee) END,"
            " a.privilege_type FROM pg_class c CROSS JOIN LATERAL aclexplode(c.relacl) a"
            " WHERE c.relnamespace = current_schema()::regnamespace AND c.relname = ANY(%s)"
            " AND a.grantee <> c.relowner ORDER BY 1, 2, 3",
            [audit_tables() + audit_partitions(cursor, audit_tables())],
        )
        return [tuple(row) for row in cursor.fetchall()]

"""On PostgreSQL the access trail becomes partitioned by month on ``at`` (decision 0019).

The existing table is converted in one transaction, under an ACCESS EXCLUSIVE lock: a
partitioned table ``LIKE`` it (same columns, identity kept, primary key (id, at), since a
partitioned table's unique keys must contain the partition key), month partitions covering every
existing row plus the coming months and a DEFAULT partition (``audit.partitions``), the rows moved
with their ids, the names swapped, the identity sequence continued from where the old one stood
(never reusing an id), the old indexes, foreign keys, privileges and append-only trigger
re-created on the parent (PostgreSQL clones them onto every partition, existing and future), and
a GIN index (jsonb_path_ops) on ``person_ids``. The ORM keeps ``id`` as its primary key. Then the
field and index changes of the model: the single-column indexes on ``case_id`` and ``user_id`` go
(the composite ones lead with those columns) and the "who viewed this case" index comes.

SQLite, the embedded single-user default, keeps one table; only the model changes apply.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

TABLE = "audit_accessevent"
OLD = "audit_accessevent_unpartitioned"
TRIGGER = (
    "CREATE TRIGGER audit_accessevent_no_update_delete BEFORE UPDATE OR DELETE ON audit_accessevent"
    " FOR EACH ROW EXECUTE FUNCTION audit_accessevent_append_only()"
)
GIN = "CREATE INDEX IF NOT EXISTS accessevent_person_ids ON audit_accessevent USING gin (person_ids jsonb_path_ops)"


def _rows(cursor, sql, params=None):
    cursor.execute(sql, params)
    return cursor.fetchall()


def partition(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    from tsunagu.audit import partitions
    from tsunagu.audit.dbroles import restrict_audit_tables

    connection = schema_editor.connection
    with connection.cursor() as cursor:
        if partitions.is_partitioned(cursor, TABLE):
            return
        cursor.execute(f"LOCK TABLE {TABLE} IN ACCESS EXCLUSIVE MODE")
        # What the old table carries besides its columns, to be re-created on the new one; not
        # the single-column indexes on case_id and user_id, which this migration drops below.
        indexes = _rows(
            cursor,
            "SELECT pg_get_indexdef(i.indexrelid) FROM pg_index i WHERE i.indrelid = %s::regclass"
            " AND NOT i.indisprimary AND NOT (i.indnatts = 1 AND (SELECT a.attname FROM pg_attribute a"
            " WHERE a.attrelid = i.indrelid AND a.attnum = i.indkey[0]) IN ('case_id', 'user_id')) ORDER BY 1",
            [TABLE],
        )
        foreign_keys = _rows(
            cursor,
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = %s::regclass"
            " AND contype = 'f' ORDER BY 1",
            [TABLE],
        )
        grants = _rows(
            cursor,
            "SELECT a.privilege_type, CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE quote_ident(pg_get_userbyid(a.grantee)) END"
            " FROM pg_class c CROSS JOIN LATERAL aclexplode(c.relacl) a"
            " WHERE c.oid = %s::regclass AND a.grantee <> c.relowner",
            [TABLE],
        )
        (owner,) = _rows(cursor, "SELECT pg_get_userbyid(relowner) FROM pg_class WHERE oid = %s::regclass", [TABLE])[0]
        (sequence,) = _rows(cursor, "SELECT pg_get_serial_sequence(%s, 'id')", [TABLE])[0]
        last_value, is_called = _rows(cursor, f"SELECT last_value, is_called FROM {sequence}")[0]

        cursor.execute(f"ALTER TABLE {TABLE} RENAME TO {OLD}")
        cursor.execute(
            f"CREATE TABLE {TABLE} (LIKE {OLD} INCLUDING DEFAULTS INCLUDING IDENTITY INCLUDING STORAGE,"
            " PRIMARY KEY (id, at)) PARTITION BY RANGE (at)"
        )
        if _rows(cursor, "SELECT current_user")[0][0] != owner:
            cursor.execute(f'ALTER TABLE {TABLE} OWNER TO "{owner}"')
        for month in partitions.months_in(cursor, OLD):
            partitions.create_month(cursor, TABLE, month)
        partitions.ensure_table(cursor, TABLE, today=_today(), ahead=partitions.DEFAULT_AHEAD)
        cursor.execute(f"INSERT INTO {TABLE} SELECT * FROM {OLD}")
        (new_sequence,) = _rows(cursor, "SELECT pg_get_serial_sequence(%s, 'id')", [TABLE])[0]
        cursor.execute("SELECT setval(%s, %s, %s)", [new_sequence, last_value, is_called])
        cursor.execute(f"DROP TABLE {OLD}")
        cursor.execute(f"ALTER SEQUENCE {new_sequence} RENAME TO {TABLE}_id_seq")
        (primary_key,) = _rows(
            cursor, "SELECT conname FROM pg_constraint WHERE conrelid = %s::regclass AND contype = 'p'", [TABLE]
        )[0]
        cursor.execute(f'ALTER TABLE {TABLE} RENAME CONSTRAINT "{primary_key}" TO {TABLE}_pkey')
        for (definition,) in indexes:
            cursor.execute(definition)
        for name, definition in foreign_keys:
            cursor.execute(f'ALTER TABLE {TABLE} ADD CONSTRAINT "{name}" {definition}')
        for privilege, grantee in grants:
            cursor.execute(f"GRANT {privilege} ON TABLE {TABLE} TO {grantee}")
        cursor.execute(TRIGGER)
        cursor.execute(GIN)
    # UPDATE and DELETE, had default privileges granted them, are taken back at once.
    restrict_audit_tables(connection)


def _today():
    from django.utils import timezone

    return timezone.localdate()


def unpartition(apps, schema_editor):
    """Back to one plain table (rows, ids, indexes, foreign keys, privileges and trigger kept)."""
    if schema_editor.connection.vendor != "postgresql":
        return
    from tsunagu.audit import partitions

    with schema_editor.connection.cursor() as cursor:
        if not partitions.is_partitioned(cursor, TABLE):
            return
        cursor.execute(f"LOCK TABLE {TABLE} IN ACCESS EXCLUSIVE MODE")
        cursor.execute("DROP INDEX IF EXISTS accessevent_person_ids")
        indexes = _rows(
            cursor,
            "SELECT pg_get_indexdef(i.indexrelid) FROM pg_index i WHERE i.indrelid = %s::regclass"
            " AND NOT i.indisprimary ORDER BY 1",
            [TABLE],
        )
        foreign_keys = _rows(
            cursor,
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = %s::regclass"
            " AND contype = 'f' ORDER BY 1",
            [TABLE],
        )
        grants = _rows(
            cursor,
            "SELECT a.privilege_type, CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE quote_ident(pg_get_userbyid(a.grantee)) END"
            " FROM pg_class c CROSS JOIN LATERAL aclexplode(c.relacl) a"
            " WHERE c.oid = %s::regclass AND a.grantee <> c.relowner",
            [TABLE],
        )
        (sequence,) = _rows(cursor, "SELECT pg_get_serial_sequence(%s, 'id')", [TABLE])[0]
        last_value, is_called = _rows(cursor, f"SELECT last_value, is_called FROM {sequence}")[0]
        cursor.execute(f"ALTER TABLE {TABLE} RENAME TO {OLD}")
        cursor.execute(f"CREATE TABLE {TABLE} (LIKE {OLD} INCLUDING DEFAULTS INCLUDING IDENTITY INCLUDING STORAGE)")
        cursor.execute(f"INSERT INTO {TABLE} SELECT * FROM {OLD}")
        (new_sequence,) = _rows(cursor, "SELECT pg_get_serial_sequence(%s, 'id')", [TABLE])[0]
        cursor.execute("SELECT setval(%s, %s, %s)", [new_sequence, last_value, is_called])
        cursor.execute(f"DROP TABLE {OLD}")
        cursor.execute(f"ALTER SEQUENCE {new_sequence} RENAME TO {TABLE}_id_seq")
        cursor.execute(f"ALTER TABLE {TABLE} ADD PRIMARY KEY (id)")
        for (definition,) in indexes:
            cursor.execute(definition.replace(f" ONLY public.{TABLE} ", f" public.{TABLE} "))
        for name, definition in foreign_keys:
            cursor.execute(f'ALTER TABLE {TABLE} ADD CONSTRAINT "{name}" {definition}')
        for privilege, grantee in grants:
            cursor.execute(f"GRANT {privilege} ON TABLE {TABLE} TO {grantee}")
        cursor.execute(TRIGGER)


class Migration(migrations.Migration):

    dependencies = [
        ('audit', '0007_securityevent_append_only_trigger'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RunPython(partition, unpartition),
        migrations.AlterField(
            model_name='accessevent',
            name='case_id',
            field=models.BigIntegerField(blank=True, null=True, verbose_name='ケースID'),
        ),
        migrations.AlterField(
            model_name='accessevent',
            name='user',
            field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='職員'),
        ),
        migrations.AddIndex(
            model_name='accessevent',
            index=models.Index(fields=['case_id', 'action', 'user', 'basis', 'at'], include=('id',), name='accessevent_case_reader'),
        ),
    ]

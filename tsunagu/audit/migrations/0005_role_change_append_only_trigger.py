"""On PostgreSQL the role-change trail refuses UPDATE and DELETE at the database, like the access
trail (0002). The function is generic (it names the table it guards), so a later audit table can
reuse it with one CREATE TRIGGER. See docs/decisions/0009-database-roles-and-role-changes.md.
"""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION audit_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION '% is append-only (% refused)', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER audit_rolechange_no_update_delete
    BEFORE UPDATE OR DELETE ON audit_rolechange
    FOR EACH ROW EXECUTE FUNCTION audit_append_only();
"""
DROP = """
DROP TRIGGER IF EXISTS audit_rolechange_no_update_delete ON audit_rolechange;
DROP FUNCTION IF EXISTS audit_append_only();
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("audit", "0004_role_change_trail")]
    operations = [migrations.RunPython(forwards, backwards)]

"""On PostgreSQL the security log refuses UPDATE and DELETE at the database, like the access
trail (migration 0002), with the generic function of migration 0005. SQLite relies on the model's
refusal only."""

from django.db import migrations

CREATE = """
CREATE TRIGGER audit_securityevent_no_update_delete
    BEFORE UPDATE OR DELETE ON audit_securityevent
    FOR EACH ROW EXECUTE FUNCTION audit_append_only();
"""
DROP = "DROP TRIGGER IF EXISTS audit_securityevent_no_update_delete ON audit_securityevent;"


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("audit", "0006_accessevent_basis_securityevent")]
    operations = [migrations.RunPython(forwards, backwards)]

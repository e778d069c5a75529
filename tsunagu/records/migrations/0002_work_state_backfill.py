"""Backfill the work state of existing cases (cases 0010 added the columns; decision 0017):
one set-based UPDATE from the records' aggregates, then the stall days."""

from django.db import migrations


def backfill(apps, schema_editor):
    from tsunagu.records.work_state import _rebuild

    _rebuild(apps.get_model("cases", "Case"), apps.get_model("records", "ProgressRecord"), None)


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0010_work_state"),
        ("records", "0001_initial"),
    ]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]

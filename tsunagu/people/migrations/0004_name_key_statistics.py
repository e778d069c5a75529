"""Finer planner statistics for the name keys (PostgreSQL only).

The search ANDs one prefix per typed word (people.selectors). With the default statistics
target (100), PostgreSQL estimated a common prefix such as 木川% at 38,106 keys of 5.6 million
where there were 2,234, and chose a hash join over a sequential scan of the 1,000,000 persons:
157 ms for 「木川 健」 instead of 28 ms. A target of 1,000 gives the histogram enough buckets
for the prefixes of Japanese names (docs/benchmarks.md, P1)."""

from django.db import migrations


def finer(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE people_personnamekey ALTER COLUMN key SET STATISTICS 1000")


def default(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE people_personnamekey ALTER COLUMN key SET STATISTICS -1")


class Migration(migrations.Migration):
    dependencies = [("people", "0003_person_withdrawal_since_precision")]

    operations = [migrations.RunPython(finer, default)]

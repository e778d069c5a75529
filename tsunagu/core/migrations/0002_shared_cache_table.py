"""The table of Django's database cache, the shared store of the public form's rate limit when
production runs without REDIS_URL (docs/decisions/0011-sessions-and-shared-rate-limit.md).

Created whatever the cache setting of the machine that migrates, so that switching from Redis to
the database cache needs no extra step. Idempotent (createcachetable skips an existing table).
"""

from django.core.management.commands.createcachetable import Command as CreateCacheTable
from django.db import migrations

CACHE_TABLE = "tsunagu_cache"


def create_cache_table(apps, schema_editor):
    command = CreateCacheTable()
    command.verbosity = 0
    command.create_table(schema_editor.connection.alias, CACHE_TABLE, dry_run=False)


def drop_cache_table(apps, schema_editor):
    schema_editor.execute(f"DROP TABLE IF EXISTS {schema_editor.quote_name(CACHE_TABLE)}")


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]

    operations = [migrations.RunPython(create_cache_table, drop_cache_table)]

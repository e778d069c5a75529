"""``migrate`` connecting as the schema owner when ``MIGRATE_DATABASE_URL`` is set (decision 0009).

The web servers connect with ``DATABASE_URL`` as the application role, which owns nothing and
cannot change the schema; the migrate step of a deployment uses the owner's credentials from
``MIGRATE_DATABASE_URL`` for the same database. The audit app's post_migrate handler then takes
UPDATE, DELETE and TRUNCATE on the audit tables back from every other role.
"""

import dj_database_url
from django.conf import settings
from django.core.management.base import CommandError
from django.core.management.commands.migrate import Command as MigrateCommand
from django.db import DEFAULT_DB_ALIAS, connections

SWAPPED = ("USER", "PASSWORD", "HOST", "PORT")


class Command(MigrateCommand):
    def handle(self, *args, **options):
        url = getattr(settings, "MIGRATE_DATABASE_URL", "")
        connection = connections[options["database"]]
        if not url or options["database"] != DEFAULT_DB_ALIAS:
            return super().handle(*args, **options)
        owner = dj_database_url.parse(url)
        if owner["ENGINE"] != connection.settings_dict["ENGINE"]:
            raise CommandError("MIGRATE_DATABASE_URL と DATABASE_URL は同じ種類のデータベースを指してください。")
        if owner["NAME"] != connection.settings_dict["NAME"]:
            # A test database (test_<name>) or another database: migrate with the connection as is.
            self.stderr.write("MIGRATE_DATABASE_URL names another database; migrating with DATABASE_URL.")
            return super().handle(*args, **options)
        saved = {key: connection.settings_dict.get(key) for key in SWAPPED}
        connection.close()
        connection.settings_dict.update({key: owner.get(key) for key in SWAPPED})
        try:
            return super().handle(*args, **options)
        finally:
            connection.close()
            connection.settings_dict.update(saved)

"""``migrate`` connecting as the schema owner when ``MIGRATE_DATABASE_URL`` is set (decision 0009).

The web servers connect with ``DATABASE_URL`` as the application role, which owns nothing and
cannot change the schema; the migrate step of a deployment uses the owner's credentials from
``MIGRATE_DATABASE_URL`` for the same database. The audit app's post_migrate handler then takes
UPDATE, DELETE and TRUNCATE on the audit tables back from every other role. Last, still as the
owner, the access trail's partitions for the coming months are created (``audit_partitions``,
decision 0019).
"""

from django.core.management import call_command
from django.core.management.commands.migrate import Command as MigrateCommand

from tsunagu.audit.owner import as_owner


class Command(MigrateCommand):
    def handle(self, *args, **options):
        with as_owner(options["database"], notice=self.stderr.write):
            result = super().handle(*args, **options)
            if not options.get("plan") and not options.get("check_unapplied"):
                call_command(
                    "audit_partitions",
                    database=options["database"],
                    owner_connected=True,
                    verbosity=options.get("verbosity", 1),
                    stdout=self.stdout,
                    stderr=self.stderr,
                )
            return result

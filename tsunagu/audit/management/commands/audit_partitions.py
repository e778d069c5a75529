"""Create the access trail's monthly partitions ahead of time (PostgreSQL; decision 0019).

python manage.py audit_partitions            # this month and the next 3; idempotent
python manage.py audit_partitions --ahead 6

Run by ``migrate`` and meant for a daily timer. Connects as the schema owner when
``MIGRATE_DATABASE_URL`` is set (the application role may not create tables). A row that the
DEFAULT partition caught (its month had no partition) is moved into its month's partition; the
count is printed, since it means the timer did not run in time.
"""

from django.core.management.base import BaseCommand
from django.db import DEFAULT_DB_ALIAS, connections

from tsunagu.audit import partitions
from tsunagu.audit.owner import as_owner


class Command(BaseCommand):
    help = "監査記録（アクセス記録）の月ごとのパーティションを先に作成します（PostgreSQL）。"

    def add_arguments(self, parser):
        parser.add_argument("--ahead", type=int, default=partitions.DEFAULT_AHEAD, help="months after this one")
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS, help="Django connection alias")
        # migrate calls this already connected as the owner.
        parser.add_argument("--owner-connected", action="store_true", help="do not switch to MIGRATE_DATABASE_URL")

    def handle(self, *args, **options):
        alias = options["database"]
        if connections[alias].vendor != "postgresql":
            if options["verbosity"] > 1:
                self.stdout.write("Not PostgreSQL: the access trail is one table; nothing to do.")
            return
        if options["owner_connected"]:
            report = partitions.ensure_partitions(connections[alias], ahead=options["ahead"])
        else:
            with as_owner(alias, notice=self.stderr.write):
                report = partitions.ensure_partitions(connections[alias], ahead=options["ahead"])
        if report.moved:
            self.stderr.write(
                self.style.WARNING(
                    f"{report.moved} access events had no month partition (DEFAULT partition): moved to their months."
                )
            )
        if report.created and options["verbosity"] > 0:
            self.stdout.write("Created partitions: " + ", ".join(report.created))

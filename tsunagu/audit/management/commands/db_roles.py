"""Print (or, as a PostgreSQL superuser, apply) the owner/application role set-up (decision 0009).

python manage.py db_roles --owner tsunagu_owner --app tsunagu_app --database-name tsunagu
python manage.py db_roles --apply      # connected (DATABASE_URL) as a superuser to that database
"""

from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections, transaction

from tsunagu.audit import dbroles


class Command(BaseCommand):
    help = "PostgreSQL の所有者ロールとアプリケーションロールを設定する SQL を表示（--apply で実行）します。"

    def add_arguments(self, parser):
        parser.add_argument("--owner", default="tsunagu_owner", help="schema owner role (runs the migrations)")
        parser.add_argument("--app", default="tsunagu_app", help="application role (the web servers)")
        parser.add_argument("--database-name", help="database (default: the NAME of the connection)")
        parser.add_argument("--apply", action="store_true", help="execute as a superuser instead of printing")
        parser.add_argument("--check", action="store_true", help="list who holds what on the audit tables")
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS, help="Django connection alias")

    def handle(self, *args, **options):
        connection = connections[options["database"]]
        database = options["database_name"] or connection.settings_dict.get("NAME") or ""
        if options["check"]:
            if connection.vendor != "postgresql":
                raise CommandError("PostgreSQL only.")
            for table, role, privilege in dbroles.audit_privileges(connection):
                self.stdout.write(f"{table}\t{role}\t{privilege}")
            return
        try:
            statements = dbroles.role_setup_sql(owner=options["owner"], app=options["app"], database=database)
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        if not options["apply"]:
            self.stdout.write(";\n\n".join(statements) + ";\n")
            return
        if connection.vendor != "postgresql":
            raise CommandError("--apply needs a PostgreSQL connection.")
        with connection.cursor() as cursor:
            cursor.execute("SELECT current_database(), rolsuper FROM pg_roles WHERE rolname = current_user")
            current, superuser = cursor.fetchone()
        if not superuser:
            raise CommandError("--apply must run as a PostgreSQL superuser (e.g. DATABASE_URL=postgres://postgres@…).")
        if current != database:
            raise CommandError(f"connected to {current!r}, not to {database!r}.")
        with transaction.atomic(using=options["database"]), connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)
        owner, app = options["owner"], options["app"]
        self.stdout.write(self.style.SUCCESS(f"{owner} owns {database}; {app} reads and appends the audit trail."))

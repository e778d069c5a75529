"""Back up the whole database, with a manifest to verify a restore (R6; decision 0026).

python manage.py backup                       # TSUNAGU_DATA_DIR/backups/tsunagu-<time>.dump|.sqlite3
python manage.py backup --output /srv/backup/tsunagu.dump

PostgreSQL: ``pg_dump --format=custom`` of one snapshot, as the schema owner
(``MIGRATE_DATABASE_URL`` when set), the password passed in the environment. SQLite: the online
backup API, safe while the app runs. The file and its manifest (``<file>.manifest.json``: time,
vendor, migrations, rows and checksum per table) are readable by their owner only.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from tsunagu.core import backup


class Command(BaseCommand):
    help = "データベース全体をバックアップし、復元を確かめるためのマニフェストを書きます。"

    def add_arguments(self, parser):
        parser.add_argument("--output", help="backup file (default: TSUNAGU_DATA_DIR/backups/tsunagu-<time>)")
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS, help="Django connection alias")

    def handle(self, *args, **options):
        connection = connections[options["database"]]
        path = Path(options["output"]) if options["output"] else backup.default_path(connection.vendor)
        self.stdout.write(
            _("バックアップを作成します（%(vendor)s: %(name)s）。")
            % {"vendor": connection.vendor, "name": connection.settings_dict.get("NAME")}
        )
        try:
            result = backup.backup(connection, path.resolve(), progress=self.stdout.write)
        except backup.BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            self.style.SUCCESS(
                _("バックアップを作成しました: %(path)s（%(size)s、テーブル %(tables)s 個、%(rows)s 行）")
                % {
                    "path": result.path,
                    "size": filesizeformat(result.size),
                    "tables": result.tables,
                    "rows": f"{result.rows:,}",
                }
            )
        )
        self.stdout.write(_("マニフェスト: %(path)s") % {"path": result.manifest_path})

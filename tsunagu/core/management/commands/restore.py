"""Restore a backup made by ``manage.py backup`` into an empty database, and verify it (R6; 0026).

python manage.py restore /srv/backup/tsunagu-20261129-031500.dump [--yes]

Only into a database without any table: a newly created PostgreSQL database (``createdb``), or a
SQLite file that does not exist yet. It never overwrites data, so there is no ``--replace``.
Afterwards every table's row count and checksum are compared with the manifest; a difference is
an error. Under production settings it asks for ``--yes``. On PostgreSQL run ``db_roles`` after
it: the restore keeps no grants (``--no-privileges``).
"""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections
from django.utils.translation import gettext as _

from tsunagu.core import backup


class Command(BaseCommand):
    help = "manage.py backup のバックアップを空のデータベースに戻し、マニフェストと照合します。"

    def add_arguments(self, parser):
        parser.add_argument("path", help="backup file (its manifest <file>.manifest.json beside it)")
        parser.add_argument("--yes", action="store_true", help="needed under production settings")
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS, help="Django connection alias")

    def handle(self, *args, **options):
        if getattr(settings, "PRODUCTION", False) and not options["yes"]:
            raise CommandError(
                _(
                    "本番の設定（TSUNAGU_PRODUCTION=1）で復元するには --yes を付けてください。"
                    "戻し先を確かめてから実行してください。"
                )
            )
        connection = connections[options["database"]]
        path = Path(options["path"]).resolve()
        name = connection.settings_dict.get("NAME")
        try:
            manifest = backup.check_backup(path, connection)
            if backup.existing_tables(connection):
                raise CommandError(self.not_empty(connection.vendor, name))
            self.stdout.write(
                _("%(path)s（%(created)s 作成）を %(vendor)s: %(name)s に戻します。")
                % {"path": path, "created": manifest.get("created_at"), "vendor": connection.vendor, "name": name}
            )
            result = backup.restore(connection, path, manifest, progress=self.stdout.write)
        except backup.BackupError as exc:
            raise CommandError(str(exc)) from exc
        if result.mismatches:
            for line in result.mismatches:
                self.stderr.write(line)
            raise CommandError(
                _(
                    "復元したデータがマニフェストと一致しません（%(count)s 個のテーブル）。"
                    "このデータベースは使わないでください。"
                )
                % {"count": len(result.mismatches)}
            )
        self.stdout.write(
            self.style.SUCCESS(
                _(
                    "復元を確認しました: テーブル %(tables)s 個、%(rows)s 行。"
                    "行数とチェックサムはすべてマニフェストと一致しました。"
                )
                % {"tables": result.tables, "rows": f"{result.rows:,}"}
            )
        )
        if connection.vendor == "postgresql":
            self.stdout.write(
                _(
                    "権限は戻していません。スーパーユーザーで manage.py db_roles を実行して、"
                    "アプリケーションロールの権限を設定してください。"
                )
            )

    def not_empty(self, vendor: str, name: object) -> str:
        if vendor == "postgresql":
            return _(
                "戻し先のデータベース %(name)s にはすでにテーブルがあります。復元は空のデータベースにだけ行います。"
                "新しいデータベースを作成して（例: createdb -O tsunagu_owner tsunagu_restored）、"
                "DATABASE_URL と MIGRATE_DATABASE_URL をそれに向けてから実行してください。"
            ) % {"name": name}
        return _(
            "戻し先のデータベース %(name)s にはすでにテーブルがあります。復元は空のデータベースにだけ行います。"
            "TSUNAGU_DATA_DIR を新しいディレクトリにするか、今のファイルを別の場所に移してから実行してください。"
        ) % {"name": name}

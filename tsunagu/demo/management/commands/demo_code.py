from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from tsunagu.demo.second_factor import code_now


class Command(BaseCommand):
    help = "デモ用の利用者の認証アプリに、いま表示される確認コードを表示します（開発・デモ用。本番では動きません）。"

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, username: str, **options):
        if settings.PRODUCTION:
            raise CommandError("本番モード（TSUNAGU_PRODUCTION=1）では確認コードを表示できません。")
        try:
            self.stdout.write(code_now(username))
        except Exception as error:  # no such user, no app: said in one line
            raise CommandError(f"{username} の確認コードを作れません: {error}") from error

"""Reset a person's second factors from the server (decision 0033): for when the only
administrator has lost their app and their recovery codes, so that nobody can open the admin.
Recorded in the security log like the admin's reset, with the operator's name typed here."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from tsunagu.audit.models import SecurityEvent, SecurityEventKind
from tsunagu.core.mfa import factors_reset


class Command(BaseCommand):
    help = "職員の二要素認証をリセットし、その職員のログインをすべて終了します（記録されます）。"

    def add_arguments(self, parser):
        parser.add_argument("username", help="リセットする職員のユーザー名")
        parser.add_argument("--operator", required=True, help="実行する人の氏名・所属（記録に残ります）")

    def handle(self, *args, username: str, operator: str, **options):
        operator = operator.strip()
        if not operator:
            raise CommandError("--operator に実行する人の氏名・所属を書いてください。")
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"ユーザー名 {username!r} の職員はいません。")
        with transaction.atomic():
            removed = factors_reset(user)
            SecurityEvent.objects.create(
                kind=SecurityEventKind.FACTORS_RESET,
                username=operator[:150],
                arguments={"reset_username": user.get_username(), "reset_user_id": str(user.pk), "by": "manage.py"},
                method="CLI",
                path="manage.py reset_second_factor",
            )
        self.stdout.write(
            f"{username} の二要素認証をリセットしました（認証手段 {removed} 件を削除、ログインを終了）。"
            "次のログインで登録し直します。"
        )

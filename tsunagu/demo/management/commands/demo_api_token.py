"""Issue a token of the demo's agency system, to try the API from the README (not in production).

    python manage.py demo_api_token

Makes, once, the system account ``sys-merkmal`` (no password: it cannot sign in on the screens;
one membership, メルクマールせたがや's 相談支援員, the role whose cases and referrals the system
reads and writes) and issues it a new token for 30 days with every scope that role may hold
(docs/api.md), through the same service and rules as the administrator's page. Prints the token,
which is shown only here, and a first call to make with it.
"""

import datetime as dt

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from tsunagu.agencies.models import Agency, Membership, Role
from tsunagu.api.scopes import SCOPE_ROLES, Scope
from tsunagu.api.services import token_issue

ACCOUNT = "sys-merkmal"
AGENCY = "merkmal"


class Command(BaseCommand):
    help = "デモ用の機関システムのAPIトークンを発行して表示します（デモ用。本番では動きません）。"

    def handle(self, *args, **options):
        if settings.PRODUCTION:
            raise CommandError("本番モード（TSUNAGU_PRODUCTION=1）ではデモ用のトークンを発行できません。")
        agency = Agency.objects.filter(code=AGENCY).first()
        admin = get_user_model().objects.filter(is_superuser=True).order_by("pk").first()
        if agency is None or admin is None:
            raise CommandError("デモデータがありません。先に seed_demo を実行してください。")
        with transaction.atomic():
            account, made = get_user_model().objects.get_or_create(
                username=ACCOUNT, defaults={"last_name": "メルクマール", "first_name": "記録システム"}
            )
            if made:
                account.set_unusable_password()
                account.save(update_fields=["password"])
                Membership.objects.create(user=account, agency=agency, role=Role.CASEWORKER)
            scopes = [scope for scope in Scope.values if Role.CASEWORKER in SCOPE_ROLES[scope]]
            _token, text = token_issue(
                user=admin,
                account=account,
                agency=agency,
                name="デモ：メルクマール 記録システム",
                scopes=scopes,
                expires_at=timezone.now() + dt.timedelta(days=30),
            )
        self.stdout.write(text)
        self.stderr.write(
            f"{ACCOUNT}（{agency.name}・相談支援員）のトークンです（30日間・{'、'.join(scopes)}）。例:\n"
            f'  curl -H "Authorization: Bearer {text}" http://127.0.0.1:8000/api/v1/places/'
        )

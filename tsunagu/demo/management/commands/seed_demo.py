"""Invent a small, realistic ward for demonstrations. Every name and address here is made up.

Idempotent: when demo data is already there it only prints the logins again. Refused in production
(the demo logins and their password are published). Every date that decides what a work page shows
is computed backwards from the rule that decides it (``tsunagu.demo.dates``), so the demo shows the
same states whatever day it is created on. The builders live in ``tsunagu.demo``, one module per
subject.
"""

import random

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from tsunagu.agencies.models import Agency
from tsunagu.demo.build import build
from tsunagu.demo.dates import DemoCalendar
from tsunagu.demo.run import DemoRun
from tsunagu.demo.users import demo_users, load_logins, login_lines
from tsunagu.people.models import Household


class Command(BaseCommand):
    help = "デモ用の世帯・人・相談・ケースと、役割ごとのデモ利用者を作ります（すべて架空のデータです）。"

    def add_arguments(self, parser):
        # 160 households: enough people for the statistics to show real tables, with some small
        # cells withheld (issue 13); a minute or so on a laptop.
        parser.add_argument("--households", type=int, default=160)
        parser.add_argument("--seed", type=int, default=2026)

    def handle(self, *args, households: int, seed: int, **options):
        if settings.PRODUCTION:
            raise CommandError(
                "本番モード（TSUNAGU_PRODUCTION=1）ではデモデータを作成できません。"
                "デモ用の利用者のパスワードは公開されているため、本番のデータベースに作ってはいけません。"
            )
        logins = load_logins()
        if not Agency.objects.filter(code="link").exists():
            raise CommandError("先に load_reference で参照データを読み込んでください。")
        call_command("load_instruments", verbosity=0)  # idempotent
        call_command("load_places", verbosity=0)  # idempotent: the reference places (issue 12)
        with transaction.atomic():
            users = demo_users(logins)
            if Household.objects.exists():
                self.stdout.write("デモデータはすでにあります（追加していません）。")
            else:
                run = DemoRun(users=users, rng=random.Random(seed), when=DemoCalendar.current())
                consultations = build(run, households=households)
                self.stdout.write(f"デモデータを作成しました：世帯 {households}、相談 {consultations}")
        for line in login_lines(logins):
            self.stdout.write(line)

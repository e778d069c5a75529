"""Enter the demo's estimate parameters (invented, Setagaya-like) unless some exist."""

from django.core.management.base import BaseCommand

from tsunagu.reports.survey import estimates_seed


class Command(BaseCommand):
    help = "把握率の推計の前提（デモ用の数値）を、まだ登録がなければ登録します。"

    def handle(self, *args, **options) -> None:
        created = estimates_seed()
        self.stdout.write(f"estimates created: {created}")

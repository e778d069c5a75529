"""Fill a scratch database with a synthetic population (issue 10; docs/benchmarks.md).

    python manage.py populate --scale ward            # 10,000 persons
    python manage.py populate --scale national        # 1,000,000 persons (PostgreSQL)
    python manage.py populate --persons 50000 --seed 7

Refuses production settings and a database that already holds persons. Progress goes to stderr;
the per-table summary to stdout.
"""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.utils import timezone

from tsunagu.demo.population.generate import SCALES, Population, Refused


class Command(BaseCommand):
    help = "合成の人口（世帯・人・ケース・記録・アクセス記録）を空のデータベースに作ります。本番では実行できません。"

    def add_arguments(self, parser):
        parser.add_argument("--scale", choices=sorted(SCALES), default="tiny")
        parser.add_argument("--persons", type=int, default=None, help="overrides the scale's number of persons")
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument(
            "--persons-only",
            action="store_true",
            help="households, persons and name keys only (the P8 figure); no cases, no history",
        )
        parser.add_argument("--as-of", default=None, help="the day the population is generated for (YYYY-MM-DD)")

    def handle(
        self, *args, scale: str, persons: int | None, seed: int, as_of: str | None, persons_only: bool, **options
    ):
        count = persons if persons is not None else SCALES[scale]
        if count < 20:
            raise CommandError("--persons は 20 以上にしてください。")
        day = dt.date.fromisoformat(as_of) if as_of else timezone.localdate()
        try:
            summary = Population(
                persons=count, seed=seed, as_of=day, stream=self.stderr._out, persons_only=persons_only
            ).run()
        except Refused as refusal:
            raise CommandError(str(refusal)) from refusal
        out = self.stdout
        out.write(f"population: {count:,} persons, seed {seed}, as of {day}, {connection.vendor}")
        out.write(f"{'table':<36} {'rows':>12} {'write s':>9} {'rows/s':>10}")
        total_rows = 0
        for name, rows, seconds in sorted(summary.tables, key=lambda t: -t[1]):
            total_rows += rows
            rate = rows / seconds if seconds else 0
            out.write(f"{name:<36} {rows:>12,} {seconds:>9.1f} {rate:>10,.0f}")
        out.write(f"{'total':<36} {total_rows:>12,} {summary.seconds:>9.1f} {total_rows / summary.seconds:>10,.0f}")
        for name, seconds in summary.phases:
            out.write(f"phase: {name:<40} {seconds:>9.1f} s")
        out.write(f"persons (households, persons, name keys) written in {summary.persons_seconds:.1f} s of writing")
        out.write(
            f"network around the case (issue 12): {summary.around_rows:,} rows, drawn and written in "
            f"{summary.around_seconds:.1f} s (part of the phases above)"
        )
        out.write(f"busiest agency: {summary.busiest}")

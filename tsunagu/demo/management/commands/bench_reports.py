"""Benchmark the council's statistics (docs/quality.md P4) on a filled database.

    python manage.py bench_reports                 # this fiscal year, 5 runs
    python manage.py bench_reports --year 2025 --runs 7

Computes every section of the report (the tables as the pages compute them, published through
small-cell protection) for the ward, for the largest area and for the busiest agency, several
times, and prints per section, in all one after another, and for the report of every section as
it is made (``compose.sections_tables``: ``TSUNAGU_REPORT_CONCURRENCY`` sections at once on
PostgreSQL) the median and the slowest run beside the budget: the annual statistics over
everything in ≤ 2 s, for each section page and for the report of every section. Server-side
time of the selectors, no HTTP (the HTTP benchmark requests the pages). Run it against a scratch
database only.
"""

import statistics
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.db.models import Count
from django.utils import timezone

from tsunagu.agencies.models import Area
from tsunagu.cases.models import CaseAgency
from tsunagu.demo.bench.report import machine, machine_line
from tsunagu.people.models import Person
from tsunagu.reports import access, compose
from tsunagu.reports.period import AGENCY, AREA, WARD, Period, Scope
from tsunagu.reports.tables import publish_all

BUDGET_S = 2.0


class Command(BaseCommand):
    help = "統計（進行管理・実態把握）の集計時間を測ります（P4）。本番のデータベースでは実行しないでください。"

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, default=None, help="年度（西暦の開始年）。既定は今年度")
        parser.add_argument("--runs", type=int, default=5)

    def handle(self, *args, year: int | None, runs: int, **options):
        if getattr(settings, "PRODUCTION", False):
            raise CommandError("本番モードでは実行できません。")
        period = Period.fiscal_year(year) if year else Period.fiscal_year_of(timezone.localdate())
        as_of = compose.as_of_for(period)
        persons = Person.objects.count()
        self.stdout.write(machine_line(machine()))
        self.stdout.write(
            f"{connection.vendor}, {persons:,} persons; period {period.start}..{period.end}, as of {as_of}; {runs} runs"
        )
        area = Area.objects.annotate(n=Count("districts")).order_by("-n", "pk").first()
        busiest = (
            CaseAgency.objects.filter(until__isnull=True)
            .values("agency_id")
            .annotate(n=Count("id"))
            .order_by("-n")
            .first()
        )
        scopes = [("ward", Scope(WARD))]
        if area is not None:
            scopes.append((f"area {area.name}", Scope(AREA, area.pk, area.name)))
        if busiest is not None:
            scopes.append(
                (f"agency #{busiest['agency_id']} ({busiest['n']:,} open)", Scope(AGENCY, busiest["agency_id"]))
            )
        geographic = tuple(access.SECTIONS)
        verdict = True
        for label, scope in scopes:
            sections = access.AGENCY_SECTIONS if scope.kind == AGENCY else geographic
            totals: list[float] = []
            per_section: dict[str, list[float]] = {s: [] for s in sections}
            tables = 0
            for _run in range(runs):
                run_total = 0.0
                for section in sections:
                    started = time.perf_counter()
                    computed = compose.section_tables(section, period, scope, as_of)
                    publish_all(computed, settings.TSUNAGU_REPORT_THRESHOLD)
                    seconds = time.perf_counter() - started
                    per_section[section].append(seconds)
                    run_total += seconds
                    tables += len(computed) if _run == 0 else 0
                totals.append(run_total)
            self.stdout.write(f"\n{label}: {tables} tables")
            for section, values in per_section.items():
                median_ms, slowest_ms = statistics.median(values) * 1000, max(values) * 1000
                self.stdout.write(f"  {section:<10} median {median_ms:8.0f} ms   slowest {slowest_ms:8.0f} ms")
            self.stdout.write(
                f"  {'sum':<10} median {statistics.median(totals):8.2f} s    slowest {max(totals):8.2f} s   "
                "(one section after another)"
            )
            together: list[float] = []
            for _run in range(runs):
                started = time.perf_counter()
                computed = compose.sections_tables(sections, period, scope, as_of)
                for section in sections:
                    publish_all(computed[section], settings.TSUNAGU_REPORT_THRESHOLD)
                together.append(time.perf_counter() - started)
            pages_ok = all(statistics.median(values) <= BUDGET_S for values in per_section.values())
            ok = pages_ok and statistics.median(together) <= BUDGET_S
            verdict = verdict and ok
            self.stdout.write(
                f"  {'all':<10} median {statistics.median(together):8.2f} s    slowest {max(together):8.2f} s   "
                f"P4 ≤ {BUDGET_S:.0f} s {'OK' if ok else 'OVER'} "
                f"(report of every section, {compose.concurrency()} at once; every page ≤ {BUDGET_S:.0f} s: "
                f"{'yes' if pages_ok else 'no'})"
            )
        self.stdout.write("\nP4 " + ("met" if verdict else "NOT met") + " (median of the runs, every scope)")

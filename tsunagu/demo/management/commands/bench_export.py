"""Benchmark the exports of the case list (docs/quality.md P4: "Excel of 100,000 rows streams in
<= 10 s with flat memory") on a filled database.

    python manage.py bench_export --rows 10000 100000

For each number of rows, the desk user's case list (every status, the list's default order) is
cut to that many cases (the lowest numbers) and exported as CSV and as Excel through the views'
own code (``reports.list_exports``: the same queries, writers and access events; the request
itself is built with ``RequestFactory``, so no middleware). Each export is timed to its last byte,
then run again under ``tracemalloc`` for the peak of Python's allocations, and the growth of the
process's resident memory (peak RSS over RSS before, Linux ``/proc``) is measured on the timed run.
Flat memory means the peaks at 10,000 and at 100,000 rows are about the same. Everything runs in
a transaction that is rolled back, so the benchmark leaves no access events. Run it against a
scratch database only (``manage.py populate --persons N`` fills one).
"""

import gc
import os
import time
import tracemalloc
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.test import RequestFactory

from tsunagu.agencies.models import Agency, Membership, Role
from tsunagu.cases.models import Case
from tsunagu.demo.bench.report import machine, machine_line
from tsunagu.reports import list_exports

BUDGET_S = 10.0
MB = 1024 * 1024


def _rss() -> tuple[int | None, int | None]:
    """The process's resident memory now and its peak (bytes), from /proc (Linux)."""
    try:
        status = Path("/proc/self/status").read_text()
    except OSError:
        return None, None
    values = {}
    for line in status.splitlines():
        key, _sep, rest = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            values[key] = int(rest.split()[0]) * 1024
    return values.get("VmRSS"), values.get("VmHWM")


def _reset_peak_rss() -> bool:
    """Reset the peak RSS to the current RSS (Linux 4.0+: writing 5 to clear_refs)."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return True


class Command(BaseCommand):
    help = "ケース一覧の出力（CSV・Excel）の時間とメモリを測ります。本番のデータベースでは実行しないでください。"

    def add_arguments(self, parser):
        parser.add_argument("--rows", type=int, nargs="+", default=[10_000, 100_000])
        parser.add_argument("--user", default="", help="an existing staff user (default: a desk user, bench-desk)")

    def handle(self, *args: Any, rows: list[int], user: str, **options: Any) -> None:
        exporter = self._user(user)
        total = Case.objects.count()
        self.stdout.write(machine_line(machine()))
        self.stdout.write(f"cases: {total:,}; user: {exporter.get_username()} (case list, every status)")
        # The figures are wall-clock times: a busy machine slows them down, say by how much.
        self.stdout.write(f"load average: {os.getloadavg()[0]:.1f} ({os.cpu_count()} cores)")
        self.stdout.write(
            f"{'export':<6} {'rows':>9} {'seconds':>8} {'MB out':>7} {'py peak MB':>10} {'RSS +MB':>8}  budget"
        )
        for wanted in rows:
            if wanted > total:
                self.stdout.write(f"(skipped {wanted:,} rows: the database has {total:,} cases)")
                continue
            for fmt in ("csv", "xlsx"):
                seconds, size, count, rss_growth = self._run(exporter, wanted, fmt, traced=False)
                _s, _z, _c, _r, peak = self._run(exporter, wanted, fmt, traced=True)
                rss = "—" if rss_growth is None else f"{rss_growth / MB:.1f}"
                verdict = "ok" if seconds <= BUDGET_S else "OVER"
                budget = f"<= {BUDGET_S:.0f} s {verdict}" if fmt == "xlsx" else ""
                self.stdout.write(
                    f"{fmt:<6} {count:>9,} {seconds:>8.2f} {size / MB:>7.1f} {peak / MB:>10.1f} {rss:>8}  {budget}"
                )

    def _user(self, username: str) -> Any:
        if username:
            found = get_user_model().objects.filter(username=username).first()
            if found is None:
                raise CommandError(f"ユーザー {username} がいません。")
            return found
        agency = Agency.objects.filter(is_central_desk=True).first()
        if agency is None:
            raise CommandError("先に load_reference で参照データを読み込んでください。")
        found, _created = get_user_model().objects.get_or_create(username="bench-desk")
        Membership.objects.get_or_create(user=found, agency=agency, defaults={"role": Role.DESK})
        return found

    def _run(self, user: Any, wanted: int, fmt: str, *, traced: bool) -> Any:
        """One export of the first ``wanted`` cases (by number), read to its last byte."""
        request = RequestFactory().get("/staff/reports/lists/cases." + fmt, {"status": "all"})
        request.user = user
        gc.collect()
        if traced:
            tracemalloc.start()
        rss_before, _peak = _rss()
        can_reset = _reset_peak_rss()
        started = time.perf_counter()
        size = 0
        with transaction.atomic():
            export = list_exports.case_list_export(request, fmt=fmt)
            last = Case.objects.order_by("pk").values_list("pk", flat=True)[wanted - 1]
            export.cases = export.cases.filter(pk__lte=last)
            response = list_exports.csv_response(export) if fmt == "csv" else list_exports.xlsx_response(export)
            for part in response.streaming_content:
                size += len(part)
            seconds = time.perf_counter() - started
            count = sum(len(ids) for ids in self._recorded(export))
            transaction.set_rollback(True)  # keep the benchmark's access events out
        # The temporary file of the Excel; not response.close(), which would end the "request"
        # and close the database connection (request_finished).
        file = getattr(response, "file_to_stream", None)
        if file is not None:
            file.close()
        _rss_now, rss_peak = _rss()
        growth = rss_peak - rss_before if (can_reset and rss_peak and rss_before) else None
        if traced:
            peak = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()
            return seconds, size, count, growth, peak
        return seconds, size, count, growth

    def _recorded(self, export: Any) -> list[list[int]]:
        """The case ids of the export's access events just written (in this transaction)."""
        from tsunagu.audit.models import AccessEvent

        return list(
            AccessEvent.objects.filter(user=export.user, action="export", reason=export.reason).values_list(
                "object_ids", flat=True
            )
        )

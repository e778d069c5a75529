"""Benchmark the Excel import (docs/quality.md P8: "importing 100,000 rows from Excel ≥ 2,000
rows/s").

    python manage.py bench_import --rows 100000

Writes a ledger of households and persons (「世帯と人」, two persons a household) of invented data
to a temporary .xlsx with XlsxWriter, then runs the dry run and the import through the import's
own code (``imports.services.batch_upload``, ``run_check``, ``run_import``: the same reading,
checks, bulk writes and access events) inline, and prints rows per second for each; then it
undoes the import (``batch_undo``) and prints that time. The import checks the whole file again
before it writes (R5), so its time includes a second dry run; the figure "import" is the
confirmation's whole time, as a user waits for it. Everything runs in a
transaction that is rolled back, so the benchmark leaves nothing behind. Run it on a scratch
database, not the production one.
"""

import os
import tempfile
import time
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.test import override_settings

from tsunagu.agencies.models import Agency, District, Membership, Role
from tsunagu.imports import services
from tsunagu.imports.kinds import PERSONS
from tsunagu.imports.models import ImportBatch, Kind, Status

TARGET = 2_000.0  # rows per second (P8)
FAMILIES = [("見本", "ミホン"), ("試作", "シサク"), ("仮野", "カリノ"), ("例田", "レイダ"), ("架空", "カクウ")]
SYLLABLES = "アイウエオカキクケコサシスセソタチツテトナニヌネノハヒフヘホマミムメモヤユヨラリルレロワ"


def invented_reading(number: int) -> str:
    """A made-up given name in katakana, different for every number (base-44 syllables)."""
    text = ""
    number += 44 * 44
    while number:
        number, digit = divmod(number, len(SYLLABLES))
        text += SYLLABLES[digit]
    return text


def write_ledger(path: Path, rows: int, districts: list[str]) -> None:
    import datetime as dt

    import jaconv
    import xlsxwriter

    # Shared strings, as Excel itself writes them (constant_memory would write inline strings).
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("データ")
    sheet.write_row(0, 0, [c.heading for c in PERSONS])
    keys = [c.key for c in PERSONS]
    start = dt.date(1960, 1, 1)
    for i in range(rows):
        family, family_kana = FAMILIES[i % len(FAMILIES)]
        given_kana = invented_reading(i)
        mother = i % 2 == 1
        values = {
            "household_ref": f"B-{i // 2:06d}",
            "person_ref": f"B-{i:06d}",
            "household_label": "" if mother else f"{family}さん宅 {i // 2}",
            "postal_code": "",
            "district": "" if mother else districts[(i // 2) % len(districts)],
            "family_name": family,
            "given_name": jaconv.kata2hira(given_kana),
            "family_name_kana": family_kana,
            "given_name_kana": given_kana,
            "sex": "女性" if mother else "男性",
            "birth_date": (start + dt.timedelta(days=i % 9000)).strftime("%Y/%m/%d")
            if i % 3
            else f"平成{1 + i % 30}年4月1日",
            "relation": "母" if mother else "息子",
            "is_concerned": "いいえ" if mother else "はい",
            "disability": "不明",
            "withdrawal_since": "" if mother else "平成30年ごろ",
        }
        sheet.write_row(i + 1, 0, [values.get(k, "") for k in keys])
    book.close()


class Command(BaseCommand):
    help = "Excelからの取り込み（世帯と人）の速さを測ります。本番のデータベースでは実行しないでください。"

    def add_arguments(self, parser):
        parser.add_argument("--rows", type=int, default=100_000)

    def handle(self, *args: Any, rows: int, **options: Any) -> None:
        districts = list(District.objects.values_list("name", flat=True)[:20])
        desk = Agency.objects.filter(is_central_desk=True, active=True).first()
        if not districts or desk is None:
            raise CommandError("参照データがありません。先に manage.py load_reference を実行してください。")
        self.stdout.write(f"load average: {os.getloadavg()[0]:.1f} ({os.cpu_count()} cores)")
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "ledger.xlsx"
            started = time.perf_counter()
            write_ledger(path, rows, districts)
            content = path.read_bytes()
            self.stdout.write(
                f"file: {rows:,} rows, {len(content) / 1e6:.1f} MB, written in {time.perf_counter() - started:.1f} s"
            )
        with override_settings(IMPORTS_SYNCHRONOUS=True, IMPORTS_MAX_ROWS=max(rows, 100_000)), transaction.atomic():
            user = get_user_model().objects.create_user(username="bench-import", password=None)
            Membership.objects.create(user=user, agency=desk, role=Role.SUPERVISOR)
            started = time.perf_counter()
            batch = services.batch_upload(user=user, kind=Kind.PERSONS, file_name="bench.xlsx", content=content)
            checked = time.perf_counter() - started
            batch.refresh_from_db()
            if batch.status != Status.VALID:
                first = list(batch.problems.values_list("line", "column", "message")[:5])
                raise CommandError(f"the check found problems: {batch.status} {batch.failure} {first}")
            started = time.perf_counter()
            services.batch_import_start(user=user, batch=batch)
            imported = time.perf_counter() - started
            batch = ImportBatch.objects.get(pk=batch.pk)
            if batch.status != Status.IMPORTED:
                raise CommandError(f"the import did not finish: {batch.status} {batch.failure}")
            started = time.perf_counter()
            services.batch_undo(user=user, batch=batch)
            undone = time.perf_counter() - started
            for name, seconds in (("dry run", checked), ("import", imported)):
                rate = rows / seconds
                verdict = "met" if rate >= TARGET else "NOT met"
                self.stdout.write(
                    f"{name:<8} {rows:>9,} rows {seconds:>7.1f} s {rate:>8,.0f} rows/s  (≥ {TARGET:,.0f}: {verdict})"
                )
            self.stdout.write(f"undo     {rows:>9,} rows {undone:>7.1f} s (no budget)")
            self.stdout.write(f"load average after: {os.getloadavg()[0]:.1f}")
            transaction.set_rollback(True)

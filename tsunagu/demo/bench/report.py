"""Budgets, the machine line, percentiles, the printed table and the P5 comparison."""

import math
import os
import platform
import sqlite3
from pathlib import Path

from django.db import connection

BUDGETS_MS = {"P1": 50.0, "P2": 60.0, "P3": 150.0, "P4": 2000.0}
P5_FLATNESS = 1.5
P6_RPS = 150.0
P6_P95_MS = 200.0
P7_RATIO = 3.0


def percentile(values: list[float], p: float) -> float:
    """Nearest rank: the smallest value with at least p % of the values at or below it."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


def histogram_percentile(counts: dict[float, int], p: float) -> float:
    """Nearest rank over locust's histogram of response times (ms → how many)."""
    total = sum(counts.values())
    if not total:
        return 0.0
    rank = max(1, math.ceil(p / 100 * total))
    seen = 0
    for value in sorted(counts):
        seen += counts[value]
        if seen >= rank:
            return value
    return max(counts)


def machine() -> dict[str, object]:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    ram_gb = None
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                ram_gb = round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            database = f"PostgreSQL {cursor.fetchone()[0]}"
    else:
        database = f"SQLite {sqlite3.sqlite_version}"
    return {
        "host": platform.node(),
        "cpu": cpu,
        "cores": os.cpu_count(),
        "ram_gb": ram_gb,
        "database": database,
        "python": platform.python_version(),
    }


def machine_line(info: dict) -> str:
    return (
        f"machine: {info['cpu']}, {info['cores']} cores, {info['ram_gb']} GB RAM, {info['database']}, "
        f"Python {info['python']} ({info['host']})"
    )


def status(ok: bool | None) -> str:
    return "—" if ok is None else ("ok" if ok else "OVER")


PAGE_HEADER = (
    f"{'page':<38} {'n':>4} {'p50':>7} {'p95':>7} {'p99':>7} {'db50':>6} {'q':>4} {'ev':>4} {'×floor':>6}  budget"
)


def page_line(key: str, page: dict, floor: float | None) -> str:
    budget = page["budget"]
    parts = []
    if budget in BUDGETS_MS:
        parts.append(f"{budget} p95 ≤ {BUDGETS_MS[budget]:.0f} ms {status(page['p95'] <= BUDGETS_MS[budget])}")
    # P7 (a page costs at most 3× the floor) is for the pages of daily work, not the statistics
    # (P4), which aggregate a year of the whole ward by design.
    ratio = page["p95"] / floor if floor and key != "floor" and budget != "P4" else None
    if ratio is not None:
        parts.append(f"P7 ≤ {P7_RATIO:.0f}× floor {status(ratio <= P7_RATIO)}")
    if not page.get("queries_fixed", True):
        parts.append("query count varied")
    if "saves" in page:
        stored = "ok" if page["records"] == page["saves"] else "MISMATCH"
        parts.append(f"{page['records']} records for {page['saves']} saves {stored}")
    if page.get("replay_saved_nothing") is not None:
        parts.append(f"replayed POST saves nothing {'ok' if page['replay_saved_nothing'] else 'FAILED'}")
    events = page["events_per_request"]
    return (
        f"{page['label']:<38} {page['n']:>4} {page['p50']:>7.1f} {page['p95']:>7.1f} {page['p99']:>7.1f} "
        f"{page['db_p50']:>6.1f} {page['queries']!s:>4} {events if events is not None else '?':>4} "
        f"{(f'{ratio:.2f}' if ratio is not None else ''):>6}  {'; '.join(parts)}"
    )


def page_lines(result: dict) -> list[str]:
    return [PAGE_HEADER, *(page_line(key, page, result["floor_p95"]) for key, page in result["pages"].items())]


def mixed_lines(mixed: dict) -> list[str]:
    rps_ok = mixed["rps"] >= P6_RPS
    p95_ok = mixed["p95"] <= P6_P95_MS
    errors_ok = mixed["errors"] == 0
    audit = mixed["audit"]
    lines = [
        f"mixed workload: {mixed['users']} users, {mixed['seconds']} s, {mixed['requests']} requests "
        f"made by locust, {mixed['served']} answered by the server (times: client side, locust)",
        f"  requests/s {mixed['rps']:.1f} (P6 ≥ {P6_RPS:.0f} {status(rps_ok)})",
        f"  p50 {mixed['p50']:.0f} ms, p95 {mixed['p95']:.0f} ms (P6 ≤ {P6_P95_MS:.0f} ms {status(p95_ok)})",
        f"  errors {mixed['errors']} (P6 0 {status(errors_ok)})",
        f"  audit: access events grew by {audit['actual']}, personal-data reads and saves served "
        f"{audit['expected']} "
        f"({'ok, every read recorded once' if audit['actual'] == audit['expected'] else 'MISMATCH'})",
    ]
    records = mixed.get("records")
    if records is not None:
        ok = records["actual"] == records["saves"]
        lines.append(
            f"  records: progress records grew by {records['actual']}, saves answered {records['saves']} "
            f"({'ok, every save stored once' if ok else 'MISMATCH'})"
        )
    return lines


def compare_lines(a: dict, b: dict) -> list[str]:
    lines = [
        f"P5 scale-flatness: {a['label']} ({a['scale']['persons']:,} persons) → {b['label']} "
        f"({b['scale']['persons']:,} persons), p95 ratio (budget ≤ {P5_FLATNESS} for P1–P3 pages)",
    ]
    for what in ("database", "cpu", "cores"):
        if a["machine"].get(what) != b["machine"].get(what):
            lines.append(
                f"  WARNING: not comparable, {what} differs: {a['machine'].get(what)} / {b['machine'].get(what)}"
            )
    for key, page in b["pages"].items():
        before = a["pages"].get(key)
        if before is None:
            continue
        ratio = page["p95"] / before["p95"] if before["p95"] else float("inf")
        judged = page["budget"] in ("P1", "P2", "P3")
        lines.append(
            f"  {page['label']:<38} {before['p95']:>7.1f} → {page['p95']:>7.1f} ms  ×{ratio:.2f}"
            + (f"  {status(ratio <= P5_FLATNESS)}" if judged else "")
        )
    return lines

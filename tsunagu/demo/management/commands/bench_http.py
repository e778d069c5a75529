"""The HTTP benchmark of docs/quality.md P1–P3 and P5–P7 (docs/benchmarks.md, "HTTP benchmark").

    DATABASE_URL=postgres://…/tsunagu_bench python manage.py bench_http --label ward --json ward.json
    python manage.py bench_http --compare ward.json national.json

Against a database filled by ``manage.py populate``: starts gunicorn (production settings,
sync workers) on the loopback, signs in as the population's benchmark users through the login
form, times every page sequentially (server time from the ``Server-Timing`` header, query count
from ``X-Tsunagu-Queries``, access events written per request) and a caseworker's progress-record
save, then runs a mixed workload with locust headless and checks that the access events grew by
exactly the reads and saves made and the progress records by exactly the saves. Prints every
figure beside its budget with the machine it ran on. Stops the server whatever happens.
"""

import datetime as dt
import json
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from tsunagu.audit.models import AccessEvent
from tsunagu.cases.models import Case, TimelineEntry
from tsunagu.demo.bench import client, profile, report, server
from tsunagu.demo.bench.targets import (
    ANONYMOUS,
    FLOOR,
    PAGE_KEYS,
    RECORD_FORM,
    RECORD_SAVE,
    WORKER,
    find_targets,
)
from tsunagu.demo.population.personas import PERSONAS, bench_password
from tsunagu.demo.second_factor import code_now
from tsunagu.intake.models import Consultation
from tsunagu.meetings.models import Meeting
from tsunagu.people.models import Household, Person
from tsunagu.records.models import ProgressRecord
from tsunagu.referrals.models import Referral

LOCUSTFILE = Path(__file__).resolve().parents[2] / "bench" / "locustfile.py"
# The mixed workload (P6): what staff do most, by weight. ``record_save`` is a progress record
# saved by a caseworker (GET the form, POST it): two requests, the form a read, the POST a write.
MIX = {
    "case": 30,
    "search": 20,
    "my_work": 20,
    "queue": 10,
    "household": 10,
    "record_save": 8,
    "inbox": 5,
    "referral": 5,
    # Issue 12: the network around the case (a session page as its staff record who came, the
    # public directory as residents look for a place).
    "place_session": 3,
    "place": 3,
    "public_places": 3,
    "public_place": 3,
    "places": 2,
    "events": 1,
    "training": 1,
    "training_mine": 1,
    "supervision": 1,
    "supervision_session": 1,
}
# The answer that counts as served: a page's 200, a save's redirect to the case's timeline.
SERVED_STATUS = {RECORD_SAVE: "302"}
COUNTED = (Person, Household, Case, TimelineEntry, ProgressRecord, Consultation, Referral, Meeting, AccessEvent)


def _session(base_url: str, username: str):
    """A signed-in session of a benchmark user, or (ANONYMOUS) a resident's, not signed in."""
    if username == ANONYMOUS:
        return client.new_session(base_url)
    return client.sign_in(base_url, username, bench_password(), code_now)


class Command(BaseCommand):
    help = (
        "HTTP の性能を本番に近いサーバーで測ります（P1–P3, P5–P7）。"
        "ベンチマーク用のデータベースでだけ実行してください。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--label", default="", help="the scale's name in the output, e.g. ward or national")
        parser.add_argument("--workers", type=int, default=3, help="gunicorn sync workers")
        parser.add_argument("--warmup", type=int, default=20, help="unmeasured requests per page first")
        parser.add_argument("--requests", type=int, default=200, help="measured sequential requests per page")
        parser.add_argument("--users", type=int, default=50, help="concurrent users of the mixed workload")
        parser.add_argument("--spawn-rate", type=float, default=10.0, help="users started per second")
        parser.add_argument("--seconds", type=int, default=60, help="duration of the mixed workload")
        parser.add_argument(
            "--record-weight",
            type=int,
            default=MIX[RECORD_SAVE],
            help="weight of the progress-record save in the mix; 0 skips every save (a database not to write to)",
        )
        parser.add_argument("--json", dest="json_path", help="also write the result to this file")
        parser.add_argument(
            "--profile", choices=PAGE_KEYS, help="serve one page in a loop for py-spy (docs/benchmarks.md)"
        )
        parser.add_argument("--profile-report", metavar="RAW", help="summarise a py-spy raw profile")
        parser.add_argument("--compare", nargs=2, metavar=("SMALL.json", "LARGE.json"), help="print P5 of two runs")

    def handle(self, *args, **options):
        if options["compare"]:
            first, second = (json.loads(Path(p).read_text(encoding="utf-8")) for p in options["compare"])
            self._write(report.compare_lines(first, second))
            return
        if options["profile_report"]:
            self._write(profile.lines(profile.analyse(Path(options["profile_report"]))))
            return
        if settings.PRODUCTION:
            raise CommandError("本番モードでは実行できません（ベンチマーク用のデータベースで実行してください）。")
        pending = MigrationExecutor(connection).migration_plan(MigrationExecutor(connection).loader.graph.leaf_nodes())
        if pending:
            # A database filled before the latest migrations answers 500 on the pages they touch.
            raise CommandError(
                f"このデータベースには未適用のマイグレーションが {len(pending)} 件あります。"
                "先に manage.py migrate を実行してください。"
            )
        targets = find_targets()
        if options["profile"]:
            self._profile(targets, options)
            return
        result = {
            "label": options["label"],
            "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "machine": report.machine(),
            "scale": self._scale(),
            "workers": options["workers"],
            "case_id": targets.case_id,
            "case_timeline_entries": targets.timeline_entries,
        }
        self._write([report.machine_line(result["machine"]), self._scale_line(result)])
        with tempfile.TemporaryDirectory(prefix="tsunagu-bench-") as scratch:
            work = Path(scratch)
            app = server.start(workers=options["workers"], log=work / "gunicorn.log")
            try:
                self._write(
                    [f"server: gunicorn, {options['workers']} sync workers, production settings, {app.base_url}"]
                )
                usernames = [persona.username for persona in PERSONAS] + [ANONYMOUS]
                sessions = {username: _session(app.base_url, username) for username in usernames}
                self._write(
                    [
                        "",
                        f"per page, sequential ({options['warmup']} warm-up + {options['requests']} requests each); "
                        "ms of server time (Server-Timing: the whole Django stack, not the socket); "
                        "db50 = p50 ms in the database driver; q = queries; ev = access events per request",
                        report.PAGE_HEADER,
                    ]
                )
                result["pages"] = self._sequential(app, targets, sessions, options)
                if options["record_weight"] > 0:
                    floor_p95 = result["pages"][FLOOR]["p95"]
                    result["pages"] |= self._saves(app, targets, sessions[WORKER], options, floor_p95)
                result["floor_p95"] = result["pages"][FLOOR]["p95"]
                if options["users"] > 0 and options["seconds"] > 0:
                    result["mixed"] = self._mixed(app, targets, sessions, options, work, result["pages"])
                    self._write(["", *report.mixed_lines(result["mixed"])])
            finally:
                result["server_pids"] = [app.process.pid, *app.worker_pids()]
                app.stop()
        if options["json_path"]:
            Path(options["json_path"]).write_text(json.dumps(result, indent=2, ensure_ascii=False), encoding="utf-8")
            self._write([f"written: {options['json_path']}"])

    def _profile(self, targets, options) -> None:
        page = targets.page(options["profile"])
        with tempfile.TemporaryDirectory(prefix="tsunagu-bench-") as scratch:
            app = server.start(workers=1, log=Path(scratch) / "gunicorn.log")
            try:
                session = _session(app.base_url, page.username)
                url = app.base_url + page.path
                for _ in range(options["warmup"]):
                    client.fetch(session, url, page.form)
                self._write([f"serving {page.label} in a loop for {options['seconds']} s; worker {app.worker_pids()}"])
                served = profile.loop(lambda: client.fetch(session, url, page.form), options["seconds"])
                self._write([f"{served} requests, {1000 * options['seconds'] / max(served, 1):.1f} ms each"])
            finally:
                app.stop()

    def _sequential(self, app, targets, sessions, options) -> dict[str, dict]:
        pages: dict[str, dict] = {}
        for page in targets.pages:
            session = sessions[page.username]
            url = app.base_url + page.path
            mark = _last_event_id()
            warmup = min(options["warmup"], 2) if page.most else options["warmup"]
            total = warmup + (min(options["requests"], page.most) if page.most else options["requests"])
            samples = [client.fetch(session, url, page.form) for _ in range(total)]
            events = AccessEvent.objects.filter(pk__gt=mark).count()
            bad = [s.status for s in samples if s.status != 200]
            if bad:
                raise CommandError(f"{page.label}: HTTP {bad[0]} ({app.base_url + page.path} as {page.username})")
            measured = samples[warmup:] or samples
            server_ms = [s.server_ms if s.server_ms is not None else s.client_ms for s in measured]
            pages[page.key] = {
                "label": page.label,
                "username": page.username,
                "path": page.path,
                "budget": page.budget,
                "n": len(measured),
                "p50": report.percentile(server_ms, 50),
                "p95": report.percentile(server_ms, 95),
                "p99": report.percentile(server_ms, 99),
                "client_p95": report.percentile([s.client_ms for s in measured], 95),
                "db_p50": report.percentile([s.db_ms or 0.0 for s in measured], 50),
                "queries": measured[-1].queries,
                "queries_fixed": len({s.queries for s in samples}) == 1,
                "events_per_request": events // total if events % total == 0 else None,
                "events": events,
            }
            self._write([report.page_line(page.key, pages[page.key], pages[FLOOR]["p95"])])
        return pages

    def _saves(self, app, targets, session, options, floor_p95: float) -> dict[str, dict]:
        """The record form (GET) and its save (POST) as bench-worker, round the cases it leads:
        server time, queries and access events of each, progress records per save, and one
        replay of the last POST (same submission key), which must save nothing."""
        total = options["warmup"] + options["requests"]
        forms, posts = [], []
        form_events: list[int] = []
        post_events: list[int] = []
        records_mark = _last_record_id()
        save = None
        for i in range(total):
            path = targets.record_forms[i % len(targets.record_forms)]
            mark = _last_event_id()
            form, body = client.open_record_form(session, app.base_url, path)
            form_events.append(AccessEvent.objects.filter(pk__gt=mark).count())
            if body is None:
                raise CommandError(f"record form: HTTP {form.status} ({app.base_url + path} as {WORKER})")
            mark = _last_event_id()
            save = client.post_record(session, app.base_url, path, body, form=form)
            post_events.append(AccessEvent.objects.filter(pk__gt=mark).count())
            if not save.saved:
                raise CommandError(f"record save: HTTP {save.post.status} ({app.base_url + path} as {WORKER})")
            forms.append(form)
            posts.append(save.post)
        records = ProgressRecord.objects.filter(pk__gt=records_mark).count()
        replayed = None
        if save is not None:  # the same POST again, as a double click sends it
            mark = _last_record_id()
            again = client.post_record(session, app.base_url, path, save.body, form=save.form)
            replayed = again.saved and not ProgressRecord.objects.filter(pk__gt=mark).exists()
        pages = {}
        for key, label, samples, events in (
            (RECORD_FORM, "record form (caseworker)", forms, form_events),
            (RECORD_SAVE, "record save, POST (caseworker)", posts, post_events),
        ):
            measured = samples[options["warmup"] :] or samples
            server_ms = [s.server_ms if s.server_ms is not None else s.client_ms for s in measured]
            pages[key] = {
                "label": label,
                "username": WORKER,
                "path": targets.record_forms[0],
                "cases": len(targets.record_forms),
                "budget": "",
                "n": len(measured),
                "p50": report.percentile(server_ms, 50),
                "p95": report.percentile(server_ms, 95),
                "p99": report.percentile(server_ms, 99),
                "client_p95": report.percentile([s.client_ms for s in measured], 95),
                "db_p50": report.percentile([s.db_ms or 0.0 for s in measured], 50),
                "queries": measured[-1].queries,
                "queries_fixed": len({s.queries for s in samples}) == 1,
                "events_per_request": events[0] if len(set(events)) == 1 else None,
                "events": sum(events),
            }
        pages[RECORD_SAVE] |= {"saves": total, "records": records, "replay_saved_nothing": replayed}
        for key in (RECORD_FORM, RECORD_SAVE):
            self._write([report.page_line(key, pages[key], floor_p95)])
        return pages

    def _mixed(self, app, targets, sessions, options, work: Path, pages: dict[str, dict]) -> dict:
        mix = self._mix(options)
        plan = {
            "base_url": app.base_url,
            "cookies": {name: {c.name: c.value for c in s.cookies} for name, s in sessions.items()},
            "mix": [
                {
                    "key": key,
                    "path": targets.page(key).path,
                    "form": targets.page(key).form,
                    "username": targets.page(key).username,
                    "weight": weight,
                }
                if key != RECORD_SAVE
                else {"key": key, "path": "", "username": WORKER, "weight": weight}
                for key, weight in mix.items()
            ],
            "record_forms": list(targets.record_forms),
        }
        plan_path = work / "plan.json"
        plan_path.write_text(json.dumps(plan), encoding="utf-8")
        prefix = work / "locust"
        mark = _last_event_id()
        records_mark = _last_record_id()
        log_offset = app.access_log.stat().st_size
        # Locust reads ./locust.conf: the run's settings go there, so the command line stays fixed.
        conf = {
            "locustfile": LOCUSTFILE,
            "headless": "true",
            "users": options["users"],
            "spawn-rate": options["spawn_rate"],
            "run-time": f"{options['seconds']}s",
            "stop-timeout": 30,  # let users finish their request before the counts are read
            # The JSON is written after the users have stopped (the CSV, every second, misses the last).
            "json-file": prefix,
            "only-summary": "true",
            "loglevel": "WARNING",
        }
        (work / "locust.conf").write_text(
            "".join(f"{key} = {value}\n" for key, value in conf.items()), encoding="utf-8"
        )
        finished = subprocess.run(
            [sys.executable, "-m", "locust"],
            env=dict(os.environ) | {"TSUNAGU_BENCH_PLAN": str(plan_path)},
            cwd=work,
            capture_output=True,
            text=True,
        )
        stats_path = Path(f"{prefix}.json")
        if not stats_path.exists():
            raise CommandError(f"locust failed ({finished.returncode}):\n{finished.stderr[-3000:]}")
        entries = {entry["name"]: entry for entry in json.loads(stats_path.read_text(encoding="utf-8"))}
        served, actual = _settled(app.access_log, log_offset, mark)
        expected = sum(
            count * (pages[key]["events_per_request"] or 0)
            for (status, key), count in served.items()
            if key in pages and status == SERVED_STATUS.get(key, "200")
        )
        saves = served.get(("302", RECORD_SAVE), 0)
        records = ProgressRecord.objects.filter(pk__gt=records_mark).count()
        times: Counter[float] = Counter()
        for entry in entries.values():
            times.update({float(ms): count for ms, count in entry["response_times"].items()})
        requests = sum(entry["num_requests"] for entry in entries.values())
        started = min((entry["start_time"] for entry in entries.values()), default=0.0)
        ended = max((entry["last_request_timestamp"] or started for entry in entries.values()), default=0.0)
        per_page = {
            key: {
                "requests": entries[key]["num_requests"] if key in entries else 0,
                "failures": entries[key]["num_failures"] if key in entries else 0,
                "served": {status: count for (status, page), count in served.items() if page == key},
            }
            for key in [*mix, *([RECORD_FORM] if RECORD_SAVE in mix else [])]
        }
        return {
            "users": options["users"],
            "seconds": options["seconds"],
            "mix": mix,
            "requests": requests,
            "errors": sum(entry["num_failures"] for entry in entries.values()),
            "rps": requests / (ended - started) if ended > started else 0.0,
            "p50": report.histogram_percentile(times, 50),
            "p95": report.histogram_percentile(times, 95),
            "p99": report.histogram_percentile(times, 99),
            "per_page": per_page,
            "served": sum(served.values()),
            "audit": {"expected": expected, "actual": actual},
            "records": {"saves": saves, "actual": records} if RECORD_SAVE in mix else None,
        }

    def _mix(self, options) -> dict[str, int]:
        mix = MIX | {RECORD_SAVE: options["record_weight"]}
        return {key: weight for key, weight in mix.items() if weight > 0}

    def _scale(self) -> dict[str, int]:
        counts = {model._meta.label_lower: _count(model) for model in COUNTED}
        counts["persons"] = counts["people.person"]
        return counts

    def _scale_line(self, result) -> str:
        scale = result["scale"]
        shown = ", ".join(f"{label} {scale[label]:,}" for label in scale if label != "persons")
        case = f"case {result['case_id']} ({result['case_timeline_entries']:,} timeline entries)"
        return f"scale: {result['label'] or '—'} — {shown}; case page: {case}"

    def _write(self, lines) -> None:
        for line in lines:
            self.stdout.write(line)
        self.stdout.flush()  # progress shows when the output goes to a file


def _settled(access_log: Path, offset: int, mark: int) -> tuple[Counter, int]:
    """The requests the server answered since ``offset`` of its access log, by (status, page),
    and the access events written since ``mark``, read once both have stopped growing (a request
    the load tool gave up on at the end may still be finishing on the server)."""
    previous = None
    deadline = time.monotonic() + 30
    while True:
        with access_log.open(encoding="utf-8", errors="replace") as handle:
            handle.seek(offset)
            served = Counter(tuple(line.split(" ", 1)) for line in handle.read().splitlines() if " " in line)
        events = AccessEvent.objects.filter(pk__gt=mark).count()
        now = (sum(served.values()), events)
        if now == previous or time.monotonic() > deadline:
            return served, events
        previous = now
        time.sleep(0.5)


def _last_record_id() -> int:
    return ProgressRecord.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def _last_event_id() -> int:
    last = AccessEvent.objects.order_by("-pk").values_list("pk", flat=True).first()
    return last or 0


def _count(model) -> int:
    """Exact below a million rows; above it PostgreSQL's estimate (a count of 23 million rows
    would take longer than the benchmark)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT reltuples::bigint FROM pg_class WHERE oid = %s::regclass", [model._meta.db_table])
            estimate = cursor.fetchone()[0]
        if estimate and estimate > 1_000_000:
            return int(estimate)
    return model._default_manager.count()

"""The HTTP benchmark runs end to end at a tiny scale (issue 10: "the benchmark command runs
end-to-end at a tiny scale in CI"): its own SQLite database in a subprocess environment, so it
runs the same on the PostgreSQL pass. Figures are printed, no budget is asserted; the audit check
must pass and the server must be gone afterwards."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tsunagu.demo.bench.profile import analyse
from tsunagu.demo.bench.targets import PAGE_KEYS, RECORD_FORM, RECORD_SAVE

ROOT = Path(__file__).resolve().parents[3]


def test_the_http_benchmark_runs_at_a_tiny_scale_and_every_read_is_audited(tmp_path):
    env = {
        key: value for key, value in os.environ.items() if not key.startswith(("DATABASE_URL", "TSUNAGU_", "DJANGO_"))
    }
    # Run as ``python -m django`` in the scratch directory, where the JSON result is written.
    env |= {"TSUNAGU_DATA_DIR": str(tmp_path), "DJANGO_SETTINGS_MODULE": "tsunagu.settings", "PYTHONPATH": str(ROOT)}
    run = {"cwd": tmp_path, "env": env, "capture_output": True, "text": True, "timeout": 300, "check": False}
    done = subprocess.run([sys.executable, "-m", "django", "migrate", "-v0"], **run)
    assert done.returncode == 0, done.stderr[-3000:]
    done = subprocess.run([sys.executable, "-m", "django", "populate", "--scale=tiny"], **run)
    assert done.returncode == 0, done.stderr[-3000:]
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "django",
            "bench_http",
            "--label=tiny",
            "--workers=1",
            "--warmup=1",
            "--requests=3",
            "--users=2",
            "--spawn-rate=2",
            "--seconds=2",
            "--record-weight=50",  # saves in two seconds of two users (8 by default)
            "--json=tiny.json",
        ],
        **run,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    printed = done.stdout
    assert "machine: " in printed and "SQLite" in printed
    assert "case page (team caseworker)" in printed and "P2 p95 ≤ 60 ms" in printed
    assert "every read recorded once" in printed
    assert "record save, POST (caseworker)" in printed and "replayed POST saves nothing ok" in printed
    assert "every save stored once" in printed

    result = json.loads((tmp_path / "tiny.json").read_text(encoding="utf-8"))
    assert tuple(result["pages"]) == (*PAGE_KEYS, RECORD_FORM, RECORD_SAVE)
    for page in result["pages"].values():
        assert page["n"] == 3 and page["p95"] > 0 and page["queries"] > 0
    assert result["pages"]["case"]["events_per_request"] >= 1
    # Issue 12: the session page reads named attendance (one event, object "attendance"), the
    # supervision session and the work page's follow-ups the cases discussed; the registry, the
    # events, training and the public directory hold no personal data.
    pages = result["pages"]
    assert pages["place_session"]["events_per_request"] == 1
    assert pages["supervision_session"]["events_per_request"] >= 1
    for key in ("places", "place", "events", "training", "training_mine", "public_places", "public_place"):
        assert pages[key]["events_per_request"] == 0, key
    assert "session with named attendance (running agency)" in printed
    assert set(mixed_keys := result["mixed"]["per_page"]) >= {"place_session", "public_place", "supervision_session"}
    assert mixed_keys["public_places"]["failures"] == 0
    counted = subprocess.run(
        [
            sys.executable,
            "-m",
            "django",
            "shell",
            "-c",
            "from tsunagu.audit.models import AccessEvent as E; "
            "print(E.objects.filter(object_type='attendance', action='view', basis='place').count(), "
            "E.objects.filter(object_type='attendance', action='view', object_ids=[]).count(), "
            "E.objects.filter(object_type='supervision_follow_up', action='view', username='bench-worker').count())",
        ],
        **run,
    )
    assert counted.returncode == 0, counted.stderr[-3000:]
    reads, empty, follow_ups = map(int, counted.stdout.split()[-3:])
    assert reads >= pages["place_session"]["n"] and empty == 0  # the session shown had named attendance
    assert follow_ups >= pages["my_work"]["n"]  # the work page's follow-ups section was not empty
    # Four saves (a warm-up and three measured), each stored once, each writing its events; the
    # replay of the last one (the same submission key) stored nothing.
    save = result["pages"][RECORD_SAVE]
    assert save["saves"] == save["records"] == 4 and save["replay_saved_nothing"] is True
    assert save["events_per_request"] >= 1 and result["pages"][RECORD_FORM]["events_per_request"] >= 1
    mixed = result["mixed"]
    assert mixed["served"] > 0 and mixed["errors"] == 0
    assert mixed["audit"]["actual"] == mixed["audit"]["expected"] > 0
    assert mixed["records"]["actual"] == mixed["records"]["saves"] > 0
    # The server and its workers are gone.
    assert len(result["server_pids"]) == 2  # the master and its worker
    assert not [pid for pid in result["server_pids"] if Path(f"/proc/{pid}").exists()]

    compared = subprocess.run(
        [sys.executable, "-m", "django", "bench_http", "--compare", "tiny.json", "tiny.json"], **run
    )
    assert compared.returncode == 0, compared.stderr
    assert "P5 scale-flatness" in compared.stdout and "×1.00" in compared.stdout


def test_the_profile_report_buckets_samples_taken_inside_requests(tmp_path):
    handler = "inner (/v/site-packages/django/core/handlers/exception.py:55)"
    view = "case_detail (/r/tsunagu/cases/views.py:80)"
    middleware = "middleware (/r/tsunagu/core/middleware.py:40)"
    raw = tmp_path / "raw.txt"
    raw.write_text(
        "\n".join(
            [
                f"process 1:gunicorn;{handler};{middleware};{view};execute (/v/site-packages/psycopg/cursor.py:9) 6",
                f"process 1:gunicorn;{handler};{view};_fetch_all (/v/site-packages/django/db/models/query.py:1) 3",
                f"process 1:gunicorn;{handler};{view};render (/v/site-packages/django/template/base.py:1) 2",
                f"process 1:gunicorn;{handler};{view} 1",
                f"process 1:gunicorn;{handler};{middleware};save (/v/site-packages/django/contrib/sessions/db.py:1) 1",
                "process 1:gunicorn;wait (/v/site-packages/gunicorn/workers/sync.py:30) 50",
            ]
        ),
        encoding="utf-8",
    )
    result = analyse(raw)
    assert result["samples"] == 13  # the worker waiting for a request is not counted
    assert result["buckets"] == {"database": 6, "ORM": 3, "templates": 2, "application": 1, "framework": 1}
    assert result["functions"][0] == ("case_detail (cases/views.py)", 12)


@pytest.mark.django_db
def test_the_benchmark_refuses_a_database_with_unapplied_migrations(monkeypatch):
    """A population filled before the latest migrations would answer 500 on the pages they touch
    (seen on a ward database after a merge): the command says what to do instead."""
    from django.core.management import CommandError, call_command
    from django.db.migrations.executor import MigrationExecutor

    monkeypatch.setattr(MigrationExecutor, "migration_plan", lambda self, targets: [("cases", "0099_next")])
    with pytest.raises(CommandError, match="マイグレーション"):
        call_command("bench_http", "--users", "0")

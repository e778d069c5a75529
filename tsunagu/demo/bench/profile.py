"""Where a page's time goes: py-spy on the running gunicorn worker.

    py-spy record --subprocesses --idle --rate 200 --format raw -o case.txt -- \
        python manage.py bench_http --profile case --seconds 30
    python manage.py bench_http --profile-report case.txt

``--profile PAGE`` starts the server with one worker and requests the page in a loop while
py-spy samples every process (idle samples included, so time waiting for PostgreSQL counts).
The report keeps only samples taken inside a request (Django's handler on the stack: the
worker serving, not the client, the command or the worker waiting for the next request). Each sample goes to the first
matching bucket, innermost frame first:

- database: in the driver (psycopg, sqlite3) or Django's backend: sending, waiting, fetching;
- ORM: building SQL and making model objects (django/db/models);
- templates: Django's template engine, with the project's own tags and filters named;
- application: the project's Python (views, selectors, access, services);
- framework: the rest (middleware, sessions, auth, request and response, gunicorn).
"""

import time
from collections import Counter
from pathlib import Path

BUCKETS = ("database", "ORM", "templates", "application", "framework")


def bucket(frames: list[str]) -> str:
    for frame in reversed(frames):  # innermost first
        if "psycopg" in frame or "sqlite3" in frame or "django/db/backends" in frame:
            return "database"
    for frame in reversed(frames):
        if "django/db/models" in frame:
            return "ORM"
    for frame in reversed(frames):
        if "django/template/" in frame or "/templatetags/" in frame:
            return "templates"
    for frame in reversed(frames):
        if "tsunagu/" in frame and "tsunagu/core/timing" not in frame:
            return "application"
    return "framework"


def analyse(raw: Path) -> dict:
    """Buckets, and the project's functions by inclusive samples (what the time is spent under)."""
    buckets: Counter[str] = Counter()
    inclusive: Counter[str] = Counter()
    total = 0
    for line in raw.read_text(encoding="utf-8", errors="replace").splitlines():
        stack, _, count_text = line.rpartition(" ")
        if not stack or not count_text.isdigit():
            continue
        frames = stack.split(";")
        if not any("django/core/handlers" in frame for frame in frames):
            continue  # not serving a request
        count = int(count_text)
        total += count
        buckets[bucket(frames)] += count
        for name in {_short(frame) for frame in frames if "tsunagu/" in frame and "tsunagu/core/timing" not in frame}:
            inclusive[name] += count
    return {"samples": total, "buckets": dict(buckets), "functions": inclusive.most_common(25)}


def _short(frame: str) -> str:
    # "render (tsunagu/cases/templatetags/cases.py:12)" -> "render (cases/templatetags/cases.py)"
    name, _, where = frame.partition(" (")
    path = where.split("tsunagu/", 1)[-1].split(":", 1)[0]
    return f"{name} ({path})"


def lines(result: dict) -> list[str]:
    total = result["samples"] or 1
    out = [f"{result['samples']} samples inside requests"]
    out.append("  " + ", ".join(f"{name} {100 * result['buckets'].get(name, 0) / total:.0f}%" for name in BUCKETS))
    out.append("  the project's functions, by share of request time spent inside them:")
    for name, count in result["functions"][:15]:
        out.append(f"    {100 * count / total:5.1f}%  {name}")
    return out


def loop(fetch, seconds: float) -> int:
    deadline = time.monotonic() + seconds
    done = 0
    while time.monotonic() < deadline:
        fetch()
        done += 1
    return done

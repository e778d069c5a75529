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
- framework: the rest (middleware, the project's own included, sessions, auth, request and
  response, gunicorn).
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
    if any(_ours(frame) for frame in frames):
        return "application"
    return "framework"


# The project's plumbing around every view counts as framework: middleware, the access decorator.
PLUMBING = ("tsunagu/core/middleware.py", "tsunagu/audit/middleware.py", "tsunagu/core/timing.py", "wrapped (")


def _ours(frame: str) -> bool:
    return "tsunagu/" in frame and not frame.startswith("process ") and not any(p in frame for p in PLUMBING)


def analyse(raw: Path) -> dict:
    """Buckets, and the project's functions by inclusive samples (what the time is spent under)."""
    buckets: Counter[str] = Counter()
    inclusive: Counter[str] = Counter()
    issued: Counter[tuple[str, str]] = Counter()
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
        kind = bucket(frames)
        buckets[kind] += count
        innermost = next((_short(frame) for frame in reversed(frames) if _ours(frame)), None) or next(
            (_django(frame) for frame in reversed(frames) if "/django/" in frame and "/db/" not in frame), "—"
        )
        issued[(kind, innermost)] += count
        for name in {_short(frame) for frame in frames if _ours(frame)}:
            inclusive[name] += count
    return {
        "samples": total,
        "buckets": dict(buckets),
        "functions": inclusive.most_common(25),
        "innermost": [(kind, name, count) for (kind, name), count in issued.most_common(20)],
    }


def _django(frame: str) -> str:
    name, _, where = frame.partition(" (")
    return f"{name} (django/{where.split('/django/', 1)[-1].split(':', 1)[0]})"


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
    out.append("  by bucket and the innermost project function on the stack (who asked for it):")
    for kind, name, count in result["innermost"][:15]:
        out.append(f"    {100 * count / total:5.1f}%  {kind:<11} {name}")
    return out


def loop(fetch, seconds: float) -> int:
    deadline = time.monotonic() + seconds
    done = 0
    while time.monotonic() < deadline:
        fetch()
        done += 1
    return done

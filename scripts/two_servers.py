"""Two app servers behind one address, without code changes (docs/production.md, "A second app server").

    .venv/bin/python scripts/two_servers.py                       # a fresh SQLite file in a temp dir
    .venv/bin/python scripts/two_servers.py --database-url postgres://postgres@127.0.0.1:5432/tsunagu_two

The database given must be a scratch one: the script migrates it and loads the demo data.
``DATABASE_URL`` from the environment is ignored on purpose, so that it never seeds a real one.

It starts two gunicorn processes (A and B) with production settings (``TSUNAGU_PRODUCTION=1``,
DEBUG off, one SECRET_KEY for both, Secure cookies; the script plays the TLS proxy on the loopback
as the HTTP benchmark does: ``TSUNAGU_BEHIND_TLS_PROXY=1`` and ``X-Forwarded-Proto: https``) on two
ports against the same database and the same shared cache (Redis at ``REDIS_URL`` or
127.0.0.1:6379/15 when one answers, else the database cache production falls back to), then shows:

1. a person signed in through A's login form (CSRF) opens a staff page on B with the same cookie;
2. a progress record saved on B (form POST with its CSRF token) is read on A;
3. a session ended (signed out) on A is ended on B;
4. the public form's rate limit is counted once for both: after A refuses, B refuses too.

Exit status 0 when every step held; the processes are stopped whatever happens.
"""

import argparse
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import requests  # noqa: E402

from tsunagu.demo.bench import formparse  # noqa: E402
from tsunagu.demo.bench.client import SUMMARY, is_saved, new_session, proxy_headers, sign_in  # noqa: E402

PASSWORD = "tsunagu-demo-2026"  # noqa: S105 (the demo users', seed_demo)
CASE_LINK = re.compile(r'href="/staff/cases/(\d+)/"')


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def redis_answers(url: str) -> bool:
    match = re.match(r"redis://([^:/]+)(?::(\d+))?", url)
    if not match:
        return False
    try:
        with socket.create_connection((match.group(1), int(match.group(2) or 6379)), timeout=1) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def start(name: str, env: dict[str, str], log: Path) -> tuple[subprocess.Popen, str]:
    """gunicorn as docs/production.md runs it (sync workers, loopback bind, timeouts)."""
    port = free_port()
    command = [sys.executable, "-m", "gunicorn", "tsunagu.wsgi", "--workers", "2", "--bind", f"127.0.0.1:{port}"]
    command += ["--timeout", "30", "--graceful-timeout", "20", "--forwarded-allow-ips", "127.0.0.1"]
    process = subprocess.Popen(  # noqa: S603 (our own fixed command)
        command,
        cwd=ROOT,
        env=env,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group, so stop() reaches the workers
    )
    print(f"server {name}: pid {process.pid}, http://127.0.0.1:{port}")
    return process, f"http://127.0.0.1:{port}"


def wait_ready(process: subprocess.Popen, base_url: str, log: Path, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited ({process.returncode}):\n{log.read_text(errors='replace')[-2000:]}")
        try:
            if requests.get(f"{base_url}/staff/login/", headers=proxy_headers(base_url), timeout=2).status_code == 200:
                return
        except requests.RequestException:
            time.sleep(0.1)
    raise RuntimeError(f"{base_url} did not answer within {timeout:.0f} s")


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)  # graceful stop of the master and its workers
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def check(condition: bool, what: str) -> None:
    print(("ok    " if condition else "FAILED ") + what)
    if not condition:
        raise SystemExit(1)


def public_submission(session: requests.Session, base_url: str, n: int) -> int:
    """Send the public consultation form once (its own CSRF token and submission key); the status."""
    page = session.get(f"{base_url}/consult/", headers=proxy_headers(base_url), timeout=30)
    page.raise_for_status()
    fields = formparse.form(page.text, "public-form")
    data = formparse.defaults(fields)
    data["contact_type"] = formparse.options(fields, "contact_type")[:1]
    data["contact_preference"] = formparse.options(fields, "contact_preference")[-1:]  # no contact wanted
    data["summary"] = [f"二台のサーバーの確認 {n}"]
    headers = proxy_headers(base_url) | {"Referer": f"{base_url.replace('http://', 'https://')}/consult/"}
    response = session.post(f"{base_url}/consult/", data=data, headers=headers, timeout=30, allow_redirects=False)
    return response.status_code


def demonstrate(a: str, b: str, store: str, setup: dict[str, str]) -> None:
    def code(username: str) -> str:
        """The code of the demo user's authenticator app (manage.py demo_code, development only)."""
        return subprocess.run(
            [sys.executable, "manage.py", "demo_code", username],
            cwd=ROOT,
            env=setup,
            check=True,
            capture_output=True,
            text=True,
        ).stdout.strip()

    # 1. Sign in through A's real login form and its second factor; the same cookie opens a staff page on B.
    person = sign_in(a, "caseworker", PASSWORD, code)
    home_b = person.get(f"{b}/staff/", headers=proxy_headers(b), timeout=30, allow_redirects=False)
    check(home_b.status_code == 200 and "/staff/logout/" in home_b.text, "signed in on A, staff page on B: 200")
    listed = person.get(f"{b}/staff/cases/", headers=proxy_headers(b), timeout=30)
    cases = list(dict.fromkeys(CASE_LINK.findall(listed.text)))
    check(listed.status_code == 200 and bool(cases), "the case list on B: 200, with the caseworker's cases")

    # 2. Save a progress record on B (the form's own CSRF token and submission key); read it on A.
    marker = f"{SUMMARY}（サーバーBで保存 {secrets.token_hex(4)}）"
    for case in cases[:10]:  # the first case this caseworker may write a record on
        form = person.get(f"{b}/staff/records/cases/{case}/new/", headers=proxy_headers(b), timeout=30)
        if form.status_code == 200:
            break
    check(form.status_code == 200, f"record form of case {case} on B: 200")
    cases = [case]
    save = person.post(
        f"{b}/staff/records/cases/{cases[0]}/new/",
        data=formparse.record_form_data(form.text, marker),
        headers=proxy_headers(b),
        timeout=30,
        allow_redirects=False,
    )
    check(is_saved(save.status_code, save.headers), f"record saved on B (HTTP {save.status_code})")
    case_a = person.get(f"{a}/staff/cases/{cases[0]}/", headers=proxy_headers(a), timeout=30)
    check(case_a.status_code == 200 and marker in case_a.text, "the record saved on B is on the case page on A")

    # 3. Sign out on A: the session is ended on B too.
    token = person.cookies.get("csrftoken", "")
    out = person.post(
        f"{a}/staff/logout/", headers=proxy_headers(a) | {"X-CSRFToken": token}, timeout=30, allow_redirects=False
    )
    check(out.status_code == 302, f"signed out on A (HTTP {out.status_code})")
    after = person.get(f"{b}/staff/", headers=proxy_headers(b), timeout=30, allow_redirects=False)
    check(
        after.status_code == 302 and "/staff/login/" in after.headers.get("Location", ""),
        "the session ended on A is refused on B (302 to the login page)",
    )

    # 4. The public form's limit (PUBLIC_FORM_RATE=2/h per address) is one count for both servers.
    visitor = new_session(a)  # keeps the Secure CSRF cookie on the loopback hop
    first_b = public_submission(visitor, b, 1)
    statuses_a = []
    while len(statuses_a) < 3 and (not statuses_a or statuses_a[-1] != 429):
        statuses_a.append(public_submission(visitor, a, len(statuses_a) + 2))
    then_b = public_submission(visitor, b, 9)
    print(f"      public form ({store}): B {first_b}, then A {statuses_a}, then B {then_b}")
    if first_b == 429:
        print("      (the count for this address was already used up in this hour: a run shortly before)")
    else:
        check(first_b in (200, 302) and statuses_a[:1] != [429], "the first submissions are accepted")
        check(statuses_a[-1] == 429 and len(statuses_a) == 2, "A refuses the submission B's counted one made too many")
    check(then_b == 429, "after A refused, B refuses too: the limit is shared")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", help="a scratch PostgreSQL database (migrated and seeded with demo data)")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="tsunagu-two-servers-"))
    base = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "MIGRATE_DATABASE_URL", "REDIS_URL"}}
    base["TSUNAGU_DATA_DIR"] = str(work)  # the SQLite file when no --database-url; nothing else is written
    if args.database_url:
        base["DATABASE_URL"] = args.database_url
    redis_url = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/15"
    store = "database cache table tsunagu_cache"
    if redis_answers(redis_url):
        base["REDIS_URL"] = redis_url
        store = f"Redis {redis_url}"
    print(f"database: {args.database_url or work / 'tsunagu.sqlite3'}; shared cache: {store}")

    setup = base | {"TSUNAGU_PRODUCTION": "0", "SECRET_KEY": secrets.token_urlsafe(50)}
    for command in (["migrate", "-v", "0"], ["load_reference"], ["seed_demo", "--households", "12"]):
        subprocess.run(  # noqa: S603 (manage.py with fixed arguments)
            [sys.executable, "manage.py", *command], cwd=ROOT, env=setup, check=True, stdout=subprocess.DEVNULL
        )

    env = base | {
        "TSUNAGU_PRODUCTION": "1",
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),  # the same key on every app server
        "ALLOWED_HOSTS": "127.0.0.1",
        "TSUNAGU_BEHIND_TLS_PROXY": "1",
        "PUBLIC_FORM_RATE": "2/h",
        "LOG_LEVEL": "WARNING",
    }
    processes = []
    try:
        servers = []
        for name in ("A", "B"):
            log = work / f"gunicorn-{name}.log"
            process, url = start(name, env, log)
            processes.append(process)
            servers.append((process, url, log))
        for process, url, log in servers:
            wait_ready(process, url, log)
        demonstrate(servers[0][1], servers[1][1], store, setup)
    finally:
        for process in processes:
            stop(process)
    shutil.rmtree(work, ignore_errors=True)  # kept, with the servers' logs, when a step failed
    print("two app servers, one database and one cache: every step held")
    return 0


if __name__ == "__main__":
    sys.exit(main())

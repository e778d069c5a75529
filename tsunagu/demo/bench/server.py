"""A production-like app server for the benchmark: gunicorn, sync workers, production settings.

Production mode sets Secure cookies and redirects plain HTTP to HTTPS. In production a proxy in
front terminates TLS; here the benchmark plays that proxy on the loopback: the server runs with
``TSUNAGU_BEHIND_TLS_PROXY=1`` (it trusts ``X-Forwarded-Proto``, as it must behind a real proxy),
and the client sends ``X-Forwarded-Proto: https`` and keeps Secure cookies on the loopback hop
(``client.py``). Nothing in the server is relaxed: DEBUG off, a fresh random SECRET_KEY, Secure
cookies, CSRF with the HTTPS referer check, HSTS.
"""

import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import requests
from django.conf import settings

from tsunagu.demo.bench.client import new_session


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def server_environment(base: dict[str, str] | None = None) -> dict[str, str]:
    env = dict(os.environ if base is None else base)
    env.update(
        TSUNAGU_PRODUCTION="1",
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="127.0.0.1",
        TSUNAGU_BEHIND_TLS_PROXY="1",
        TSUNAGU_SERVER_TIMING="1",
        LOG_LEVEL="WARNING",  # refused requests (CSRF, 404) explain themselves in the log,
    )
    return env


@dataclass
class Server:
    process: subprocess.Popen
    port: int
    log: Path

    @property
    def access_log(self) -> Path:
        return access_log(self.log)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def worker_pids(self) -> list[int]:
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        try:
            return [int(pid) for pid in children.read_text().split()]
        except OSError:
            return []

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)  # gunicorn: graceful stop of master and workers
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()


def access_log(log: Path) -> Path:
    return log.with_name("access.log")


def start(*, workers: int, log: Path, timeout: float = 60.0) -> Server:
    port = free_port()
    handle = log.open("wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--config", "tsunagu/demo/bench/gunicorn_conf.py", "tsunagu.wsgi"],
        cwd=settings.BASE_DIR,
        env=server_environment()
        | {
            "TSUNAGU_BENCH_PORT": str(port),
            "TSUNAGU_BENCH_WORKERS": str(workers),
            "TSUNAGU_BENCH_ACCESS_LOG": str(access_log(log)),
        },
        stdout=handle,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group: stop() can reach every worker
    )
    server = Server(process=process, port=port, log=log)
    deadline = time.monotonic() + timeout
    probe = new_session(server.base_url)
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited ({process.returncode}):\n{log.read_text(errors='replace')[-3000:]}")
        try:
            response = probe.get(f"{server.base_url}/staff/login/", timeout=5)
            if response.status_code == 200 and len(server.worker_pids()) >= workers:
                return server
        except requests.RequestException:
            pass
        time.sleep(0.2)
    server.stop()
    raise RuntimeError(f"gunicorn did not answer within {timeout:.0f} s:\n{log.read_text(errors='replace')[-3000:]}")

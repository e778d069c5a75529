"""Signed-in HTTP sessions against the benchmark server, through the real login form.

The server is in production mode behind a (pretend) TLS proxy (``server.py``): every request says
``X-Forwarded-Proto: https``, state-changing ones carry the HTTPS ``Origin``/``Referer`` Django's
CSRF check demands, and the cookie jar keeps Secure cookies on the plain loopback hop, as the
hop behind a TLS-terminating proxy does.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass

import requests

from tsunagu.demo.bench import formparse

CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def proxy_headers(base_url: str) -> dict[str, str]:
    origin = base_url.replace("http://", "https://", 1)
    return {"X-Forwarded-Proto": "https", "Origin": origin, "Referer": origin + "/staff/login/"}


def new_session(base_url: str) -> requests.Session:
    session = LoopbackSession()
    session.headers.update(proxy_headers(base_url))
    return session


class LoopbackSession(requests.Session):
    """requests sends a Secure cookie only over https (it copies the jar into a fresh one for
    every request, so a cookie policy cannot change that): after each response, the cookies it
    set are marked sendable on this hop."""

    def request(self, *args, **kwargs):
        response = super().request(*args, **kwargs)
        for cookie in self.cookies:
            cookie.secure = False
        return response


def sign_in(base_url: str, username: str, password: str, code: Callable[[str], str]) -> requests.Session:
    """Sign in through /staff/login/ (GET the form and its CSRF token, POST it), then the second
    factor with ``code(username)``, the code of the account's authenticator app, one request at a
    time (each response's Secure cookies are made sendable on the loopback hop before the next);
    raise unless the staff home page answers 200 with the session cookie."""
    session = new_session(base_url)

    def post_form(url: str, data: dict[str, str]) -> requests.Response:
        form = session.get(url, timeout=30, allow_redirects=False)
        form.raise_for_status()
        match = CSRF_INPUT.search(form.text)
        if match is None:
            raise RuntimeError(f"{url} has no CSRF token")
        referer = {"Referer": url.replace("http://", "https://", 1)}
        data = data | {"csrfmiddlewaretoken": match.group(1)}
        return session.post(url, data=data, headers=referer, timeout=30, allow_redirects=False)

    response = post_form(f"{base_url}/staff/login/", {"username": username, "password": password})
    step = response.headers.get("Location", "")
    if response.status_code != 302 or not step.startswith("/staff/second-factor/"):
        raise RuntimeError(f"could not sign in as {username} (HTTP {response.status_code}, {step})")
    response = post_form(f"{base_url}{step}", {"code": code(username)})
    home = session.get(f"{base_url}/staff/", timeout=30, allow_redirects=False)
    if response.status_code != 302 or home.status_code != 200 or "sessionid" not in session.cookies:
        status = f"HTTP {response.status_code}, then {home.status_code}"
        raise RuntimeError(f"{username}: the second factor was refused ({status})")
    return session


@dataclass(frozen=True)
class Sample:
    status: int
    client_ms: float
    server_ms: float | None
    db_ms: float | None
    queries: int | None


SERVER_TIMING = re.compile(r"(\w+);dur=([0-9.]+)")


def fetch(session: requests.Session, url: str, form: dict[str, str] | None = None) -> Sample:
    """GET the page, or POST ``form`` to it with the session's CSRF token (the person search)."""
    if form is None:
        return sample(session.get(url, timeout=60, allow_redirects=False))
    headers = {"X-CSRFToken": session.cookies.get("csrftoken", "")}
    return sample(session.post(url, data=form, headers=headers, timeout=60, allow_redirects=False))


def sample(response: requests.Response) -> Sample:
    timings = {name: float(value) for name, value in SERVER_TIMING.findall(response.headers.get("Server-Timing", ""))}
    queries = response.headers.get("X-Tsunagu-Queries")
    return Sample(
        status=response.status_code,
        client_ms=response.elapsed.total_seconds() * 1000,
        server_ms=timings.get("app"),
        db_ms=timings.get("db"),
        queries=int(queries) if queries is not None else None,
    )


SUMMARY = "訪問。本人は自室から出て玄関先で短く話せた。次回も同じ曜日に訪問する。"


@dataclass(frozen=True)
class Save:
    form: Sample
    post: Sample
    saved: bool  # the server answered the save's redirect to the case's timeline
    body: str  # the POST as sent, for a replay


def open_record_form(session: requests.Session, base_url: str, form_path: str) -> tuple[Sample, str | None]:
    """GET a progress record's form; with it, the POST body a caseworker would send after a home
    visit (the form's own CSRF token and submission key), or None if the form did not answer 200."""
    form = session.get(base_url + form_path, timeout=60, allow_redirects=False)
    if form.status_code != 200:
        return sample(form), None
    return sample(form), formparse.encode(formparse.record_form_data(form.text, SUMMARY))


def post_record(session: requests.Session, base_url: str, form_path: str, body: str, *, form: Sample) -> Save:
    response = session.post(
        base_url + form_path,
        data=body,
        headers={"Content-Type": "application/x-www-form-urlencoded"},
        timeout=60,
        allow_redirects=False,
    )
    return Save(form=form, post=sample(response), saved=is_saved(response.status_code, response.headers), body=body)


def is_saved(status: int, headers) -> bool:
    """The record view's answer to a save: 302 to the case page's timeline."""
    location = headers.get("Location") or ""
    return status == 302 and "/cases/" in location and location.endswith("#timeline")

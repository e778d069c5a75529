"""The benchmark's switches: Server-Timing and the query count (tsunagu/core/timing.py), and
trusting X-Forwarded-Proto behind a TLS-terminating proxy. Both are off unless asked for."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import override_settings

ROOT = Path(__file__).resolve().parents[3]
TIMING = "tsunagu.core.timing.server_timing_middleware"


@pytest.mark.django_db
def test_server_timing_reports_the_time_and_the_queries_of_the_request(client, settings):
    with override_settings(MIDDLEWARE=[TIMING, *settings.MIDDLEWARE]):
        response = client.get("/staff/login/")
    assert response.status_code == 200
    app, db = (part.strip() for part in response.headers["Server-Timing"].split(","))
    assert app.startswith("app;dur=") and float(app.removeprefix("app;dur=")) > 0
    assert db.startswith("db;dur=")
    assert int(response.headers["X-Tsunagu-Queries"]) >= 0


@pytest.mark.django_db
def test_server_timing_is_off_by_default(client, settings):
    assert TIMING not in settings.MIDDLEWARE
    assert "Server-Timing" not in client.get("/staff/login/").headers


def read_settings(**env: str) -> str:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("TSUNAGU_", "DJANGO_"))}
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import tsunagu.settings as s; "
            "print(getattr(s, 'SECURE_PROXY_SSL_HEADER', None), "
            "'tsunagu.core.timing.server_timing_middleware' in s.MIDDLEWARE)",
        ],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_the_proxy_header_and_the_timing_are_trusted_only_when_switched_on():
    assert read_settings() == "None False"
    assert read_settings(TSUNAGU_BEHIND_TLS_PROXY="1", TSUNAGU_SERVER_TIMING="1") == (
        "('HTTP_X_FORWARDED_PROTO', 'https') True"
    )


@pytest.mark.django_db
def test_a_hidden_and_a_missing_case_answer_alike_with_server_timing_on(world, users, settings):
    """The work done differs (the door reads the hidden case before refusing it), so the
    figures would tell a hidden case from a missing one: none are sent on an error answer."""
    from django.urls import reverse

    from tsunagu.core.tests.personas import client_for

    client = client_for(users["lead_worker"])
    with override_settings(MIDDLEWARE=[TIMING, *settings.MIDDLEWARE]):
        client.get(reverse("work:home"))
        hidden = client.get(reverse("cases:detail", kwargs={"pk": world.other_case.pk}))
        missing = client.get(reverse("cases:detail", kwargs={"pk": 999999}))
    assert hidden.status_code == missing.status_code == 404
    assert hidden.content == missing.content
    for response in (hidden, missing):
        assert "Server-Timing" not in response.headers
        assert "X-Tsunagu-Queries" not in response.headers

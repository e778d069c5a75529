"""R7: the database going away in the middle of a request (docs/quality.md).

The view has written a household and then its next query fails with ``OperationalError``. The
user gets the generic Japanese 500 page, the request's transaction (ATOMIC_REQUESTS) is rolled
back so nothing of it is kept, and the next request works, with a new connection where the old
one died. On both databases the failure is simulated at the driver boundary (an execute wrapper
raising ``OperationalError``); on PostgreSQL the server is also really made to end the request's
session (``pg_terminate_backend``) between the write and the read.
"""

import psycopg
import pytest
from django.db import OperationalError, connection
from django.test import Client
from django.urls import reverse

from tsunagu.audit.models import AccessEvent
from tsunagu.core.tests.error_urls import OUTAGE_LABEL
from tsunagu.core.tests.personas import second_factor_mark
from tsunagu.core.tests.test_error_pages import assert_plain
from tsunagu.people.models import Household

pytestmark = [pytest.mark.urls("tsunagu.core.tests.error_urls"), pytest.mark.django_db(transaction=True)]
URL = "/test-errors/write-then-read/"


@pytest.fixture(autouse=True)
def _debug_off(settings):
    settings.DEBUG = False


def terminate(pid: int) -> None:
    """End the backend ``pid`` from another session, as a database restart or a network cut does."""
    settings = connection.settings_dict
    with psycopg.connect(
        dbname="postgres",
        host=settings.get("HOST") or "127.0.0.1",
        port=str(settings.get("PORT") or 5432),
        user=settings.get("USER") or "postgres",
        password=settings.get("PASSWORD") or None,
        autocommit=True,
    ) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", [pid])


def database_goes_away(*, real: bool):
    """An execute wrapper: every query after the view's INSERT of the household fails."""
    state: dict = {"written": False, "failed": 0, "killed": None}

    def wrapper(execute, sql, params, many, context):
        if state["written"]:
            state["failed"] += 1
            if real and state["failed"] == 1:
                state["killed"] = context["connection"].connection.info.backend_pid
                terminate(state["killed"])
                return execute(sql, params, many, context)  # the server's own error
            raise OperationalError("server closed the connection unexpectedly")
        result = execute(sql, params, many, context)
        if sql.startswith('INSERT INTO "people_household"'):
            state["written"] = True
        return result

    return wrapper, state


def signed_in(user) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(user)
    second_factor_mark(client, user)
    return client


def check_outage(desk, *, real: bool) -> dict:
    client = signed_in(desk)
    events = AccessEvent.objects.count()
    wrapper, state = database_goes_away(real=real)
    with connection.execute_wrapper(wrapper):
        response = client.post(URL)
    assert state["written"] and state["failed"] >= 1

    # The generic error page, nothing of the failure.
    assert response.status_code == 500
    page = response.content.decode()
    assert "<h1>エラーが発生しました</h1>" in page
    assert "入力中の内容は保存されていない可能性があります" in page
    assert_plain(page)
    assert "server closed" not in page and "terminat" not in page

    # Rolled back: the household written before the failure is not there, nor any trail of it.
    assert not Household.objects.filter(label=OUTAGE_LABEL).exists()
    assert AccessEvent.objects.count() == events

    # The database is back: the same request now succeeds and is kept, and pages work.
    response = client.post(URL)
    assert response.status_code == 200
    assert response.content == b"1"
    assert Household.objects.filter(label=OUTAGE_LABEL).count() == 1
    assert client.get(reverse("work:home")).status_code == 200
    return state


def test_a_database_error_after_a_write_shows_the_error_page_keeps_nothing_and_the_next_request_works(desk):
    check_outage(desk, real=False)


@pytest.mark.postgres_only
def test_the_server_ending_the_session_mid_request_is_survived_with_a_new_connection(desk):
    state = check_outage(desk, real=True)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        assert cursor.fetchone()[0] != state["killed"]  # a new session, opened by Django itself

"""Idle and absolute session timeouts (issue 8, defect 8).

The desk queue refreshes itself every 60 s. Such a background refresh must not keep a session
alive: only a person's action resets the idle timer. And the refresh writes an access event only
when it shows something the user has not been shown yet.
"""

import datetime as dt

import pytest
import time_machine
from django.test import override_settings
from django.urls import reverse

from tsunagu.audit.models import AccessEvent
from tsunagu.core.middleware import POLL_HEADER
from tsunagu.core.tests.personas import client_for
from tsunagu.intake.tests.factories import consultation_make

pytestmark = pytest.mark.dates

T0 = dt.datetime(2026, 11, 30, 9, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _today():
    """Fixtures are built a few minutes before T0 (clock ticking), whatever day the suite runs:
    the world's rows must be older than the tests' polls at T0."""
    with time_machine.travel(T0 - dt.timedelta(minutes=5)):
        yield


POLL = {"HX-Request": "true", POLL_HEADER: "1"}
IDLE_MESSAGE = "一定時間操作がなかったため、ログアウトしました"


def queue_events(user) -> int:
    return AccessEvent.objects.filter(user=user, object_type="consultation", action="list").count()


def test_the_queue_marks_its_refresh_as_a_poll(world, desk):
    page = client_for(desk).get(reverse("intake:queue")).content.decode()
    assert 'hx-trigger="every 60s"' in page
    assert POLL_HEADER in page  # hx-headers on the polling element


@pytest.mark.django_db
@override_settings(SESSION_IDLE_SECONDS=30 * 60)
def test_polling_every_minute_for_31_minutes_logs_out(world, desk):
    with time_machine.travel(T0, tick=False) as clock:
        client = client_for(desk)
        assert client.get(reverse("intake:queue")).status_code == 200  # a person opens the queue
        for _minute in range(30):
            clock.shift(60)
            poll = client.get(reverse("intake:queue"), headers=POLL)
            assert poll.status_code == 200 and "HX-Redirect" not in poll
        clock.shift(60)
        poll = client.get(reverse("intake:queue"), headers=POLL)
        # htmx is told to load the login page in the window, not to swap it into the table.
        assert poll["HX-Redirect"].startswith(reverse("login"))
        assert "<html" not in poll.content.decode()
        page = client.get(reverse("intake:queue"))
        assert page.status_code == 302 and page["Location"].startswith(reverse("login"))
        login = client.get(page["Location"])
        assert IDLE_MESSAGE in login.content.decode()
        assert "_auth_user_id" not in client.session


@pytest.mark.django_db
@override_settings(SESSION_IDLE_SECONDS=30 * 60)
def test_a_persons_click_resets_the_idle_timer(world, desk):
    with time_machine.travel(T0, tick=False) as clock:
        client = client_for(desk)
        client.get(reverse("intake:queue"))
        for _minute in range(20):
            clock.shift(60)
            client.get(reverse("intake:queue"), headers=POLL)
        # A click (an htmx request without the poll mark counts too).
        assert client.get(reverse("intake:detail", args=[world.waiting.pk])).status_code == 200
        for _minute in range(30):
            clock.shift(60)
            assert "HX-Redirect" not in client.get(reverse("intake:queue"), headers=POLL)
        clock.shift(60)
        assert "HX-Redirect" in client.get(reverse("intake:queue"), headers=POLL)


@pytest.mark.django_db
@override_settings(SESSION_IDLE_SECONDS=30 * 60, SESSION_ABSOLUTE_SECONDS=12 * 3600)
def test_a_session_ends_after_the_absolute_limit_however_active(world, desk):
    with time_machine.travel(T0, tick=False) as clock:
        client = client_for(desk)
        for _step in range(12 * 6):
            assert client.get(reverse("work:home")).status_code == 200
            clock.shift(10 * 60)
        clock.shift(60)  # 12 h 1 min after signing in, 11 min after the last click
        response = client.get(reverse("intake:queue"))
        assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
        assert "12時間" in client.get(response["Location"]).content.decode()


@pytest.mark.django_db
def test_an_anonymous_poll_is_sent_to_the_login_page_not_swapped_into_the_table(reference):
    from django.test import Client

    response = Client().get(reverse("intake:queue"), headers=POLL)
    assert response["HX-Redirect"].startswith(reverse("login"))
    assert response.status_code == 200
    back = Client().get(
        reverse("intake:queue"), headers={**POLL, "HX-Current-URL": "http://testserver/staff/desk/?show=all"}
    )
    assert back["HX-Redirect"] == reverse("login") + "?next=/staff/desk/%3Fshow%3Dall"


@pytest.mark.django_db
@override_settings(SESSION_IDLE_SECONDS=30 * 60)
def test_a_poll_writes_no_event_when_nothing_changed(world, desk):
    with time_machine.travel(T0, tick=False) as clock:
        client = client_for(desk)
        client.get(reverse("intake:queue"))
        assert queue_events(desk) == 1
        for _minute in range(5):
            clock.shift(60)
            client.get(reverse("intake:queue"), headers=POLL)
        assert queue_events(desk) == 1
        clock.shift(60)
        arrived = consultation_make(summary="新しい相談です。")
        poll = client.get(reverse("intake:queue"), headers=POLL)
        assert arrived.reference_code in poll.content.decode()
        assert queue_events(desk) == 2
        newest = AccessEvent.objects.filter(user=desk, object_type="consultation").order_by("-id").first()
        assert arrived.pk in newest.object_ids
        clock.shift(60)
        client.get(reverse("intake:queue"), headers=POLL)
        assert queue_events(desk) == 2
        # A changed row is new data too.
        clock.shift(60)
        world.waiting.summary = "訂正しました。"
        world.waiting.save()
        client.get(reverse("intake:queue"), headers=POLL)
        assert queue_events(desk) == 3
        # A person opening the queue is always recorded.
        client.get(reverse("intake:queue"))
        assert queue_events(desk) == 4


@pytest.mark.django_db
@override_settings(SESSION_IDLE_SECONDS=30 * 60)
def test_a_poll_saves_no_session(world, desk):
    """A background refresh writes nothing for the session (no extended expiry)."""
    from django.contrib.sessions.models import Session

    with time_machine.travel(T0, tick=False) as clock:
        client = client_for(desk)
        client.get(reverse("intake:queue"))
        before = Session.objects.get(session_key=client.session.session_key).expire_date
        clock.shift(60)
        client.get(reverse("intake:queue"), headers=POLL)
        assert Session.objects.get(session_key=client.session.session_key).expire_date == before


def session_expiry(client):
    from django.contrib.sessions.models import Session

    return Session.objects.get(session_key=client.session.session_key).expire_date


@pytest.mark.django_db
@override_settings(SESSION_IDLE_SECONDS=30 * 60, SESSION_ACTIVITY_GRANULARITY_SECONDS=60)
def test_clicks_within_the_granularity_save_the_session_once(world, desk):
    """The activity time is rewritten only once it is a minute old (issue 10): a second click
    within the minute leaves the session row as it was; a click after it saves it."""
    with time_machine.travel(T0, tick=False) as clock:
        client = client_for(desk)
        client.get(reverse("intake:queue"))
        first = session_expiry(client)
        clock.shift(30)
        assert client.get(reverse("work:home")).status_code == 200
        assert session_expiry(client) == first
        clock.shift(30)
        assert client.get(reverse("work:home")).status_code == 200
        assert session_expiry(client) == first + dt.timedelta(seconds=60)


@pytest.mark.django_db
@override_settings(SESSION_IDLE_SECONDS=30 * 60, SESSION_ACTIVITY_GRANULARITY_SECONDS=60)
def test_the_idle_timeout_counts_from_the_recorded_activity(world, desk):
    """The idle timeout fires exactly SESSION_IDLE_SECONDS after the recorded activity time: a
    click that moved it by a minute moves the timeout; a click within the minute does not, so the
    session ends at most the granularity early, never late."""
    with time_machine.travel(T0, tick=False) as clock:
        moved = client_for(desk)
        moved.get(reverse("intake:queue"))
        clock.shift(60)
        moved.get(reverse("intake:queue"))  # recorded: T0 + 60 s
        clock.shift(30 * 60)
        assert "HX-Redirect" not in moved.get(reverse("intake:queue"), headers=POLL)
        clock.shift(1)
        assert "HX-Redirect" in moved.get(reverse("intake:queue"), headers=POLL)

    with time_machine.travel(T0 + dt.timedelta(hours=1), tick=False) as clock:
        within = client_for(desk)
        within.get(reverse("intake:queue"))
        clock.shift(59)
        within.get(reverse("intake:queue"))  # not recorded: the activity time stays at the first
        clock.shift(30 * 60 - 59)
        assert "HX-Redirect" not in within.get(reverse("intake:queue"), headers=POLL)
        clock.shift(1)
        assert "HX-Redirect" in within.get(reverse("intake:queue"), headers=POLL)

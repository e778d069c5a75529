"""The home page's counts: the untriaged and urgent consultations, this month's (the Tokyo month)
and the open cases, each from an index, in a fixed number of queries."""

import datetime as dt
import zoneinfo

import pytest
import time_machine
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tsunagu.cases.models import Case
from tsunagu.core.tests.personas import client_for
from tsunagu.intake.tests.factories import consultation_make
from tsunagu.work.views import HOME_STATS_SECONDS

pytestmark = pytest.mark.dates

TOKYO = zoneinfo.ZoneInfo("Asia/Tokyo")
NOW = dt.datetime(2026, 12, 1, 9, 0, tzinfo=TOKYO)


def home(user):
    with CaptureQueriesContext(connection) as captured:
        response = client_for(user).get(reverse("work:home"))
    assert response.status_code == 200
    return response.context, len(captured)


@pytest.mark.django_db
def test_home_counts_this_tokyo_month_the_untriaged_and_the_open_cases(world, users):
    with time_machine.travel(NOW, tick=False):
        desk = users["desk"]
        before, queries = home(desk)
        cache.clear()  # this month's count and the open cases are cached (test below)
        consultation_make(received_at=dt.datetime(2026, 11, 30, 23, 30, tzinfo=TOKYO))  # last month in Tokyo
        consultation_make(received_at=dt.datetime(2026, 12, 1, 0, 10, tzinfo=TOKYO), urgent=True)  # UTC: 11-30
        context, again = home(desk)
        assert context["counts"]["untriaged"] == before["counts"]["untriaged"] + 2
        assert context["counts"]["urgent"] == before["counts"]["urgent"] + 1
        assert context["counts"]["this_month"] == before["counts"]["this_month"] + 1
        assert context["open_cases"] == Case.objects.exclude(status="closed").count() == 2
        assert again == queries


@pytest.mark.django_db
def test_home_statistics_lag_at_most_their_lifetime_while_the_desk_counts_are_exact(world, users):
    with time_machine.travel(NOW, tick=False) as traveller:
        desk = users["desk"]
        before, _ = home(desk)
        consultation_make(received_at=NOW, urgent=True)
        stale, _ = home(desk)
        # The desk's queue is exact at once; the statistics are the cached ones, not yet counted.
        assert stale["counts"]["untriaged"] == before["counts"]["untriaged"] + 1
        assert stale["counts"]["urgent"] == before["counts"]["urgent"] + 1
        assert stale["counts"]["this_month"] == before["counts"]["this_month"]
        traveller.shift(HOME_STATS_SECONDS + 1)
        fresh, _ = home(desk)
        assert fresh["counts"]["this_month"] == before["counts"]["this_month"] + 1
        assert fresh["open_cases"] == Case.objects.exclude(status="closed").count()


@pytest.mark.django_db
def test_a_new_month_is_counted_afresh(users):
    # No `world`: its consultations are received at the real "now", which under faketime's
    # 2026-12-30 is in December and would be counted there (CI's date step found it).
    with time_machine.travel(dt.datetime(2026, 11, 30, 23, 58, tzinfo=TOKYO), tick=False) as traveller:
        consultation_make(received_at=dt.datetime(2026, 11, 30, 23, 0, tzinfo=TOKYO))
        november, _ = home(users["desk"])
        assert november["counts"]["this_month"] >= 1
        traveller.shift(dt.timedelta(minutes=3))  # December in Tokyo, within the cache's lifetime
        december, _ = home(users["desk"])
        assert december["counts"]["this_month"] == 0


@pytest.mark.django_db
def test_a_caseworker_home_does_not_count_the_desk_queue(world, users):
    with time_machine.travel(NOW, tick=False):
        home(users["lead_worker"])  # fills the cache
        context, queries = home(users["lead_worker"])
        assert context["counts"]["untriaged"] == 0
        _, desk_queries = home(users["desk"])
        assert queries == desk_queries - 1

"""The home page's counts: the untriaged and urgent consultations, this month's (the Tokyo month)
and the open cases, each from an index, in a fixed number of queries."""

import datetime as dt
import zoneinfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tsunagu.cases.models import Case
from tsunagu.core.tests.personas import client_for
from tsunagu.intake.tests.factories import consultation_make

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
        consultation_make(received_at=dt.datetime(2026, 11, 30, 23, 30, tzinfo=TOKYO))  # last month in Tokyo
        consultation_make(received_at=dt.datetime(2026, 12, 1, 0, 10, tzinfo=TOKYO), urgent=True)  # UTC: 11-30
        context, again = home(desk)
        assert context["counts"]["untriaged"] == before["counts"]["untriaged"] + 2
        assert context["counts"]["urgent"] == before["counts"]["urgent"] + 1
        assert context["counts"]["this_month"] == before["counts"]["this_month"] + 1
        assert context["open_cases"] == Case.objects.exclude(status="closed").count() == 2
        assert again == queries

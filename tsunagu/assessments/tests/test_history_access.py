"""The history chart reads through the case grants: whoever opens a person's assessments opens
their points on the chart (issue 9, item 3)."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from tsunagu.assessments.tests.test_views import post_new
from tsunagu.audit.models import AccessEvent
from tsunagu.cases.services import emergency_open
from tsunagu.core.tests.personas import client_for

NOW = dt.datetime(2026, 11, 28, 1, 0, tzinfo=dt.UTC)


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_an_emergency_reader_sees_the_points_of_the_history_chart(world, lead_worker, outsider):
    writer = client_for(lead_worker)
    for day, going_out, stage in (("令和8年6月1日", "8", "1"), ("令和8年11月1日", "6", "2")):
        response = post_new(writer, world, assessed_on=day, q_going_out=going_out, q_support_stage=stage)
        assert response.status_code == 302
    emergency_open(user=outsider, case=world.case, reason="夜間に母親から緊急の電話があり、担当に連絡がつかない")
    reader = client_for(outsider)
    first = world.case.assessments.filter(status="complete").order_by("pk").first()
    # the reader opens each assessment ...
    assert reader.get(reverse("assessments:detail", kwargs={"pk": first.pk})).status_code == 200
    # ... and the chart of the same assessments shows their points
    response = reader.get(reverse("assessments:history", kwargs={"person_pk": world.person.pk}))
    assert response.status_code == 200
    assert len(response.context["rows"]) == 2
    page = response.content.decode()
    assert page.count("<circle") == 4
    assert [t.label for t in response.context["chart"].ticks] == ["R8.6.1", "R8.11.1"]
    assert AccessEvent.objects.filter(user=outsider, object_type="person", basis="emergency").exists()


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_the_desk_outside_the_team_sees_no_points_and_an_outsider_no_page(world, lead_worker, desk, outsider):
    """The desk opens the person (to triage) but sees the case at the summary level only: no
    assessment on the chart. An agency with no grant gets 404."""
    post_new(client_for(lead_worker), world, assessed_on="令和8年6月1日", q_going_out="8", q_support_stage="1")
    url = reverse("assessments:history", kwargs={"person_pk": world.person.pk})
    response = client_for(desk).get(url)
    assert response.status_code == 200 and response.context["rows"] == []
    assert client_for(outsider).get(url).status_code == 404

"""Reviewer's finding (issue 8, defect 12 around the fix: pages never link to what the user may not
open). An action of a meeting is owned by a worker of an attending agency; when the organiser then
takes that agency off the meeting, the owner's work page still linked the meeting (404) and its
「完了にする」 answered 404, so the action stayed on their page for ever."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from tsunagu.agencies.models import Agency
from tsunagu.core.tests.personas import client_for
from tsunagu.meetings.models import Decision, Meeting
from tsunagu.meetings.tests.helpers import add_decision, create_meeting

NOW = dt.datetime(2026, 11, 28, 1, 0, tzinfo=dt.UTC)


@pytest.fixture
def left_meeting(world, lead_worker, outsider):
    """A 支援会議 of メルクマール and あんしんすこやかセンター経堂 with an action owned by the
    センター's worker; the センター is then taken off the meeting."""
    client = client_for(lead_worker)
    assert create_meeting(client, kind="support_art9", title="池尻地区 支援会議").status_code == 302
    meeting = Meeting.objects.get()
    response = add_decision(client, meeting, text="訪問の日程を調整する", owner=outsider.pk, due_on="令和8年12月20日")
    assert response.status_code == 302
    meeting.refresh_from_db()
    form = {
        "version": meeting.version,
        "kind": meeting.kind,
        "title": meeting.title,
        "held_on": "令和8年11月27日",
        "held_time": "14:00",
        "place": meeting.place,
        "agencies": [Agency.objects.get(code="merkmal").pk],
        "attendees": [],
        "other_attendees": "",
        "minutes": "",
    }
    assert client.post(reverse("meetings:edit", kwargs={"pk": meeting.pk}), form).status_code == 302
    assert client_for(outsider).get(reverse("meetings:detail", kwargs={"pk": meeting.pk})).status_code == 404
    return meeting


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_the_work_page_names_the_meeting_without_a_link_the_owner_cannot_open(left_meeting, outsider, lead_worker):
    page = client_for(outsider).get(reverse("work:my_work")).content.decode()
    assert "訪問の日程を調整する" in page and left_meeting.title in page
    assert reverse("meetings:detail", kwargs={"pk": left_meeting.pk}) not in page
    # the organiser, who still opens it, gets the link on the meeting's own actions
    assert client_for(lead_worker).get(reverse("meetings:detail", kwargs={"pk": left_meeting.pk})).status_code == 200


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize("next_page", ["work", ""])
def test_the_owner_can_still_mark_the_action_done_and_lands_on_the_work_page(left_meeting, outsider, next_page):
    decision = Decision.objects.get()
    response = client_for(outsider).post(
        reverse("meetings:decision_done", kwargs={"pk": decision.pk}), {"version": decision.version, "next": next_page}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("work:my_work") + "#actions"
    decision.refresh_from_db()
    assert decision.done_by == outsider and decision.done_at is not None


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_nobody_else_outside_the_meeting_marks_an_action_done(left_meeting, users):
    decision = Decision.objects.get()
    for name in ("desk", "secretariat"):  # not attending; メルクマール organises it
        response = client_for(users[name]).post(
            reverse("meetings:decision_done", kwargs={"pk": decision.pk}), {"version": decision.version}
        )
        assert response.status_code == 404, name
    decision.refresh_from_db()
    assert decision.done_at is None

"""Reviewer's finding (issue 8, defect 9 around the fix: "record every read with its basis, case and
persons"). The reads of a meeting page (its minutes, the discussed cases' summaries, its
decisions), of a referral and of a consultation were recorded with the case but no basis, so
「このケースを見た人」 listed those readers a second time with the basis 「—」."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from tsunagu.audit.models import AccessEvent
from tsunagu.core.tests.personas import client_for
from tsunagu.meetings.models import Meeting
from tsunagu.meetings.tests.helpers import add_case, add_decision, create_meeting
from tsunagu.referrals.models import Referral
from tsunagu.referrals.tests.helpers import send

NOW = dt.datetime(2026, 11, 28, 1, 0, tzinfo=dt.UTC)  # 令和8年11月28日 10:00 Tokyo


def events_of(user, before):
    return list(AccessEvent.objects.filter(user=user, pk__gt=before, action="view").order_by("pk"))


def last_id():
    return AccessEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_a_meeting_page_read_is_recorded_under_the_meeting_basis(world, lead_worker, outsider):
    client = client_for(lead_worker)
    assert create_meeting(client, kind="support_art9").status_code == 302
    meeting = Meeting.objects.get()
    assert add_case(client, meeting, world.case).status_code == 302
    assert (
        add_decision(client, meeting, case=world.case.pk, owner=outsider.pk, due_on="令和8年12月20日").status_code
        == 302
    )
    before = last_id()
    assert client_for(outsider).get(reverse("meetings:detail", kwargs={"pk": meeting.pk})).status_code == 200
    events = events_of(outsider, before)
    assert {e.object_type for e in events} == {"meeting", "case", "decision"}
    assert all(e.case_id == world.case.pk and e.basis == "meeting" for e in events), [
        (e.object_type, e.case_id, e.basis) for e in events
    ]
    before = last_id()
    assert client_for(outsider).get(reverse("work:my_work")).status_code == 200
    decisions = [e for e in events_of(outsider, before) if e.object_type == "decision"]
    assert decisions and all(e.basis == "meeting" for e in decisions)
    # the case page lists the outsider once, under 会議（概要）, never under 「—」
    page = client_for(lead_worker).get(reverse("cases:detail", kwargs={"pk": world.case.pk}))
    readers = [row for row in page.context["viewers"].rows if row["user_id"] == outsider.pk]
    assert [row["basis_label"] for row in readers] == ["会議（概要）"]


@pytest.mark.django_db
def test_a_referral_read_is_recorded_under_the_referral_basis(world, lead_worker, outsider):
    with time_machine.travel(NOW, tick=False):
        assert send(client_for(lead_worker), world).status_code == 302
        referral = Referral.objects.get()
        before = last_id()
        assert client_for(outsider).get(reverse("referrals:detail", kwargs={"pk": referral.pk})).status_code == 200
    events = [e for e in events_of(outsider, before) if e.object_type == "referral"]
    assert events and all(e.case_id == world.case.pk and e.basis == "referral" for e in events)


@pytest.mark.django_db
@pytest.mark.parametrize(("persona", "basis"), [("lead_worker", "team"), ("desk", "desk")])
def test_a_consultation_read_is_recorded_with_its_basis(world, users, persona, basis):
    before = last_id()
    url = reverse("intake:detail", kwargs={"pk": world.consultation.pk})
    assert client_for(users[persona]).get(url).status_code == 200
    events = [e for e in events_of(users[persona], before) if e.object_type == "consultation"]
    assert [(e.case_id, e.basis) for e in events] == [(world.case.pk, basis)]

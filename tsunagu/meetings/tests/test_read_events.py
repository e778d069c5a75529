"""Issue 8 (9): every read of a meeting page or of a decision is recorded with the cases it
concerns and their persons (and the meeting's basis), so each case's trail shows it."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from tsunagu.audit.models import AccessEvent
from tsunagu.core.tests.personas import client_for
from tsunagu.meetings.models import Decision, Meeting
from tsunagu.meetings.tests.helpers import add_case, add_decision, create_meeting
from tsunagu.people.tests.factories import person_make

NOW = dt.datetime(2026, 11, 28, 1, 0, tzinfo=dt.UTC)


@pytest.fixture
def meeting(world, lead_worker):
    with time_machine.travel(NOW, tick=False):
        client = client_for(lead_worker)
        assert create_meeting(client).status_code == 302
        meeting = Meeting.objects.get()
        assert add_case(client, meeting, world.case).status_code == 302
        assert add_decision(client, meeting, case=world.case.pk, due_on="令和8年12月4日").status_code == 302
    return meeting


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_reading_a_meeting_page_records_the_cases_and_persons_it_shows(world, outsider, meeting):
    mother = person_make(world.household, family_name="山田", given_name="花江", relation="mother")
    before = AccessEvent.objects.count()
    assert client_for(outsider).get(reverse("meetings:detail", kwargs={"pk": meeting.pk})).status_code == 200
    events = AccessEvent.objects.order_by("id")[before:]
    [read] = [e for e in events if e.object_type == "meeting"]
    assert read.user == outsider and read.action == "view" and read.object_ids == [meeting.pk]
    assert read.case_id == world.case.pk
    assert set(read.person_ids) == {world.person.pk, mother.pk}
    assert read.reason == f"meeting {meeting.pk} (meeting_art9)"
    [decisions] = [e for e in events if e.object_type == "decision"]
    assert decisions.object_ids == [Decision.objects.get().pk]
    assert decisions.case_id == world.case.pk and world.person.pk in decisions.person_ids
    assert decisions.reason == f"meeting {meeting.pk} (meeting_art9)"


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_a_meeting_with_two_cases_records_one_read_per_case(world, lead_worker, outsider, meeting):
    from tsunagu.cases.models import CaseAgency

    CaseAgency.objects.filter(case=world.other_case).update(agency=meeting.organiser)  # lead_worker's agency
    assert add_case(client_for(lead_worker), meeting, world.other_case).status_code == 302
    before = AccessEvent.objects.count()
    client_for(outsider).get(reverse("meetings:detail", kwargs={"pk": meeting.pk}))
    reads = [e for e in AccessEvent.objects.order_by("id")[before:] if e.object_type == "meeting"]
    assert {e.case_id for e in reads} == {world.case.pk, world.other_case.pk}
    by_case = {e.case_id: e.person_ids for e in reads}
    assert by_case[world.other_case.pk] == [world.other_person.pk]


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_reading_a_meeting_without_cases_records_the_meeting_and_its_basis(world, lead_worker):
    client = client_for(lead_worker)
    assert create_meeting(client, title="まだケースのない会議").status_code == 302
    meeting = Meeting.objects.get()
    before = AccessEvent.objects.count()
    client.get(reverse("meetings:detail", kwargs={"pk": meeting.pk}))
    [read] = [e for e in AccessEvent.objects.order_by("id")[before:] if e.object_type == "meeting"]
    assert read.case_id is None and read.person_ids == [] and read.reason == f"meeting {meeting.pk} (meeting_art9)"


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_reading_ones_action_items_on_the_work_page_records_their_cases(world, lead_worker, outsider):
    client = client_for(lead_worker)
    assert create_meeting(client).status_code == 302
    meeting = Meeting.objects.get()
    add_case(client, meeting, world.case)
    add_decision(client, meeting, case=world.case.pk, owner=outsider.pk, due_on="令和8年12月4日")
    before = AccessEvent.objects.count()
    work = client_for(outsider).get(reverse("work:my_work"))
    assert "母親の入院に備え" in work.content.decode()
    [read] = [e for e in AccessEvent.objects.order_by("id")[before:] if e.object_type == "decision"]
    assert read.user == outsider and read.object_ids == [Decision.objects.get().pk]
    assert read.case_id == world.case.pk and world.person.pk in read.person_ids

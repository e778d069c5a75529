"""The meeting page costs the same number of queries with 1 and with 40 discussed cases and
decisions, and writes its access events (one per discussed case, one per case its decisions
concern, one per summary shown) in one INSERT for each of the three."""

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tsunagu.agencies.models import TeamRole
from tsunagu.audit.models import AccessEvent
from tsunagu.cases.models import Case, CaseAgency, CaseStatus, SharingBasis
from tsunagu.core.tests.personas import client_for
from tsunagu.meetings.models import Decision, Meeting, MeetingCase
from tsunagu.meetings.tests.helpers import add_case, add_decision, create_meeting
from tsunagu.people.models import Person
from tsunagu.people.tests.factories import household_make, person_make

NOW = dt.datetime(2026, 11, 28, 1, 0, tzinfo=dt.UTC)


@pytest.fixture
def meeting(world, lead_worker):
    with time_machine.travel(NOW, tick=False):
        client = client_for(lead_worker)
        assert create_meeting(client).status_code == 302
        meeting = Meeting.objects.get()
        assert add_case(client, meeting, world.case).status_code == 302
        assert add_decision(client, meeting, case=world.case.pk).status_code == 302
    return meeting


def add_cases_and_decisions(meeting, lead_worker, n):
    """``n`` more cases of the organiser discussed at ``meeting``, each with two persons and one
    decision (written in bulk)."""
    cases = []
    for i in range(n):
        household = household_make(label=f"架空の世帯{i}")
        person_make(household, family_name="架空", given_name=f"一郎{i}", is_concerned=True)
        person_make(household, family_name="架空", given_name=f"花子{i}", relation="mother")
        cases.append(
            Case(
                household=household,
                status=CaseStatus.ACTIVE,
                opened_at=NOW,
                lead_worker=lead_worker,
                created_by=lead_worker,
                updated_by=lead_worker,
            )
        )
    cases = Case.objects.bulk_create(cases)
    CaseAgency.objects.bulk_create(
        CaseAgency(
            case=case,
            agency=meeting.organiser,
            role=TeamRole.LEAD,
            since=NOW.date(),
            sharing_basis=SharingBasis.CONSENT,
        )
        for case in cases
    )
    MeetingCase.objects.bulk_create(
        MeetingCase(meeting=meeting, case=case, added_at=NOW, added_by=lead_worker) for case in cases
    )
    Decision.objects.bulk_create(
        Decision(meeting=meeting, case=case, text="次回までに家庭訪問", created_by=lead_worker, updated_by=lead_worker)
        for case in cases
    )


def read_page(user, meeting):
    client = client_for(user)
    url = reverse("meetings:detail", kwargs={"pk": meeting.pk})
    assert client.get(url).status_code == 200  # the first request saves the session's activity time
    before = AccessEvent.objects.count()
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    inserts = [q for q in captured.captured_queries if q["sql"].startswith('INSERT INTO "audit_accessevent"')]
    return len(captured), len(inserts), AccessEvent.objects.count() - before


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_the_meeting_page_query_count_does_not_grow_with_its_cases_and_decisions(world, lead_worker, meeting):
    small, small_inserts, small_events = read_page(lead_worker, meeting)
    add_cases_and_decisions(meeting, lead_worker, 40)
    large, large_inserts, large_events = read_page(lead_worker, meeting)
    assert large == small, "\n".join(q["sql"][:150] for q in connection.queries[-60:])
    # One INSERT each: the meeting's reads, the discussed cases' summaries, the decisions' reads.
    assert small_inserts == large_inserts == 3
    assert small_events == 3  # one case: its meeting read, its summary, its decisions
    assert large_events == 3 * 41  # every case still has its three events


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_each_bulk_event_names_its_own_case_and_household(world, lead_worker, meeting):
    add_cases_and_decisions(meeting, lead_worker, 3)
    before = AccessEvent.objects.count()
    read_page(lead_worker, meeting)
    events = AccessEvent.objects.order_by("id")[before:]
    cases = {mc.case_id: mc.case.household_id for mc in meeting.discussed.select_related("case")}
    for kind in ("meeting", "case", "decision"):
        mine = [e for e in events if e.object_type == kind and e.path.endswith(f"/{meeting.pk}/")]
        assert sorted(e.case_id for e in mine) == sorted(list(cases) * 2)  # the warm-up read and the measured one
        for event in mine:
            household = cases[event.case_id]
            # The meeting and its decisions concern the household; a summary shows its concerned persons.
            shown = Person.objects.filter(household_id=household)
            if kind == "case":
                shown = shown.filter(is_concerned=True)
            expected = sorted(shown.values_list("pk", flat=True))
            assert event.person_ids == expected
            assert event.user == lead_worker and event.basis == "meeting"

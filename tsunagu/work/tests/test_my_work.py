"""わたしの仕事: due next actions, stalled cases, unanswered streaks, the 39 → 40 hand-off.
Each item disappears once resolved."""

import dataclasses
import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tsunagu.agencies.models import Agency
from tsunagu.cases.models import Case, SharingBasis
from tsunagu.cases.services import case_set_lead_worker, lead_handoff, team_add
from tsunagu.cases.work_state import stall_refresh_led_by
from tsunagu.core.tests.personas import client_for
from tsunagu.people.services import PersonData, person_update
from tsunagu.records.services import RecordData, record_create
from tsunagu.records.work_state import rebuild_work_state

pytestmark = pytest.mark.dates

TODAY = dt.date(2026, 11, 28)
NOW = dt.datetime(2026, 11, 28, 1, 0, tzinfo=dt.UTC)


def record(world, user, day, *, reached=True, next_on=None):
    record_create(
        user=user,
        case=world.case,
        key=None,
        data=RecordData(
            **{
                "occurred_on": day,
                "method": "home_visit",
                "reached": reached,
                "persons": [world.person],
                "summary": "記録",
                "next_action": "再訪問" if next_on else "",
                "next_action_on": next_on,
            }
        ),
    )


def edit(person, **fields):
    """Change a person as the person form does, through the service (the day each of the
    household's cases ages out follows, decision 0024)."""
    person.refresh_from_db()
    data = dataclasses.replace(PersonData.of(person), **fields)
    person_update(user=person.created_by, person=person, expected_version=person.version, data=data)


def my_work(user, **params):
    return client_for(user).get(reverse("work:my_work"), params).context["work"]


@pytest.fixture
def mine(world, lead_worker):
    case = Case.objects.get(pk=world.case.pk)
    case_set_lead_worker(user=lead_worker, case=case, expected_version=case.version, worker=lead_worker)
    Case.objects.filter(pk=world.case.pk).update(opened_at=NOW - dt.timedelta(days=200))
    rebuild_work_state([world.case.pk])  # the opening moved behind the services' back
    return world


def set_stall_days(code, days):
    """What the agency admin does when the stall days change (cases/admin.py)."""
    agency = Agency.objects.get(code=code)
    Agency.objects.filter(pk=agency.pk).update(stall_days=days)
    stall_refresh_led_by(agency.pk)


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_a_due_next_action_is_listed_until_a_newer_record_replaces_it(mine, lead_worker):
    record(mine, lead_worker, TODAY - dt.timedelta(days=3), next_on=TODAY + dt.timedelta(days=2))
    assert [c.pk for c in my_work(lead_worker).due_actions] == [mine.case.pk]
    record(mine, lead_worker, TODAY)
    assert my_work(lead_worker).due_actions == []


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_a_case_without_contact_for_30_days_is_stalled_until_someone_is_reached(mine, lead_worker):
    record(mine, lead_worker, TODAY - dt.timedelta(days=45))
    stalled = my_work(lead_worker).stalled
    assert [(c.pk, c.days_without_contact) for c in stalled] == [(mine.case.pk, 45)]
    set_stall_days("merkmal", 60)
    assert my_work(lead_worker).stalled == []
    set_stall_days("merkmal", 30)
    record(mine, lead_worker, TODAY - dt.timedelta(days=1))
    assert my_work(lead_worker).stalled == []


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_three_unanswered_visits_in_a_row_are_a_streak(mine, lead_worker):
    record(mine, lead_worker, TODAY - dt.timedelta(days=20))
    for days in (15, 10, 5):
        record(mine, lead_worker, TODAY - dt.timedelta(days=days), reached=False)
    # the world's own unanswered visit (2026-11-20) counts too: four in a row
    assert [(c.pk, c.unanswered_streak) for c in my_work(lead_worker).unanswered] == [(mine.case.pk, 4)]
    record(mine, lead_worker, TODAY)
    assert my_work(lead_worker).unanswered == []


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_a_person_turning_40_within_six_months_is_flagged_for_hand_off(mine, lead_worker):
    edit(mine.person, birth_date=dt.date(1987, 3, 1))  # 40 on 2027-03-01; メルクマール serves up to 39
    assert [(p.pk, day) for p, _c, day in my_work(lead_worker).age_limit] == [(mine.person.pk, dt.date(2027, 3, 1))]
    edit(mine.person, birth_date=dt.date(1990, 3, 1))
    assert my_work(lead_worker).age_limit == []


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_my_work_holds_my_cases_and_the_supervisor_sees_the_agency(mine, lead_worker, users):
    record(mine, lead_worker, TODAY - dt.timedelta(days=45))
    supervisor = users["supervisor"]
    assert my_work(supervisor).stalled == []  # not the supervisor's own case
    assert [c.pk for c in my_work(supervisor, scope="agency").stalled] == [mine.case.pk]
    response = client_for(lead_worker).get(reverse("work:my_work"), {"scope": "agency"})
    assert response.context["scope"] == "mine"
    assert my_work(users["outsider"], scope="agency").empty


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_my_work_costs_the_same_however_many_records(mine, lead_worker):
    def queries():
        with CaptureQueriesContext(connection) as captured:
            client_for(lead_worker).get(reverse("work:my_work"))
        return len(captured)

    record(mine, lead_worker, TODAY - dt.timedelta(days=40))
    few = queries()
    for days in range(1, 30):
        record(mine, lead_worker, TODAY - dt.timedelta(days=days), reached=False)
    assert queries() == few


@pytest.mark.django_db
def test_the_lead_worker_is_chosen_among_the_team_agencies_staff(world, lead_worker, users):
    client = client_for(lead_worker)
    url = reverse("cases:lead_worker", kwargs={"pk": world.case.pk})
    version = client.get(url).context["form"].initial["version"]
    refused = client.post(url, {"version": version, "worker": users["outsider"].pk})
    assert refused.status_code == 400
    assert client.post(url, {"version": version, "worker": users["supervisor"].pk}).status_code == 302
    world.case.refresh_from_db()
    assert world.case.lead_worker == users["supervisor"]
    assert world.case.timeline.filter(kind="lead_worker").exists()


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_each_case_ages_out_by_its_own_lead_agencys_limit(mine, lead_worker, users):
    """メルクマール serves up to 39, サポステ up to 49: the birth dates are compared per limit."""
    saposute = Agency.objects.get(code="saposute")
    lead_handoff(user=lead_worker, case=mine.other_case, to_agency=saposute, basis=SharingBasis.VITAL_INTEREST, note="")
    edit(mine.person, birth_date=dt.date(1987, 1, 15))  # 40 on 2027-01-15, inside six months
    edit(mine.other_person, birth_date=dt.date(1977, 4, 1), is_concerned=True)  # 50 on 2027-04-01
    supervisor = users["supervisor"]  # メルクマール; add it to the other case's team to see both
    team_add(
        user=lead_worker,
        case=mine.other_case,
        agency=Agency.objects.get(code="merkmal"),
        basis=SharingBasis.VITAL_INTEREST,
    )
    listed = [(p.pk, c.pk, c.lead_name, day) for p, c, day in my_work(supervisor, scope="agency").age_limit]
    assert listed == [
        (mine.person.pk, mine.case.pk, "メルクマールせたがや", dt.date(2027, 1, 15)),
        (mine.other_person.pk, mine.other_case.pk, saposute.name, dt.date(2027, 4, 1)),
    ]
    edit(mine.other_person, birth_date=dt.date(1977, 7, 1))  # 50 after the six months
    assert [p.pk for p, _c, _d in my_work(supervisor, scope="agency").age_limit] == [mine.person.pk]


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_the_soonest_hand_off_is_shown_first_whatever_the_agencys_age_limit(mine, lead_worker, users, monkeypatch):
    """Cases led by agencies with different age limits share the section: the one due today
    comes before one due next spring, even when only one row is shown (reviewer's case)."""
    from tsunagu.work import worklist

    monkeypatch.setattr(worklist, "SECTION_LIMIT", 1)
    saposute = Agency.objects.get(code="saposute")
    lead_handoff(user=lead_worker, case=mine.other_case, to_agency=saposute, basis=SharingBasis.VITAL_INTEREST, note="")
    team_add(
        user=lead_worker,
        case=mine.other_case,
        agency=Agency.objects.get(code="merkmal"),
        basis=SharingBasis.VITAL_INTEREST,
    )
    edit(mine.person, birth_date=dt.date(1986, 9, 1))  # 40 already under メルクマール's 39: due today
    edit(mine.other_person, birth_date=dt.date(1977, 3, 1), is_concerned=True)  # 50 next March under サポステ's 49
    work = my_work(users["supervisor"], scope="agency")
    assert [(p.pk, day) for p, _case, day in work.age_limit] == [(mine.person.pk, TODAY)]
    assert work.more["age_limit"] == 1

"""The work page costs the same number of queries with 5 and with 500 records, and with 5 and with
500 open cases of the agency; a long section shows its first rows and the count of the rest."""

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tsunagu.agencies.models import Agency, TeamRole
from tsunagu.cases.models import Case, CaseAgency, CaseStatus, SharingBasis
from tsunagu.core.tests.personas import client_for
from tsunagu.records.models import ProgressRecord
from tsunagu.records.work_state import rebuild_work_state
from tsunagu.referrals.models import Referral, ReferralStatus
from tsunagu.referrals.selectors import WORK_LIMIT
from tsunagu.work.worklist import SECTION_LIMIT

pytestmark = pytest.mark.dates

NOW = dt.datetime(2026, 11, 28, 1, 0, tzinfo=dt.UTC)
TODAY = dt.date(2026, 11, 28)


def add_cases(world, lead_worker, n):
    """``n`` open cases of メルクマール led by ``lead_worker``, quiet for 200 days, each with a due
    next action and three unanswered visits (written in bulk, then rebuilt like the generator)."""
    merkmal = Agency.objects.get(code="merkmal")
    cases = Case.objects.bulk_create(
        Case(
            household=world.household,
            status=CaseStatus.ACTIVE,
            opened_at=NOW - dt.timedelta(days=200),
            lead_worker=lead_worker,
            created_by=lead_worker,
            updated_by=lead_worker,
        )
        for _ in range(n)
    )
    CaseAgency.objects.bulk_create(
        CaseAgency(
            case=case, agency=merkmal, role=TeamRole.LEAD, since=TODAY, sharing_basis=SharingBasis.VITAL_INTEREST
        )
        for case in cases
    )
    add_records(lead_worker, cases, 3, next_on=TODAY)


def add_records(user, cases, n, *, next_on=None):
    ProgressRecord.objects.bulk_create(
        ProgressRecord(
            case=case,
            occurred_on=TODAY - dt.timedelta(days=i + 1),
            method="phone",
            reached=False,
            summary="応答なし",
            next_action="再度電話",
            next_action_on=next_on,
            created_by=user,
            updated_by=user,
        )
        for case in cases
        for i in range(n)
    )
    rebuild_work_state([case.pk for case in cases])


def queries(user, **params):
    with CaptureQueriesContext(connection) as captured:
        response = client_for(user).get(reverse("work:my_work"), params)
    assert response.status_code == 200
    return len(captured), response


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize("persona,params", [("lead_worker", {}), ("supervisor", {"scope": "agency"})])
def test_the_work_page_costs_the_same_with_5_and_with_500_cases_and_records(world, users, persona, params):
    user, lead_worker = users[persona], users["lead_worker"]
    world.person.birth_date = dt.date(1987, 3, 1)  # turns 40 within six months: the age-limit section
    world.person.save()
    add_cases(world, lead_worker, 5)
    add_records(lead_worker, [world.case], 5)
    few, response = queries(user, **params)
    assert len(response.context["work"].stalled) == 5
    add_cases(world, lead_worker, 495)
    add_records(lead_worker, [world.case], 495)
    many, response = queries(user, **params)
    assert many == few
    work = response.context["work"]
    for section in ("due_actions", "stalled", "unanswered", "age_limit"):
        assert len(getattr(work, section)) == SECTION_LIMIT, section
        assert work.more[section] >= 500 - SECTION_LIMIT, section  # the world case may count too
    assert f"他 {work.more['stalled']} 件" in response.content.decode()


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_a_long_section_is_shown_whole_on_request(world, users):
    lead_worker = users["lead_worker"]
    add_cases(world, lead_worker, SECTION_LIMIT + 2)
    _n, response = queries(lead_worker, show="stalled")
    work = response.context["work"]
    assert len(work.stalled) == SECTION_LIMIT + 2 and work.more["stalled"] == 0
    assert len(work.due_actions) == SECTION_LIMIT and work.more["due_actions"] == 2
    days = [case.days_without_contact for case in work.stalled]
    assert days == sorted(days, reverse=True)


def add_referrals(world, user, n):
    """``n`` requested referrals from 安心協働 to メルクマール, unanswered, about ``world.person``."""
    merkmal, sender = Agency.objects.get(code="merkmal"), Agency.objects.get(code="anshin-kyodo")
    Referral.objects.bulk_create(
        Referral(
            case=world.case,
            person=world.person,
            from_agency=sender,
            to_agency=merkmal,
            reason="相談",
            summary="概要",
            sharing_basis=SharingBasis.VITAL_INTEREST,
            requested_at=NOW - dt.timedelta(days=i),
            due_on=TODAY + dt.timedelta(days=i),
            status=ReferralStatus.REQUESTED,
            created_by=user,
            updated_by=user,
        )
        for i in range(n)
    )


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_the_referral_sections_show_their_first_rows_and_count_the_rest(world, users):
    lead_worker = users["lead_worker"]
    add_referrals(world, lead_worker, 5)
    few, response = queries(lead_worker)
    assert len(response.context["referrals"].incoming) == 5
    add_referrals(world, lead_worker, WORK_LIMIT + 5)
    many, response = queries(lead_worker)
    assert many == few
    referrals = response.context["referrals"]
    assert len(referrals.incoming) == WORK_LIMIT and referrals.more["incoming"] == 10
    due = [r.due_on for r in referrals.incoming]
    assert due == sorted(due)
    assert "他 10 件" in response.content.decode()

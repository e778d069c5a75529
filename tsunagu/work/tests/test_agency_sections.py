"""The supervisor's agency-wide work page reads each section from the agency's own team rows
(decision 0024): the rows and the count it shows equal a recomputation from the cases, for a
supervisor of one agency and for one of two agencies that share cases, with ties in the sort
keys, closed cases and partner agencies."""

import datetime as dt
import uuid

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef

from tsunagu.agencies.models import Agency, Membership, Role, TeamRole
from tsunagu.cases.models import Case, CaseAgency, CaseStatus, ClosureReason, SharingBasis
from tsunagu.cases.services import case_change_status, team_add
from tsunagu.plans.models import PlanStatus, SupportPlan
from tsunagu.plans.services import GoalData, plan_create, plan_decide, plan_submit
from tsunagu.plans.work_state import plan_review_rebuild
from tsunagu.records.models import ProgressRecord
from tsunagu.records.work_state import rebuild_work_state
from tsunagu.work.worklist import DUE_WITHIN_DAYS, REVIEW_WITHIN_DAYS, SECTION_LIMIT, UNANSWERED_STREAK, worklist_for

pytestmark = pytest.mark.dates

NOW = dt.datetime(2026, 11, 28, 1, 0, tzinfo=dt.UTC)
TODAY = dt.date(2026, 11, 28)
N = SECTION_LIMIT + 40


def add_cases(world, user, n):
    """``n`` open cases led by メルクマール, every third with 安心協働 as partner and every fifth led
    by 安心協働 alone; opened on a few days only (ties in the sort keys), with records that put
    them in every section in a spread of days."""
    merkmal, other = Agency.objects.get(code="merkmal"), Agency.objects.get(code="anshin-kyodo")
    cases = Case.objects.bulk_create(
        Case(
            household=world.household,
            status=CaseStatus.ACTIVE,
            opened_at=NOW - dt.timedelta(days=100 + i % 3),
            created_by=user,
            updated_by=user,
        )
        for i in range(n)
    )
    team = []
    for i, case in enumerate(cases):
        lead = other if i % 5 == 0 else merkmal
        team.append(CaseAgency(case=case, agency=lead, role=TeamRole.LEAD, since=TODAY, sharing_basis="vital"))
        if i % 3 == 0 and lead == merkmal:
            team.append(CaseAgency(case=case, agency=other, role=TeamRole.PARTNER, since=TODAY, sharing_basis="vital"))
    CaseAgency.objects.bulk_create(team)
    ProgressRecord.objects.bulk_create(
        ProgressRecord(
            case=case,
            occurred_on=TODAY - dt.timedelta(days=(i % 7) * 10 + k + 1),
            method="phone",
            reached=k == 3,
            summary="記録",
            next_action="電話" if k == 0 else "",
            next_action_on=TODAY + dt.timedelta(days=i % 11 - 3) if k == 0 else None,
            created_by=user,
            updated_by=user,
        )
        for i, case in enumerate(cases)
        for k in range(1 + i % 5)
    )
    rebuild_work_state([case.pk for case in cases])
    return cases


def recomputed(user_agencies, section):
    """The section from the cases themselves: open, on a current team of one of the agencies, in
    range, sorted by the section's keys and then the number; the first rows and the rest."""
    on_team = Exists(CaseAgency.objects.filter(case=OuterRef("pk"), agency__in=user_agencies, until__isnull=True))
    cases = Case.objects.filter(on_team).exclude(status=CaseStatus.CLOSED)
    if section == "due_actions":
        cases = cases.filter(next_action_on__lte=TODAY + dt.timedelta(days=DUE_WITHIN_DAYS))
        key = ("next_action_on", "opened_at", "pk")
    elif section == "stalled":
        cases = cases.filter(stalled_on__lte=TODAY)
        key = ("quiet_since", "opened_at", "pk")
    else:
        cases = cases.filter(unanswered_streak__gte=UNANSWERED_STREAK)
        key = ("opened_at", "pk")
    ids = list(cases.order_by(*key).values_list("pk", flat=True))
    return ids[:SECTION_LIMIT], len(ids) - len(ids[:SECTION_LIMIT])


def shown(work, section):
    return [case.pk for case in getattr(work, section)], work.more[section]


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize("two_agencies", [False, True], ids=["one agency", "two agencies"])
def test_each_section_equals_a_recomputation_from_the_cases(world, users, two_agencies):
    supervisor = users["supervisor"]
    cases = add_cases(world, users["lead_worker"], N)
    agencies = [Agency.objects.get(code="merkmal")]
    if two_agencies:
        agencies.append(Agency.objects.get(code="anshin-kyodo"))
        Membership.objects.create(user=supervisor, agency=agencies[1], role=Role.SUPERVISOR)
        supervisor = get_user_model().objects.get(pk=supervisor.pk)  # a fresh staff context
    closed = Case.objects.get(pk=cases[1].pk)
    case_change_status(
        user=users["lead_worker"],
        case=closed,
        expected_version=closed.version,
        status=CaseStatus.CLOSED,
        closure_reason=ClosureReason.values[0],
    )
    work = worklist_for(user=supervisor, scope="agency", today=TODAY)
    for section in ("due_actions", "stalled", "unanswered"):
        expected = recomputed(agencies, section)
        assert shown(work, section) == expected, section
        assert expected[1] > 0 or section == "unanswered", section  # the limit is crossed
        assert cases[1].pk not in expected[0]


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_a_user_of_two_agencies_on_one_team_sees_the_case_once(world, users):
    supervisor = users["supervisor"]
    other = Agency.objects.get(code="anshin-kyodo")
    Membership.objects.create(user=supervisor, agency=other, role=Role.SUPERVISOR)
    team_add(user=users["lead_worker"], case=world.case, agency=other, basis=SharingBasis.VITAL_INTEREST)
    Case.objects.filter(pk=world.case.pk).update(opened_at=NOW - dt.timedelta(days=200))
    rebuild_work_state([world.case.pk])
    assert CaseAgency.objects.filter(case=world.case, until__isnull=True).count() == 2
    supervisor = get_user_model().objects.get(pk=supervisor.pk)
    work = worklist_for(user=supervisor, scope="agency", today=TODAY)
    assert shown(work, "stalled") == ([world.case.pk], 0)


def approved_plan(world, users, review_on):
    plan, _created = plan_create(
        user=users["lead_worker"],
        case=world.case,
        review_on=review_on,
        goals=(GoalData(target="family", text="家族会につながる"),),
        key=uuid.uuid4(),
    )
    plan = plan_submit(user=users["lead_worker"], plan=plan, expected_version=plan.version)
    return plan_decide(user=users["supervisor"], plan=plan, expected_version=plan.version, approve=True, comment="")


def team_review_days(case):
    return list(CaseAgency.objects.filter(case=case, until__isnull=True).values_list("plan_review_on", flat=True))


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_an_approved_plan_puts_its_review_day_on_the_case_and_its_team(world, users):
    soon = TODAY + dt.timedelta(days=REVIEW_WITHIN_DAYS - 1)
    first = approved_plan(world, users, soon)
    world.case.refresh_from_db()
    assert world.case.plan_review_on == soon
    assert team_review_days(world.case) == [soon]
    work = worklist_for(user=users["supervisor"], scope="agency", today=TODAY)
    assert ([p.pk for p in work.plans_due], work.more["plans_due"]) == ([first.pk], 0)

    # A new version with a later review day replaces it once approved, not before.
    later = TODAY + dt.timedelta(days=90)
    second, _created = plan_create(
        user=users["lead_worker"],
        case=world.case,
        review_on=later,
        goals=(GoalData(target="family", text="家族会に通う"),),
        key=uuid.uuid4(),
        supersedes=first,
    )
    assert team_review_days(world.case) == [soon]
    second = plan_submit(user=users["lead_worker"], plan=second, expected_version=second.version)
    plan_decide(user=users["supervisor"], plan=second, expected_version=second.version, approve=True, comment="")
    assert SupportPlan.objects.get(pk=first.pk).status == PlanStatus.SUPERSEDED
    assert team_review_days(world.case) == [later]
    assert worklist_for(user=users["supervisor"], scope="agency", today=TODAY).plans_due == []

    # Closed: off every team row; reopened: back. A rebuild gives the same.
    case = Case.objects.get(pk=world.case.pk)
    closed = case_change_status(
        user=users["lead_worker"],
        case=case,
        expected_version=case.version,
        status=CaseStatus.CLOSED,
        closure_reason=ClosureReason.values[0],
    )
    assert team_review_days(world.case) == [None]
    case_change_status(
        user=users["lead_worker"], case=closed, expected_version=closed.version, status=CaseStatus.ACTIVE
    )
    assert team_review_days(world.case) == [later]
    Case.objects.update(plan_review_on=None)
    CaseAgency.objects.update(plan_review_on=None)
    plan_review_rebuild()
    assert team_review_days(world.case) == [later]
    assert Case.objects.get(pk=world.case.pk).plan_review_on == later


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_the_agencys_plans_due_are_the_first_by_review_day_and_the_rest_counted(world, users):
    cases = add_cases(world, users["lead_worker"], N)
    plans = SupportPlan.objects.bulk_create(
        SupportPlan(
            case=case,
            number=1,
            status=PlanStatus.APPROVED,
            review_on=TODAY + dt.timedelta(days=i % 9),
            created_by=users["lead_worker"],
            updated_by=users["lead_worker"],
        )
        for i, case in enumerate(cases)
    )
    plan_review_rebuild()
    merkmal = Agency.objects.get(code="merkmal")
    ours = [p for p in plans if CaseAgency.objects.filter(case=p.case, agency=merkmal, until__isnull=True).exists()]
    expected = sorted(ours, key=lambda p: (p.review_on, p.case_id))
    work = worklist_for(user=users["supervisor"], scope="agency", today=TODAY)
    assert [p.pk for p in work.plans_due] == [p.pk for p in expected[:SECTION_LIMIT]]
    assert work.more["plans_due"] == len(expected) - SECTION_LIMIT > 0


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_plans_waiting_for_approval_show_the_oldest_first_and_count_the_rest(world, users):
    cases = add_cases(world, users["lead_worker"], N)
    merkmal = Agency.objects.get(code="merkmal")
    plans = SupportPlan.objects.bulk_create(
        SupportPlan(
            case=case,
            number=1,
            status=PlanStatus.SUBMITTED,
            review_on=TODAY + dt.timedelta(days=90),
            submitted_at=NOW - dt.timedelta(hours=i % 7),
            created_by=users["lead_worker"],
            updated_by=users["lead_worker"],
        )
        for i, case in enumerate(cases)
    )
    led = [p for p in plans if CaseAgency.objects.filter(case=p.case, agency=merkmal, role="lead").exists()]
    expected = sorted(led, key=lambda p: (p.submitted_at, p.pk))
    work = worklist_for(user=users["supervisor"], scope="agency", today=TODAY)
    assert [p.pk for p in work.plans_to_approve] == [p.pk for p in expected[:SECTION_LIMIT]]
    assert work.more["plans_to_approve"] == len(expected) - SECTION_LIMIT > 0
    shown = worklist_for(user=users["supervisor"], scope="agency", today=TODAY, show="plans_to_approve")
    assert len(shown.plans_to_approve) == len(expected) and shown.more["plans_to_approve"] == 0

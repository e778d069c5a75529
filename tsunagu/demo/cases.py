"""Demo cases and their records: a few months of support per case (records, some outreach
unanswered, status changes), one person about to age out with contact lost, and the plans and
assessments of some cases."""

import dataclasses
import datetime as dt
from typing import Any

from django.utils import timezone

from tsunagu.cases.models import Case, CaseStatus, ClosureReason
from tsunagu.cases.services import case_change_status, case_set_lead_worker
from tsunagu.demo.names import RECORD_TEXTS
from tsunagu.demo.plans import make_assessments, make_plan
from tsunagu.demo.run import DemoRun
from tsunagu.lib.ages import add_months
from tsunagu.lib.businessdays import add_business_days
from tsunagu.people.models import Person
from tsunagu.people.services import PersonData, person_update
from tsunagu.records.models import Method
from tsunagu.records.services import RecordData, record_create
from tsunagu.records.work_state import rebuild_work_state

AGEING_OUT = 5  # the household number whose person is about to age out of the lead agency


def support(run: DemoRun, case: Case, worker: Any, person: Any, since: dt.datetime, i: int) -> None:
    """A few months of support of household number ``i``: records (some outreach unanswered),
    assessments, a plan and status changes."""
    case = case_set_lead_worker(user=worker, case=case, expected_version=case.version, worker=worker)
    # The demo invents history: the case opened when the consultation came in, not today.
    opened = since - dt.timedelta(days=100) if i == AGEING_OUT else since + dt.timedelta(days=1)
    Case.objects.filter(pk=case.pk).update(opened_at=opened)
    rebuild_work_state([case.pk])  # the opening day moved behind the services' back
    if i == AGEING_OUT:
        _contact_lost_before_ageing_out(run, case, worker, person)
        return
    _visits(run, case, worker, person, timezone.localdate(since))
    if i % 3 == 0:
        make_assessments(case, worker, person, timezone.localdate(since), run.rng, when=run.when)
    if i % 3 != 1:
        _plan(run, case, worker, person, review_soon=i % 2 == 0)
    if i % 6 == 1:
        return  # still 受付: nobody has changed its status yet
    _status_changes(run, case, worker, i)


def _contact_lost_before_ageing_out(run: DemoRun, case: Case, worker: Any, person: Any) -> None:
    """Someone about to age out of the lead agency (メルクマール: 39 → 40) and contact lost for
    weeks: home visits on business days, all unanswered, the next one due soon."""
    when, today = run.when, run.when.today
    lead = case.lead()
    age_max = lead.agency.age_max if lead is not None else None
    if age_max is not None:  # the birth date confirmed on a visit, written as staff would
        person = Person.objects.get(pk=person.pk)
        data = dataclasses.replace(PersonData.of(person), birth_date=when.birth_date_ageing_out(age_max))
        person = person_update(user=worker, person=person, expected_version=person.version, data=data)
    for days in (70, 50, 40, 35):
        record_create(
            user=worker,
            case=case,
            key=None,
            data=RecordData(
                occurred_on=when.business_day_on_or_before(today - dt.timedelta(days=days)),
                method=Method.HOME_VISIT,
                reached=False,
                persons=[person],
                summary=RECORD_TEXTS[False][0],
                next_action="手紙で連絡",
                next_action_on=when.action_due_soon(),
            ),
        )


def _visits(run: DemoRun, case: Case, worker: Any, person: Any, day: dt.date) -> None:
    """One to six contacts after ``day``; home visits and outreach reach the person half the time."""
    rng, today = run.rng, run.when.today
    visits = rng.randint(1, 6)
    for n in range(visits):
        day = min(today, day + dt.timedelta(days=rng.randint(5, 20)))
        method = rng.choice([Method.PHONE, Method.HOME_VISIT, Method.OUTREACH, Method.VISIT_OFFICE, Method.ACCOMPANY])
        reached = method not in (Method.HOME_VISIT, Method.OUTREACH) or rng.random() < 0.5
        record_create(
            user=worker,
            case=case,
            key=None,
            data=RecordData(
                occurred_on=day,
                method=method,
                reached=reached,
                persons=[person],
                summary=rng.choice(RECORD_TEXTS[reached]),
                next_action="次回の訪問日を調整" if n == visits - 1 else "",
                next_action_on=None,
            ),
        )


def _plan(run: DemoRun, case: Case, worker: Any, person: Any, *, review_soon: bool) -> None:
    """Only the lead agency's supervisors decide a plan: the first plan of a case their agency
    leads stays waiting, so their work page shows a plan to approve."""
    supervisor = run.users["supervisor"]
    lead = case.lead()
    waits = (
        not run.plan_left_waiting and lead is not None and supervisor.memberships.filter(agency=lead.agency).exists()
    )
    run.plan_left_waiting = run.plan_left_waiting or waits
    approve_by = None if waits else supervisor
    make_plan(case, worker, person, approve_by=approve_by, review_soon=review_soon, when=run.when)


def _status_changes(run: DemoRun, case: Case, worker: Any, i: int) -> None:
    """Active; then every tenth household watched, and every tenth (from the fifth) closed."""
    case = case_change_status(user=worker, case=case, expected_version=case.version, status=CaseStatus.ACTIVE)
    if i % 10 == 0:
        case_change_status(user=worker, case=case, expected_version=case.version, status=CaseStatus.WATCHING)
    elif i % 10 == 5:
        case_change_status(
            user=worker,
            case=case,
            expected_version=case.version,
            status=CaseStatus.CLOSED,
            closure_reason=ClosureReason.SOCIAL,
            follow_up_on=add_business_days(add_months(run.when.today, 3), 0),
        )

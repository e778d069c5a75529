"""Demo plans and assessments: a plan per case (approved, or waiting for the lead agency's
supervisor) and the standard assessments with the family's needs."""

import datetime as dt
import random
from typing import Any

from tsunagu.assessments.definition import UNKNOWN, items_of
from tsunagu.assessments.services import assessment_create, current_instrument
from tsunagu.demo.dates import DemoCalendar
from tsunagu.lib.businessdays import add_business_days
from tsunagu.plans.services import GoalData, may_decide, plan_create, plan_decide, plan_submit


def make_plan(case: Any, worker: Any, person: Any, *, approve_by: Any, review_soon: bool, when: DemoCalendar) -> None:
    """A plan with one goal for the person and one for the family: approved where the lead
    agency's supervisor is in the demo, otherwise waiting for approval. A plan reviewed soon
    shows on the work page as due for review."""
    today = when.today
    lead = case.lead().agency if case.lead() else None
    plan, _created = plan_create(
        user=worker,
        case=case,
        key=None,
        review_on=when.review_soon() if review_soon else when.review_later(),
        goals=(
            GoalData(
                target="person",
                person=person,
                text="週に1回、決まった時間に起きる",
                action="電話で声かけ",
                owner=lead,
                due_on=add_business_days(today, 40),
            ),
            GoalData(
                target="family",
                person=None,
                text="家族が家族会で相談できる相手を見つける",
                action="はなみずきの会の紹介",
                owner=lead,
                due_on=None,
            ),
        ),
    )
    plan = plan_submit(user=worker, plan=plan, expected_version=plan.version)
    if approve_by is not None and may_decide(approve_by, plan):
        plan_decide(user=approve_by, plan=plan, expected_version=plan.version, approve=True, comment="")


def make_assessments(
    case: Any, worker: Any, person: Any, since: dt.date, rng: random.Random, *, when: DemoCalendar
) -> None:
    """A standard assessment soon after the case opened and, when there has been time, a
    second one lately; and the family's needs."""
    instrument = current_instrument("person")
    going_out, stage = rng.randint(6, 8), 1
    today = when.today
    lately = when.business_day_on_or_before(today - dt.timedelta(days=2))
    days = [since + dt.timedelta(days=2)] + ([lately] if (lately - since).days >= 18 else [])
    for day in days:
        answers = {item["id"]: UNKNOWN for item in items_of(instrument.definition)} | {
            "going_out": str(going_out),
            "support_stage": str(stage),
            "sleep": str(rng.randint(1, 3)),
            "meals": str(rng.randint(2, 4)),
            "hygiene": str(rng.randint(1, 4)),
            "internet": str(rng.randint(2, 4)),
            "money": str(rng.randint(1, 3)),
            "wishes": "今は話したくない" if stage == 1 else "少しずつ外に出てみたい",
        }
        assessment_create(
            user=worker,
            case=case,
            person=person,
            instrument=instrument,
            assessed_on=day,
            answers=answers,
            status="complete",
            key=None,
        )
        going_out, stage = max(4, going_out - rng.randint(1, 2)), 2
    family = current_instrument("family")
    answers = {item["id"]: UNKNOWN for item in items_of(family.definition)} | {
        "strain_emotional": "4",
        "strain_time": str(rng.randint(2, 4)),
        "strain_money": str(rng.randint(1, 4)),
        "support_around": "1",
        "family_wishes": "親が元気なうちに、本人の将来の見通しを立てたい",
    }
    assessment_create(
        user=worker,
        case=case,
        person=None,
        instrument=family,
        assessed_on=min(today, since + dt.timedelta(days=10)),
        answers=answers,
        status="complete",
        key=None,
    )

"""Issue 9 #4: one answer to a conflict everywhere. Every action that carries a record's version
(a plan's submit and decision, a referral's answer, first meeting and withdrawal, a meeting
decision marked done, a triage) answers a stale version like every edit page does: 409 with the
conflict panel, and the other person's change stands. (A record that has moved on meanwhile to a
state the action no longer applies to — a referral already answered, a plan already decided — is
refused with the words saying so, as before: e.g. test_two_answers_to_the_same_referral_give_one_answer.)

For each action: "another person" changes the record first (a direct update that bumps the
version, as their save would), then the user sends the action with the version they opened.
"""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
import time_machine
from django.db.models import F, Model
from django.urls import reverse

from tsunagu.core.tests.personas import client_for
from tsunagu.intake.models import Consultation
from tsunagu.meetings.models import Decision, Meeting
from tsunagu.meetings.tests.helpers import add_decision, create_meeting
from tsunagu.plans import services as plan_services
from tsunagu.plans.models import SupportPlan
from tsunagu.referrals.models import Referral
from tsunagu.referrals.services import referral_accept
from tsunagu.referrals.tests.helpers import send

NOW = dt.datetime(2026, 11, 24, 1, 0, tzinfo=dt.UTC)  # Tuesday 24 November 2026, 10:00 in Tokyo


@dataclass
class Action:
    user: str
    url: str
    record: Model
    theirs: dict[str, Any]  # the other person's change (model field → value), which must stand
    mine: dict[str, Any]  # what the user posts, with the version they opened
    page_shows: str  # the page's own words on a conflict, kept as they were


def _referral(world: Any, users: Any, *, accepted: bool = False) -> Referral:
    response = send(client_for(users["lead_worker"]), world)
    assert response.status_code == 302, response.context and response.context["form"].errors
    referral = Referral.objects.get()
    if accepted:
        referral = referral_accept(
            user=users["outsider"], referral=referral, expected_version=referral.version, comment=""
        )
    return referral


def plan_submit(world: Any, users: Any) -> Action:
    plan = world.plan
    return Action(
        "lead_worker",
        reverse("plans:submit", kwargs={"pk": plan.pk}),
        plan,
        theirs={"review_on": dt.date(2027, 3, 31)},
        mine={"version": plan.version},
        page_shows="他の職員が先にこの計画を更新しました",
    )


def plan_decide(world: Any, users: Any) -> Action:
    plan = plan_services.plan_submit(user=users["lead_worker"], plan=world.plan, expected_version=world.plan.version)
    return Action(
        "supervisor",
        reverse("plans:decide", kwargs={"pk": plan.pk}),
        plan,
        theirs={"review_on": dt.date(2027, 3, 31)},
        mine={"version": plan.version, "decision": "approve", "comment": ""},
        page_shows="他の職員が先にこの計画を更新しました",
    )


def referral_answer(world: Any, users: Any) -> Action:
    referral = _referral(world, users)
    return Action(
        "outsider",
        reverse("referrals:answer", kwargs={"pk": referral.pk}),
        referral,
        theirs={"summary": "30代の長男。母親の入院が決まった。"},
        mine={"version": referral.version, "answer": "decline", "decline_reason": "out_of_scope", "comment": "対象外"},
        page_shows="ほかの職員が先にこのつなぎを更新しました",
    )


def referral_first_met(world: Any, users: Any) -> Action:
    referral = _referral(world, users, accepted=True)
    return Action(
        "outsider",
        reverse("referrals:first_met", kwargs={"pk": referral.pk}),
        referral,
        theirs={"answer_comment": "来週訪問します"},
        mine={"version": referral.version, "on": "令和8年11月24日"},
        page_shows="ほかの職員が先にこのつなぎを更新しました",
    )


def referral_withdraw(world: Any, users: Any) -> Action:
    referral = _referral(world, users)
    return Action(
        "lead_worker",
        reverse("referrals:withdraw", kwargs={"pk": referral.pk}),
        referral,
        theirs={"summary": "30代の長男。母親の入院が決まった。"},
        mine={"version": referral.version, "reason": "家族の希望で見送り"},
        page_shows="ほかの職員が先にこのつなぎを更新しました",
    )


def decision_done(world: Any, users: Any) -> Action:
    client = client_for(users["lead_worker"])
    assert create_meeting(client).status_code == 302
    meeting = Meeting.objects.get()
    response = add_decision(client, meeting, owner=users["outsider"].pk, due_on="令和8年12月4日")
    assert response.status_code == 302
    decision = Decision.objects.get()
    return Action(
        "outsider",
        reverse("meetings:decision_done", kwargs={"pk": decision.pk}),
        decision,
        # (a decision somebody already marked done stays done: a second "done" is no conflict)
        theirs={"due_on": dt.date(2026, 12, 11), "text": "訪問の前に母親と電話で話す"},
        mine={"version": decision.version},
        page_shows="他の職員が先にこの記録を更新しました",
    )


def triage(world: Any, users: Any) -> Action:
    waiting = world.waiting
    return Action(
        "desk",
        reverse("intake:triage", kwargs={"pk": waiting.pk}),
        waiting,
        theirs={"screening": "refer", "screening_note": "地域包括に紹介"},
        mine={
            "version": waiting.version,
            "screening": "info_only",
            "household_mode": "none",
            "person_mode": "none",
            "action": "save",
        },
        page_shows="この相談は他の職員が先に更新しました",
    )


ACTIONS: list[Callable[[Any, Any], Action]] = [
    plan_submit,
    plan_decide,
    referral_answer,
    referral_first_met,
    referral_withdraw,
    decision_done,
    triage,
]


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize("make", ACTIONS, ids=lambda make: make.__name__)
def test_a_stale_action_answers_409_with_the_panel_and_the_first_change_stands(world, users, make):
    action = make(world, users)
    model = type(action.record)
    model._default_manager.filter(pk=action.record.pk).update(**action.theirs, version=F("version") + 1)
    before = model._default_manager.get(pk=action.record.pk)

    response = client_for(users[action.user]).post(action.url, action.mine)

    assert response.status_code == 409
    page = response.content.decode()
    assert 'class="conflict"' in page, "the conflict panel is shown"
    assert page.count('class="conflict"') == 1, "once, not beside every form of the page"
    assert action.page_shows in page
    after = model._default_manager.get(pk=action.record.pk)
    assert after.version == before.version, "nothing was written"
    for name, value in action.theirs.items():
        assert getattr(after, name) == value, f"the other person's {name} stands"
    if isinstance(after, Consultation):
        assert not after.is_triaged


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_a_stale_refused_form_is_offered_again_on_the_current_version(world, users):
    """Sending the refused form again is a deliberate second try against the record as it is now."""
    action = referral_withdraw(world, users)
    Referral.objects.filter(pk=action.record.pk).update(summary="概要を直しました", version=F("version") + 1)
    client = client_for(users["lead_worker"])
    response = client.post(action.url, action.mine)
    assert response.status_code == 409
    form = response.context["withdraw_form"]
    current = Referral.objects.get(pk=action.record.pk)
    assert form["version"].value() == str(current.version)
    assert form["reason"].value() == "家族の希望で見送り"
    again = client.post(action.url, {**action.mine, "version": current.version})
    assert again.status_code == 302
    assert Referral.objects.get(pk=action.record.pk).status == "withdrawn"


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_a_stale_plan_is_refreshed_on_the_page_that_tells_the_conflict(world, users):
    action = plan_submit(world, users)
    SupportPlan.objects.filter(pk=world.plan.pk).update(review_on=dt.date(2027, 3, 31), version=F("version") + 1)
    response = client_for(users["lead_worker"]).post(action.url, action.mine)
    assert response.status_code == 409
    assert response.context["plan"].review_on == dt.date(2027, 3, 31)
    assert "令和9年3月31日" in response.content.decode()

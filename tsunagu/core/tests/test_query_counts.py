"""The main pages cost a fixed number of queries however much data they show (QUALITY P2/P3:
no N+1). The case page, the lists, the work page and home have their own tests beside them; these
are the remaining pages the HTTP benchmark measures: the household page, the person page (the
benchmark's floor), the person search, and the referral page. Each is read with a few rows, then
with many more, by the same signed-in client (the first request of a session also saves the
session's activity time, so it is made before counting)."""

import datetime as dt
from collections.abc import Callable

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tsunagu.agencies.models import Agency
from tsunagu.core.tests.personas import client_for
from tsunagu.intake.tests.factories import consultation_make
from tsunagu.people.tests.factories import person_make
from tsunagu.referrals.services import referral_message, referral_send

NOW = dt.datetime(2026, 11, 25, 10, 0, tzinfo=dt.UTC)


def counted(client, url: str, params: dict | None = None, *, post: bool = False) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = (client.post if post else client.get)(url, params or {})
    assert response.status_code == 200, url
    return len(captured)


def same_cost(client, url: str, grow: Callable[[int], None], params: dict | None = None, *, post: bool = False) -> None:
    grow(3)
    counted(client, url, params, post=post)  # the session's first request saves its activity time
    few = counted(client, url, params, post=post)
    grow(30)
    assert counted(client, url, params, post=post) == few


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_the_household_page_costs_the_same_with_3_and_with_33_members_and_consultations(world, users):
    def grow(n: int) -> None:
        for i in range(n):
            member = person_make(world.household, family_name="山田", given_name=f"次郎{i}", family_name_kana="ヤマダ")
            consultation_make(household=world.household, person=member)

    url = reverse("people:household_detail", args=[world.household.pk])
    same_cost(client_for(users["lead_worker"]), url, grow)


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_the_person_page_costs_the_same_with_3_and_with_33_consultations(world, users):
    def grow(n: int) -> None:
        for _ in range(n):
            consultation_make(household=world.household, person=world.person)

    same_cost(client_for(users["desk"]), reverse("people:person_detail", args=[world.person.pk]), grow)


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_the_person_search_costs_the_same_with_3_and_with_33_matches(world, users):
    def grow(n: int) -> None:
        for i in range(n):
            person_make(world.household, family_name="山田", given_name=f"三郎{i}", family_name_kana="ヤマダ")

    same_cost(client_for(users["desk"]), reverse("people:search"), grow, {"q": "山田"}, post=True)


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_the_referral_page_costs_the_same_with_3_and_with_33_messages(world, users):
    merkmal = Agency.objects.get(code="merkmal")
    referral, _created = referral_send(
        user=users["lead_worker"],
        case=world.case,
        from_agency=merkmal,
        to_agency=Agency.objects.get(code="anshin-kyodo"),
        person=world.person,
        reason="地域での見守り",
        summary="母親と二人暮らし",
        basis="meeting_art9",
    )

    def grow(n: int) -> None:
        for i in range(n):
            referral_message(user=users["lead_worker"], referral=referral, side="sender", text=f"補足{i}")

    same_cost(client_for(users["lead_worker"]), reverse("referrals:detail", args=[referral.pk]), grow)

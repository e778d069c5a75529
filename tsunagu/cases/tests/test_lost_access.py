"""After an action that ends one's own access, a page that says what happened; no page links to
a case the user may not open (issue 8, defect 12)."""

import datetime as dt
import re

import pytest
import time_machine
from django.urls import reverse

from tsunagu.agencies.models import Agency
from tsunagu.cases.access import Level, case_level, cases_openable
from tsunagu.cases.models import Case, CaseStatus, SharingBasis
from tsunagu.cases.services import case_open, emergency_open, team_add
from tsunagu.core.tests.personas import client_for
from tsunagu.referrals.models import Referral
from tsunagu.referrals.tests.helpers import send

NOW = dt.datetime(2026, 11, 24, 1, 0, tzinfo=dt.UTC)


def agency(code):
    return Agency.objects.get(code=code)


def hand_off(client, case, to="link"):
    return client.post(
        reverse("cases:handoff", kwargs={"pk": case.pk}),
        {"agency": agency(to).pk, "basis": "meeting_art106_6", "note": "40歳になるため引き継ぎ。"},
    )


def case_links(page: str, case: Case) -> list[str]:
    return re.findall(rf'href="{re.escape(reverse("cases:detail", kwargs={"pk": case.pk}))}[^"]*"', page)


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_handing_off_the_lead_lands_on_the_work_page_saying_what_happened(world, lead_worker):
    client = client_for(lead_worker)
    response = hand_off(client, world.case)
    assert response.status_code == 302
    assert response["Location"] == reverse("work:my_work")
    page = client.get(response["Location"])
    assert page.status_code == 200
    text = page.content.decode()
    assert world.case.number in text and "ぷらっとホーム世田谷" in text
    assert "主担当を" in text
    assert case_links(text, world.case) == []


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_a_hand_off_by_someone_who_still_sees_the_case_lands_on_the_case(world, users):
    """The desk hands the lead of its own case to メルクマール: it still sees the summary."""
    desk = users["desk"]
    client = client_for(desk)
    response = hand_off(client, world.other_case, to="merkmal")
    assert response.status_code == 302
    assert response["Location"] == reverse("cases:detail", kwargs={"pk": world.other_case.pk})
    page = client.get(response["Location"])
    assert page.status_code == 200 and "メルクマールせたがや" in page.content.decode()


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_ending_ones_own_agencys_membership_lands_on_the_work_page(world, outsider, lead_worker):
    member = team_add(user=lead_worker, case=world.case, agency=agency("anshin-kyodo"), basis=SharingBasis.MEETING_ART9)
    client = client_for(outsider)
    response = client.post(reverse("cases:team_end", kwargs={"pk": world.case.pk, "member_pk": member.pk}))
    assert response.status_code == 302 and response["Location"] == reverse("work:my_work")
    text = client.get(response["Location"]).content.decode()
    assert world.case.number in text and "あんしんすこやかセンター経堂" in text


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_the_referral_page_shows_the_case_number_without_a_link_once_the_case_is_closed_to_the_sender(
    world, lead_worker
):
    client = client_for(lead_worker)
    assert send(client, world).status_code == 302
    referral = Referral.objects.get()
    url = reverse("referrals:detail", kwargs={"pk": referral.pk})
    assert case_links(client.get(url).content.decode(), world.case) != []
    assert hand_off(client, world.case).status_code == 302
    page = client.get(url)
    assert page.status_code == 200
    text = page.content.decode()
    assert world.case.number in text
    assert case_links(text, world.case) == []


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_the_household_page_links_only_the_cases_the_user_may_open(world, lead_worker, users):
    earlier = case_open(
        user=users["desk"], household=world.household, lead=agency("link"), sharing_basis=SharingBasis.CONSENT
    )
    Case.objects.filter(pk=earlier.pk).update(status=CaseStatus.CLOSED)
    page = client_for(lead_worker).get(reverse("people:household_detail", kwargs={"pk": world.household.pk}))
    text = page.content.decode()
    assert case_links(text, world.case) != []
    assert earlier.number in text and case_links(text, earlier) == []
    assert client_for(lead_worker).get(reverse("cases:detail", kwargs={"pk": earlier.pk})).status_code == 404


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_cases_openable_follows_the_case_access_rule_for_every_persona(world, users, lead_worker, outsider):
    """The batch rule used for links agrees with the one door (case_access) case by case."""
    assert send(client_for(lead_worker), world, to="anshin-kyodo").status_code == 302  # summary by referral
    emergency_open(user=users["supervisor"], case=world.other_case, reason="夜間に母親から緊急の電話があったため")
    third = case_open(
        user=users["desk"], household=world.other_household, lead=agency("merkmal"), sharing_basis="consent"
    )
    cases = [world.case, world.other_case, third]
    for user in users.values():
        expected = {case.pk for case in cases if case_level(user, case) != Level.NONE}
        assert cases_openable(user, [case.pk for case in cases]) == expected, user.username


@pytest.mark.django_db
def test_the_meeting_page_links_a_discussed_case_only_for_those_who_may_open_it(world, lead_worker, outsider):
    """The secretariat of an attending agency sees the meeting but works no cases: the case
    number is text for it; an attending caseworker still follows the link to the summary."""
    from tsunagu.agencies.models import Role
    from tsunagu.core.tests.personas import make_user
    from tsunagu.meetings.models import Meeting
    from tsunagu.meetings.tests.helpers import add_case, create_meeting

    held = dt.datetime(2026, 11, 28, 1, 0, tzinfo=dt.UTC)
    with time_machine.travel(held, tick=False):
        assert create_meeting(client_for(lead_worker)).status_code == 302
        meeting = Meeting.objects.get()
        assert add_case(client_for(lead_worker), meeting, world.case).status_code == 302
        url = reverse("meetings:detail", kwargs={"pk": meeting.pk})
        clerk = make_user("kyodo-clerk", "anshin-kyodo", Role.SECRETARIAT)
        page = client_for(clerk).get(url)
        assert page.status_code == 200
        text = page.content.decode()
        assert world.case.number in text and case_links(text, world.case) == []
        assert client_for(clerk).get(reverse("cases:detail", kwargs={"pk": world.case.pk})).status_code == 404
        assert case_links(client_for(outsider).get(url).content.decode(), world.case) != []

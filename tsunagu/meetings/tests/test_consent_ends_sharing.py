"""Reviewer's finding (issue 8, defect 3 by another path: sharing without consent). A case on a
consent-based meeting (ケース会議) was shared with an attending agency whose consent had been
withdrawn, or had expired, after the case was put on the meeting: on the meeting day that agency's
staff opened the case summary and read it on the meeting page. The basis is checked when the case
is shared and again on every read: an agency sees a case through a consent meeting only while it
is on the case's team or named by a consent that holds that day. A statutory 支援会議 is not
affected."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from tsunagu.agencies.models import Agency, Role
from tsunagu.cases.access import Level, case_level, cases_openable
from tsunagu.cases.services import consent_create, consent_withdraw
from tsunagu.core.tests.personas import client_for, make_user
from tsunagu.meetings.models import Meeting
from tsunagu.meetings.tests.helpers import add_case, create_meeting

NOW = dt.datetime(2026, 11, 28, 1, 0, tzinfo=dt.UTC)  # 令和8年11月28日 10:00 Tokyo
MEETING_DAY = dt.datetime(2026, 12, 10, 3, 0, tzinfo=dt.UTC)  # 令和8年12月10日 12:00 Tokyo


def _consent(user, person, expires_on=None):
    consent, _created = consent_create(
        user=user,
        person=person,
        agencies=[Agency.objects.get(code="anshin-kyodo")],
        purpose="ケース会議での情報共有",
        method="written",
        given_on=dt.date(2026, 11, 26),
        expires_on=expires_on,
    )
    return consent


def _meeting_with_the_case(world, lead_worker, kind="case_conference"):
    client = client_for(lead_worker)
    response = create_meeting(client, kind=kind, title="ケース会議", held_on="令和8年12月10日")
    assert response.status_code == 302
    meeting = Meeting.objects.get()
    assert add_case(client, meeting, world.case).status_code == 302
    return meeting


def _sees(user, world, meeting):
    case_page = client_for(user).get(reverse("cases:detail", kwargs={"pk": world.case.pk}))
    meeting_page = client_for(user).get(reverse("meetings:detail", kwargs={"pk": meeting.pk}))
    assert meeting_page.status_code == 200
    summary = world.household.label in meeting_page.content.decode()
    openable = world.case.pk in cases_openable(user, [world.case.pk])
    level = case_level(user, world.case)
    assert openable == (level != Level.NONE)
    return case_page.status_code, summary, level


@pytest.mark.django_db
def test_a_withdrawn_consent_ends_sharing_through_a_consent_meeting(world, lead_worker, outsider):
    with time_machine.travel(NOW, tick=False):
        consent = _consent(lead_worker, world.person)
        meeting = _meeting_with_the_case(world, lead_worker)
    with time_machine.travel(MEETING_DAY, tick=False):
        assert _sees(outsider, world, meeting) == (200, True, Level.SUMMARY)  # the consent holds
    with time_machine.travel(NOW, tick=False):
        consent_withdraw(user=lead_worker, consent=consent, on=dt.date(2026, 11, 28))
    clerk = make_user("kyodo-clerk", "anshin-kyodo", Role.SECRETARIAT)
    with time_machine.travel(MEETING_DAY, tick=False):
        assert _sees(outsider, world, meeting) == (404, False, Level.NONE)
        # nor does anyone else of the agency read it on the meeting page
        page = client_for(clerk).get(reverse("meetings:detail", kwargs={"pk": meeting.pk}))
        assert page.status_code == 200 and world.household.label not in page.content.decode()
        # the organiser, on the case's team, still reads it on the meeting page
        assert _sees(lead_worker, world, meeting) == (200, True, Level.FULL)


@pytest.mark.django_db
def test_an_expired_consent_ends_sharing_through_a_consent_meeting(world, lead_worker, outsider):
    with time_machine.travel(NOW, tick=False):
        _consent(lead_worker, world.person, expires_on=dt.date(2026, 12, 15))
        meeting = _meeting_with_the_case(world, lead_worker)
    with time_machine.travel(MEETING_DAY, tick=False):
        assert _sees(outsider, world, meeting) == (200, True, Level.SUMMARY)
    with time_machine.travel(MEETING_DAY + dt.timedelta(days=6), tick=False):  # 12月16日
        assert _sees(outsider, world, meeting) == (404, False, Level.NONE)


@pytest.mark.django_db
def test_a_statutory_meeting_shares_without_consent(world, lead_worker, outsider):
    with time_machine.travel(NOW, tick=False):
        meeting = _meeting_with_the_case(world, lead_worker, kind="support_art9")
    with time_machine.travel(MEETING_DAY, tick=False):
        assert _sees(outsider, world, meeting) == (200, True, Level.SUMMARY)

"""Issue 8 (3, 4): every change of a meeting that widens who sees a case checks the basis again,
and a meeting shares its cases only from its day until MEETING_ACCESS_DAYS after it; a date far
ahead is refused."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from tsunagu.agencies.models import Agency
from tsunagu.audit.models import AccessEvent
from tsunagu.cases.services import consent_create
from tsunagu.core.tests.personas import client_for, make_user
from tsunagu.meetings.models import Meeting, MeetingCase
from tsunagu.meetings.tests.helpers import add_case, create_meeting

NOW = dt.datetime(2026, 11, 28, 1, 0, tzinfo=dt.UTC)  # 令和8年11月28日 10:00 Tokyo


def _consent(user, person, *codes, expires_on=None):
    consent_create(
        user=user,
        person=person,
        agencies=[Agency.objects.get(code=code) for code in codes],
        purpose="ケース会議での情報共有",
        method="written",
        given_on=dt.date(2026, 11, 26),
        expires_on=expires_on,
    )


def _edit_form(meeting, **changes):
    form = {
        "version": meeting.version,
        "kind": meeting.kind,
        "title": meeting.title,
        "held_on": "令和8年11月27日",
        "held_time": "14:00",
        "place": meeting.place,
        "agencies": list(meeting.agencies.values_list("pk", flat=True)),
        "attendees": [],
        "other_attendees": meeting.other_attendees,
        "minutes": meeting.minutes,
    }
    form.update(changes)
    return form


def _edit(client, meeting, **changes):
    return client.post(reverse("meetings:edit", kwargs={"pk": meeting.pk}), _edit_form(meeting, **changes))


@pytest.fixture
def conference(world, lead_worker):
    """A ケース会議 of メルクマール and あんしんすこやかセンター経堂 with the case on it (consent
    given to the センター)."""
    with time_machine.travel(NOW, tick=False):
        _consent(lead_worker, world.person, "anshin-kyodo")
        response = create_meeting(client_for(lead_worker), kind="case_conference", title="ケース会議")
        assert response.status_code == 302
        meeting = Meeting.objects.get()
        assert add_case(client_for(lead_worker), meeting, world.case).status_code == 302
    meeting.refresh_from_db()
    return meeting


# --- 3. widening a meeting checks the basis again -------------------------------------------


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_adding_an_attending_agency_without_consent_is_refused_and_nothing_is_written(world, lead_worker, conference):
    link = Agency.objects.get(code="link")
    before = AccessEvent.objects.filter(action="share").count()
    response = _edit(
        client_for(lead_worker),
        conference,
        agencies=[*conference.agencies.values_list("pk", flat=True), link.pk],
        minutes="新しい議事録",
    )
    assert response.status_code == 400
    error = str(response.context["form"].errors["agencies"])
    assert "同意" in error and link.name in error and world.case.number in error
    conference.refresh_from_db()
    assert link not in conference.agencies.all()
    assert conference.minutes == "" and conference.version == 1
    assert AccessEvent.objects.filter(action="share").count() == before
    # the agency's staff still do not see the case
    link_worker = make_user("link_worker", "link", "caseworker")
    assert client_for(link_worker).get(reverse("cases:detail", kwargs={"pk": world.case.pk})).status_code == 404


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_adding_an_attending_agency_with_consent_is_shared_and_recorded(world, lead_worker, conference):
    _consent(lead_worker, world.person, "link")
    link = Agency.objects.get(code="link")
    response = _edit(
        client_for(lead_worker), conference, agencies=[*conference.agencies.values_list("pk", flat=True), link.pk]
    )
    assert response.status_code == 302
    assert link in conference.agencies.all()
    share = AccessEvent.objects.filter(action="share", case_id=world.case.pk).order_by("-id").first()
    assert f"meeting {conference.pk}" in share.reason and "link" in share.reason
    assert world.person.pk in share.person_ids


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_changing_the_kind_to_a_consent_meeting_checks_consent_for_every_attending_agency(world, lead_worker):
    client = client_for(lead_worker)
    assert create_meeting(client, kind="support_art9").status_code == 302  # statutory: no consent needed
    meeting = Meeting.objects.get()
    assert add_case(client, meeting, world.case).status_code == 302
    meeting.refresh_from_db()
    response = _edit(client, meeting, kind="case_conference")
    assert response.status_code == 400
    error = str(response.context["form"].errors["kind"])
    assert "あんしんすこやかセンター経堂" in error and world.case.number in error
    meeting.refresh_from_db()
    assert meeting.kind == "support_art9" and meeting.version == 1
    # with the consent recorded the kind may change
    _consent(lead_worker, world.person, "anshin-kyodo")
    assert _edit(client, meeting, kind="case_conference").status_code == 302
    meeting.refresh_from_db()
    assert meeting.kind == "case_conference"


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_a_meeting_with_cases_cannot_become_a_meeting_without_personal_data(world, lead_worker, conference):
    response = _edit(client_for(lead_worker), conference, kind="family")
    assert response.status_code == 400
    assert "検討ケース" in str(response.context["form"].errors["kind"])
    conference.refresh_from_db()
    assert conference.kind == "case_conference"


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_a_case_is_not_added_when_the_consent_ends_before_the_meeting_day(world, lead_worker):
    """The share happens on the meeting day: a consent that has ended by then is no basis."""
    _consent(lead_worker, world.person, "anshin-kyodo", expires_on=dt.date(2026, 12, 1))
    client = client_for(lead_worker)
    assert create_meeting(client, kind="case_conference", held_on="令和8年12月10日").status_code == 302
    meeting = Meeting.objects.get()
    refused = add_case(client, meeting, world.case)
    assert refused.status_code == 400
    assert "あんしんすこやかセンター経堂" in str(refused.context["case_form"].errors["case_number"])
    assert not MeetingCase.objects.exists()


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_moving_a_consent_meeting_past_the_consents_end_is_refused(world, lead_worker):
    _consent(lead_worker, world.person, "anshin-kyodo", expires_on=dt.date(2026, 12, 1))
    client = client_for(lead_worker)
    assert create_meeting(client, kind="case_conference").status_code == 302
    meeting = Meeting.objects.get()
    assert add_case(client, meeting, world.case).status_code == 302
    meeting.refresh_from_db()
    response = _edit(client, meeting, held_on="令和8年12月10日")
    assert response.status_code == 400
    assert "あんしんすこやかセンター経堂" in str(response.context["form"].errors["held_on"])
    meeting.refresh_from_db()
    assert timezone_date(meeting.held_at) == dt.date(2026, 11, 27)


def timezone_date(value):
    from django.utils import timezone

    return timezone.localdate(value)


# --- 4. the sharing window ------------------------------------------------------------------


@pytest.mark.django_db
def test_a_meeting_not_yet_held_shares_nothing_before_its_day(world, lead_worker, outsider, settings):
    settings.MEETING_ACCESS_DAYS = 30
    with time_machine.travel(NOW, tick=False):
        client = client_for(lead_worker)
        assert create_meeting(client, held_on="令和8年12月10日", held_time="14:00").status_code == 302
        meeting = Meeting.objects.get()
        assert add_case(client, meeting, world.case).status_code == 302
    case_url = reverse("cases:detail", kwargs={"pk": world.case.pk})
    meeting_url = reverse("meetings:detail", kwargs={"pk": meeting.pk})
    with time_machine.travel(NOW, tick=False):
        assert client_for(outsider).get(case_url).status_code == 404
        page = client_for(outsider).get(meeting_url)
        assert page.status_code == 200 and page.context["summaries"] == []
        assert "山田 太郎" not in page.content.decode()
        assert "会議の日から出席機関に表示します" in page.content.decode()
    # on the meeting day (from midnight, Tokyo) the attendees see the summary
    with time_machine.travel(dt.datetime(2026, 12, 9, 15, 30, tzinfo=dt.UTC), tick=False):  # 12/10 00:30 JST
        assert client_for(outsider).get(case_url).status_code == 200
        assert "山田 太郎" in client_for(outsider).get(meeting_url).content.decode()
    with time_machine.travel(dt.datetime(2026, 12, 9, 14, 30, tzinfo=dt.UTC), tick=False):  # 12/9 23:30 JST
        assert client_for(outsider).get(case_url).status_code == 404
    # and no longer than MEETING_ACCESS_DAYS after it
    with time_machine.travel(meeting.held_at + dt.timedelta(days=30, minutes=-1), tick=False):
        assert client_for(outsider).get(case_url).status_code == 200
    with time_machine.travel(meeting.held_at + dt.timedelta(days=30, minutes=1), tick=False):
        assert client_for(outsider).get(case_url).status_code == 404


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_a_meeting_dated_years_ahead_is_refused_with_a_field_error(world, lead_worker, settings):
    settings.MEETING_MAX_DAYS_AHEAD = 365
    client = client_for(lead_worker)
    response = create_meeting(client, held_on="令和18年11月27日")  # 2036
    assert response.status_code == 400
    assert "365日" in str(response.context["form"].errors["held_on"])
    assert not Meeting.objects.exists()
    assert create_meeting(client, held_on="令和9年11月28日").status_code == 302  # exactly 365 days ahead
    meeting = Meeting.objects.get()
    edited = _edit(client, meeting, held_on="令和18年11月27日")
    assert edited.status_code == 400
    assert "365日" in str(edited.context["form"].errors["held_on"])
    meeting.refresh_from_db()
    assert timezone_date(meeting.held_at) == dt.date(2027, 11, 28)


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_the_days_ahead_are_a_setting(world, lead_worker, settings):
    settings.MEETING_MAX_DAYS_AHEAD = 30
    before = Meeting.objects.count()
    response = create_meeting(client_for(lead_worker), held_on="令和9年1月5日")
    assert response.status_code == 400 and "30日" in str(response.context["form"].errors["held_on"])
    assert Meeting.objects.count() == before


# --- 3. the check and the change cannot interleave ------------------------------------------


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_an_agency_added_while_a_case_is_put_on_the_meeting_never_sees_it_without_consent(
    world, lead_worker, monkeypatch
):
    """The edit adding an agency has checked (no cases yet) when the case is put on the meeting:
    the case must then be checked against the new agency, or the edit against the case."""
    import threading

    from django.db import connection

    from tsunagu.meetings import services

    with time_machine.travel(NOW, tick=False):
        _consent(lead_worker, world.person, "anshin-kyodo")
        assert create_meeting(client_for(lead_worker), kind="case_conference").status_code == 302
    meeting = Meeting.objects.get()
    link = Agency.objects.get(code="link")
    checked, added = threading.Event(), threading.Event()
    outcomes: dict[str, str] = {}
    original = services.save_versioned

    def save_after_the_other_tried(**kwargs):
        # the edit has read the meeting's cases (none) and waits for the case to be put on it;
        # with the lock, that waits for this transaction, so the wait ends by its timeout
        checked.set()
        added.wait(timeout=3)
        return original(**kwargs)

    monkeypatch.setattr(services, "save_versioned", save_after_the_other_tried)

    def edit():
        try:
            services.meeting_update(
                user=lead_worker,
                meeting=Meeting.objects.get(pk=meeting.pk),
                expected_version=1,
                title=meeting.title,
                held_at=meeting.held_at,
                place=meeting.place,
                agencies=[*meeting.agencies.all(), link],
                attendees=[],
                other_attendees="",
                minutes="",
            )
            outcomes["edit"] = "saved"
        except Exception as exc:
            outcomes["edit"] = type(exc).__name__
        finally:
            connection.close()

    def add():
        try:
            checked.wait(timeout=10)
            services.meeting_add_case(user=lead_worker, meeting=Meeting.objects.get(pk=meeting.pk), case=world.case)
            outcomes["add"] = "added"
        except Exception as exc:
            outcomes["add"] = type(exc).__name__
        finally:
            added.set()
            connection.close()

    threads = [threading.Thread(target=edit), threading.Thread(target=add)]
    with time_machine.travel(NOW, tick=False):
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
    meeting.refresh_from_db()
    shared_without_consent = link in meeting.agencies.all() and MeetingCase.objects.filter(meeting=meeting).exists()
    assert not shared_without_consent, outcomes
    assert outcomes == {"edit": "saved", "add": "ValidationError"}

"""Meetings: case meetings share summaries under their basis, councils carry no personal data,
decisions with an owner reach the owner's work page, minutes carry a confidentiality notice."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from tsunagu.audit.models import AccessEvent
from tsunagu.cases.models import TimelineEntry
from tsunagu.core.tests.personas import client_for
from tsunagu.meetings.models import Decision, Meeting, MeetingCase
from tsunagu.meetings.tests.helpers import add_case, add_decision, create_meeting

NOW = dt.datetime(2026, 11, 28, 1, 0, tzinfo=dt.UTC)


@pytest.fixture
def meeting(world, lead_worker):
    with time_machine.travel(NOW, tick=False):
        response = create_meeting(client_for(lead_worker))
    assert response.status_code == 302, response.context and response.context["form"].errors
    return Meeting.objects.get()


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_a_support_meeting_shares_the_case_summary_with_attending_agencies(world, lead_worker, outsider, meeting):
    assert meeting.sharing_basis == "meeting_art9"
    assert set(meeting.agencies.values_list("code", flat=True)) == {"merkmal", "anshin-kyodo"}
    assert add_case(client_for(lead_worker), meeting, world.case).status_code == 302
    share = AccessEvent.objects.get(action="share", case_id=world.case.pk)
    assert f"meeting {meeting.pk}" in share.reason and world.person.pk in share.person_ids
    assert TimelineEntry.objects.filter(case=world.case, kind="meeting").exists()

    client = client_for(outsider)  # あんしんすこやかセンター経堂, attending, not on the team
    page = client.get(reverse("meetings:detail", kwargs={"pk": meeting.pk}))
    assert page.status_code == 200
    [summary] = page.context["summaries"]
    assert summary.case == world.case and summary.persons == [world.person]
    text = page.content.decode()
    assert "取扱注意" in text and "守秘義務" in text and "山田 太郎" in text
    viewed = AccessEvent.objects.get(user=outsider, action="view", object_type="case", case_id=world.case.pk)
    assert viewed.person_ids == [world.person.pk] and viewed.reason.startswith(f"meeting {meeting.pk}")
    case_page = client.get(reverse("cases:detail", kwargs={"pk": world.case.pk}))
    assert case_page.status_code == 200 and case_page.context["access"].basis == "meeting"
    assert case_page.context["full"] is False
    assert "会議「池尻地区 支援会議」の出席機関として" in case_page.content.decode()


@pytest.mark.django_db
def test_the_meeting_basis_lapses_after_the_configured_days(world, lead_worker, outsider, meeting, settings):
    settings.MEETING_ACCESS_DAYS = 30
    with time_machine.travel(NOW, tick=False):
        add_case(client_for(lead_worker), meeting, world.case)
    case_url = reverse("cases:detail", kwargs={"pk": world.case.pk})
    with time_machine.travel(meeting.held_at + dt.timedelta(days=29), tick=False):
        assert client_for(outsider).get(case_url).status_code == 200
    with time_machine.travel(meeting.held_at + dt.timedelta(days=31), tick=False):
        client = client_for(outsider)
        assert client.get(case_url).status_code == 404
        page = client.get(reverse("meetings:detail", kwargs={"pk": meeting.pk}))
        assert page.status_code == 200 and page.context["summaries"] == []
        assert "山田 太郎" not in page.content.decode()


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_a_consent_based_meeting_needs_consent_for_every_attending_agency(world, lead_worker):
    from tsunagu.agencies.models import Agency
    from tsunagu.cases.services import consent_create

    client = client_for(lead_worker)
    create_meeting(client, kind="case_conference", title="ケース会議")
    meeting = Meeting.objects.get(kind="case_conference")
    refused = add_case(client, meeting, world.case)
    assert refused.status_code == 400
    assert "あんしんすこやかセンター経堂" in str(refused.context["case_form"].errors["case_number"])
    assert not MeetingCase.objects.exists()
    assert not AccessEvent.objects.filter(action="share").exists()
    consent_create(
        user=lead_worker,
        person=world.person,
        agencies=[Agency.objects.get(code="anshin-kyodo")],
        purpose="ケース会議での情報共有",
        method="written",
        given_on=dt.date(2026, 11, 26),
    )
    assert add_case(client, meeting, world.case).status_code == 302


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_only_a_case_the_user_works_on_can_be_put_on_a_meeting(world, lead_worker, meeting):
    client = client_for(lead_worker)
    for case_number in (world.other_case.number, "K-999999"):
        response = client.post(reverse("meetings:case_add", kwargs={"pk": meeting.pk}), {"case_number": case_number})
        assert response.status_code == 400
        assert "担当しているケースの番号" in str(response.context["case_form"].errors["case_number"])
    assert not MeetingCase.objects.filter(meeting=meeting).exists()
    assert add_case(client, meeting, world.case).status_code == 302
    assert add_case(client, meeting, world.case).status_code == 400  # once only
    assert list(MeetingCase.objects.filter(meeting=meeting).values_list("case_id", flat=True)) == [world.case.pk]


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_councils_are_the_secretariats_and_carry_no_cases(world, users, lead_worker):
    secretariat = users["secretariat"]
    refused = create_meeting(client_for(lead_worker), kind="liaison_council")
    assert refused.status_code == 400
    assert "事務局" in str(refused.context["form"].errors["kind"])
    ok = create_meeting(
        client_for(secretariat),
        kind="liaison_council",
        title="ひきこもり支援機関連絡協議会",
        organiser="ward-seikatsu-fukushi",
        agencies=("link", "merkmal"),
    )
    assert ok.status_code == 302
    council = Meeting.objects.get(kind="liaison_council")
    page = client_for(secretariat).get(reverse("meetings:detail", kwargs={"pk": council.pk}))
    assert page.status_code == 200 and "個人情報を載せません" in page.content.decode()
    assert page.context["can_write"] is True
    response = add_case(client_for(secretariat), council, world.case)
    assert response.status_code == 400 and not MeetingCase.objects.exists()
    # an attending agency reads the council, but only the secretariat writes it
    assert client_for(lead_worker).get(reverse("meetings:detail", kwargs={"pk": council.pk})).status_code == 200
    assert client_for(lead_worker).get(reverse("meetings:edit", kwargs={"pk": council.pk})).status_code == 404


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_a_decision_with_an_owner_appears_on_the_owners_work_page_until_done(world, lead_worker, outsider, meeting):
    client = client_for(lead_worker)
    add_case(client, meeting, world.case)
    missing_due = add_decision(client, meeting, case=world.case.pk, owner=outsider.pk)
    assert missing_due.status_code == 400
    assert "期日も決めてください" in str(missing_due.context["decision_form"].errors["due_on"])
    ok = add_decision(client, meeting, case=world.case.pk, owner=outsider.pk, due_on="令和8年12月4日")
    assert ok.status_code == 302
    decision = Decision.objects.get()
    work = client_for(outsider).get(reverse("work:my_work"))
    assert list(work.context["actions"]) == [decision]
    assert "母親の入院に備え" in work.content.decode()
    done = client_for(outsider).post(
        reverse("meetings:decision_done", kwargs={"pk": decision.pk}), {"version": decision.version, "next": "work"}
    )
    assert done.status_code == 302
    decision.refresh_from_db()
    assert decision.done_by == outsider
    assert list(client_for(outsider).get(reverse("work:my_work")).context["actions"]) == []


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_an_owner_must_be_staff_of_an_attending_agency(world, lead_worker, users, meeting):
    response = add_decision(client_for(lead_worker), meeting, owner=users["desk"].pk, due_on="令和8年12月4日")
    assert response.status_code == 400
    assert not Decision.objects.exists()


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_minutes_are_saved_with_their_version_and_a_stale_save_is_refused(world, lead_worker, users, meeting):
    url = reverse("meetings:edit", kwargs={"pk": meeting.pk})
    form = {
        "version": meeting.version,
        "kind": meeting.kind,
        "title": meeting.title,
        "held_on": "令和8年11月27日",
        "held_time": "14:00",
        "place": "会議室",
        "agencies": list(meeting.agencies.values_list("pk", flat=True)),
        "attendees": [lead_worker.pk, users["supervisor"].pk],
        "other_attendees": "民生委員",
        "minutes": "1. 本人の状況の共有\n2. 役割分担",
    }
    client = client_for(lead_worker)
    assert client.post(url, form).status_code == 302
    meeting.refresh_from_db()
    assert meeting.minutes.startswith("1. 本人の状況") and meeting.attendees.count() == 2
    stale = client.post(url, {**form, "minutes": "上書き"})
    assert stale.status_code == 409
    meeting.refresh_from_db()
    assert meeting.minutes.startswith("1. 本人の状況")
    page = client.get(reverse("meetings:detail", kwargs={"pk": meeting.pk})).content.decode()
    assert "印刷（A4）" in page and "役割分担" in page


@pytest.mark.django_db
def test_who_sees_a_meeting(world, users, meeting):
    url = reverse("meetings:detail", kwargs={"pk": meeting.pk})
    statuses = {p: client_for(users[p]).get(url).status_code for p in users}
    assert statuses == {
        "desk": 404,  # ぷらっとホーム did not attend
        "lead_worker": 200,
        "supervisor": 200,
        "outsider": 200,
        "secretariat": 404,  # not a council, and the ward did not attend
        "partner": 404,
        "admin_user": 404,
    }
    listed = client_for(users["partner"]).get(reverse("meetings:list"))
    assert listed.status_code == 403


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_putting_a_case_on_a_meeting_is_all_or_nothing(world, lead_worker, meeting, monkeypatch):
    from tsunagu.meetings import services

    def crash(**kwargs):
        raise RuntimeError("crash after the share was written")

    monkeypatch.setattr(services, "access_record", crash)
    with pytest.raises(RuntimeError):
        services.meeting_add_case(user=lead_worker, meeting=meeting, case=world.case)
    assert not MeetingCase.objects.exists()
    assert not TimelineEntry.objects.filter(kind="meeting").exists()

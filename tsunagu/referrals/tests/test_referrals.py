"""Referrals (つなぎ): sending under a basis, the receiver's limited view, every answer, deadlines
in business days and escalation, partners."""

import datetime as dt
import uuid

import pytest
import time_machine
from django.core.management import call_command
from django.urls import reverse

from tsunagu.audit.models import AccessEvent
from tsunagu.cases.models import CaseAgency, TimelineEntry
from tsunagu.core.tests.personas import client_for, make_user
from tsunagu.referrals.models import Referral, ReferralEvent, ReferralStatus
from tsunagu.referrals.services import referral_due_on, referrals_escalate
from tsunagu.referrals.tests.helpers import agency, answer, send

pytestmark = pytest.mark.dates

NOW = dt.datetime(2026, 11, 24, 1, 0, tzinfo=dt.UTC)  # Tuesday 24 November 2026, 10:00 in Tokyo


@pytest.fixture(autouse=True)
def _today():
    """Every test starts at NOW (clock ticking), whatever the real date (`sent` is sent then)."""
    with time_machine.travel(NOW):
        yield


@pytest.fixture
def sent(world, lead_worker):
    with time_machine.travel(NOW, tick=False):
        response = send(client_for(lead_worker), world)
    assert response.status_code == 302, response.context and response.context["form"].errors
    return Referral.objects.get()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"basis": ""}, "basis", "このフィールドは必須です"),
        ({"basis": "consent"}, "consent", "有効な同意がありません"),
        ({"basis": "other_law"}, "basis_note", "法令名を書いてください"),
        ({"agency": "merkmal"}, "agency", "候補にありません"),
        ({"summary": ""}, "summary", "このフィールドは必須です"),
    ],
)
def test_a_referral_without_a_basis_or_summary_is_refused_and_nothing_is_written(
    world, lead_worker, data, field, message
):
    if data.get("agency"):
        data = {**data, "agency": agency(data["agency"]).pk}
    events = AccessEvent.objects.count()
    response = send(client_for(lead_worker), world, **data)
    assert response.status_code == 400
    assert any(message in e for e in response.context["form"].errors[field])
    assert not Referral.objects.exists()
    assert AccessEvent.objects.filter(action="share").count() == 0
    assert AccessEvent.objects.count() >= events  # only the reads of the page


@pytest.mark.django_db
def test_sending_records_the_share_the_deadline_and_the_history(world, lead_worker, sent):
    assert sent.status == ReferralStatus.REQUESTED
    assert sent.due_on == dt.date(2026, 12, 1)  # 5 business days after Tue 24 Nov (no holiday)
    assert sent.created_by == lead_worker
    share = AccessEvent.objects.get(action="share", object_type="referral")
    assert share.person_ids == [world.person.pk] and share.case_id == world.case.pk
    assert "anshin-kyodo" in share.reason and "meeting_art9" in share.reason
    assert list(sent.events.values_list("kind", flat=True)) == ["sent"]
    assert TimelineEntry.objects.filter(case=world.case, kind="referral", object_id=sent.pk).exists()


@pytest.mark.django_db
def test_the_same_submission_twice_sends_one_referral(world, lead_worker):
    client = client_for(lead_worker)
    first = send(client, world, submission_key="6f1c2b1e-3f4a-4c55-9d1e-2a7b8c9d0e1f")
    second = send(client, world, submission_key="6f1c2b1e-3f4a-4c55-9d1e-2a7b8c9d0e1f")
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]
    assert Referral.objects.count() == 1


@pytest.mark.django_db
def test_a_second_open_referral_to_the_same_agency_is_refused(world, lead_worker, sent):
    events = ReferralEvent.objects.count()
    response = send(client_for(lead_worker), world)
    assert response.status_code == 400
    assert "回答待ちのつなぎがすでにあります" in str(response.context["form"].errors["agency"])
    assert list(Referral.objects.values_list("pk", flat=True)) == [sent.pk]
    assert ReferralEvent.objects.count() == events


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("sent_at", "days", "due"),
    [
        # ゴールデンウィーク 2026: 4/29 昭和の日, 5/3–5/6 (5/6 振替休日)
        (dt.date(2026, 4, 28), 5, dt.date(2026, 5, 11)),
        (dt.date(2026, 5, 1), 1, dt.date(2026, 5, 7)),
        # 年末年始: closed 12/29–1/3
        (dt.date(2026, 12, 25), 5, dt.date(2027, 1, 7)),
        (dt.date(2026, 12, 28), 1, dt.date(2027, 1, 4)),
        # sent on a Saturday: counting starts from the next business day
        (dt.date(2026, 11, 28), 5, dt.date(2026, 12, 4)),
    ],
)
def test_the_deadline_skips_weekends_holidays_and_the_year_end(reference, sent_at, days, due):
    receiver = agency("merkmal")
    receiver.referral_days = days
    assert referral_due_on(to_agency=receiver, sent_on=sent_at) == due


@pytest.mark.django_db
def test_the_deadline_follows_the_receiving_agencys_setting_across_golden_week(world, lead_worker):
    receiver = agency("anshin-kyodo")
    receiver.referral_days = 3
    receiver.save()
    with time_machine.travel(dt.datetime(2026, 4, 28, 1, 0, tzinfo=dt.UTC), tick=False):
        assert send(client_for(lead_worker), world).status_code == 302
    assert Referral.objects.get().due_on == dt.date(2026, 5, 7)


@pytest.mark.django_db
def test_escalation_fires_the_day_after_the_deadline_and_only_once(world, lead_worker, users, sent):
    assert sent.due_on == dt.date(2026, 12, 1)
    assert referrals_escalate(today=dt.date(2026, 12, 1)) == 0
    assert referrals_escalate(today=dt.date(2026, 12, 2)) == 1
    assert referrals_escalate(today=dt.date(2026, 12, 2)) == 0
    with time_machine.travel(dt.datetime(2026, 12, 3, 0, 0, tzinfo=dt.UTC), tick=False):
        call_command("escalate_referrals", verbosity=0)
    assert ReferralEvent.objects.filter(referral=sent, kind="escalated").count() == 1
    assert TimelineEntry.objects.filter(case=world.case, kind="referral", summary__contains="過ぎても").count() == 1

    def overdue(persona):
        with time_machine.travel(dt.datetime(2026, 12, 2, 1, 0, tzinfo=dt.UTC), tick=False):
            response = client_for(users[persona]).get(reverse("work:my_work"))
        return [r.pk for r in response.context["referrals"].overdue]

    assert overdue("supervisor") == [sent.pk]  # the sender's supervisor
    assert overdue("desk") == [sent.pk]  # and the desk
    assert overdue("lead_worker") == []  # the sender sees it in the inbox, late
    assert overdue("outsider") == []  # the receiver sees it as a late incoming referral


@pytest.mark.django_db
def test_an_answered_referral_is_never_escalated(world, outsider, sent):
    answer(client_for(outsider), sent)
    assert referrals_escalate(today=dt.date(2026, 12, 10)) == 0


@pytest.mark.django_db
def test_the_receiver_sees_the_summary_not_the_case_until_it_accepts(world, outsider, sent):
    client = client_for(outsider)
    page = client.get(reverse("referrals:detail", kwargs={"pk": sent.pk}))
    assert page.status_code == 200 and page.context["side"] == "receiver"
    assert "30代の長男" in page.content.decode()
    assert AccessEvent.objects.filter(user=outsider, object_type="referral", person_ids=[world.person.pk]).exists()
    case_url = reverse("cases:detail", kwargs={"pk": world.case.pk})
    case_page = client.get(case_url)
    assert case_page.status_code == 200
    assert case_page.context["full"] is False and case_page.context["access"].basis == "referral"
    assert "山田 太郎" not in case_page.content.decode()
    assert client.get(reverse("records:create", kwargs={"case_pk": world.case.pk})).status_code == 404

    assert answer(client, sent, comment="来週、母親と一緒にお会いします。").status_code == 302
    sent.refresh_from_db()
    assert sent.status == ReferralStatus.ACCEPTED and sent.answered_by == outsider
    member = CaseAgency.objects.get(case=world.case, agency=agency("anshin-kyodo"), until__isnull=True)
    assert member.sharing_basis == "meeting_art9" and sent.member == member
    case_page = client.get(case_url)
    assert case_page.context["full"] is True and case_page.context["access"].basis == "team"


@pytest.mark.django_db
def test_a_decline_needs_a_reason_and_a_comment_and_reaches_the_senders_work_page(world, lead_worker, outsider, sent):
    client = client_for(outsider)
    refused = answer(client, sent, answer="decline")
    assert refused.status_code == 400
    errors = refused.context["answer_form"].errors
    assert "辞退の理由を選んでください" in str(errors["decline_reason"])
    assert "コメントを書いてください" in str(errors["comment"])
    assert Referral.objects.get().status == ReferralStatus.REQUESTED

    ok = answer(client, sent, answer="decline", decline_reason="out_of_scope", comment="65歳以上の方が対象です。")
    assert ok.status_code == 302
    assert client.get(reverse("cases:detail", kwargs={"pk": world.case.pk})).status_code == 404

    sender = client_for(lead_worker)
    work = sender.get(reverse("work:my_work"))
    assert [r.pk for r in work.context["referrals"].answers] == [sent.pk]
    text = work.content.decode()
    assert "辞退" in text and "対象外（年齢・地域・分野）" in text and "65歳以上の方が対象です。" in text
    sender.post(reverse("referrals:seen", kwargs={"pk": sent.pk}))
    assert sender.get(reverse("work:my_work")).context["referrals"].answers == []
    assert list(sent.events.values_list("kind", flat=True)) == ["sent", "declined", "seen"]


@pytest.mark.django_db
def test_two_answers_to_the_same_referral_give_one_answer(world, outsider, sent):
    client = client_for(outsider)
    assert answer(client, sent).status_code == 302
    second = answer(client, sent, answer="decline", decline_reason="other", comment="x")
    assert second.status_code == 400
    assert "すでに「受理」です" in second.content.decode()
    assert CaseAgency.objects.filter(case=world.case, agency=agency("anshin-kyodo")).count() == 1


@pytest.mark.django_db
def test_a_question_waits_for_the_senders_reply(world, lead_worker, outsider, sent):
    url = reverse("referrals:message", kwargs={"pk": sent.pk})
    assert (
        client_for(outsider)
        .post(url, {"submission_key": str(uuid.uuid4()), "text": "お母さまの連絡先を教えてください。"})
        .status_code
        == 302
    )
    sent.refresh_from_db()
    assert sent.question_open and sent.status == ReferralStatus.REQUESTED
    work = client_for(lead_worker).get(reverse("work:my_work")).context["referrals"]
    assert [r.pk for r in work.questions] == [sent.pk]
    assert (
        client_for(lead_worker)
        .post(url, {"submission_key": str(uuid.uuid4()), "text": "03-0000-0000（日中）です。"})
        .status_code
        == 302
    )
    sent.refresh_from_db()
    assert not sent.question_open
    assert list(sent.events.values_list("kind", flat=True)) == ["sent", "question", "reply"]
    assert client_for(outsider).post(url, {"submission_key": str(uuid.uuid4()), "text": ""}).status_code == 400


@pytest.mark.django_db
def test_the_receiver_records_the_first_meeting(world, outsider, sent):
    client = client_for(outsider)
    url = reverse("referrals:first_met", kwargs={"pk": sent.pk})
    assert client.post(url, {"version": sent.version, "on": "令和8年11月25日"}).status_code == 400  # not accepted yet
    answer(client, sent)
    sent.refresh_from_db()
    with time_machine.travel(dt.datetime(2026, 11, 26, 1, 0, tzinfo=dt.UTC), tick=False):
        client = client_for(outsider)
        assert [r.pk for r in client.get(reverse("work:my_work")).context["referrals"].to_meet] == [sent.pk]
        assert client.post(url, {"version": sent.version, "on": "令和8年11月25日"}).status_code == 302
    sent.refresh_from_db()
    assert sent.status == ReferralStatus.FIRST_MET and sent.first_met_on == dt.date(2026, 11, 25)


@pytest.mark.django_db
def test_the_sender_withdraws_and_the_receiver_loses_the_summary(world, lead_worker, outsider, sent):
    url = reverse("referrals:withdraw", kwargs={"pk": sent.pk})
    assert client_for(outsider).post(url, {"version": sent.version, "reason": "x"}).status_code == 404
    assert client_for(lead_worker).post(url, {"version": sent.version, "reason": ""}).status_code == 400
    assert client_for(lead_worker).post(url, {"version": sent.version, "reason": "本人が転居した"}).status_code == 302
    sent.refresh_from_db()
    assert sent.status == ReferralStatus.WITHDRAWN
    assert client_for(outsider).get(reverse("cases:detail", kwargs={"pk": world.case.pk})).status_code == 404
    # the receiver still sees the referral itself, and that it was withdrawn
    assert client_for(outsider).get(reverse("referrals:detail", kwargs={"pk": sent.pk})).status_code == 200
    assert answer(client_for(outsider), sent).status_code == 400


@pytest.mark.django_db
def test_accepting_fails_clearly_when_the_consent_was_withdrawn_meanwhile(world, lead_worker, outsider):
    from tsunagu.cases.services import consent_create, consent_withdraw

    consent, _created = consent_create(
        user=lead_worker,
        person=world.person,
        agencies=[agency("anshin-kyodo")],
        purpose="地域の見守り",
        method="oral",
        given_on=dt.date(2026, 11, 20),
    )
    assert send(client_for(lead_worker), world, basis="consent", consent=consent.pk).status_code == 302
    referral = Referral.objects.get()
    with time_machine.travel(dt.datetime(2026, 11, 28, 1, 0, tzinfo=dt.UTC)):  # after the consent ended
        consent_withdraw(user=lead_worker, consent=consent, on=dt.date(2026, 11, 27))
        response = answer(client_for(outsider), referral)
    assert response.status_code == 400
    assert "情報共有の根拠が有効ではなくなりました" in response.content.decode()
    assert not CaseAgency.objects.filter(agency=agency("anshin-kyodo")).exists()


@pytest.mark.django_db
def test_a_partner_sees_and_answers_only_referrals_addressed_to_it(world, lead_worker, users):
    partner = users["partner"]  # 教育委員会
    assert send(client_for(lead_worker), world, to="kyoiku-iinkai").status_code == 302
    assert send(client_for(lead_worker), world, to="anshin-kyodo").status_code == 302
    to_school, to_anshin = Referral.objects.order_by("pk")
    client = client_for(partner)
    inbox = client.get(reverse("referrals:inbox"))
    assert [r.pk for r in inbox.context["received"]] == [to_school.pk] and list(inbox.context["sent"]) == []
    assert client.get(reverse("referrals:detail", kwargs={"pk": to_anshin.pk})).status_code == 404
    assert answer(client, to_anshin).status_code == 404
    assert answer(client, to_school).status_code == 302
    # accepting adds the school to the team; the partner still sees no case
    assert CaseAgency.objects.filter(agency=agency("kyoiku-iinkai"), until__isnull=True).exists()
    assert client.get(reverse("cases:detail", kwargs={"pk": world.case.pk})).status_code == 404
    assert client.get(reverse("referrals:new", kwargs={"case_pk": world.case.pk})).status_code == 404


@pytest.mark.django_db
def test_only_the_team_may_send_from_a_case(world, users):
    for persona in ("desk", "outsider", "partner", "secretariat"):
        response = client_for(users[persona]).get(reverse("referrals:new", kwargs={"case_pk": world.case.pk}))
        assert response.status_code == 404, persona


@pytest.mark.django_db
def test_nobody_outside_the_two_agencies_sees_a_referral(world, users, sent):
    url = reverse("referrals:detail", kwargs={"pk": sent.pk})
    statuses = {p: client_for(users[p]).get(url).status_code for p in users}
    assert statuses == {
        "desk": 404,
        "lead_worker": 200,
        "supervisor": 200,
        "outsider": 200,
        "secretariat": 404,
        "partner": 404,
        "admin_user": 404,
    }


@pytest.mark.django_db
def test_the_inbox_lists_both_directions(world, lead_worker, outsider, sent):
    assert [r.pk for r in client_for(lead_worker).get(reverse("referrals:inbox")).context["sent"]] == [sent.pk]
    assert [r.pk for r in client_for(outsider).get(reverse("referrals:inbox")).context["received"]] == [sent.pk]
    other = make_user("another-anshin", "anshin-ikejiri", "caseworker")
    response = client_for(other).get(reverse("referrals:inbox"))
    assert list(response.context["received"]) == [] and list(response.context["sent"]) == []


@pytest.mark.django_db
def test_a_referral_sent_before_the_year_end_escalates_only_after_the_new_year_deadline(world, lead_worker, users):
    with time_machine.travel(dt.datetime(2026, 12, 25, 1, 0, tzinfo=dt.UTC), tick=False):  # Friday
        assert send(client_for(lead_worker), world).status_code == 302
    referral = Referral.objects.get()
    assert referral.due_on == dt.date(2027, 1, 7)  # 12/28, then 1/4, 1/5, 1/6, 1/7
    for day in (dt.date(2026, 12, 29), dt.date(2027, 1, 4), dt.date(2027, 1, 7)):
        # 23:00 in Tokyo on each day
        with time_machine.travel(dt.datetime.combine(day, dt.time(14, 0), tzinfo=dt.UTC), tick=False):
            call_command("escalate_referrals", verbosity=0)
        referral.refresh_from_db()
        assert referral.escalated_at is None, day
    with time_machine.travel(dt.datetime(2027, 1, 8, 0, 0, tzinfo=dt.UTC), tick=False):  # 9:00 in Tokyo
        call_command("escalate_referrals", verbosity=0)
        call_command("escalate_referrals", verbosity=0)
    referral.refresh_from_db()
    assert referral.escalated_at is not None
    assert referral.events.filter(kind="escalated").count() == 1


@pytest.mark.django_db
def test_accepting_is_all_or_nothing(world, outsider, sent, monkeypatch):
    from tsunagu.referrals import services

    def crash(**kwargs):
        raise RuntimeError("crash after the team membership was written")

    monkeypatch.setattr(services, "_timeline", crash)
    with pytest.raises(RuntimeError):
        services.referral_accept(user=outsider, referral=sent, expected_version=sent.version)
    sent.refresh_from_db()
    assert sent.status == ReferralStatus.REQUESTED and sent.member is None
    assert not CaseAgency.objects.filter(agency=agency("anshin-kyodo")).exists()
    assert list(sent.events.values_list("kind", flat=True)) == ["sent"]

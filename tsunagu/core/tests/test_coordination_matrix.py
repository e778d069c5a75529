"""S2 extended to coordination: what one outside agency sees of a case in each state of sharing.

For every state: the case page (404, the summary or everything), a write page of the case
(records), and the referral page where there is one.
"""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from tsunagu.agencies.models import Agency
from tsunagu.cases.services import consent_create, consent_withdraw, emergency_open, team_add
from tsunagu.core.tests.personas import client_for
from tsunagu.meetings.models import Meeting
from tsunagu.meetings.services import meeting_add_case, meeting_create
from tsunagu.referrals.models import Referral
from tsunagu.referrals.services import referral_accept, referral_decline, referral_send

NOW = dt.datetime(2026, 11, 24, 1, 0, tzinfo=dt.UTC)


def _refer(world, users, to="anshin-kyodo"):
    referral, _created = referral_send(
        user=users["lead_worker"],
        case=world.case,
        from_agency=Agency.objects.get(code="merkmal"),
        to_agency=Agency.objects.get(code=to),
        person=world.person,
        reason="理由",
        summary="概要",
        basis="meeting_art9",
    )
    return referral


def nothing(world, users):
    return "outsider"


def receiver_before_accepting(world, users):
    _refer(world, users)
    return "outsider"


def receiver_after_accepting(world, users):
    referral = _refer(world, users)
    referral_accept(user=users["outsider"], referral=referral, expected_version=referral.version)
    return "outsider"


def receiver_after_declining(world, users):
    referral = _refer(world, users)
    referral_decline(
        user=users["outsider"],
        referral=referral,
        expected_version=referral.version,
        decline_reason="out_of_scope",
        comment="対象外",
    )
    return "outsider"


def meeting_attendee(world, users):
    meeting, _created = meeting_create(
        user=users["lead_worker"],
        organiser=Agency.objects.get(code="merkmal"),
        kind="support_art9",
        title="支援会議",
        held_at=NOW,
        place="",
        agencies=[Agency.objects.get(code="anshin-kyodo")],
    )
    meeting_add_case(user=users["lead_worker"], meeting=meeting, case=world.case)
    return "outsider"


def emergency_before_expiry(world, users):
    emergency_open(user=users["outsider"], case=world.case, reason="母親から緊急の電話があったため確認する")
    return "outsider"


def emergency_after_expiry(world, users):
    emergency_open(user=users["outsider"], case=world.case, reason="母親から緊急の電話があったため確認する")
    return ("outsider", dt.timedelta(hours=3, minutes=1))


def partner_after_accepting(world, users):
    referral = _refer(world, users, to="kyoiku-iinkai")
    referral_accept(user=users["partner"], referral=referral, expected_version=referral.version)
    return "partner"


def consent_withdrawn(world, users):
    anshin = Agency.objects.get(code="anshin-kyodo")
    consent, _created = consent_create(
        user=users["lead_worker"],
        person=world.person,
        agencies=[anshin],
        purpose="見守り",
        method="written",
        given_on=dt.date(2026, 11, 20),
    )
    team_add(user=users["lead_worker"], case=world.case, agency=anshin, basis="consent", consent=consent)
    consent_withdraw(user=users["lead_worker"], consent=consent, on=dt.date(2026, 11, 24))
    return "outsider"


# state, case page, "full" on the case page, records (write), referral page
STATES = [
    (nothing, 404, None, 404, None),
    (receiver_before_accepting, 200, False, 404, 200),
    (receiver_after_accepting, 200, True, 200, 200),
    (receiver_after_declining, 404, None, 404, 200),
    (meeting_attendee, 200, False, 404, None),
    (emergency_before_expiry, 200, True, 404, None),
    (emergency_after_expiry, 404, None, 404, None),
    (partner_after_accepting, 404, None, 404, 200),
    (consent_withdrawn, 404, None, 404, None),
]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("state", "case_page", "full", "write", "referral_page"), STATES, ids=[s[0].__name__ for s in STATES]
)
def test_coordination_matrix(world, users, state, case_page, full, write, referral_page):
    with time_machine.travel(NOW, tick=False):
        who = state(world, users)
    later = dt.timedelta(minutes=5)
    if isinstance(who, tuple):
        who, later = who
    with time_machine.travel(NOW + later, tick=False):
        client = client_for(users[who])
        response = client.get(reverse("cases:detail", kwargs={"pk": world.case.pk}))
        assert response.status_code == case_page
        if full is not None:
            assert response.context["full"] is full
        assert client.get(reverse("records:create", kwargs={"case_pk": world.case.pk})).status_code == write
        referral = Referral.objects.first()
        if referral_page is not None:
            assert client.get(reverse("referrals:detail", kwargs={"pk": referral.pk})).status_code == referral_page
        # the sender's team keeps full access whatever happens
        assert (
            client_for(users["lead_worker"]).get(reverse("cases:detail", kwargs={"pk": world.case.pk})).context["full"]
        )
        assert Meeting.objects.count() == (1 if state is meeting_attendee else 0)


@pytest.mark.django_db
def test_every_referral_and_meeting_action_answers_404_to_a_user_outside_it(world, users):
    """An agency that is neither side of a referral nor at a meeting gets 404 on every action,
    and nothing changes."""
    from tsunagu.core.tests.personas import make_user
    from tsunagu.meetings.models import Decision
    from tsunagu.meetings.services import decision_add
    from tsunagu.referrals.models import ReferralEvent

    with time_machine.travel(NOW, tick=False):
        referral = _refer(world, users)
        meeting_attendee(world, users)
        meeting = Meeting.objects.get()
        decision, _created = decision_add(
            user=users["lead_worker"],
            meeting=meeting,
            text="訪問する",
            case=world.case,
            owner=users["outsider"],
            due_on=dt.date(2026, 12, 1),
        )
    stranger = make_user("stranger", "anshin-ikejiri", "caseworker")
    posts = [
        ("referrals:answer", referral.pk, {"version": 1, "answer": "accept"}),
        ("referrals:message", referral.pk, {"text": "質問"}),
        ("referrals:first_met", referral.pk, {"version": 1, "on": "2026-11-25"}),
        ("referrals:withdraw", referral.pk, {"version": 1, "reason": "取下げ"}),
        ("referrals:seen", referral.pk, {}),
        ("meetings:case_add", meeting.pk, {"case_number": world.other_case.number}),
        ("meetings:decision_add", meeting.pk, {"text": "決定"}),
        ("meetings:decision_done", decision.pk, {"version": decision.version}),
    ]
    events, decisions = ReferralEvent.objects.count(), Decision.objects.count()
    with time_machine.travel(NOW + dt.timedelta(minutes=5), tick=False):
        for user in (stranger, users["secretariat"], users["partner"], users["admin_user"]):
            client = client_for(user)
            for name, pk, data in posts:
                assert client.post(reverse(name, kwargs={"pk": pk}), data).status_code == 404, (user, name)
            for name in ("meetings:detail", "meetings:edit"):
                assert client.get(reverse(name, kwargs={"pk": meeting.pk})).status_code == 404, (user, name)
    assert ReferralEvent.objects.count() == events and Decision.objects.count() == decisions
    referral.refresh_from_db()
    assert (referral.status, referral.version, referral.sender_seen_at) == ("requested", 1, None)
    assert list(meeting.discussed.values_list("case_id", flat=True)) == [world.case.pk]
    decision.refresh_from_db()
    assert decision.done_at is None
    # an attendee who is not the organiser reads the meeting but does not write it
    attendee = client_for(users["outsider"])
    assert attendee.get(reverse("meetings:edit", kwargs={"pk": meeting.pk})).status_code == 404
    assert attendee.post(reverse("meetings:decision_add", kwargs={"pk": meeting.pk}), {"text": "x"}).status_code == 404

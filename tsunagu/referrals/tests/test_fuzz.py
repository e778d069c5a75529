"""R4 over the referral and meeting forms: any input is saved or answered on the page, never a
server error, and a refusal writes nothing."""

import uuid

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tsunagu.agencies.models import Agency
from tsunagu.cases.services import case_open
from tsunagu.core.tests.personas import client_for
from tsunagu.meetings.models import Decision, Meeting
from tsunagu.meetings.tests.helpers import create_meeting
from tsunagu.people.tests.factories import household_make
from tsunagu.referrals.models import Referral, ReferralEvent
from tsunagu.referrals.services import referral_send
from tsunagu.referrals.tests.helpers import answer, send

TEXT = st.one_of(
    st.text(max_size=40),
    st.sampled_from(
        ["", "0", "-1", "99999999999", "令和99年13月40日", "K-0", "<script>", "\x00", "consent", "other_law"]
    ),
)
FUZZ = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def fields(*names):
    return st.dictionaries(st.sampled_from(names), TEXT, max_size=4)


@given(fields("from_agency", "agency", "person", "reason", "summary", "basis", "basis_note", "consent", "accompanied"))
@FUZZ
@pytest.mark.django_db
def test_any_referral_input_is_sent_or_answered_never_a_server_error(world, lead_worker, data):
    before = Referral.objects.count()
    response = send(client_for(lead_worker), world, **{**data, "submission_key": str(uuid.uuid4())})
    assert response.status_code in (302, 400)
    assert Referral.objects.count() == before + (1 if response.status_code == 302 else 0)


@given(fields("version", "answer", "decline_reason", "comment"))
@FUZZ
@pytest.mark.django_db
def test_any_answer_is_taken_or_refused_never_a_server_error(world, users, outsider, data):
    # A fresh case and referral for every example: an accepted one cannot be answered again.
    merkmal = Agency.objects.get(code="merkmal")
    case = case_open(
        user=users["desk"], household=household_make(label="検証用の世帯"), lead=merkmal, sharing_basis="consent"
    )
    referral, _created = referral_send(
        user=users["lead_worker"],
        case=case,
        from_agency=merkmal,
        to_agency=Agency.objects.get(code="anshin-kyodo"),
        person=None,
        reason="理由",
        summary="概要",
        basis="meeting_art9",
    )
    events = ReferralEvent.objects.count()
    response = answer(client_for(outsider), referral, **data)
    # 409: a version other than the current one is a conflict, answered like every stale edit
    # (decision 0015); like a refusal, it writes nothing.
    assert response.status_code in (302, 400, 409)
    assert ReferralEvent.objects.count() == events + (1 if response.status_code == 302 else 0)
    if response.status_code == 409:
        referral.refresh_from_db()
        assert str(referral.version) != str(data.get("version")) and referral.status == "requested"


@given(fields("kind", "title", "held_on", "held_time", "organiser", "agencies", "place"))
@FUZZ
@pytest.mark.django_db
def test_any_meeting_input_is_saved_or_answered_never_a_server_error(world, lead_worker, data):
    before = Meeting.objects.count()
    response = create_meeting(client_for(lead_worker), raw=data)
    assert response.status_code in (302, 400)
    assert Meeting.objects.count() == before + (1 if response.status_code == 302 else 0)


@given(fields("text", "case", "owner", "due_on"))
@FUZZ
@pytest.mark.django_db
def test_any_decision_input_is_saved_or_answered_never_a_server_error(world, lead_worker, data):
    meeting = Meeting.objects.first()
    if meeting is None:
        create_meeting(client_for(lead_worker))
        meeting = Meeting.objects.get()
    before = Decision.objects.count()
    form = {"submission_key": str(uuid.uuid4()), "text": "決定", "case": "", "owner": "", "due_on": "", **data}
    response = client_for(lead_worker).post(reverse("meetings:decision_add", kwargs={"pk": meeting.pk}), form)
    assert response.status_code in (302, 400)
    assert Decision.objects.count() == before + (1 if response.status_code == 302 else 0)

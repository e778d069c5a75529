"""Bad input answers 400 with the field named and writes nothing; a resent create makes one record;
a stale version answers 409; the rate per token answers 429 (issue 14)."""

import uuid

import pytest
from django.test import override_settings

from tsunagu.api.tests.test_access_matrix import _consultation, _record, _referral_body
from tsunagu.audit.models import AccessEvent
from tsunagu.intake.models import Consultation
from tsunagu.records.models import ProgressRecord
from tsunagu.referrals.models import Referral


def _without(body: dict, field: str) -> dict:
    return {k: v for k, v in body.items() if k != field}


@pytest.mark.django_db
@pytest.mark.parametrize("field", ["received_at", "channel", "contact_type", "concerns", "main_concern", "summary"])
def test_a_consultation_without_a_required_field_names_it(field, world, api):
    before = Consultation.objects.count()
    response = api["link"].post("/api/v1/consultations/", _without(_consultation(None, None, None), field))
    assert response.status_code == 400
    assert list(response.json()["errors"]) == [field]
    assert Consultation.objects.count() == before


@pytest.mark.django_db
def test_the_screens_rules_and_messages_apply(world, api):
    """The rules live in the screen's form: a family's consultation needs the relation, the main
    concern must be one of the concerns, a date may not be in the future."""
    body = _consultation(None, None, None) | {"contact_type": "family", "main_concern": "family"}
    errors = api["link"].post("/api/v1/consultations/", body).json()["errors"]
    assert errors == {
        "contact_relation": ["家族からの相談では、本人との関係を選んでください。"],
        "main_concern": ["主な相談内容は、チェックした項目から選んでください。"],
    }
    record = _record(world, None, None) | {"occurred_on": "2099-01-01"}
    errors = api["merkmal"].post(f"/api/v1/cases/{world.case.pk}/records/", record).json()["errors"]
    assert errors == {"occurred_on": ["未来の日付は入力できません。"]}


@pytest.mark.django_db
@pytest.mark.parametrize("field", ["occurred_on", "method", "reached", "persons", "summary"])
def test_a_record_without_a_required_field_names_it(field, world, api):
    before = ProgressRecord.objects.count()
    response = api["merkmal"].post(
        f"/api/v1/cases/{world.case.pk}/records/", _without(_record(world, None, None), field)
    )
    assert response.status_code == 400
    assert list(response.json()["errors"]) == [field]
    assert ProgressRecord.objects.count() == before


@pytest.mark.django_db
def test_a_person_of_another_household_is_refused_on_the_field(world, api):
    body = _record(world, None, None) | {"persons": [world.other_person.pk]}
    response = api["merkmal"].post(f"/api/v1/cases/{world.case.pk}/records/", body)
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["persons"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"basis": "consent"}, "consent"),  # the service's rule: no consent naming the agency
        ({"basis": "other_law"}, "basis_note"),
        ({"agency": 999999}, "agency"),
        ({"from_agency": 999999}, "from_agency"),
        ({"basis": "nonsense"}, "basis"),
        ({"reason": ""}, "reason"),
    ],
)
def test_a_referral_with_bad_input_names_the_field(body, field, world, api):
    before = Referral.objects.count()
    response = api["merkmal"].post(f"/api/v1/cases/{world.case.pk}/referrals/", _referral_body(None, None, None) | body)
    assert response.status_code == 400, response.content
    assert field in response.json()["errors"]
    assert Referral.objects.count() == before


@pytest.mark.django_db
@pytest.mark.parametrize("raw", [b"not json", b"[1, 2]", b'{"persons": "x"}', b"null"])
def test_a_body_of_the_wrong_shape_is_a_400(raw, world, api):
    from django.test import Client

    response = Client().post(
        f"/api/v1/cases/{world.case.pk}/records/",
        raw,
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {api['merkmal'].token}",
    )
    assert response.status_code == 400
    assert response.json()["detail"]


@pytest.mark.django_db
def test_the_same_idempotency_key_makes_one_record(world, api, accounts):
    key = str(uuid.uuid4())
    url = f"/api/v1/cases/{world.case.pk}/records/"
    first = api["merkmal"].post(url, _record(world, None, None), headers={"Idempotency-Key": key})
    again = api["merkmal"].post(url, _record(world, None, None), headers={"Idempotency-Key": key})
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["id"] == again.json()["id"]
    assert (first.json()["created"], again.json()["created"]) == (True, False)
    assert ProgressRecord.objects.filter(case=world.case).count() == 2  # the world's and this one
    creates = AccessEvent.objects.filter(user=accounts["merkmal"], action="create", object_type="record")
    assert creates.count() == 1


@pytest.mark.django_db
def test_a_key_of_another_token_is_another_key(world, api, users, accounts):
    from tsunagu.api.tests.conftest import Api, issue

    key = str(uuid.uuid4())
    url = f"/api/v1/cases/{world.case.pk}/records/"
    other = Api(issue(users["admin_user"], accounts["merkmal"]))
    assert api["merkmal"].post(url, _record(world, None, None), headers={"Idempotency-Key": key}).status_code == 201
    assert other.post(url, _record(world, None, None), headers={"Idempotency-Key": key}).status_code == 201


@pytest.mark.django_db
def test_a_malformed_idempotency_key_is_named(world, api):
    response = api["merkmal"].post(
        f"/api/v1/cases/{world.case.pk}/records/", _record(world, None, None), headers={"Idempotency-Key": "twice"}
    )
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["Idempotency-Key"]


@pytest.mark.django_db
def test_an_answer_on_a_stale_version_is_a_409_and_the_first_answer_stands(world, referral, api):
    url = f"/api/v1/referrals/{referral.pk}/answer/"
    stale = referral.version
    accepted = api["link"].post(url, {"version": stale, "answer": "accept", "comment": "お受けします。"})
    assert accepted.status_code == 200 and accepted.json()["status"] == "accepted"
    # Answered already: the service refuses by the state (400), as on the screen.
    again = api["link"].post(url, {"version": stale, "answer": "decline", "decline_reason": "other", "comment": "x"})
    assert again.status_code == 400
    referral.refresh_from_db()
    assert referral.status == "accepted"


@pytest.mark.django_db
def test_a_stale_version_is_a_409(world, referral, api):
    from tsunagu.referrals.models import Referral

    Referral.objects.filter(pk=referral.pk).update(version=referral.version + 1)
    response = api["link"].post(
        f"/api/v1/referrals/{referral.pk}/answer/", {"version": referral.version, "answer": "accept"}
    )
    assert response.status_code == 409
    referral.refresh_from_db()
    assert referral.status == "requested"


@pytest.mark.django_db
def test_a_decline_needs_its_reason_and_comment(world, referral, api):
    response = api["link"].post(f"/api/v1/referrals/{referral.pk}/answer/", {"version": 1, "answer": "decline"})
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"decline_reason", "comment"}


@pytest.mark.django_db
def test_accepting_puts_the_receiver_on_the_team(world, referral, api):
    assert api["link"].get(f"/api/v1/cases/{world.case.pk}/details/").status_code == 404
    api["link"].post(f"/api/v1/referrals/{referral.pk}/answer/", {"version": referral.version, "answer": "accept"})
    assert api["link"].get(f"/api/v1/cases/{world.case.pk}/details/").status_code == 200


@pytest.mark.django_db
@override_settings(API_TOKEN_RATE="3/min")
def test_the_rate_is_per_token(world, api):
    url = f"/api/v1/cases/{world.case.pk}/"
    assert [api["merkmal"].get(url).status_code for _ in range(4)] == [200, 200, 200, 429]
    assert api["merkmal"].get(url)["Retry-After"]
    # Another token is counted apart.
    assert api["link"].get(url).status_code == 200

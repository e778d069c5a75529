"""Issue 8 #19: a household or a person nobody could recognise again is not saved (decision 0010).
Anonymous stays normal: one identifying detail is enough."""

import uuid
from dataclasses import replace

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from tsunagu.audit.models import AccessEvent
from tsunagu.core.tests.forms import assert_refused, counts
from tsunagu.core.tests.personas import client_for
from tsunagu.people import services
from tsunagu.people.models import Household, Person, PersonNameKey
from tsunagu.people.tests.factories import household_make, person_make

EMPTY_PERSON = {
    "family_name": "",
    "given_name": "",
    "family_name_kana": "",
    "given_name_kana": "",
    "label": "",
    "sex": "male",
    "birth_date": None,
    "approx_decade": None,
    "relation": "unknown",
    "is_concerned": True,
    "disability": "unknown",
    "withdrawal_since": None,
    "going_out": None,
    "phone": "",
}
WRITES = (Household, Person, PersonNameKey, AccessEvent)


@pytest.mark.django_db
def test_an_empty_household_is_refused_on_the_page_and_nothing_is_written(desk):
    assert_refused(
        client_for(desk),
        reverse("people:household_create"),
        {"submission_key": str(uuid.uuid4()), "sig_arrears": "on", "phone": "03-1234-5678"},
        field=None,
        message="世帯の呼び名・住所・郵便番号・地区のどれかを入力してください",
        unchanged=WRITES,
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    "data", [{"label": "下馬のテスト宅"}, {"address": "世田谷区下馬一丁目"}, {"postal_code": "154-0001"}]
)
def test_one_detail_is_enough_for_a_household(desk, data):
    response = client_for(desk).post(reverse("people:household_create"), {"submission_key": str(uuid.uuid4()), **data})
    assert response.status_code == 302


@pytest.mark.django_db
def test_a_household_with_no_member_cannot_be_emptied_but_one_with_members_can(world, desk):
    household = household_make(label="空にされる世帯", user=desk)
    with pytest.raises(ValidationError):
        services.household_update(
            user=desk,
            household=household,
            expected_version=household.version,
            data=replace(services.HouseholdData.of(household), label="", district=None),
        )
    household.refresh_from_db()
    assert household.label == "空にされる世帯"
    url = reverse("people:household_edit", kwargs={"pk": world.household.pk})
    response = client_for(desk).post(url, {"version": world.household.version, "label": ""})
    assert response.status_code == 302  # 山田 太郎 lives there: the household is found through him
    empty = household_make(label="編集で空に", user=desk)
    response = client_for(desk).post(
        reverse("people:household_edit", kwargs={"pk": empty.pk}), {"version": empty.version, "label": ""}
    )
    assert response.status_code == 400
    assert "世帯の呼び名・住所" in response.content.decode()
    empty.refresh_from_db()
    assert (empty.label, empty.version) == ("編集で空に", 1)


@pytest.mark.django_db
def test_an_empty_person_is_refused_by_the_service_and_nothing_is_written(world, desk):
    before = counts(*WRITES)
    with pytest.raises(ValidationError) as caught:
        services.person_create(user=desk, household=world.household, data=services.PersonData(**EMPTY_PERSON))
    assert "氏名・フリガナ・呼び名・生年月日・おおよその年代・続柄のどれか一つ" in caught.value.messages[0]
    assert counts(*WRITES) == before


@pytest.mark.django_db
def test_an_empty_person_is_refused_on_the_page(world, desk):
    assert_refused(
        client_for(desk),
        reverse("people:person_create", kwargs={"household_pk": world.household.pk}),
        {
            "submission_key": str(uuid.uuid4()),
            "sex": "female",
            "relation": "unknown",
            "disability": "unknown",
            "is_concerned": "on",
        },
        field=None,
        message="氏名・フリガナ・呼び名・生年月日・おおよその年代・続柄のどれか一つ",
        unchanged=(Household, Person, PersonNameKey),  # opening the household is recorded, nothing else
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    "detail",
    [{"label": "相談者の長男"}, {"relation": "mother"}, {"approx_decade": 50}, {"given_name_kana": "タロウ"}],
)
def test_one_detail_is_enough_for_a_person(world, desk, detail):
    person = services.person_create(
        user=desk, household=world.household, data=services.PersonData(**EMPTY_PERSON | detail)
    )
    assert person.pk is not None


@pytest.mark.django_db
def test_a_persons_last_detail_cannot_be_erased_by_an_edit(world, desk):
    person = person_make(world.household, label="相談者の父", user=desk)
    url = reverse("people:person_edit", kwargs={"pk": person.pk})
    data = {"version": person.version, "sex": "unknown", "relation": "unknown", "disability": "unknown"}
    response = client_for(desk).post(url, data)
    assert response.status_code == 400
    assert "どれか一つは入力してください" in str(response.context["form"].non_field_errors())
    person.refresh_from_db()
    assert (person.label, person.version) == ("相談者の父", 1)

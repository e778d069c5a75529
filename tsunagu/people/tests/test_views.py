"""Households and persons through their pages: field errors (R4), one record per submission
(R3), conflicts (R2), duplicate warnings."""

import uuid

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tsunagu.core.tests.forms import assert_refused
from tsunagu.core.tests.personas import client_for
from tsunagu.people.models import Household, Person, PersonNameKey

PERSON_BASE = {"sex": "unknown", "relation": "unknown", "disability": "unknown"}


def person_post(**overrides):
    return {**PERSON_BASE, "submission_key": str(uuid.uuid4()), **overrides}


@pytest.mark.django_db
def test_the_desk_registers_a_household_and_its_district_follows_the_postal_code(desk):
    response = client_for(desk).post(
        reverse("people:household_create"),
        {
            "submission_key": str(uuid.uuid4()),
            "label": "池尻のテスト宅",
            "postal_code": "１５４－０００１",
        },
    )
    household = Household.objects.get(label="池尻のテスト宅")
    assert response.status_code == 302
    assert household.postal_code == "154-0001"
    assert household.district.name == "池尻"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"postal_code": "15400"}, "postal_code", "7桁"),
        ({"postal_code": "ｲｹｼﾞﾘ"}, "postal_code", "7桁"),
        ({"label": "山田さん宅🏠"}, "label", "絵文字"),
        ({"label": "あ" * 61}, "label", "60 文字以下"),
        ({"phone": "ﾃﾞﾝﾜ"}, "phone", "数字とハイフン"),
    ],
)
def test_bad_household_input_is_answered_on_the_field(desk, data, field, message):
    assert_refused(
        client_for(desk),
        reverse("people:household_create"),
        {"submission_key": str(uuid.uuid4()), **data},
        field=field,
        message=message,
        unchanged=(Household,),
    )


@pytest.mark.django_db
def test_an_unnamed_person_is_registered_with_a_label(world, desk):
    client = client_for(desk)
    response = client.post(
        reverse("people:person_create", kwargs={"household_pk": world.household.pk}),
        person_post(label="相談者の長男（50代）", approx_decade="50", relation="son"),
    )
    assert response.status_code == 302
    person = Person.objects.get(label="相談者の長男（50代）")
    assert person.display_name == "相談者の長男（50代）"
    assert person.full_name == ""


@pytest.mark.django_db
def test_kana_typed_in_hiragana_or_half_width_is_stored_as_katakana(world, desk):
    client_for(desk).post(
        reverse("people:person_create", kwargs={"household_pk": world.household.pk}),
        person_post(family_name="山田", family_name_kana="やまだ", given_name_kana="ﾊﾅｺ", birth_date="R2.1.1"),
    )
    person = Person.objects.get(family_name_kana="ヤマダ", given_name_kana="ハナコ")
    assert str(person.birth_date) == "2020-01-01"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"birth_date": "令和7年2月30日"}, "birth_date", "2月30日という日付はありません"),
        ({"birth_date": "2099-01-01"}, "birth_date", "未来の日付"),
        ({"birth_date": "H31.5.1"}, "birth_date", "期間外"),
        ({"birth_date": "あした"}, "birth_date", "のように入力"),
        ({"family_name": "山田😀"}, "family_name", "絵文字"),
        ({"family_name": "あ" * 41}, "family_name", "40 文字以下"),
        ({"family_name_kana": "山田"}, "family_name_kana", "カタカナまたはひらがな"),
        ({"given_name_kana": "タロウ👍"}, "given_name_kana", "絵文字"),
        ({"phone": "ｾﾞﾛｻﾝ"}, "phone", "数字とハイフン"),
        ({"sex": "robot"}, "sex", "正しく選択"),
        ({"birth_date": "2000-01-01", "withdrawal_since": "1999-01-01"}, "withdrawal_since", "生年月日より前"),
        ({"submission_key": "not-a-key"}, "submission_key", "UUID"),
    ],
)
def test_bad_person_input_is_answered_on_the_field(world, desk, data, field, message):
    assert_refused(
        client_for(desk),
        reverse("people:person_create", kwargs={"household_pk": world.household.pk}),
        person_post(**data),
        field=field,
        message=message,
        unchanged=(Person, PersonNameKey),
    )


@given(
    st.dictionaries(
        st.sampled_from(
            [
                "family_name",
                "given_name",
                "family_name_kana",
                "given_name_kana",
                "label",
                "birth_date",
                "phone",
                "approx_decade",
                "sex",
                "relation",
                "withdrawal_since",
                "going_out",
            ]
        ),
        st.text(max_size=80),
        max_size=6,
    )
)
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@pytest.mark.django_db
def test_any_input_is_saved_or_answered_never_a_server_error(world, desk, data):
    client = client_for(desk)
    before = Person.objects.count()
    response = client.post(
        reverse("people:person_create", kwargs={"household_pk": world.household.pk}),
        person_post(**data, not_duplicate="on"),
    )
    assert response.status_code in (302, 400)
    assert Person.objects.count() == before + (1 if response.status_code == 302 else 0)


@pytest.mark.django_db
def test_a_double_submission_creates_one_person(world, desk):
    client = client_for(desk)
    data = person_post(family_name="鈴木", given_name="次郎")
    url = reverse("people:person_create", kwargs={"household_pk": world.household.pk})
    first, second = client.post(url, data), client.post(url, data)
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]
    assert Person.objects.filter(family_name="鈴木").count() == 1


@pytest.mark.django_db
def test_a_double_submission_creates_one_household(desk):
    client = client_for(desk)
    data = {"submission_key": str(uuid.uuid4()), "label": "二度押しの家"}
    client.post(reverse("people:household_create"), data)
    client.post(reverse("people:household_create"), data)
    assert Household.objects.filter(label="二度押しの家").count() == 1


@pytest.mark.django_db
def test_a_look_alike_is_flagged_before_saving_and_can_be_confirmed(world, desk):
    client = client_for(desk)
    url = reverse("people:person_create", kwargs={"household_pk": world.other_household.pk})
    data = person_post(
        family_name="山田",
        given_name="太郎",
        family_name_kana="やまだ",
        given_name_kana="たろう",
        birth_date="平成2年5月10日",
    )
    response = client.post(url, data)
    assert response.status_code == 400
    assert [p.pk for p in response.context["similar"]] == [world.person.pk]
    assert "似た人がすでに登録されています" in response.content.decode()
    assert Person.objects.filter(family_name="山田").count() == 1
    response = client.post(url, {**data, "not_duplicate": "on"})
    assert response.status_code == 302
    assert Person.objects.filter(family_name="山田").count() == 2


@pytest.mark.django_db
def test_a_reading_with_an_unknown_birth_date_is_also_a_look_alike(world, desk):
    response = client_for(desk).post(
        reverse("people:person_create", kwargs={"household_pk": world.other_household.pk}),
        person_post(family_name_kana="ヤマダ", given_name_kana="タロウ"),
    )
    assert response.status_code == 400
    assert [p.pk for p in response.context["similar"]] == [world.person.pk]
    assert not world.other_household.members.filter(family_name_kana="ヤマダ").exists()


def edit_data(client, url):
    form = client.get(url).context["form"]
    data = {}
    for name, field in form.fields.items():
        value = form.initial.get(name, field.initial)
        if value is None or value is False:
            continue
        data[name] = field.prepare_value(value) if hasattr(field, "prepare_value") else value
        if value is True:
            data[name] = "on"
    return data


@pytest.mark.django_db
def test_two_edits_of_the_same_person_the_second_is_told_and_keeps_its_input(world, desk, lead_worker):
    url = reverse("people:person_edit", kwargs={"pk": world.person.pk})
    first, second = client_for(desk), client_for(lead_worker)
    data_first, data_second = edit_data(first, url), edit_data(second, url)
    assert first.post(url, {**data_first, "given_name": "一郎"}).status_code == 302
    response = second.post(url, {**data_second, "given_name": "二郎"})
    assert response.status_code == 409
    page = response.content.decode()
    assert "他の職員が先にこの記録を更新しました" in page
    rows = {row["label"]: row for row in response.context["conflict"]}
    assert rows["名"]["theirs"] == "一郎"
    assert rows["名"]["yours"] == "二郎"
    assert response.context["form"]["given_name"].value() == "二郎"
    world.person.refresh_from_db()
    assert world.person.given_name == "一郎"
    # Saving again from the conflict page is a deliberate overwrite.
    retry = {**data_second, "given_name": "二郎", "version": response.context["form"]["version"].value()}
    assert second.post(url, retry).status_code == 302
    world.person.refresh_from_db()
    assert world.person.given_name == "二郎"


@pytest.mark.django_db
def test_two_edits_of_the_same_household_the_second_is_told(world, desk, lead_worker):
    url = reverse("people:household_edit", kwargs={"pk": world.household.pk})
    first, second = client_for(desk), client_for(lead_worker)
    data_first, data_second = edit_data(first, url), edit_data(second, url)
    assert first.post(url, {**data_first, "address": "一丁目"}).status_code == 302
    response = second.post(url, {**data_second, "address": "二丁目"})
    assert response.status_code == 409
    world.household.refresh_from_db()
    assert world.household.address == "一丁目"

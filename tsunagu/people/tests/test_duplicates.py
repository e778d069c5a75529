"""Issue 9 #4: the rule against registering a person twice is one service
(people.services.person_check_duplicate), used by the person form and the desk's triage, with one
message in both, translated."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import translation

from tsunagu.audit.models import AccessEvent
from tsunagu.core.tests.personas import client_for
from tsunagu.people.services import DUPLICATE_MESSAGE, PossibleDuplicate, person_check_duplicate
from tsunagu.people.tests.test_views import person_post

LOOK_ALIKE = {
    "family_name": "山田",
    "given_name": "太郎",
    "family_name_kana": "ヤマダ",
    "given_name_kana": "タロウ",
}


@pytest.mark.django_db
def test_a_look_alike_is_refused_until_confirmed_and_the_check_is_audited(world, desk):
    with pytest.raises(PossibleDuplicate) as refused:
        person_check_duplicate(user=desk, **LOOK_ALIKE, birth_date=dt.date(1990, 5, 10))
    assert [p.pk for p in refused.value.similar] == [world.person.pk]
    assert refused.value.message_dict == {"not_duplicate": [str(DUPLICATE_MESSAGE)]}
    confirmed = person_check_duplicate(user=desk, **LOOK_ALIKE, birth_date=None, confirmed_different=True)
    assert [p.pk for p in confirmed] == [world.person.pk]
    assert person_check_duplicate(user=desk, family_name="鈴木", given_name="花子") == []
    checks = AccessEvent.objects.filter(user=desk, reason="duplicate check")
    assert [event.person_ids for event in checks] == [[world.person.pk], [world.person.pk]]


@pytest.mark.django_db
def test_the_person_form_and_the_triage_give_the_same_translated_message(world, desk):
    client = client_for(desk)
    person_page = client.post(
        reverse("people:person_create", kwargs={"household_pk": world.other_household.pk}),
        person_post(**LOOK_ALIKE),
    )
    assert person_page.status_code == 400
    triage_page = client.post(
        reverse("intake:triage", kwargs={"pk": world.waiting.pk}),
        {
            "version": world.waiting.version,
            "screening": "info_only",
            "household_mode": "existing",
            "household_id": world.other_household.pk,
            "household": world.other_household.pk,
            "person_mode": "new",
            **{f"p-{name}": value for name, value in LOOK_ALIKE.items()},
            "p-relation": "son",
            "p-sex": "unknown",
            "p-disability": "unknown",
            "action": "save",
        },
    )
    assert triage_page.status_code == 400
    for response, form in ((person_page, "form"), (triage_page, "form")):
        assert response.context[form].errors["not_duplicate"] == [str(DUPLICATE_MESSAGE)]
        assert [p.pk for p in response.context["similar"]] == [world.person.pk]
    japanese = str(DUPLICATE_MESSAGE)
    with translation.override("en"):
        assert str(DUPLICATE_MESSAGE) != japanese

"""Support stages per person, recorded from the case; the derived 8050 signal."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from tsunagu.cases.models import TimelineEntry
from tsunagu.core.tests.personas import client_for
from tsunagu.people.tests.factories import household_make, person_make


def stage_url(case, person):
    return reverse("cases:stage", kwargs={"pk": case.pk, "person_pk": person.pk})


@pytest.mark.django_db
def test_a_caseworker_records_a_persons_support_stage(world, lead_worker):
    client = client_for(lead_worker)
    version = client.get(stage_url(world.case, world.person)).context["form"].initial["version"]
    response = client.post(stage_url(world.case, world.person), {"version": version, "stage": 2})
    assert response.status_code == 302
    world.person.refresh_from_db()
    assert world.person.get_support_stage_display() == "個人的支援段階"
    line = TimelineEntry.objects.get(case=world.case, kind="stage")
    assert line.summary == "山田 太郎：個人的支援段階"
    page = client.get(reverse("cases:detail", kwargs={"pk": world.case.pk})).content.decode()
    assert "個人的支援段階" in page


@pytest.mark.django_db
def test_a_person_outside_the_case_household_is_not_found(world, lead_worker):
    assert client_for(lead_worker).get(stage_url(world.case, world.other_person)).status_code == 404


@pytest.mark.django_db
def test_a_bad_stage_is_answered_and_a_stale_one_is_told(world, lead_worker, users):
    client = client_for(lead_worker)
    version = client.get(stage_url(world.case, world.person)).context["form"].initial["version"]
    assert client.post(stage_url(world.case, world.person), {"version": version, "stage": 9}).status_code == 400
    assert client.post(stage_url(world.case, world.person), {"version": version, "stage": 1}).status_code == 302
    stale = client_for(users["supervisor"]).post(stage_url(world.case, world.person), {"version": version, "stage": 3})
    assert stale.status_code == 409
    world.person.refresh_from_db()
    assert world.person.support_stage == 1


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["desk", "outsider", "secretariat"])
def test_only_the_team_records_stages(world, users, persona):
    assert client_for(users[persona]).get(stage_url(world.case, world.person)).status_code == 404


@pytest.mark.django_db
@time_machine.travel(dt.datetime(2026, 11, 28, 3, 0, tzinfo=dt.UTC), tick=False)
def test_an_elderly_parent_with_a_person_of_concern_over_40_is_an_8050_household(reference):
    household = household_make(label="8050")
    person_make(household, approx_decade=80, relation="mother")
    son = person_make(household, birth_date="1980-04-01", relation="son")
    assert not household.derived_8050()  # the son is not (yet) a person of concern
    son.is_concerned = True
    son.save()
    assert household.derived_8050()
    young = household_make(label="young")
    person_make(young, approx_decade=70, relation="mother")
    person_make(young, birth_date="1995-01-01", is_concerned=True)
    assert not young.derived_8050()


@pytest.mark.django_db
@time_machine.travel(dt.datetime(2026, 11, 28, 3, 0, tzinfo=dt.UTC), tick=False)
def test_the_8050_signal_shows_on_the_household_and_the_case(world, lead_worker):
    person_make(world.household, approx_decade=80, relation="mother")
    world.person.birth_date = dt.date(1980, 1, 1)
    world.person.save()
    client = client_for(lead_worker)
    for url in (
        reverse("people:household_detail", kwargs={"pk": world.household.pk}),
        reverse("cases:detail", kwargs={"pk": world.case.pk}),
    ):
        assert "8050世帯" in client.get(url).content.decode()

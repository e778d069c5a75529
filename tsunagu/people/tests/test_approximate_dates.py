"""Issue 8 #18: 「ひきこもり状態になった時期」 is often known only as 「平成18年ごろ」. A year or a year and
month is accepted, kept with its precision, shown as approximate, and durations count from it."""

import datetime as dt
import uuid

import pytest
import time_machine
from django.urls import reverse

from tsunagu.assessments.models import Assessment
from tsunagu.assessments.tests.test_views import post_new
from tsunagu.core.tests.personas import client_for
from tsunagu.people.models import Person
from tsunagu.people.tests.factories import person_make

TODAY = dt.datetime(2026, 11, 29, 10, 0, tzinfo=dt.UTC)
BASE = {"sex": "unknown", "relation": "son", "disability": "unknown", "is_concerned": "on"}


def create(client, household, **data):
    url = reverse("people:person_create", kwargs={"household_pk": household.pk})
    return client.post(url, {**BASE, "submission_key": str(uuid.uuid4()), "label": "相談者の次男", **data})


@pytest.mark.django_db
@time_machine.travel(TODAY, tick=False)
@pytest.mark.parametrize(
    ("typed", "stored", "precision", "shown", "years"),
    [
        ("平成18年ごろ", dt.date(2006, 1, 1), "year", "平成18年ごろ", 20),
        ("H18", dt.date(2006, 1, 1), "year", "平成18年ごろ", 20),
        ("2006年4月", dt.date(2006, 4, 1), "month", "平成18年4月ごろ", 20),
        ("令和元年5月", dt.date(2019, 5, 1), "month", "令和元年5月ごろ", 7),
        ("2006-12-01", dt.date(2006, 12, 1), "day", "平成18年12月1日", 19),
    ],
)
def test_a_year_or_a_month_is_accepted_kept_and_shown_as_approximate(
    world, desk, typed, stored, precision, shown, years
):
    client = client_for(desk)
    response = create(client, world.household, withdrawal_since=typed)
    assert response.status_code == 302, response.context["form"].errors
    person = Person.objects.get(label="相談者の次男")
    assert (person.withdrawal_since, person.withdrawal_since_precision) == (stored, precision)
    page = client.get(reverse("people:person_detail", kwargs={"pk": person.pk})).content.decode()
    assert f"{shown}（約{years}年）" in page
    edit = client.get(reverse("people:person_edit", kwargs={"pk": person.pk})).content.decode()
    assert f'value="{shown}"' in edit


@pytest.mark.django_db
@time_machine.travel(TODAY, tick=False)
def test_an_edit_keeps_the_precision_it_was_given(world, desk):
    person = person_make(world.household, label="相談者の三男", user=desk)
    url = reverse("people:person_edit", kwargs={"pk": person.pk})
    data = {**BASE, "label": "相談者の三男", "version": person.version, "withdrawal_since": "平成18年4月ごろ"}
    assert client_for(desk).post(url, data).status_code == 302
    person.refresh_from_db()
    assert (person.withdrawal_since, person.withdrawal_since_precision) == (dt.date(2006, 4, 1), "month")
    data = {**data, "version": person.version, "withdrawal_since": ""}
    assert client_for(desk).post(url, data).status_code == 302
    person.refresh_from_db()
    assert (person.withdrawal_since, person.withdrawal_since_precision) == (None, "day")


@pytest.mark.django_db
@time_machine.travel(TODAY, tick=False)
@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"withdrawal_since": "令和9年"}, "未来の時期は入力できません"),
        ({"withdrawal_since": "20代のころ"}, "年・年月・日付で"),
        ({"withdrawal_since": "1999年", "birth_date": "2000-05-10"}, "生年月日より前"),
        ({"withdrawal_since": "平成31年5月"}, "平成の期間外"),
    ],
)
def test_a_period_that_cannot_be_is_refused_on_the_field(world, desk, data, message):
    before = Person.objects.count()
    response = create(client_for(desk), world.household, **data)
    assert response.status_code == 400
    assert any(message in e for e in response.context["form"].errors["withdrawal_since"])
    assert Person.objects.count() == before


@pytest.mark.django_db
@time_machine.travel(TODAY, tick=False)
def test_the_year_of_birth_itself_is_not_before_birth(world, desk):
    response = create(client_for(desk), world.household, withdrawal_since="2000年", birth_date="2000-05-10")
    assert response.status_code == 302


@pytest.mark.django_db
@time_machine.travel(TODAY, tick=False)
def test_a_date_given_before_is_a_day(world, desk):
    person = person_make(world.household, label="以前からの記録", withdrawal_since=dt.date(2010, 4, 1))
    assert person.withdrawal_since_precision == "day"
    page = client_for(desk).get(reverse("people:person_detail", kwargs={"pk": person.pk})).content.decode()
    assert "平成22年4月1日（約16年）" in page


@pytest.mark.django_db
@time_machine.travel(TODAY, tick=False)
def test_an_assessment_date_item_accepts_a_year(world, lead_worker):
    response = post_new(client_for(lead_worker), world, status="draft", q_since="平成18年ごろ")
    assert response.status_code == 302
    assessment = Assessment.objects.latest("pk")
    assert assessment.answers["since"] == "2006"
    page = client_for(lead_worker).get(reverse("assessments:detail", kwargs={"pk": assessment.pk})).content.decode()
    assert "平成18年ごろ" in page

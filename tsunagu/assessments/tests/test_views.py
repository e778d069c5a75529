"""Assessments through their pages: draft and complete, completeness, R2–R4, the history chart."""

import uuid

import pytest
from django.urls import reverse

from tsunagu.assessments.definition import UNKNOWN, items_of
from tsunagu.assessments.models import Assessment
from tsunagu.assessments.services import current_instrument
from tsunagu.audit.models import AccessEvent
from tsunagu.core.tests.personas import client_for


def all_unknown(target="person"):
    data = {}
    for item in items_of(current_instrument(target).definition):
        if item["type"] in ("single", "scale"):
            data[f"q_{item['id']}"] = UNKNOWN
        else:
            data[f"u_{item['id']}"] = "on"
    return data


def post_new(client, world, *, status="complete", assessed_on="令和8年11月20日", **answers):
    data = {
        "submission_key": str(uuid.uuid4()),
        "assessed_on": assessed_on,
        "status": status,
        **all_unknown(),
        **answers,
    }
    for key in [k for k in answers if k.startswith("q_")]:
        data.pop("u_" + key[2:], None)
    url = reverse("assessments:person_new", kwargs={"case_pk": world.case.pk, "person_pk": world.person.pk})
    return client.post(url, data)


@pytest.mark.django_db
def test_a_caseworker_completes_a_standard_assessment(world, lead_worker):
    response = post_new(
        client_for(lead_worker),
        world,
        q_going_out="7",
        q_sleep="2",
        q_meals="3",
        q_hygiene="3",
        q_internet="4",
        q_money="2",
        q_support_stage="1",
        q_wishes="いつか外で働いてみたい",
    )
    assessment = Assessment.objects.latest("pk")
    assert response.status_code == 302
    assert (assessment.status, assessment.going_out, assessment.support_stage) == ("complete", 7, 1)
    daily = assessment.scores["scales"]["daily_life"]
    assert (daily["sum"], daily["counted"], daily["of"]) == (2 + 3 + 3 + 1 + 2, 5, 5)  # internet reversed: 4 → 1
    assert assessment.answers["wishes"] == "いつか外で働いてみたい"
    assert assessment.answers["since"] == UNKNOWN
    page = client_for(lead_worker).get(reverse("assessments:detail", kwargs={"pk": assessment.pk})).content.decode()
    assert "自室からは出るが、家からは出ない" in page
    assert "回答 8・不明 17・未回答 0" in page
    assert world.case.timeline.filter(kind="assessment").exists()


@pytest.mark.django_db
def test_completing_with_unanswered_items_is_refused_on_those_items(world, lead_worker):
    client = client_for(lead_worker)
    data = {"submission_key": str(uuid.uuid4()), "assessed_on": "R8.11.20", "status": "complete", "q_going_out": "6"}
    url = reverse("assessments:person_new", kwargs={"case_pk": world.case.pk, "person_pk": world.person.pk})
    before = Assessment.objects.count()
    response = client.post(url, data)
    assert response.status_code == 400
    assert "完了するには回答するか「不明」を選んでください" in str(response.context["form"].errors["q_sleep"])
    assert Assessment.objects.count() == before
    assert client.post(url, {**data, "status": "draft"}).status_code == 302
    assert Assessment.objects.latest("pk").status == "draft"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"assessed_on": "令和8年2月30日"}, "assessed_on", "2月30日という日付はありません"),
        ({"assessed_on": "2099-01-01"}, "assessed_on", "未来の日付"),
        ({"q_going_out": "9"}, "q_going_out", "正しく選択"),
        ({"q_sleep": "5"}, "q_sleep", "正しく選択"),
        ({"q_wishes": "あ" * 2001}, "q_wishes", "2000 文字以下"),
        ({"q_since": "令和8年2月30日"}, "q_since", "ありません"),
        ({"q_wishes": "働きたい", "u_wishes": "on"}, "q_wishes", "両方は選べません"),
    ],
)
def test_bad_assessment_input_is_answered_on_the_field(world, lead_worker, data, field, message):
    before = (Assessment.objects.count(), AccessEvent.objects.count())
    url = reverse("assessments:person_new", kwargs={"case_pk": world.case.pk, "person_pk": world.person.pk})
    response = client_for(lead_worker).post(
        url, {"submission_key": str(uuid.uuid4()), "assessed_on": "R8.11.20", "status": "draft", **data}
    )
    assert response.status_code == 400
    assert any(message in e for e in response.context["form"].errors[field])
    assert (Assessment.objects.count(), AccessEvent.objects.count() - 1) == before  # only the view event


@pytest.mark.django_db
def test_a_double_submission_makes_one_assessment(world, lead_worker):
    client = client_for(lead_worker)
    key = str(uuid.uuid4())
    url = reverse("assessments:person_new", kwargs={"case_pk": world.case.pk, "person_pk": world.person.pk})
    data = {"submission_key": key, "assessed_on": "R8.11.20", "status": "draft", "q_going_out": "6"}
    before = Assessment.objects.count()
    client.post(url, data)
    client.post(url, data)
    assert Assessment.objects.count() == before + 1


@pytest.mark.django_db
def test_a_draft_is_continued_and_two_editors_conflict(world, lead_worker, users):
    client = client_for(lead_worker)
    url = reverse("assessments:person_new", kwargs={"case_pk": world.case.pk, "person_pk": world.person.pk})
    client.post(
        url, {"submission_key": str(uuid.uuid4()), "assessed_on": "R8.11.20", "status": "draft", "q_going_out": "6"}
    )
    assessment = Assessment.objects.latest("pk")
    edit = reverse("assessments:edit", kwargs={"pk": assessment.pk})
    form = client.get(edit).context["form"]
    assert form.initial["q_going_out"] == "6"
    base = {"assessed_on": "R8.11.20", "status": "draft", "version": 1}
    assert client.post(edit, {**base, "q_going_out": "5"}).status_code == 302
    stale = client_for(users["supervisor"]).post(edit, {**base, "q_going_out": "8"})
    assert stale.status_code == 409
    assessment.refresh_from_db()
    assert assessment.answers["going_out"] == "5"


@pytest.mark.django_db
def test_a_completed_assessment_is_not_edited_again(world, lead_worker):
    post_new(client_for(lead_worker), world)
    assessment = Assessment.objects.latest("pk")
    response = client_for(lead_worker).get(reverse("assessments:edit", kwargs={"pk": assessment.pk}))
    assert response.status_code == 302
    assert response["Location"] == reverse("assessments:detail", kwargs={"pk": assessment.pk})


@pytest.mark.django_db
def test_the_familys_needs_are_assessed_separately(world, lead_worker):
    url = reverse("assessments:family_new", kwargs={"case_pk": world.case.pk})
    data = {
        "submission_key": str(uuid.uuid4()),
        "assessed_on": "R8.11.20",
        "status": "complete",
        **all_unknown("family"),
        "q_strain_emotional": "4",
        "q_strain_time": "4",
        "q_strain_money": "3",
        "q_support_around": "1",
    }
    response = client_for(lead_worker).post(url, data)
    assert response.status_code == 302
    family = Assessment.objects.latest("pk")
    assert (family.target, family.person) == ("family", None)
    strain = family.scores["scales"]["strain"]
    assert (strain["sum"], strain["above_cut_off"]) == (15.0, True)


@pytest.mark.django_db
def test_the_history_shows_two_assessments_as_a_chart_and_a_table(world, lead_worker):
    client = client_for(lead_worker)
    post_new(client, world, assessed_on="令和8年6月1日", q_going_out="8", q_support_stage="1")
    post_new(client, world, assessed_on="令和8年11月1日", q_going_out="6", q_support_stage="2")
    response = client.get(reverse("assessments:history", kwargs={"person_pk": world.person.pk}))
    page = response.content.decode()
    assert len(response.context["rows"]) == 2
    assert page.count("<circle") == 4  # going-out and stage, two points each (daily life unknown)
    chart = response.context["chart"]
    assert [t.label for t in chart.ticks] == ["R8.6.1", "R8.11.1"]
    assert "<svg" in page and "<script" not in page[page.index("<svg") : page.index("</svg>")]
    assert "R8.6.1" in page and "R8.11.1" in page


@pytest.mark.django_db
def test_a_person_outside_the_case_household_is_not_found(world, lead_worker):
    url = reverse("assessments:person_new", kwargs={"case_pk": world.case.pk, "person_pk": world.other_person.pk})
    assert client_for(lead_worker).get(url).status_code == 404

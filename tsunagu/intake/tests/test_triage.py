"""Triage: screening outcome, household and person, a case with a lead chosen from suggestions."""

import datetime as dt
from unittest import mock

import pytest
import time_machine
from django.urls import reverse

from tsunagu.agencies.models import Agency
from tsunagu.audit.models import AccessEvent
from tsunagu.cases.models import Case, CaseAgency
from tsunagu.core.tests.personas import client_for
from tsunagu.intake.models import Consultation
from tsunagu.people.models import Household, Person

NOW = dt.datetime(2026, 11, 27, 1, 0, tzinfo=dt.UTC)


def triage_url(consultation):
    return reverse("intake:triage", kwargs={"pk": consultation.pk})


def new_household_and_unnamed_son(consultation, **overrides):
    return {
        "version": consultation.version,
        "screening": "continue",
        "household_mode": "new",
        "hh-label": "池尻の相談者宅",
        "hh-postal_code": "154-0001",
        "person_mode": "new",
        "p-label": "相談者の長男（50代）",
        "p-approx_decade": "50",
        "p-relation": "son",
        "p-sex": "male",
        "p-disability": "unknown",
        "p-is_concerned": "on",
        "add_contact": "on",
        "contact_decade": "80",
        **overrides,
    }


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_suggestions_show_the_rule_behind_each_agency_and_save_nothing(world, desk):
    client = client_for(desk)
    before = (Household.objects.count(), Person.objects.count(), Case.objects.count())
    response = client.post(triage_url(world.waiting), new_household_and_unnamed_son(world.waiting, action="suggest"))
    assert response.status_code == 200
    suggestions = [(s.agency.code, s.role, s.rule.code, s.because) for s in response.context["suggestions"]]
    assert suggestions == [
        ("link", "lead", "adult-lead", "推定55歳"),
        ("anshin-ikejiri", "partner", "elderly-partner", "世帯に85歳の人"),
    ]
    form = response.context["form"]
    assert form["lead"].value() == str(Agency.objects.get(code="link").pk)
    assert form["partners"].value() == [str(Agency.objects.get(code="anshin-ikejiri").pk)]
    assert "40歳以上 → ぷらっとホーム世田谷" in response.content.decode()
    assert (Household.objects.count(), Person.objects.count(), Case.objects.count()) == before


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_the_desk_triages_a_mothers_call_about_her_unnamed_son_into_a_case(world, desk):
    link = Agency.objects.get(code="link")
    anshin = Agency.objects.get(code="anshin-ikejiri")
    response = client_for(desk).post(
        triage_url(world.waiting),
        new_household_and_unnamed_son(
            world.waiting, action="save", lead=link.pk, partners=[anshin.pk], sharing_basis="consent"
        ),
    )
    world.waiting.refresh_from_db()
    case = world.waiting.case
    assert response.status_code == 302
    assert response["Location"] == reverse("cases:detail", kwargs={"pk": case.pk})
    assert world.waiting.screening == "continue"
    assert world.waiting.triaged_by == desk
    assert world.waiting.person.display_name == "相談者の長男（50代）"
    assert world.waiting.household.district.name == "池尻"
    assert sorted(m.get_relation_display() for m in world.waiting.household.members.all()) == ["息子", "母"]
    assert {(m.agency.code, m.role, m.sharing_basis) for m in case.team.all()} == {
        ("link", "lead", "consent"),
        ("anshin-ikejiri", "partner", "consent"),
    }
    assert AccessEvent.objects.filter(action="create", object_type="case", case_id=case.pk).exists()


@pytest.mark.django_db
def test_information_only_closes_the_consultation_without_a_case(world, desk):
    response = client_for(desk).post(
        triage_url(world.waiting),
        {
            "version": world.waiting.version,
            "screening": "info_only",
            "note": "パンフレットを郵送",
            "household_mode": "none",
            "person_mode": "none",
            "action": "save",
        },
    )
    world.waiting.refresh_from_db()
    assert response.status_code == 302
    assert world.waiting.screening == "info_only"
    assert world.waiting.case is None
    assert world.waiting.is_triaged


@pytest.mark.django_db
def test_a_picked_existing_person_brings_their_household(world, desk):
    client = client_for(desk)
    page = client.get(triage_url(world.waiting), {"person": world.other_person.pk})
    assert page.context["picked_person"] == world.other_person
    response = client.post(
        triage_url(world.waiting),
        {
            "version": world.waiting.version,
            "screening": "continue",
            "household_mode": "existing",
            "person_mode": "existing",
            "person_id": world.other_person.pk,
            "action": "save",
            "lead": Agency.objects.get(code="link").pk,
            "sharing_basis": "consent",
        },
    )
    assert response.status_code == 302
    world.waiting.refresh_from_db()
    assert world.waiting.person == world.other_person
    assert world.waiting.household == world.other_household
    assert world.waiting.case.household == world.other_household


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"lead": ""}, "lead", "主担当機関を選んでください"),
        ({"sharing_basis": ""}, "sharing_basis", "共有する根拠"),
        ({"screening": ""}, "screening", "このフィールドは必須です"),
        ({"household_mode": "none", "person_mode": "none"}, "household_mode", "世帯を選ぶか登録"),
        ({"p-birth_date": "令和7年2月30日"}, None, None),
    ],
)
def test_an_incomplete_triage_is_answered_and_writes_nothing(world, desk, overrides, field, message):
    link = Agency.objects.get(code="link")
    data = new_household_and_unnamed_son(world.waiting, action="save", lead=link.pk, sharing_basis="consent")
    data.update(overrides)
    before = (Household.objects.count(), Person.objects.count(), Case.objects.count(), CaseAgency.objects.count())
    response = client_for(desk).post(triage_url(world.waiting), data)
    assert response.status_code == 400
    if field:
        assert any(message in e for e in response.context["form"].errors[field])
    else:
        assert "2月30日という日付はありません" in response.content.decode()
    assert (
        Household.objects.count(),
        Person.objects.count(),
        Case.objects.count(),
        CaseAgency.objects.count(),
    ) == before
    world.waiting.refresh_from_db()
    assert not world.waiting.is_triaged


@pytest.mark.django_db
@pytest.mark.parametrize(
    "failing_step",
    [
        "tsunagu.intake.services.case_open",
        "tsunagu.intake.services.save_versioned",
        "tsunagu.cases.services.opening.access_record",
    ],
)
def test_a_failure_at_any_step_leaves_the_database_as_it_was(world, desk, failing_step):
    """R1: household, persons, case and team are written together or not at all."""
    link = Agency.objects.get(code="link")
    data = new_household_and_unnamed_son(world.waiting, action="save", lead=link.pk, sharing_basis="consent")
    tables = (Household, Person, Case, CaseAgency, AccessEvent)
    before = {m.__name__: m.objects.count() for m in tables}
    client = client_for(desk)
    client.raise_request_exception = True
    with mock.patch(failing_step, side_effect=RuntimeError("step failed")), pytest.raises(RuntimeError):
        client.post(triage_url(world.waiting), data)
    assert {m.__name__: m.objects.count() for m in tables} == before
    world.waiting.refresh_from_db()
    assert not world.waiting.is_triaged


@pytest.mark.django_db
def test_a_look_alike_in_triage_is_offered_before_a_new_person_is_made(world, desk):
    data = new_household_and_unnamed_son(
        world.waiting,
        action="save",
        lead=Agency.objects.get(code="merkmal").pk,
        sharing_basis="consent",
        **{
            "p-label": "",
            "p-family_name": "山田",
            "p-given_name": "太郎",
            "p-family_name_kana": "ヤマダ",
            "p-given_name_kana": "タロウ",
            "p-birth_date": "1990-05-10",
        },
    )
    response = client_for(desk).post(triage_url(world.waiting), data)
    assert response.status_code == 400
    assert [p.pk for p in response.context["similar"]] == [world.person.pk]
    assert Person.objects.filter(family_name="山田").count() == 1


@pytest.mark.django_db
def test_a_triaged_consultation_is_not_triaged_twice(world, desk):
    response = client_for(desk).get(triage_url(world.consultation))
    assert response.status_code == 302
    assert response["Location"] == reverse("intake:detail", kwargs={"pk": world.consultation.pk})


@pytest.mark.django_db
def test_a_stale_triage_is_told(world, desk):
    Consultation.objects.filter(pk=world.waiting.pk).update(version=5)
    response = client_for(desk).post(
        triage_url(world.waiting),
        {"version": 1, "screening": "info_only", "household_mode": "none", "person_mode": "none", "action": "save"},
    )
    assert response.status_code == 409
    assert "他の職員が先に更新しました" in response.content.decode()
    world.waiting.refresh_from_db()
    assert (world.waiting.version, world.waiting.screening, world.waiting.triaged_at) == (5, "", None)


@pytest.mark.django_db
def test_showing_suggestions_does_not_complain_about_fields_not_chosen_yet(world, desk):
    response = client_for(desk).post(
        triage_url(world.waiting), new_household_and_unnamed_son(world.waiting, action="suggest")
    )
    assert response.status_code == 200
    assert response.context["form"].errors == {}
    assert "入力内容を確認してください" not in response.content.decode()

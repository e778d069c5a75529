"""Each routing rule of docs/domain.md §9, as loaded from the Setagaya reference data."""

import datetime as dt

import pytest

from tsunagu.agencies.models import Agency, District, RoutingRule
from tsunagu.intake.routing import Facts, suggest
from tsunagu.lib.ages import estimate_age

TODAY = dt.date(2026, 11, 28)


def codes(facts):
    return [(s.agency.code, s.role, s.rule.code) for s in suggest(facts)]


def in_district(code):
    district = District.objects.get(code=code)
    return {"district_id": district.pk, "area_id": district.area_id}


@pytest.mark.django_db
def test_a_person_aged_39_or_under_is_suggested_to_merkmal(reference):
    assert codes(Facts(age=39)) == [("merkmal", "lead", "youth-lead")]


@pytest.mark.django_db
def test_a_person_aged_40_or_over_is_suggested_to_platform(reference):
    assert codes(Facts(age=40)) == [("link", "lead", "adult-lead")]


@pytest.mark.django_db
def test_unknown_age_suggests_no_lead(reference):
    assert codes(Facts()) == []


@pytest.mark.django_db
def test_a_disability_brings_the_disability_agencies(reference):
    found = codes(Facts(age=45, disability="suspected", **in_district("seijo")))
    assert ("shuro-yuni", "partner", "disability-partner") in found
    assert codes(Facts(age=45, disability="none")) == [("link", "lead", "adult-lead")]


@pytest.mark.django_db
def test_a_member_aged_65_or_over_brings_the_districts_anshin_center(reference):
    found = codes(Facts(age=50, elderly_ages=[82], **in_district("kyodo")))
    assert found == [("link", "lead", "adult-lead"), ("anshin-kyodo", "partner", "elderly-partner")]
    assert codes(Facts(age=50, elderly_ages=[64], **in_district("kyodo"))) == [("link", "lead", "adult-lead")]


@pytest.mark.django_db
def test_school_age_brings_the_board_of_education(reference):
    assert ("kyoiku-iinkai", "partner", "school-partner") in codes(Facts(age=14))


@pytest.mark.django_db
def test_risk_to_life_brings_the_areas_health_and_welfare_center(reference):
    found = codes(Facts(age=30, urgent=True, **in_district("seijo")))
    assert ("hfc-kinuta", "partner", "health-partner") in found


@pytest.mark.django_db
def test_a_wish_to_work_brings_the_support_station(reference):
    assert ("saposute", "partner", "work-partner") in codes(Facts(age=30, concerns=["job_search"]))


@pytest.mark.django_db
def test_nearing_the_leads_age_limit_is_flagged_six_months_ahead(reference):
    birth = dt.date(1987, 3, 1)  # turns 40 on 2027-03-01, within six months of TODAY
    age, _ = estimate_age(birth_date=birth, decade=None, today=TODAY)
    found = suggest(Facts(age=age, birth_date=birth, today=TODAY))
    assert [(s.agency.code, s.rule.code) for s in found] == [("merkmal", "youth-lead"), ("link", "age-limit-alert")]
    assert "2027-03-01" in found[1].because
    far = dt.date(1990, 3, 1)
    age, _ = estimate_age(birth_date=far, decade=None, today=TODAY)
    assert [s.rule.code for s in suggest(Facts(age=age, birth_date=far, today=TODAY))] == ["youth-lead"]


@pytest.mark.django_db
def test_rules_are_data_an_admin_can_switch_off(reference):
    RoutingRule.objects.filter(code="youth-lead").update(active=False)
    assert codes(Facts(age=25)) == []


@pytest.mark.django_db
def test_an_inactive_agency_is_never_suggested(reference):
    Agency.objects.filter(code="merkmal").update(active=False)
    assert codes(Facts(age=25)) == []


def test_an_age_band_alone_gives_an_estimate_marked_as_such():
    assert estimate_age(birth_date=None, decade=50, today=TODAY) == (55, True)
    assert estimate_age(birth_date=dt.date(1990, 5, 10), decade=None, today=TODAY) == (36, False)

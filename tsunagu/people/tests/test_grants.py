"""The person grants: cases gives people the households seen through cases (decision 0014);
without a grant, nothing opens but the desk's own rule (deny by default)."""

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse

from tsunagu.cases.people_grants import CasesPersonGrant, household_cases
from tsunagu.core.tests.personas import client_for
from tsunagu.people import grants as grants_module
from tsunagu.people.access import households_visible_to
from tsunagu.people.grants import person_grant_register, person_grants


def test_cases_registers_its_person_grant_and_the_household_case_list():
    assert [(g.name, type(g)) for g in person_grants()] == [("cases", CasesPersonGrant)]
    assert grants_module._household_cases is household_cases


@pytest.mark.django_db
def test_without_a_person_grant_only_the_desk_sees_the_household(monkeypatch, world, desk, lead_worker):
    page = reverse("people:household_detail", args=[world.household.pk])
    assert households_visible_to(lead_worker).filter(pk=world.household.pk).exists()
    assert world.case.number in client_for(desk).get(page).content.decode()
    monkeypatch.setattr(grants_module, "_grants", {})
    monkeypatch.setattr(grants_module, "_household_cases", None)

    assert not households_visible_to(lead_worker).exists()
    assert client_for(lead_worker).get(page).status_code == 404
    response = client_for(desk).get(page)
    assert response.status_code == 200
    assert world.case.number not in response.content.decode()


def test_two_person_grants_under_one_name_are_refused(monkeypatch):
    class Other:
        name = "cases"

    monkeypatch.setattr(grants_module, "_grants", dict(grants_module._grants))
    with pytest.raises(ImproperlyConfigured):
        person_grant_register(Other())  # type: ignore[arg-type]

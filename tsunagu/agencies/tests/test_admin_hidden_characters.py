"""Reviewer's finding (issue 8, defect 11 around the fix): the administrator's pages refused no
hidden characters, so a staff or agency name with a right-to-left override reached 受付者,
「このケースを見た人」, the security log, the role changes and the agency checkboxes."""

import pytest
from django.contrib import admin
from django.forms.models import model_to_dict
from django.test import RequestFactory
from django.urls import reverse

from tsunagu.agencies.models import Agency, Role
from tsunagu.agencies.tests.test_role_changes import user_change_data
from tsunagu.core.tests.personas import client_for, make_user

RLO = "\u202e"
MESSAGE = "見えない文字や、文字の向きを変える制御文字"


@pytest.fixture
def admin_b(reference):
    return make_user("admin_b", "ward-seikatsu-fukushi", Role.ADMIN, is_staff=True, is_superuser=True)


@pytest.mark.django_db
@pytest.mark.parametrize("field", ["last_name", "first_name"])
def test_a_staff_name_with_a_direction_override_is_refused_on_the_user_page(users, admin_b, field):
    worker = users["desk"]
    data = user_change_data(worker, list(worker.memberships.all()))
    data[field] = f"窓口{RLO}子花"
    response = client_for(admin_b).post(reverse("admin:auth_user_change", args=[worker.pk]), data)
    assert response.status_code == 200
    assert MESSAGE in response.content.decode()
    worker.refresh_from_db()
    assert RLO not in worker.last_name + worker.first_name


@pytest.mark.django_db
@pytest.mark.parametrize("field", ["name", "public_name", "address"])
def test_an_agency_name_with_a_hidden_character_is_refused(admin_b, field):
    agency = Agency.objects.get(code="merkmal")
    request = RequestFactory().post("/")
    request.user = admin_b
    form_class = admin.site._registry[Agency].get_form(request, agency, change=True)
    data = {k: v for k, v in model_to_dict(agency).items() if v is not None}
    data[field] = f"メルクマール{RLO}ややがたせ"
    form = form_class(data=data, instance=agency)
    assert not form.is_valid()
    assert MESSAGE in str(form.errors[field])
    agency.refresh_from_db()
    assert RLO not in agency.name + agency.public_name + agency.address

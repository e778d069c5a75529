"""The Setagaya reference configuration and the admin screens for it."""

import pytest
from django.contrib import admin
from django.core.management import call_command

from tsunagu.agencies.models import Agency, Area, District, PostalCode, RoutingRule
from tsunagu.core.tests.personas import client_for, make_user
from tsunagu.people.services import district_for_postal_code


def snapshot():
    return (
        Area.objects.count(),
        District.objects.count(),
        Agency.objects.count(),
        PostalCode.objects.count(),
        RoutingRule.objects.count(),
    )


@pytest.mark.django_db
def test_setagaya_has_5_areas_28_districts_and_their_agencies(reference):
    assert Area.objects.count() == 5
    assert District.objects.count() == 28
    assert Agency.objects.filter(kind="elderly").count() == 28
    assert Agency.objects.filter(kind="public_health").count() == 5
    assert set(District.objects.filter(area__code="karasuyama").values_list("name", flat=True)) == {
        "上北沢",
        "上祖師谷",
        "烏山",
    }
    assert Agency.objects.get(is_central_desk=True).public_name == "ひきこもり相談窓口「リンク」"
    assert RoutingRule.objects.count() == 8


@pytest.mark.django_db
def test_loading_twice_changes_nothing_and_keeps_admin_edits_of_other_fields(reference):
    before = snapshot()
    Agency.objects.filter(code="merkmal").update(phone="03-9999-9999")
    call_command("load_reference", verbosity=0)
    assert snapshot() == before
    assert Agency.objects.get(code="merkmal").phone == "03-9999-9999"


@pytest.mark.django_db
def test_a_postal_code_gives_its_district(reference):
    assert district_for_postal_code("154-0001").name == "池尻"
    assert district_for_postal_code("1570066").name == "成城"
    assert district_for_postal_code("100-0001") is None
    assert district_for_postal_code("") is None


def test_personal_data_is_not_in_the_admin():
    registered = {model._meta.label for model in admin.site._registry}
    for label in (
        "people.Person",
        "people.Household",
        "intake.Consultation",
        "cases.Case",
        "cases.CaseAgency",
        "audit.AccessEvent",
    ):
        assert label not in registered
    assert {"agencies.Agency", "agencies.RoutingRule", "agencies.District"} <= registered


@pytest.mark.django_db
def test_an_admin_edits_reference_data_in_the_admin(reference):
    admin_user = make_user("root", is_staff=True, is_superuser=True)
    client = client_for(admin_user)
    rule = RoutingRule.objects.get(code="youth-lead")
    assert client.get(f"/admin/agencies/routingrule/{rule.pk}/change/").status_code == 200
    assert client.get("/admin/agencies/agency/").status_code == 200
    assert client.get("/admin/people/person/").status_code == 404


@pytest.mark.django_db
def test_an_admin_sees_a_users_memberships_on_the_user_page(users):
    admin_user = make_user("root", is_staff=True, is_superuser=True)
    page = client_for(admin_user).get(f"/admin/auth/user/{users['desk'].pk}/change/").content.decode()
    assert "ぷらっとホーム世田谷" in page

"""manage.py demo_api_token: a token of the demo's agency system that works on the API, refused in
production."""

import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from tsunagu.api.models import ApiToken


@pytest.fixture
def admin_user(reference):
    return get_user_model().objects.create_superuser("admin-demo", password="x-not-used-0")


def issue() -> str:
    out, err = io.StringIO(), io.StringIO()
    call_command("demo_api_token", stdout=out, stderr=err)
    assert "curl" in err.getvalue()
    return out.getvalue().strip()


@pytest.mark.django_db
def test_the_demo_token_belongs_to_a_system_account_and_reads_the_places(admin_user):
    token = issue()
    account = get_user_model().objects.get(username="sys-merkmal")
    assert not account.has_usable_password() and not account.is_staff
    assert ApiToken.objects.get(user=account).scopes  # stored as a hash, scopes of its role
    assert token not in str(list(ApiToken.objects.values_list("secret_hash", flat=True)))
    response = Client().get("/api/v1/places/", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 200
    # A second run issues a new token to the same account.
    assert issue() != token
    assert get_user_model().objects.filter(username="sys-merkmal").count() == 1
    assert ApiToken.objects.filter(user=account).count() == 2


@pytest.mark.django_db
def test_refused_in_production_and_without_demo_data(reference, settings):
    with pytest.raises(CommandError):
        call_command("demo_api_token", stdout=io.StringIO(), stderr=io.StringIO())  # no administrator
    settings.PRODUCTION = True
    with pytest.raises(CommandError):
        call_command("demo_api_token", stdout=io.StringIO(), stderr=io.StringIO())
    assert not ApiToken.objects.exists()

"""Tokens: issued by an administrator to a system account, scoped, expiring, revocable, every
call recorded (issue 14)."""

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.utils import timezone

from tsunagu.agencies.models import Agency
from tsunagu.api.models import ApiCall, ApiToken
from tsunagu.api.services import token_issue, token_revoke
from tsunagu.api.tests.conftest import Api, issue
from tsunagu.core.tests.personas import client_for

NOW = dt.datetime(2026, 11, 20, 10, 0, tzinfo=dt.UTC)


@pytest.mark.django_db
def test_only_a_hash_is_kept_and_the_token_is_shown_once(users, accounts):
    text = issue(users["admin_user"], accounts["merkmal"])
    token = ApiToken.objects.get()
    assert text.startswith(f"tsg_{token.prefix}_")
    secret = text.split("_", 2)[2]
    assert secret not in token.secret_hash and len(token.secret_hash) == 64
    assert token.created_by == users["admin_user"]


@pytest.mark.django_db
def test_a_token_stops_at_its_expiry(world, users, accounts):
    with time_machine.travel(NOW, tick=False):
        api = Api(issue(users["admin_user"], accounts["merkmal"], days=2))
        assert api.get(f"/api/v1/cases/{world.case.pk}/").status_code == 200
    with time_machine.travel(NOW + dt.timedelta(days=2, seconds=-1), tick=False):
        assert api.get(f"/api/v1/cases/{world.case.pk}/").status_code == 200
    with time_machine.travel(NOW + dt.timedelta(days=2), tick=False):
        refused = api.get(f"/api/v1/cases/{world.case.pk}/")
        assert refused.status_code == 401
        assert refused["WWW-Authenticate"] == 'Bearer realm="tsunagu"'


@pytest.mark.django_db
def test_a_revoked_token_is_refused_at_once_and_kept(world, users, accounts):
    api = Api(issue(users["admin_user"], accounts["merkmal"]))
    assert api.get(f"/api/v1/cases/{world.case.pk}/").status_code == 200
    token_revoke(user=users["admin_user"], token=ApiToken.objects.get())
    assert api.get(f"/api/v1/cases/{world.case.pk}/").status_code == 401
    token = ApiToken.objects.get()
    assert token.revoked_by == users["admin_user"] and token.revoked_at is not None
    # The refused call is recorded against the revoked token.
    assert list(token.calls.order_by("id").values_list("status", flat=True)) == [200, 401]


@pytest.mark.django_db
def test_a_token_ends_with_its_account_or_membership(world, users, accounts):
    api = Api(issue(users["admin_user"], accounts["merkmal"]))
    membership = accounts["merkmal"].memberships.get()
    membership.active = False
    membership.save()
    assert api.get(f"/api/v1/cases/{world.case.pk}/").status_code == 401
    membership.active = True
    membership.save()
    assert api.get(f"/api/v1/cases/{world.case.pk}/").status_code == 200
    accounts["merkmal"].is_active = False
    accounts["merkmal"].save()
    assert api.get(f"/api/v1/cases/{world.case.pk}/").status_code == 401


@pytest.mark.django_db
@pytest.mark.parametrize(
    "header",
    [
        "",
        "Bearer",
        "Token abc",
        "Bearer tsg_x",
        "Bearer tsg__",
        "Bearer a b",
        "Bearer tsg_abc_def",
        "Basic Zm9vOmJhcg==",
    ],
)
def test_a_malformed_or_unknown_token_is_refused(header, world, users, accounts):
    issue(users["admin_user"], accounts["merkmal"])
    response = Api("").get(f"/api/v1/cases/{world.case.pk}/", AUTHORIZATION=header) if header else None
    response = response or Api("").get(f"/api/v1/cases/{world.case.pk}/")
    assert response.status_code == 401


@pytest.mark.django_db
def test_a_wrong_secret_with_a_real_prefix_is_refused(world, users, accounts):
    text = issue(users["admin_user"], accounts["merkmal"])
    assert Api(text[:-2] + "xx").get(f"/api/v1/cases/{world.case.pk}/").status_code == 401


@pytest.mark.django_db
def test_every_call_is_recorded_refused_ones_too(world, users, accounts, api):
    with time_machine.travel(NOW, tick=False):
        api["outsider"].get(f"/api/v1/cases/{world.case.pk}/")
        api["merkmal"].get(f"/api/v1/cases/{world.case.pk}/")
    calls = list(ApiCall.objects.order_by("id").values_list("token__user__username", "method", "path", "status", "ip"))
    assert calls == [
        ("sys-outsider", "GET", f"/api/v1/cases/{world.case.pk}/", 404, "127.0.0.1"),
        ("sys-merkmal", "GET", f"/api/v1/cases/{world.case.pk}/", 200, "127.0.0.1"),
    ]
    assert ApiToken.objects.get(user=accounts["merkmal"]).last_used_at == NOW
    assert ApiToken.objects.get(user=accounts["link"]).last_used_at is None


@pytest.mark.django_db
def test_issue_rules(users, accounts):
    admin = users["admin_user"]
    soon = timezone.now() + dt.timedelta(days=30)
    merkmal = Agency.objects.get(code="merkmal")

    def refused(**kwargs):
        given = {"account": accounts["merkmal"], "agency": merkmal, "scopes": ["cases:read"], "expires_at": soon}
        with pytest.raises(ValidationError) as exc:
            token_issue(user=admin, name="x", **(given | kwargs))
        return set(exc.value.message_dict)

    # A person's account (it has a password: it signs in on the screen) gets no token.
    assert refused(account=users["lead_worker"]) == {"user"}
    # A system account of another agency.
    assert refused(agency=Agency.objects.get(code="link")) == {"agency"}
    # A scope its role may not use (the desk's consultations), an unknown one, none.
    assert refused(scopes=["consultations:write"]) == {"scopes"}
    assert refused(scopes=["cases:delete"]) == {"scopes"}
    assert refused(scopes=[]) == {"scopes"}
    # Expiry: in the future, within API_TOKEN_MAX_DAYS.
    assert refused(expires_at=timezone.now() - dt.timedelta(minutes=1)) == {"expires_at"}
    assert refused(expires_at=timezone.now() + dt.timedelta(days=366)) == {"expires_at"}
    assert not ApiToken.objects.exists()


@pytest.mark.django_db
@time_machine.travel(NOW)
def test_an_administrator_issues_a_token_in_the_admin_and_sees_it_once(users, accounts, world):
    admin = users["admin_user"]
    admin.is_staff = True
    admin.is_superuser = True
    admin.save()
    client = client_for(admin)
    assert client.get("/admin/api/apitoken/add/").status_code == 200
    response = client.post(
        "/admin/api/apitoken/add/",
        {
            "name": "メルクマールの記録システム",
            "user": accounts["merkmal"].pk,
            "scopes": ["cases:read", "records:write"],
            "expires_at_0": "2027-01-31",
            "expires_at_1": "12:00:00",
        },
    )
    assert response.status_code == 200, response.content.decode()[:2000]
    text = response.context["text"]
    assert text in response.content.decode()
    token = ApiToken.objects.get()
    assert (token.user, token.agency.code, token.scopes, token.created_by) == (
        accounts["merkmal"],
        "merkmal",
        ["cases:read", "records:write"],
        admin,
    )
    assert Api(text).get(f"/api/v1/cases/{world.case.pk}/").status_code == 200
    # The change page never shows it again.
    page = client.get(f"/admin/api/apitoken/{token.pk}/change/").content.decode()
    assert text not in page and text.split("_", 2)[2] not in page
    # Revoked from the list, with the action.
    response = client.post("/admin/api/apitoken/", {"action": "revoke", "_selected_action": [token.pk]}, follow=True)
    assert response.status_code == 200
    token.refresh_from_db()
    assert token.revoked_by == admin
    assert Api(text).get(f"/api/v1/cases/{world.case.pk}/").status_code == 401
    # The calls, read-only: the one refused after the revocation is there too.
    calls = client.get("/admin/api/apicall/")
    assert calls.status_code == 200 and calls.context["cl"].result_count == 2
    assert client.get(f"/admin/api/apitoken/{token.pk}/delete/").status_code == 403


@pytest.mark.django_db
@time_machine.travel(NOW)
def test_the_admin_refuses_a_token_for_a_person_account(users, accounts):
    admin = users["admin_user"]
    admin.is_staff = True
    admin.is_superuser = True
    admin.save()
    response = client_for(admin).post(
        "/admin/api/apitoken/add/",
        {
            "name": "x",
            "user": users["lead_worker"].pk,
            "scopes": ["cases:read"],
            "expires_at_0": "2027-01-31",
            "expires_at_1": "12:00:00",
        },
    )
    assert response.status_code == 200
    assert "システム用アカウント" in response.content.decode()
    assert not ApiToken.objects.exists()

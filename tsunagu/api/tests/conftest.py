"""Fixtures of the API's tests: system accounts of three agencies and their tokens.

- ``merkmal``: the system of メルクマールせたがや (caseworker), the lead agency of ``world.case``
- ``link``: the central desk's system (desk): every consultation, every case's summary
- ``outsider``: the system of an unrelated agency (caseworker): "should see nothing"
"""

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from tsunagu.agencies.models import Agency
from tsunagu.api.scopes import SCOPE_ROLES, Scope
from tsunagu.api.services import token_issue
from tsunagu.core.tests.personas import make_user


def system_account(username: str, agency_code: str, role: str):
    user = make_user(username, agency_code, role, enrolled=False)
    user.set_unusable_password()
    user.save()
    return user


def issue(admin, account, *, scopes=None, days: int = 30, name: str = "test system") -> str:
    membership = account.memberships.get()
    if scopes is None:
        scopes = [scope for scope in Scope.values if membership.role in SCOPE_ROLES[scope]]
    _token, text = token_issue(
        user=admin,
        account=account,
        agency=membership.agency,
        name=name,
        scopes=scopes,
        expires_at=timezone.now() + dt.timedelta(days=days),
    )
    return text


@dataclass
class Api:
    """A client that calls the API with one token."""

    token: str

    def _headers(self, headers: dict[str, str] | None) -> dict[str, str]:
        given = {"HTTP_AUTHORIZATION": f"Bearer {self.token}"} if self.token else {}
        for name, value in (headers or {}).items():
            given["HTTP_" + name.upper().replace("-", "_")] = value
        return given

    def get(self, path: str, params: dict[str, Any] | None = None, **headers: Any):
        return Client().get(path, params or {}, **self._headers(headers))

    def post(self, path: str, body: Any = None, headers: dict[str, str] | None = None):
        return Client().post(path, json.dumps(body or {}), content_type="application/json", **self._headers(headers))


@pytest.fixture
def accounts(users):
    return {
        "merkmal": system_account("sys-merkmal", "merkmal", "caseworker"),
        "link": system_account("sys-link", "link", "desk"),
        "outsider": system_account("sys-outsider", "anshin-kyodo", "caseworker"),
    }


@pytest.fixture
def api(users, accounts):
    """``api["merkmal"]`` and so on: a client with a token of every scope its account's role may
    use."""
    return {name: Api(issue(users["admin_user"], account)) for name, account in accounts.items()}


@pytest.fixture
def agency():
    return lambda code: Agency.objects.get(code=code)


@pytest.fixture
def referral(world, users, agency):
    """A referral of ``world.case`` from メルクマール (its lead) to the central desk, unanswered."""
    from tsunagu.referrals.services import referral_send

    sent, _created = referral_send(
        user=users["lead_worker"],
        case=world.case,
        from_agency=agency("merkmal"),
        to_agency=agency("link"),
        person=world.person,
        reason="家族会の紹介",
        summary="母親が家族会に関心。",
        basis="meeting_art9",
    )
    return sent


@pytest.fixture
def place(users, agency):
    from tsunagu.places.models import Place

    return Place.objects.create(
        name="たまりば池尻", code="tamariba", kind="ibasho", agency=agency("merkmal"), is_public=True
    )

"""The demo logins, one per role (seed_demo_logins.toml: their password is published)."""

import tomllib
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model

from tsunagu.agencies.models import Agency, Membership, Role
from tsunagu.demo.second_factor import app_seed

# The demo logins and their published password are demo data, kept beside the builders.
LOGINS_FILE = Path(__file__).with_name("seed_demo_logins.toml")


def load_logins() -> dict[str, Any]:
    with LOGINS_FILE.open("rb") as file:
        return tomllib.load(file)


def demo_users(logins: dict[str, Any]) -> dict[str, Any]:
    """Each demo user with its membership, made once (idempotent); by username."""
    User = get_user_model()
    users = {}
    for login in logins["users"]:
        is_staff = login.get("is_staff", False)
        user, created = User.objects.get_or_create(
            username=login["username"],
            defaults={
                "last_name": login["last_name"],
                "first_name": login["first_name"],
                "is_staff": is_staff,
                "is_superuser": is_staff,
            },
        )
        if created:
            user.set_password(logins["password"])
            user.save()
        app_seed(user)  # the second factor (demo/second_factor.py)
        Membership.objects.get_or_create(
            user=user, agency=Agency.objects.get(code=login["agency"]), defaults={"role": Role(login["role"])}
        )
        users[login["username"]] = user
    return users


def login_lines(logins: dict[str, Any]) -> list[str]:
    """What the command prints: the password and one line per login."""
    lines = [
        "",
        f"デモ利用者（パスワードはすべて {logins['password']} ）:",
        "  二要素認証: パスワードのあとの確認コードは、デモでは確認画面に表示されます。",
    ]
    for login in logins["users"]:
        agency = Agency.objects.get(code=login["agency"])
        lines.append(
            f"  {login['username']:<12} {login['last_name']} {login['first_name']}"
            f"（{agency.name}・{Role(login['role']).label}）"
        )
    return lines

"""S9: security headers on every page, no-store on every staff page, and production's HSTS and
cookies (Secure, HttpOnly, SameSite) as the production settings make them."""

import json
import os
import subprocess
import sys

import pytest
from django.conf import settings as django_settings
from django.test import Client
from django.urls import reverse

from tsunagu.core.tests.personas import PASSWORD, client_for
from tsunagu.core.tests.test_settings import ROOT
from tsunagu.core.tests.test_url_rules import SAMPLE_KWARGS, own_patterns


def csp(response) -> dict[str, list[str]]:
    directives = {}
    for part in response["Content-Security-Policy"].split(";"):
        name, *values = part.split()
        directives[name] = values
    return directives


def assert_secure_headers(response, where) -> None:
    policy = csp(response)
    assert policy["frame-ancestors"] == ["'none'"], where
    assert policy["script-src"] == ["'self'"], where  # no 'unsafe-inline', no 'unsafe-eval', no host
    assert policy["object-src"] == ["'none'"], where
    assert policy["base-uri"] == ["'self'"], where
    assert policy["form-action"] == ["'self'"], where
    assert response["X-Frame-Options"] == "DENY", where
    assert response["X-Content-Type-Options"] == "nosniff", where
    assert response["Referrer-Policy"] == "same-origin", where


def staff_urls(world) -> list[str]:
    """Every staff route of the resolver (GET), filled with the world's objects where it has
    them (so most answer 200) and with SAMPLE_KWARGS otherwise."""
    objects = {
        "pk": world.case.pk,
        "household_pk": world.household.pk,
        "case_pk": world.case.pk,
        "person_pk": world.person.pk,
    }
    urls = []
    for route, pattern, _ns in own_patterns():
        if pattern.callback.access_rule == "public":
            continue
        path = route
        for name, value in (SAMPLE_KWARGS | objects).items():
            path = path.replace(f"<int:{name}>", str(value))
        urls.append("/" + path)
    return urls


@pytest.mark.django_db
def test_every_staff_page_is_no_store_and_carries_the_security_headers(world, users):
    """The resolver walked as the desk and as a caseworker: every answer (200, 403, 404, 405 or a
    redirect) to a signed-in user says no-store, and every one carries the headers."""
    answered_200 = 0
    for persona in ("desk", "lead_worker"):
        client = client_for(users[persona])
        for url in staff_urls(world):
            response = client.get(url)
            assert response["Cache-Control"] == "no-store", (persona, url, response.status_code)
            assert_secure_headers(response, (persona, url))
            answered_200 += response.status_code == 200
            if response.get("Content-Type", "").startswith("text/html"):
                assert "<script>" not in response.content.decode(), url  # no inline script
    assert answered_200 > 30


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/", "/consult/", "/staff/login/", "/no-such-page/"])
def test_public_pages_carry_the_security_headers_and_no_inline_script(reference, url):
    response = Client().get(url)
    assert_secure_headers(response, url)
    assert "<script>" not in response.content.decode()


PRODUCTION_ENV = {
    "TSUNAGU_PRODUCTION": "1",
    "SECRET_KEY": "Yq3v9-Lr0pZ8wT2m_Kc7Hb4Nf1Xj6Ds5Ge8Ua0Vi3Ro9Pt2Wl7",
    "ALLOWED_HOSTS": "tsunagu.example.lg.jp",
}
COOKIE_SETTINGS = (
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_SSL_REDIRECT",
    "SESSION_COOKIE_SECURE",
    "SESSION_COOKIE_HTTPONLY",
    "SESSION_COOKIE_SAMESITE",
    "CSRF_COOKIE_SECURE",
    "CSRF_COOKIE_HTTPONLY",
    "CSRF_COOKIE_SAMESITE",
    "LANGUAGE_COOKIE_SECURE",
    "LANGUAGE_COOKIE_HTTPONLY",
    "LANGUAGE_COOKIE_SAMESITE",
)


def production_settings() -> dict:
    """The settings above as the production settings module computes them (a fresh process)."""
    clean = {
        k: v for k, v in os.environ.items() if k not in {"DEBUG", "DATABASE_URL", "SECURE_SSL_REDIRECT", "REDIS_URL"}
    }
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import json, os, tsunagu.settings as s; from django.conf import global_settings as g; "
            "print(json.dumps({n: getattr(s, n, getattr(g, n)) for n in os.environ['NAMES'].split(',')}))",
        ],
        cwd=ROOT,
        env={**clean, **PRODUCTION_ENV, "NAMES": ",".join(COOKIE_SETTINGS)},
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(result.stdout)


@pytest.mark.django_db
def test_production_sends_hsts_and_only_secure_httponly_samesite_cookies(settings, world, users):
    production = production_settings()
    assert production["SECURE_HSTS_SECONDS"] >= 31536000
    assert production["SECURE_SSL_REDIRECT"] is True
    for name, value in production.items():
        setattr(settings, name, value)
    settings.ALLOWED_HOSTS = ["testserver"]

    client = Client()
    plain = client.get("/staff/login/")
    assert plain.status_code == 301 and plain["Location"].startswith("https://")
    page = client.get("/staff/login/", secure=True)
    assert page["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    signed_in = client.post(
        "/staff/login/",
        {"username": "desk", "password": PASSWORD, "csrfmiddlewaretoken": client.cookies["csrftoken"].value},
        secure=True,
    )
    assert signed_in.status_code == 302
    language = client.post(reverse("set_language"), {"language": "en", "next": "/staff/"}, secure=True)
    assert language.status_code == 302
    cookies = {**page.cookies, **signed_in.cookies, **language.cookies}
    names = {
        django_settings.SESSION_COOKIE_NAME,
        django_settings.CSRF_COOKIE_NAME,
        django_settings.LANGUAGE_COOKIE_NAME,
    }
    assert names <= set(cookies)
    for name, morsel in cookies.items():
        if not morsel.value:
            continue  # a cookie being deleted
        assert morsel["secure"] is True, name
        assert morsel["httponly"] is True, name
        assert morsel["samesite"] == "Lax", name

"""Shared fixtures: reference data, personas (docs/style.md §8) and a small world of cases."""

import pytest
from django.core.management import call_command

from tsunagu.agencies.models import Agency


def pytest_configure(config):
    from django.conf import settings

    # Tests log in hundreds of personas; the production hasher would dominate the run.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        call_command("load_reference", verbosity=0)
        call_command("load_instruments", verbosity=0)


@pytest.fixture
def reference(db):
    """The Setagaya reference data (reloaded when a transactional test emptied the database)."""
    if not Agency.objects.filter(code="link").exists():
        call_command("load_reference", verbosity=0)
        call_command("load_instruments", verbosity=0)


@pytest.fixture(autouse=True)
def _clear_cache():
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


from tsunagu.core.tests.personas import *  # noqa: E402,F403 - fixtures


def pytest_collection_modifyitems(config, items):
    from django.db import connection

    if connection.vendor != "postgresql":
        skip = pytest.mark.skip(reason="needs PostgreSQL (triggers, row locks); runs in the PostgreSQL pass of CI")
        for item in items:
            if "postgres_only" in item.keywords:
                item.add_marker(skip)


# --- Browser tests (Playwright driving Debian's Chromium) -------------------------------------

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--lang=ja-JP",
]


@pytest.fixture(scope="session")
def browser():
    import os

    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the ORM calls the tests make
    # around it are still synchronous.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            instance = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            yield instance
            instance.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def new_page(browser, live_server):
    contexts = []

    def make(locale: str = "ja-JP"):
        context = browser.new_context(locale=locale, base_url=live_server.url, viewport={"width": 1280, "height": 900})
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


def axe_violations(page) -> list[str]:
    """Serious and critical WCAG 2.1 AA violations found by axe-core on the current page."""
    page.add_script_tag(url="/static/vendor/axe-core/axe.min.js")
    result = page.evaluate(
        "async () => (await axe.run(document, {runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']})).violations"
    )
    return [f"{v['id']}: {v['help']} ({len(v['nodes'])})" for v in result if v["impact"] in ("serious", "critical")]


def login(page, username: str, password: str) -> None:
    """Sign in as a person does: the password, then the code of the user's authenticator app."""
    page.goto("/staff/login/")
    page.get_by_label("ユーザー名").fill(username)
    page.get_by_label("パスワード").fill(password)
    page.get_by_role("button", name="ログイン").click()
    page.wait_for_url("**/staff/second-factor/**")
    page.get_by_label("確認コード").fill(fresh_code(username))
    page.get_by_role("button", name="確認する").click()
    page.wait_for_url("**/staff/")


def fresh_code(username: str) -> str:
    """The current code of the user's app. A browser test signs the same person in several times
    a minute, and a code passes once (a person waits for the next one): the app's record of the
    last code used is cleared first, which only a test does."""
    from django.contrib.auth import get_user_model

    from tsunagu.core.mfa import current_code
    from tsunagu.core.tests.personas import app_of

    device = app_of(get_user_model().objects.get(username=username))
    device.last_t = -1
    device.save(update_fields=["last_t"])
    return current_code(device)

"""Shared fixtures: reference data, personas (STYLE.md §8) and a small world of cases."""

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


@pytest.fixture
def reference(db):
    """The Setagaya reference data (reloaded when a transactional test emptied the database)."""
    if not Agency.objects.filter(code="link").exists():
        call_command("load_reference", verbosity=0)


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

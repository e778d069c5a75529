"""The health check for the proxy and monitoring (decision 0032)."""

from unittest import mock

import pytest
from django.db import OperationalError
from django.urls import reverse

from tsunagu.audit.models import AccessEvent


@pytest.mark.django_db
def test_the_health_check_answers_ok_without_a_session_or_a_record(client):
    response = client.get(reverse("health"))
    assert (response.status_code, response.content) == (200, b"ok")
    assert "no-store" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]
    assert "sessionid" not in response.cookies
    assert not AccessEvent.objects.exists()


@pytest.mark.django_db
def test_the_health_check_says_503_when_the_database_does_not_answer(client):
    with mock.patch("tsunagu.core.views.connection.cursor", side_effect=OperationalError("gone")):
        response = client.get(reverse("health"))
    assert response.status_code == 503 and b"database" in response.content


@pytest.mark.django_db
def test_the_health_check_says_503_when_the_cache_fails(client):
    with mock.patch("django.core.cache.cache.set", side_effect=ConnectionError("redis down")):
        response = client.get(reverse("health"))
    assert response.status_code == 503 and response.content == b"unavailable: cache"


@pytest.mark.django_db
def test_the_health_check_only_answers_get(client):
    assert client.post(reverse("health")).status_code == 405

"""Reviewer's finding (issue 8, defect 14 around the fix). A guessed URL with an id beyond the
database's integer range (/staff/cases/999999999999999999999/) was answered 404 by the view, then
the security log tried to store that id and the request ended in a server error (OverflowError on
SQLite, "bigint out of range" on PostgreSQL). It is a refusal like any other: 404, one event, the
id kept as typed in the URL's arguments."""

import pytest
from django.test import Client

from tsunagu.audit.models import SecurityEvent
from tsunagu.core.tests.personas import client_for

HUGE = "999999999999999999999"  # > 2**63


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path",
    [
        f"/staff/cases/{HUGE}/",
        f"/staff/people/persons/{HUGE}/",
        f"/staff/cases/1/team/{HUGE}/end/",
        "/staff/records/9223372036854775808/",  # 2**63, one past the largest bigint
    ],
)
def test_an_id_beyond_the_integer_range_is_a_logged_404_not_a_server_error(world, outsider, path):
    client = client_for(outsider)
    client.raise_request_exception = False
    method = client.post if path.endswith("/end/") else client.get
    response = method(path)
    assert response.status_code == 404
    event = SecurityEvent.objects.get()
    assert event.user == outsider and event.path == path
    assert event.object_id is None or abs(event.object_id) < 2**63
    assert str(max(int(v) for v in event.arguments.values())) in path


@pytest.mark.django_db
def test_an_id_in_range_is_still_the_event_object_id(world, outsider):
    assert client_for(outsider).get(f"/staff/cases/{world.other_case.pk}/").status_code == 404
    assert SecurityEvent.objects.get().object_id == world.other_case.pk


@pytest.mark.django_db
def test_anonymous_requests_are_sent_to_the_login(reference):
    response = Client().get(f"/staff/cases/{HUGE}/")
    assert response.status_code == 302 and not SecurityEvent.objects.exists()

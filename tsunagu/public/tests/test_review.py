"""An outside review of issue 12 (public pages): the request form's page line with the longest
text a visitor may type, hostile text of places and events, and what never appears."""

import datetime as dt
import uuid

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from icalendar import Calendar

from tsunagu.intake.models import Consultation
from tsunagu.places.models import PlaceKind
from tsunagu.places.tests.public_factories import event_make, place_make

pytestmark = pytest.mark.django_db

TOKYO = dt.timezone(dt.timedelta(hours=9))
NOW = dt.datetime(2026, 6, 10, 9, 0, tzinfo=TOKYO)


def test_the_longest_request_from_a_place_page_is_taken_whole(reference):
    """The visitor may type 2000 characters; the line naming the page comes on top of them."""
    place = place_make("あ" * 100, kind=PlaceKind.FAMILY_ASSOCIATION)
    data = {
        "submission_key": str(uuid.uuid4()),
        "contact_type": "self",
        "summary": "い" * 2000,
        "contact_preference": "no_contact",
        "about": f"place-{place.pk}",
    }
    response = Client().post(reverse("public:request"), data)
    assert response.status_code == 200, response.content.decode()[:3000]
    summary = Consultation.objects.get().summary
    assert summary.endswith("い" * 2000) and "あ" * 100 in summary


@time_machine.travel(NOW, tick=False)
def test_hostile_text_stays_text_on_the_pages_and_in_the_feed(reference):
    hostile = "</script><script>alert(1)</script>\r\nBEGIN:VEVENT\r\nSUMMARY:偽物\u202e\u200b"
    place = place_make("<b>居場所</b>", description=hostile)
    event = event_make("講演会" + hostile[:60], description=hostile, venue="会場\r\nX-INJECTED:1", place=place)
    client = Client()
    for url in (reverse("public:place", kwargs={"pk": place.pk}), reverse("public:event", kwargs={"pk": event.pk})):
        page = client.get(url).content.decode()
        assert "<script>alert(1)" not in page and "<b>居場所</b>" not in page
    body = client.get(reverse("public:events_ics")).content
    lines = body.split(b"\r\n")
    assert not any(line.startswith((b"X-INJECTED", b"SUMMARY:\xe5\x81\xbd")) for line in lines)
    assert lines.count(b"BEGIN:VEVENT") == 1
    (item,) = Calendar.from_ical(body).walk("VEVENT")
    assert str(item["LOCATION"]) == event.venue.replace("\r\n", "\n")  # one escaped line break

"""The public directory, events and .ics feed (issue 12): only what is marked public, never a
person, each page linking to the request form, which tells the desk where it came from."""

import datetime as dt
import uuid

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from icalendar import Calendar

from tsunagu.intake.models import Consultation
from tsunagu.places.models import Audience, EventKind, PlaceKind
from tsunagu.places.tests.public_factories import event_make, place_make

pytestmark = pytest.mark.django_db

TOKYO = dt.timezone(dt.timedelta(hours=9))
NOW = dt.datetime(2026, 6, 10, 9, 0, tzinfo=TOKYO)


@pytest.fixture
def shown(reference):
    family = place_make(
        "北沢家族会「ひだまり」",
        kind=PlaceKind.FAMILY_ASSOCIATION,
        district="daizawa",
        audience=Audience.FAMILY,
        organiser="北沢ひきこもり家族会",
        address="世田谷区代沢5-0-0 代沢まちづくりセンター",
        schedule="毎月第2土曜 14:00〜16:00",
        contact="北沢ひきこもり家族会（代表電話 03-0000-0001）",
    )
    hidden = place_make("非公開の居場所", district="ikejiri", is_public=False)
    return {"family": family, "hidden": hidden}


def test_the_directory_lists_public_places_and_filters(shown):
    client = Client()
    page = client.get(reverse("public:directory")).content.decode()
    assert "北沢家族会「ひだまり」" in page
    assert "非公開の居場所" not in page
    response = client.get(reverse("public:directory"), {"kind": "family_association", "target": "person"})
    assert response.status_code == 200
    assert "北沢家族会「ひだまり」" not in response.content.decode()
    assert 'id="no-results"' in response.content.decode()


def test_bad_filter_input_is_answered_on_the_page(shown):
    response = Client().get(reverse("public:directory"), {"age": "三十", "kind": "nonsense", "area": "x"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "年齢は数字で入力してください" in page
    assert "北沢家族会「ひだまり」" in page  # the wrong fields filter nothing


def test_a_place_page_and_its_request_link(shown):
    family = shown["family"]
    response = Client().get(reverse("public:place", kwargs={"pk": family.pk}))
    page = response.content.decode()
    assert response.status_code == 200
    assert "世田谷区代沢5-0-0" in page and "毎月第2土曜" in page
    assert f'href="/consult/?about=place-{family.pk}"' in page
    assert Client().get(reverse("public:place", kwargs={"pk": shown["hidden"].pk})).status_code == 404
    assert Client().get(reverse("public:place", kwargs={"pk": 999999})).status_code == 404


def test_the_request_from_a_place_page_tells_the_desk_which_page(shown):
    family = shown["family"]
    form = Client().get(reverse("public:request"), {"about": f"place-{family.pk}"})
    assert "北沢家族会「ひだまり」" in form.content.decode()
    data = {
        "submission_key": str(uuid.uuid4()),
        "contact_type": "family",
        "contact_relation": "mother",
        "summary": "家族会に参加してみたいです。",
        "contact_preference": "no_contact",
        "about": f"place-{family.pk}",
    }
    assert Client().post(reverse("public:request"), data).status_code == 200
    summary = Consultation.objects.get().summary
    assert summary == "【区民向けページ「家族会「北沢家族会「ひだまり」」」から申し込み】\n家族会に参加してみたいです。"


@pytest.mark.parametrize("about", ["place-{hidden}", "place-999999", "event-1x", "<script>", "x" * 500])
def test_a_request_about_something_not_public_is_taken_without_the_line(shown, about):
    data = {
        "submission_key": str(uuid.uuid4()),
        "contact_type": "self",
        "summary": "相談したいです。",
        "contact_preference": "no_contact",
        "about": about.format(hidden=shown["hidden"].pk),
    }
    assert Client().post(reverse("public:request"), data).status_code == 200
    assert Consultation.objects.get().summary == "相談したいです。"
    form = Client().get(reverse("public:request"), {"about": data["about"]}).content.decode()
    assert "非公開の居場所" not in form and 'id="about"' not in form


@time_machine.travel(NOW, tick=False)
def test_events_pages_show_only_public_events_from_today(shown):
    event = event_make(
        "家族向け講座「ひきこもりを理解する」",
        kind=EventKind.FAMILY_COURSE,
        place=shown["family"],
        how_to_apply="電話で北沢ひきこもり家族会へ",
        apply_by=dt.date(2026, 6, 15),
    )
    past = event_make("昨年の講演会", days=-300)
    secret = event_make("内部の研修", days=3, is_public=False)
    client = Client()
    page = client.get(reverse("public:events")).content.decode()
    assert "家族向け講座「ひきこもりを理解する」" in page
    assert "昨年の講演会" not in page and "内部の研修" not in page
    detail = client.get(reverse("public:event", kwargs={"pk": event.pk})).content.decode()
    assert "電話で北沢ひきこもり家族会へ" in detail
    assert f'href="/consult/?about=event-{event.pk}"' in detail
    assert f'href="/places/{shown["family"].pk}/"' in detail
    for hidden in (past, secret):
        assert client.get(reverse("public:event", kwargs={"pk": hidden.pk})).status_code == 404


@time_machine.travel(NOW, tick=False)
def test_the_ics_feed_parses_back_to_the_public_events(shown):
    first = event_make(
        "講演会、「8050」; 親亡き後\\を考える",
        kind=EventKind.LECTURE,
        description="一行目\n二行目：長い説明" + "あ" * 200,
        how_to_apply="当日受付",
    )
    second = event_make("相談会", kind=EventKind.CONSULTATION, days=20, ends_at=None)
    event_make("昨日の講座", days=-1)
    event_make("非公開の講演会", days=3, is_public=False)
    response = Client().get(reverse("public:events_ics"))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    body = response.content
    assert all(len(line) <= 75 for line in body.split(b"\r\n"))  # folded (octets, RFC 5545 3.1)
    calendar = Calendar.from_ical(body)
    assert [tz["TZID"] for tz in calendar.walk("VTIMEZONE")] == ["Asia/Tokyo"]
    items = calendar.walk("VEVENT")
    assert [str(item["SUMMARY"]) for item in items] == [first.title, second.title]
    one, two = items
    assert one["UID"] == f"tsunagu-event-{first.pk}@testserver"
    assert one.decoded("DTSTART") == first.starts_at
    assert str(one.decoded("DTSTART").tzinfo) == "Asia/Tokyo"
    assert one.decoded("DTEND") == first.ends_at
    assert str(one["LOCATION"]) == first.venue
    assert str(one["DESCRIPTION"]).startswith(first.description + "\n\n申し込み方法: 当日受付")
    assert str(one["URL"]) == f"http://testserver/events/{first.pk}/"
    assert "DTEND" not in two
    # Stable: the same UIDs when asked again after an edit.
    first.title = "講演会（変更）"
    first.save()
    again = Calendar.from_ical(Client().get(reverse("public:events_ics")).content).walk("VEVENT")
    assert [str(i["UID"]) for i in again] == [str(i["UID"]) for i in items]


def test_no_person_ever_appears_on_the_public_pages(world, shown):
    """The world's people and households exist; the public pages name none of them."""
    event = event_make("公開の講演会", place=shown["family"])
    client = Client()
    pages = [
        reverse("public:directory"),
        reverse("public:place", kwargs={"pk": shown["family"].pk}),
        reverse("public:events"),
        reverse("public:event", kwargs={"pk": event.pk}),
        reverse("public:events_ics"),
    ]
    for url in pages:
        text = client.get(url).content.decode()
        for name in ("山田", "高橋", "池尻の山田さん宅", "非公開の居場所"):
            assert name not in text, (url, name)


def test_the_top_page_links_to_the_directory_and_events(reference):
    page = Client().get(reverse("public:where")).content.decode()
    assert f'href="{reverse("public:directory")}"' in page
    assert f'href="{reverse("public:events")}"' in page


FILTER_TEXT = st.one_of(
    st.text(max_size=30),
    st.sampled_from(["", "0", "-1", "121", "35", "1e3", "99999999999999999999", "family", "person", "\x00"]),
)


@given(st.dictionaries(st.sampled_from(["area", "district", "target", "age", "kind", "after"]), FILTER_TEXT))
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_any_directory_search_is_answered_never_a_server_error(shown, data):
    response = Client().get(reverse("public:directory"), data)
    assert response.status_code == 200
    assert "非公開の居場所" not in response.content.decode()

"""The public queries (issue 12): only public, running places and public events from today on,
filtered by area, district, target, age and kind, exactly as constructed."""

import datetime as dt

import pytest
import time_machine
from django.http import QueryDict
from django.utils import timezone

from tsunagu.places import selectors
from tsunagu.places.models import Audience, PlaceKind
from tsunagu.places.selectors import PlaceFilter
from tsunagu.places.tests.public_factories import event_make, place_make

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 6, 10, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=9)))


@pytest.fixture
def directory(reference):
    return {
        "ibasho": place_make("池尻の居場所", district="ikejiri", audience=Audience.PERSON, age_min=15, age_max=39),
        "family": place_make(
            "北沢家族会", kind=PlaceKind.FAMILY_ASSOCIATION, district="daizawa", audience=Audience.FAMILY
        ),
        "work": place_make(
            "玉川の就労体験", kind=PlaceKind.WORK_EXPERIENCE, district="yoga", audience=Audience.BOTH, age_min=18
        ),
        # an area without a district
        "course": place_make("砧の講座", kind=PlaceKind.COURSE, area="kinuta", audience=Audience.BOTH, age_max=64),
        # never shown
        "hidden": place_make("非公開の居場所", district="ikejiri", is_public=False),
        "closed": place_make("終わった居場所", district="ikejiri", active=False),
    }


def names(chosen: PlaceFilter) -> set[str]:
    return {p.name for p in selectors.public_places_filtered(chosen)}


def test_only_public_running_places(directory):
    assert names(PlaceFilter()) == {"池尻の居場所", "北沢家族会", "玉川の就労体験", "砧の講座"}
    assert selectors.public_place_get(directory["hidden"].pk) is None
    assert selectors.public_place_get(directory["closed"].pk) is None
    assert selectors.public_place_get(directory["family"].pk) == directory["family"]


def test_filter_by_area_and_district(directory):
    from tsunagu.agencies.models import Area, District

    area = {a.code: a.pk for a in Area.objects.all()}
    assert names(PlaceFilter(area=area["setagaya"])) == {"池尻の居場所"}
    assert names(PlaceFilter(area=area["kitazawa"])) == {"北沢家族会"}
    assert names(PlaceFilter(area=area["kinuta"])) == {"砧の講座"}
    assert names(PlaceFilter(area=area["karasuyama"])) == set()
    assert names(PlaceFilter(district=District.objects.get(code="yoga").pk)) == {"玉川の就労体験"}


def test_filter_by_target(directory):
    # "both" is open to either target.
    assert names(PlaceFilter(target=Audience.PERSON)) == {"池尻の居場所", "玉川の就労体験", "砧の講座"}
    assert names(PlaceFilter(target=Audience.FAMILY)) == {"北沢家族会", "玉川の就労体験", "砧の講座"}


def test_filter_by_age_keeps_places_whose_range_includes_it(directory):
    assert names(PlaceFilter(age=15)) == {"池尻の居場所", "北沢家族会", "砧の講座"}
    assert names(PlaceFilter(age=18)) == {"池尻の居場所", "北沢家族会", "玉川の就労体験", "砧の講座"}
    assert names(PlaceFilter(age=39)) == {"池尻の居場所", "北沢家族会", "玉川の就労体験", "砧の講座"}
    assert names(PlaceFilter(age=40)) == {"北沢家族会", "玉川の就労体験", "砧の講座"}
    assert names(PlaceFilter(age=70)) == {"北沢家族会", "玉川の就労体験"}


def test_filter_by_kind_and_together(directory):
    from tsunagu.agencies.models import Area

    kitazawa = Area.objects.get(code="kitazawa").pk
    assert names(PlaceFilter(kind=PlaceKind.FAMILY_ASSOCIATION)) == {"北沢家族会"}
    assert names(PlaceFilter(kind=PlaceKind.FAMILY_ASSOCIATION, area=kitazawa, target=Audience.FAMILY)) == {
        "北沢家族会"
    }
    assert names(PlaceFilter(kind=PlaceKind.FAMILY_ASSOCIATION, target=Audience.PERSON)) == set()


def test_the_directory_is_paged(reference):
    for i in range(7):
        place_make(f"居場所{i:02d}", district="ikejiri")
    first = selectors.public_places_page(PlaceFilter(), QueryDict(), size=5)
    assert [p.name for p in first] == [f"居場所{i:02d}" for i in range(5)]
    second = selectors.public_places_page(PlaceFilter(), QueryDict(first.next_url[1:]), size=5)
    assert [p.name for p in second] == ["居場所05", "居場所06"]


@time_machine.travel(NOW, tick=False)
def test_public_events_from_today_on(reference):
    today_earlier = event_make("今朝の相談会", starts_at=NOW - dt.timedelta(hours=2))
    later = event_make("来週の講演会", days=7)
    event_make("昨日の講座", days=-1)
    event_make("非公開の講演会", days=3, is_public=False)
    assert list(selectors.public_events()) == [today_earlier, later]
    assert selectors.public_event_get(later.pk) == later
    assert timezone.localdate() == NOW.date()

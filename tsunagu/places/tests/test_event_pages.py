"""Staff pages of events (issue 12): who creates and edits which agency's events, idempotent
create, optimistic locking, R1 messages, and any input answered without a server error."""

import datetime as dt
import uuid

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tsunagu.agencies.models import Agency
from tsunagu.core.tests.personas import client_for
from tsunagu.places.models import Event
from tsunagu.places.tests.public_factories import event_make, place_make

pytestmark = pytest.mark.django_db


def event_data(**overrides):
    return {
        "submission_key": str(uuid.uuid4()),
        "agency": str(Agency.objects.get(code="merkmal").pk),
        "title": "家族向け講座「ひきこもりを知る」",
        "kind": "family_course",
        "starts_on": "令和8年7月4日",
        "starts_time": "14:00",
        "ends_time": "16:00",
        "venue": "北沢タウンホール（世田谷区北沢2-8-18）",
        "audience": "family",
        "how_to_apply": "電話で",
        "apply_by": "2026-07-01",
        "capacity": "30",
        "is_public": "on",
        **overrides,
    }


def test_a_caseworker_creates_an_event_once(users):
    client = client_for(users["lead_worker"])
    data = event_data()
    first = client.post(reverse("events:new"), data)
    again = client.post(reverse("events:new"), data)  # double click: the same key
    assert first.status_code == again.status_code == 302
    event = Event.objects.get()
    assert event.agency.code == "merkmal"
    assert event.starts_at == dt.datetime(2026, 7, 4, 14, 0, tzinfo=dt.timezone(dt.timedelta(hours=9)))
    assert event.ends_at == dt.datetime(2026, 7, 4, 16, 0, tzinfo=dt.timezone(dt.timedelta(hours=9)))
    assert (event.capacity, event.apply_by, event.is_public) == (30, dt.date(2026, 7, 1), True)
    assert event.created_by == users["lead_worker"]


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"title": ""}, "title", "必須"),
        ({"starts_on": "令和8年13月40日"}, "starts_on", ""),
        ({"ends_time": "13:00"}, "ends_time", "終了時刻は開始時刻より後にしてください。"),
        ({"apply_by": "2026-07-10"}, "apply_by", "申し込みの締切は開催日までの日にしてください。"),
        ({"capacity": "0"}, "capacity", "定員は1から10000までの数字で入力してください。"),
        ({"starts_on": "1900-01-01"}, "starts_on", "2000年から2100年"),
        ({"agency": "999999"}, "agency", ""),
    ],
)
def test_bad_input_gets_a_message_on_the_field_and_nothing_is_written(users, overrides, field, message):
    response = client_for(users["lead_worker"]).post(reverse("events:new"), event_data(**overrides))
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert field in errors
    assert message in " ".join(errors[field])
    assert not Event.objects.exists()


def test_only_own_agencies_are_offered_and_accepted(users):
    # lead_worker (メルクマール) cannot create an event of あんしんすこやかセンター経堂
    other = Agency.objects.get(code="anshin-kyodo")
    response = client_for(users["lead_worker"]).post(reverse("events:new"), event_data(agency=str(other.pk)))
    assert response.status_code == 400
    assert not Event.objects.exists()
    form = client_for(users["lead_worker"]).get(reverse("events:new")).context["form"]
    assert [a.code for a in form.fields["agency"].queryset] == ["merkmal"]


def test_the_edit_is_saved_with_its_version_and_a_stale_one_is_a_conflict(users):
    event = event_make("講演会")
    url = reverse("events:edit", kwargs={"pk": event.pk})
    client = client_for(users["supervisor"])
    initial = client.get(url).context["form"].initial
    assert initial["version"] == 1
    data = {k: v for k, v in event_data(title="講演会（会場変更）").items() if k not in ("submission_key", "agency")}
    response = client.post(url, {**data, "version": "1"})
    assert response.status_code == 302
    event.refresh_from_db()
    assert (event.title, event.version, event.updated_by) == ("講演会（会場変更）", 2, users["supervisor"])
    stale = client_for(users["lead_worker"]).post(url, {**data, "title": "別の変更", "version": "1"})
    assert stale.status_code == 409
    event.refresh_from_db()
    assert event.title == "講演会（会場変更）"


def test_another_agencys_event_edit_is_404(users):
    event = event_make("経堂の相談会", agency="anshin-kyodo")
    url = reverse("events:edit", kwargs={"pk": event.pk})
    for persona in ("lead_worker", "desk", "secretariat", "partner", "admin_user"):
        assert client_for(users[persona]).get(url).status_code == 404, persona
    assert client_for(users["outsider"]).get(url).status_code == 200
    data = {k: v for k, v in event_data(title="書き換え").items() if k not in ("submission_key", "agency")}
    assert client_for(users["lead_worker"]).post(url, {**data, "version": "1"}).status_code == 404
    event.refresh_from_db()
    assert event.title == "経堂の相談会"


def test_the_staff_list_shows_every_agencys_events_and_edit_links_for_own(users):
    own = event_make("メルクマールの講演会")
    other = event_make("経堂の相談会", agency="anshin-kyodo", days=3)
    past = event_make("先月の講座", days=-30)
    response = client_for(users["partner"]).get(reverse("events:list"))
    assert response.status_code == 200
    assert [e.pk for e in response.context["page"]] == [other.pk, own.pk]
    assert response.context["writable"] == set()
    response = client_for(users["lead_worker"]).get(reverse("events:list"))
    assert response.context["writable"] == {own.pk}
    assert f'href="/staff/events/{own.pk}/edit/"' in response.content.decode()
    response = client_for(users["lead_worker"]).get(reverse("events:list"), {"when": "past"})
    assert [e.pk for e in response.context["page"]] == [past.pk]


def test_a_place_can_be_named_and_the_event_shows_on_its_public_page(users, reference):
    place = place_make("北沢家族会", district="daizawa")
    response = client_for(users["lead_worker"]).post(
        reverse("events:new"), event_data(place=str(place.pk), starts_on="2100-01-01", apply_by="")
    )
    assert response.status_code == 302
    assert Event.objects.get().place == place


TEXT = st.one_of(
    st.text(max_size=40),
    st.sampled_from(
        ["", "0", "-1", "99999999999", "令和99年13月40日", "9999-12-31", "0001-01-01", "25:00", "<script>", "\x00"]
    ),
)
FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
FIELDS = [
    "agency",
    "title",
    "kind",
    "starts_on",
    "starts_time",
    "ends_time",
    "venue",
    "district",
    "place",
    "audience",
    "description",
    "how_to_apply",
    "apply_by",
    "capacity",
    "is_public",
]


@given(st.dictionaries(st.sampled_from(FIELDS), TEXT, max_size=5))
@FUZZ
def test_any_event_input_is_saved_or_answered_never_a_server_error(users, data):
    before = Event.objects.count()
    response = client_for(users["lead_worker"]).post(reverse("events:new"), event_data(**data))
    assert response.status_code in (302, 400)
    assert Event.objects.count() == before + (1 if response.status_code == 302 else 0)
    if response.status_code == 302:
        event = Event.objects.order_by("-pk").first()
        assert event is not None and event.title and event.venue and event.agency.code == "merkmal"


@given(st.dictionaries(st.sampled_from([*FIELDS, "version"]), TEXT, max_size=5))
@FUZZ
def test_any_event_edit_is_saved_or_answered_never_a_server_error(users, data):
    event = event_make("講演会")
    data.pop("agency", None)
    response = client_for(users["lead_worker"]).post(
        reverse("events:edit", kwargs={"pk": event.pk}), {**event_data(), "version": "1", **data}
    )
    assert response.status_code in (302, 400, 409)
    fresh = Event.objects.get(pk=event.pk)
    if response.status_code == 302:
        assert fresh.version == 2
    else:
        assert (fresh.version, fresh.title, fresh.starts_at) == (1, "講演会", event.starts_at)

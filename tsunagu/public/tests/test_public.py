"""Public pages (S11): no login, CSRF, size limits, rate limit, honeypot, nothing read back."""

import uuid

import pytest
from django.test import Client, override_settings
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tsunagu.audit.models import AccessEvent
from tsunagu.intake.models import Consultation


def request_data(**overrides):
    return {
        "submission_key": str(uuid.uuid4()),
        "contact_type": "family",
        "contact_relation": "mother",
        "concerns": ["withdrawal"],
        "summary": "息子が何年も部屋から出てきません。どうしたらいいでしょうか。",
        "contact_preference": "no_contact",
        **overrides,
    }


@pytest.mark.django_db
def test_where_to_consult_shows_the_desk_from_reference_data(reference):
    response = Client().get(reverse("public:where"))
    page = response.content.decode()
    assert response.status_code == 200
    assert "ひきこもり相談窓口「リンク」" in page
    assert "月曜〜土曜" in page
    assert "メルクマールせたがや" in page
    assert "あんしんすこやかセンター" not in page  # not marked public


@pytest.mark.django_db
def test_an_anonymous_request_lands_in_the_desk_queue_with_a_reference_code(reference):
    response = Client().post(reverse("public:request"), request_data())
    consultation = Consultation.objects.get()
    assert response.status_code == 200
    assert consultation.reference_code in response.content.decode()
    assert consultation.channel == "online_form"
    assert consultation.source == "public_form"
    assert consultation.contact_type == "family"
    assert consultation.contact_name == ""
    assert not consultation.is_triaged
    event = AccessEvent.objects.get(object_type="consultation")
    assert (event.user, event.action, event.reason) == (None, "create", "public form")


@pytest.mark.django_db
def test_asking_for_contact_needs_a_way_to_reach_you(reference):
    response = Client().post(reverse("public:request"), request_data(contact_preference="may_contact"))
    assert response.status_code == 400
    assert "電話番号かメールアドレス" in response.content.decode()
    assert not Consultation.objects.exists()
    ok = Client().post(
        reverse("public:request"), request_data(contact_preference="may_contact", contact_phone="090-0000-0000")
    )
    assert ok.status_code == 200
    assert Consultation.objects.get().contact_phone == "090-0000-0000"


@pytest.mark.django_db
def test_contact_details_are_dropped_when_no_contact_is_wanted(reference):
    Client().post(reverse("public:request"), request_data(contact_phone="090-0000-0000", contact_name="なまえ"))
    consultation = Consultation.objects.get()
    assert (consultation.contact_phone, consultation.contact_name) == ("", "")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"summary": ""}, "このフィールドは必須です"),
        ({"summary": "あ" * 2001}, "2000 文字以下"),
        ({"contact_type": "agency"}, "正しく選択"),
        ({"contact_name": "😀", "contact_preference": "may_contact", "contact_phone": "03-0000-0000"}, "絵文字"),
        ({"contact_phone": "ﾃﾞﾝﾜ", "contact_preference": "may_contact"}, "数字とハイフン"),
    ],
)
def test_bad_input_is_answered_gently_and_nothing_is_kept(reference, data, message):
    response = Client().post(reverse("public:request"), request_data(**data))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Consultation.objects.exists()


@pytest.mark.django_db
def test_the_back_button_does_not_send_the_request_twice(reference):
    data = request_data()
    first = Client().post(reverse("public:request"), data)
    second = Client().post(reverse("public:request"), data)
    assert Consultation.objects.count() == 1
    code = Consultation.objects.get().reference_code
    assert code in first.content.decode() and code in second.content.decode()


@pytest.mark.django_db
def test_a_filled_honeypot_looks_like_success_and_keeps_nothing(reference):
    response = Client().post(reverse("public:request"), request_data(website="http://spam.example"))
    assert response.status_code == 200
    assert "受け付けました" in response.content.decode()
    assert not Consultation.objects.exists()


@pytest.mark.django_db
def test_the_form_needs_its_csrf_token(reference):
    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("public:request"), request_data())
    assert response.status_code == 403
    assert not Consultation.objects.exists()


@pytest.mark.django_db
def test_an_oversized_request_is_refused(reference):
    response = Client().post(reverse("public:request"), request_data(summary="あ" * 300_000))
    assert response.status_code == 400
    assert not Consultation.objects.exists()


@pytest.mark.django_db
@override_settings(PUBLIC_FORM_RATE="3/h")
def test_many_requests_from_one_address_are_slowed_down(reference):
    client = Client()
    statuses = [
        client.post(reverse("public:request"), request_data(), REMOTE_ADDR="192.0.2.10").status_code for _ in range(4)
    ]
    assert statuses == [200, 200, 200, 429]
    assert (
        "しばらくしてから"
        in client.post(reverse("public:request"), request_data(), REMOTE_ADDR="192.0.2.10").content.decode()
    )
    assert Consultation.objects.count() == 3
    assert Client().post(reverse("public:request"), request_data(), REMOTE_ADDR="192.0.2.11").status_code == 200


@pytest.mark.django_db
def test_public_pages_show_no_staff_data_and_carry_security_headers(world):
    response = Client().get(reverse("public:where"))
    page = response.content.decode()
    assert "山田" not in page and "髙橋" not in page
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]
    assert "script-src 'self'" in response["Content-Security-Policy"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "<script>" not in page  # no inline script anywhere (CSP)


@pytest.mark.django_db
def test_staff_pages_are_never_cached(world, desk):
    from tsunagu.core.tests.personas import client_for

    response = client_for(desk).get(reverse("intake:queue"))
    assert response["Cache-Control"] == "no-store"


@pytest.mark.django_db
def test_pages_link_no_outside_host(world, desk):
    import re

    from tsunagu.core.tests.personas import client_for

    for client, url in [
        (Client(), reverse("public:where")),
        (Client(), reverse("public:request")),
        (client_for(desk), reverse("intake:queue")),
        (client_for(desk), reverse("intake:create")),
    ]:
        page = client.get(url).content.decode()
        assert re.findall(r'(?:src|href)="(?:https?:)?//', page) == []


@given(
    st.dictionaries(
        st.sampled_from(
            [
                "contact_type",
                "contact_relation",
                "summary",
                "contact_preference",
                "contact_name",
                "contact_phone",
                "contact_email",
                "contact_note",
            ]
        ),
        st.text(max_size=60),
        max_size=5,
    )
)
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@pytest.mark.django_db
@override_settings(PUBLIC_FORM_RATE="100000/h")
def test_any_public_input_is_kept_or_answered_never_a_server_error(reference, data):
    before = Consultation.objects.count()
    response = Client().post(reverse("public:request"), request_data(**data))
    assert response.status_code in (200, 400)
    assert Consultation.objects.count() == before + (1 if response.status_code == 200 else 0)


# --- Defects 10 and 21 of issue 8: no concern ticked, refusals counted, text lost -------------


@pytest.mark.django_db
def test_a_request_with_no_concern_ticked_is_kept_not_a_server_error(reference):
    data = request_data()
    del data["concerns"]
    response = Client().post(reverse("public:request"), data)
    assert response.status_code == 200
    consultation = Consultation.objects.get()
    assert consultation.concerns == []
    assert consultation.reference_code in response.content.decode()


@pytest.mark.django_db
@override_settings(PUBLIC_FORM_RATE="2/h")
def test_refused_submissions_do_not_count_against_the_rate_limit(reference):
    client = Client()
    for _ in range(5):
        bad = client.post(reverse("public:request"), request_data(summary=""), REMOTE_ADDR="192.0.2.20")
        assert bad.status_code == 400
    statuses = [
        client.post(reverse("public:request"), request_data(), REMOTE_ADDR="192.0.2.20").status_code for _ in range(3)
    ]
    assert statuses == [200, 200, 429]
    assert Consultation.objects.count() == 2


@pytest.mark.django_db
@override_settings(PUBLIC_FORM_RATE="2/h")
def test_sending_the_same_request_twice_counts_once(reference):
    client = Client()
    data = request_data()
    assert client.post(reverse("public:request"), data, REMOTE_ADDR="192.0.2.21").status_code == 200
    assert client.post(reverse("public:request"), data, REMOTE_ADDR="192.0.2.21").status_code == 200
    assert client.post(reverse("public:request"), request_data(), REMOTE_ADDR="192.0.2.21").status_code == 200
    assert Consultation.objects.count() == 2


@pytest.mark.django_db
@override_settings(PUBLIC_FORM_RATE="1/h")
def test_the_rate_limited_page_keeps_the_text_in_the_form(reference):
    client = Client()
    assert client.post(reverse("public:request"), request_data(), REMOTE_ADDR="192.0.2.22").status_code == 200
    text = "三通目です。<b>息子</b>のことで & 相談したい"
    response = client.post(
        reverse("public:request"),
        request_data(summary=text, contact_preference="may_contact", contact_phone="090-1111-2222"),
        REMOTE_ADDR="192.0.2.22",
    )
    page = response.content.decode()
    assert response.status_code == 429
    assert "しばらくしてから" in page
    assert "三通目です。&lt;b&gt;息子&lt;/b&gt;のことで &amp; 相談したい" in page  # escaped, inside the form
    assert 'value="090-1111-2222"' in page
    assert '<textarea name="summary"' in page
    assert Consultation.objects.count() == 1


@pytest.mark.django_db
@override_settings(PUBLIC_FORM_RATE="1/h")
def test_bad_input_when_rate_limited_still_gets_its_field_error_and_keeps_the_text(reference):
    client = Client()
    assert client.post(reverse("public:request"), request_data(), REMOTE_ADDR="192.0.2.23").status_code == 200
    response = client.post(
        reverse("public:request"), request_data(contact_type="agency", summary="消えないで"), REMOTE_ADDR="192.0.2.23"
    )
    assert response.status_code == 400
    assert "正しく選択" in response.content.decode() and "消えないで" in response.content.decode()
    assert not Consultation.objects.filter(summary="消えないで").exists()


DATABASE_CACHE = {"default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "tsunagu_cache"}}


@pytest.mark.django_db
@override_settings(PUBLIC_FORM_RATE="2/h", CACHES=DATABASE_CACHE)
def test_the_rate_limit_holds_across_processes_with_the_database_cache(reference):
    """Two app server processes share nothing but the database: the count lives in its table."""
    from django.core.cache import caches
    from django.db import connection

    client = Client()
    assert client.post(reverse("public:request"), request_data(), REMOTE_ADDR="192.0.2.30").status_code == 200
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM tsunagu_cache")
        assert cursor.fetchone()[0] >= 1
    del caches["default"]  # what a second process has: a cache object of its own on the same table
    assert client.post(reverse("public:request"), request_data(), REMOTE_ADDR="192.0.2.30").status_code == 200
    del caches["default"]
    assert client.post(reverse("public:request"), request_data(), REMOTE_ADDR="192.0.2.30").status_code == 429
    assert Consultation.objects.count() == 2


def _redis_url() -> str | None:
    """The local Redis (REDIS_URL or 127.0.0.1:6379, database 15), or None when none answers."""
    import os

    import redis

    url = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/15"
    try:
        redis.Redis.from_url(url, socket_connect_timeout=0.5).ping()
    except redis.RedisError:
        return None
    return url


@pytest.mark.redis
@pytest.mark.django_db
def test_the_rate_limit_holds_across_processes_with_redis(reference):
    url = _redis_url()
    if url is None:
        pytest.skip("no Redis answers on REDIS_URL or 127.0.0.1:6379")
    from django.core.cache import caches

    with override_settings(
        PUBLIC_FORM_RATE="1/h",
        CACHES={"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url}},
    ):
        caches["default"].clear()
        try:
            client = Client()
            assert client.post(reverse("public:request"), request_data(), REMOTE_ADDR="192.0.2.31").status_code == 200
            del caches["default"]  # a second process: its own client on the same Redis
            assert client.post(reverse("public:request"), request_data(), REMOTE_ADDR="192.0.2.31").status_code == 429
        finally:
            caches["default"].clear()
    assert Consultation.objects.count() == 1

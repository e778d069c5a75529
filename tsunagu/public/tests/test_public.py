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

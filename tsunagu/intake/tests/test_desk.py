"""The central desk: registering consultations, the queue, edits."""

import datetime as dt
import uuid

import pytest
import time_machine
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tsunagu.audit.models import AccessEvent
from tsunagu.core.tests.forms import assert_refused
from tsunagu.core.tests.personas import client_for
from tsunagu.intake.models import Consultation
from tsunagu.intake.tests.factories import consultation_make

pytestmark = pytest.mark.dates

NOW = dt.datetime(2026, 11, 27, 10, 0, tzinfo=dt.UTC)  # 19:00 in Tokyo


@pytest.fixture(autouse=True)
def _today():
    """Every test starts at NOW (clock ticking), whatever the real date."""
    with time_machine.travel(NOW):
        yield


def phone_call(**overrides):
    return {
        "submission_key": str(uuid.uuid4()),
        "received_at": "2026-11-27T18:30",
        "channel": "phone",
        "contact_type": "family",
        "contact_relation": "mother",
        "contact_name": "テスト 母",
        "contact_phone": "０３－１２３４－５６７８",
        "contact_preference": "may_contact",
        "concerns": ["withdrawal", "care"],
        "main_concern": "withdrawal",
        "summary": "50代の息子が10年ほど部屋から出ない。自分も80歳を過ぎて心配。",
        **overrides,
    }


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_the_desk_records_a_phone_call_from_a_mother(desk):
    response = client_for(desk).post(reverse("intake:create"), phone_call())
    consultation = Consultation.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("intake:detail", kwargs={"pk": consultation.pk})
    assert consultation.channel == "phone"
    assert consultation.contact_display == "家族（母）"
    assert consultation.contact_phone == "03-1234-5678"
    assert consultation.concerns == ["withdrawal", "care"]
    assert consultation.received_by == desk
    assert consultation.received_at == dt.datetime(2026, 11, 27, 9, 30, tzinfo=dt.UTC)
    assert not consultation.is_triaged
    assert AccessEvent.objects.filter(
        object_type="consultation", action="create", object_ids=[consultation.pk]
    ).exists()


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"summary": ""}, "summary", "このフィールドは必須です"),
        ({"summary": "あ" * 4001}, "summary", "4000 文字以下"),
        ({"received_at": "2026-11-30T10:00"}, "received_at", "未来の日時"),
        ({"received_at": "2026-02-30T10:00"}, "received_at", "日時を正しく入力"),
        ({"channel": ""}, "channel", "このフィールドは必須です"),
        ({"contact_relation": ""}, "contact_relation", "本人との関係を選んでください"),
        ({"contact_name": "母😢"}, "contact_name", "絵文字"),
        ({"contact_phone": "ｾﾞﾛｻﾝ"}, "contact_phone", "数字とハイフン"),
        ({"contact_email": "mother@"}, "contact_email", "有効なメールアドレス"),
        ({"concerns": []}, "concerns", "このフィールドは必須です"),
        ({"main_concern": "debt"}, "main_concern", "チェックした項目から"),
        ({"summary": "a\x00b"}, "summary", "使えない文字"),
    ],
)
def test_bad_consultation_input_is_answered_on_the_field(desk, data, field, message):
    assert_refused(
        client_for(desk),
        reverse("intake:create"),
        phone_call(**data),
        field=field,
        message=message,
        unchanged=(Consultation, AccessEvent),
    )


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_a_double_click_records_one_consultation(desk):
    client = client_for(desk)
    data = phone_call()
    first, second = client.post(reverse("intake:create"), data), client.post(reverse("intake:create"), data)
    assert first["Location"] == second["Location"]
    assert Consultation.objects.count() == 1


@pytest.mark.django_db
def test_anonymous_consultations_need_no_name_or_contact(desk):
    response = client_for(desk).post(
        reverse("intake:create"),
        phone_call(
            contact_name="",
            contact_phone="",
            contact_type="neighbour",
            contact_relation="",
            contact_preference="no_contact",
            received_at="2026-01-05T10:00",
        ),
    )
    assert response.status_code == 302
    assert Consultation.objects.get().contact_display == "近隣・民生委員"


@pytest.mark.django_db
def test_the_queue_puts_untriaged_first_urgent_on_top_then_the_longest_waiting(world, desk):
    with time_machine.travel(NOW, tick=False):
        old = consultation_make(received_at=NOW - dt.timedelta(days=3))
        urgent = consultation_make(received_at=NOW - dt.timedelta(minutes=5), urgent=True)
        response = client_for(desk).get(reverse("intake:queue"))
    rows = response.context["rows"]
    assert [c.pk for c in rows] == [urgent.pk, old.pk, world.waiting.pk]
    page = response.content.decode()
    assert "3日" in page
    assert "5分" in page
    assert world.consultation.pk not in [c.pk for c in rows]
    with time_machine.travel(NOW, tick=False):
        everything = client_for(desk).get(reverse("intake:queue"), {"show": "all"}).context["rows"]
    # Everything, triaged or not, newest first (the order of the index consultation_received_id).
    assert world.consultation.pk in [c.pk for c in everything]
    received = [c.received_at for c in everything]
    assert received == sorted(received, reverse=True)


@pytest.mark.django_db
def test_the_queue_refreshes_its_rows_for_htmx(world, desk):
    response = client_for(desk).get(reverse("intake:queue"), HTTP_HX_REQUEST="true")
    assert response.templates[0].name == "intake/_queue_rows.html"


@pytest.mark.django_db
def test_two_edits_of_one_consultation_the_second_is_told(world, desk, users):
    other_desk = client_for(users["desk"])
    url = reverse("intake:edit", kwargs={"pk": world.waiting.pk})
    form = client_for(desk).get(url).context["form"]
    data = {k: v for k, v in form.initial.items() if v not in (None, "", False)}
    data["received_at"] = form.initial["received_at"].strftime("%Y-%m-%dT%H:%M")
    assert client_for(desk).post(url, {**data, "summary": "最初の修正"}).status_code == 302
    response = other_desk.post(url, {**data, "summary": "二人目の修正"})
    assert response.status_code == 409
    assert response.context["form"]["summary"].value() == "二人目の修正"
    world.waiting.refresh_from_db()
    assert world.waiting.summary == "最初の修正"


@given(
    st.dictionaries(
        st.sampled_from(
            [
                "received_at",
                "channel",
                "contact_type",
                "contact_relation",
                "contact_name",
                "contact_phone",
                "contact_email",
                "contact_note",
                "main_concern",
                "summary",
                "urgent",
            ]
        ),
        st.text(max_size=60),
        max_size=5,
    )
)
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@pytest.mark.django_db
def test_any_consultation_input_is_saved_or_answered_never_a_server_error(desk, data):
    before = Consultation.objects.count()
    response = client_for(desk).post(
        reverse("intake:create"), phone_call(**{"received_at": "2026-01-05T10:00", **data})
    )
    assert response.status_code in (302, 400)
    assert Consultation.objects.count() == before + (1 if response.status_code == 302 else 0)


@pytest.mark.django_db
def test_the_queue_costs_the_same_for_3_and_for_12_households(world, desk):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tsunagu.people.tests.factories import household_make, person_make

    def queue_queries():
        with CaptureQueriesContext(connection) as queries:
            client_for(desk).get(reverse("intake:queue"), {"show": "all"})
        return len(queries)

    def add(n):
        for i in range(n):
            household = household_make(label=f"世帯{i}")
            person_make(household, approx_decade=80)
            consultation_make(household=household)

    add(3)
    few = queue_queries()
    add(9)
    assert queue_queries() == few

"""Emergency access (S13) and "Why can I see this?"."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from tsunagu.audit.models import AccessEvent
from tsunagu.cases.models import EmergencyAccess
from tsunagu.core.tests.personas import client_for

pytestmark = pytest.mark.dates

NOW = dt.datetime(2026, 11, 28, 1, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _today():
    """Every test starts at NOW (clock ticking), whatever the real date."""
    with time_machine.travel(NOW):
        yield


REASON = "本人の母親から自傷をほのめかす電話。担当機関に連絡がつかない。"


def break_glass(client, case, reason=REASON):
    return client.post(reverse("cases:emergency"), {"case_number": case.number, "reason": reason})


@pytest.mark.django_db
def test_an_outsider_opens_a_case_for_three_hours_with_a_reason(world, outsider):
    client = client_for(outsider)
    case_url = reverse("cases:detail", kwargs={"pk": world.case.pk})
    with time_machine.travel(NOW, tick=False):
        assert client.get(case_url).status_code == 404
        response = break_glass(client, world.case)
        assert response["Location"] == case_url
        page = client.get(case_url)
        assert page.status_code == 200
        assert page.context["access"].basis == "emergency"
        assert "緊急アクセス" in page.content.decode() and REASON in page.content.decode()
        # read only: no writing through emergency access
        assert client.get(reverse("records:create", kwargs={"case_pk": world.case.pk})).status_code == 404
        assert client.get(reverse("people:person_detail", kwargs={"pk": world.person.pk})).status_code == 200
        assert client.get(reverse("people:person_edit", kwargs={"pk": world.person.pk})).status_code == 404
        assert AccessEvent.objects.filter(user=outsider, case_id=world.case.pk, reason__startswith="emergency").exists()
    with time_machine.travel(NOW + dt.timedelta(hours=3, minutes=1), tick=False):
        client = client_for(outsider)  # the old session has timed out meanwhile (30 min idle)
        assert client.get(case_url).status_code == 404
        assert client.get(reverse("people:person_detail", kwargs={"pk": world.person.pk})).status_code == 404


@pytest.mark.django_db
def test_a_reason_is_required_and_a_missing_case_says_so(world, outsider):
    client = client_for(outsider)
    short = break_glass(client, world.case, reason="急ぎ")
    assert short.status_code == 400
    assert "10文字以上" in short.content.decode()
    missing = client.post(reverse("cases:emergency"), {"case_number": "K-999999", "reason": REASON})
    assert "該当するケースが見つかりません" in missing.content.decode()
    bad = client.post(reverse("cases:emergency"), {"case_number": "あいう", "reason": REASON})
    assert "K-000123" in bad.content.decode()
    assert not EmergencyAccess.objects.exists()


@pytest.mark.django_db
def test_the_team_is_not_asked_for_a_reason(world, lead_worker):
    response = break_glass(client_for(lead_worker), world.case)
    assert response.status_code == 302
    assert response["Location"] == reverse("cases:detail", kwargs={"pk": world.case.pk})
    assert not EmergencyAccess.objects.exists()


@pytest.mark.django_db
def test_a_supervisor_of_the_users_agency_reviews_it_once(world, outsider, users):
    from tsunagu.core.tests.personas import make_user

    break_glass(client_for(outsider), world.case)
    emergency = EmergencyAccess.objects.get()
    # a supervisor at the outsider's agency (あんしんすこやかセンター経堂)
    boss = make_user("anshin_boss", "anshin-kyodo", "supervisor")
    page = client_for(boss).get(reverse("work:my_work"))
    assert [e.pk for e in page.context["emergencies"]] == [emergency.pk]
    assert client_for(users["supervisor"]).get(reverse("work:my_work")).context["emergencies"].count() == 0
    other = client_for(users["supervisor"]).post(reverse("cases:emergency_review", kwargs={"pk": emergency.pk}))
    assert other.status_code == 404
    client_for(boss).post(reverse("cases:emergency_review", kwargs={"pk": emergency.pk}), {"note": "確認済み"})
    emergency.refresh_from_db()
    assert (emergency.reviewed_by, emergency.review_note) == (boss, "確認済み")
    assert client_for(boss).get(reverse("work:my_work")).context["emergencies"].count() == 0


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("persona", "basis", "text"),
    [
        ("lead_worker", "team", "担当機関（メルクマールせたがや）の職員として"),
        ("supervisor", "team", "（スーパーバイザー）"),
        ("desk", "desk", "窓口として調整の概要だけ"),
    ],
)
def test_the_case_page_says_why_the_user_can_see_it(world, users, persona, basis, text):
    page = client_for(users[persona]).get(reverse("cases:detail", kwargs={"pk": world.case.pk}))
    assert page.context["access"].basis == basis
    assert text in page.content.decode()

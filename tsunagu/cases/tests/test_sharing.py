"""Sharing (S5): consent and legal bases for the case team, withdrawal, the lead hand-off."""

import datetime as dt
import uuid

import pytest
import time_machine
from django.urls import reverse

from tsunagu.agencies.models import Agency
from tsunagu.cases.models import CaseAgency, Consent
from tsunagu.core.tests.personas import client_for

NOW = dt.datetime(2026, 11, 28, 1, 0, tzinfo=dt.UTC)


def agency(code):
    return Agency.objects.get(code=code)


def record_consent(client, world, *agencies, expires_on=""):
    return client.post(
        reverse("cases:consents", kwargs={"pk": world.case.pk}),
        {
            "submission_key": str(uuid.uuid4()),
            "person": world.person.pk,
            "agencies": [agency(code).pk for code in agencies],
            "purpose": "地域の見守りのため",
            "method": "written",
            "given_on": "令和8年11月20日",
            "expires_on": expires_on,
        },
    )


def add(client, world, code, **data):
    return client.post(reverse("cases:team_add", kwargs={"pk": world.case.pk}), {"agency": agency(code).pk, **data})


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"basis": ""}, "basis", "このフィールドは必須です"),
        ({"basis": "consent"}, "consent", "有効な同意がありません"),
        ({"basis": "other_law"}, "basis_note", "法令名を書いてください"),
    ],
)
def test_a_share_without_a_basis_is_refused(world, lead_worker, data, field, message):
    before = CaseAgency.objects.count()
    response = add(client_for(lead_worker), world, "anshin-kyodo", **data)
    assert response.status_code == 400
    assert any(message in e for e in response.context["add_form"].errors[field])
    assert CaseAgency.objects.count() == before


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_a_consent_naming_the_agency_lets_it_join_and_withdrawal_ends_its_access(world, lead_worker, outsider):
    client = client_for(lead_worker)
    assert record_consent(client, world, "anshin-kyodo").status_code == 302
    consent = Consent.objects.get()
    case_url = reverse("cases:detail", kwargs={"pk": world.case.pk})
    assert client_for(outsider).get(case_url).status_code == 404
    assert add(client, world, "anshin-kyodo", basis="consent", consent=consent.pk).status_code == 302
    assert client_for(outsider).get(case_url).status_code == 200  # あんすこ経堂 is on the team now
    client.post(reverse("cases:consent_withdraw", kwargs={"pk": world.case.pk, "consent_pk": consent.pk}))
    consent.refresh_from_db()
    assert consent.withdrawn_on == NOW.date()
    assert client_for(outsider).get(case_url).status_code == 404
    ended = CaseAgency.objects.get(case=world.case, agency=agency("anshin-kyodo"))
    assert ended.until == NOW.date()


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_a_consent_for_another_agency_or_an_expired_one_is_not_enough(world, lead_worker):
    client = client_for(lead_worker)
    record_consent(client, world, "anshin-ikejiri")
    consent = Consent.objects.get()
    assert add(client, world, "anshin-kyodo", basis="consent", consent=consent.pk).status_code == 400
    Consent.objects.filter(pk=consent.pk).update(expires_on=dt.date(2026, 11, 27))
    assert add(client, world, "anshin-ikejiri", basis="consent", consent=consent.pk).status_code == 400
    refused = record_consent(client, world, "anshin-ikejiri", expires_on="令和8年11月1日")
    assert refused.status_code == 400 and "同意日より後" in refused.content.decode()
    assert not CaseAgency.objects.filter(case=world.case, agency__code__in=["anshin-kyodo", "anshin-ikejiri"]).exists()
    assert list(Consent.objects.values_list("pk", flat=True)) == [consent.pk]


@pytest.mark.django_db
def test_a_support_meeting_is_a_basis_of_its_own(world, lead_worker):
    assert add(client_for(lead_worker), world, "hfc-setagaya", basis="meeting_art9").status_code == 302
    member = CaseAgency.objects.get(case=world.case, agency__code="hfc-setagaya")
    assert (member.role, member.sharing_basis) == ("partner", "meeting_art9")
    assert world.case.timeline.filter(kind="team").exists()


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_the_lead_is_handed_off_at_40_and_the_history_stays(world, lead_worker, users):
    response = client_for(lead_worker).post(
        reverse("cases:handoff", kwargs={"pk": world.case.pk}),
        {
            "agency": agency("link").pk,
            "basis": "meeting_art106_6",
            "note": "来年3月に40歳。居場所には月2回参加。母親の介護が始まった。",
        },
    )
    assert response.status_code == 302
    rows = list(
        CaseAgency.objects.filter(case=world.case, role="lead")
        .order_by("pk")
        .values_list("agency__code", "until", "note")
    )
    assert rows[0][:2] == ("merkmal", NOW.date())
    assert rows[1] == ("link", None, "来年3月に40歳。居場所には月2回参加。母親の介護が始まった。")
    world.case.refresh_from_db()
    assert world.case.lead().agency.code == "link"
    # メルクマール's staff no longer see the case; the desk (ぷらっとホーム) now sees it in full
    assert client_for(lead_worker).get(reverse("cases:detail", kwargs={"pk": world.case.pk})).status_code == 404
    assert client_for(users["desk"]).get(reverse("cases:detail", kwargs={"pk": world.case.pk})).context["full"]


@pytest.mark.django_db
def test_the_lead_cannot_simply_be_removed(world, lead_worker):
    lead = CaseAgency.objects.get(case=world.case, role="lead")
    response = client_for(lead_worker).post(
        reverse("cases:team_end", kwargs={"pk": world.case.pk, "member_pk": lead.pk})
    )
    assert response.status_code == 400
    assert "主担当は外せません" in response.content.decode()
    lead.refresh_from_db()
    assert lead.until is None

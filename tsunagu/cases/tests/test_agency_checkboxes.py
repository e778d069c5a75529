"""Issue 8 (20): agencies are chosen with checkboxes grouped by kind (a multi-select list needs
Ctrl-click, which a tablet does not have), and agency names are joined with 「、」 for display."""

import datetime as dt
import re
import uuid

import pytest
import time_machine
from django.urls import reverse

from tsunagu.agencies.models import Agency
from tsunagu.cases.models import Consent, SharingBasis, TimelineEntry
from tsunagu.cases.services import case_open
from tsunagu.core.tests.personas import client_for
from tsunagu.meetings.models import Meeting
from tsunagu.meetings.tests.helpers import create_meeting
from tsunagu.people.tests.factories import household_make

NOW = dt.datetime(2026, 11, 28, 1, 0, tzinfo=dt.UTC)


def _checkbox_names(html: str, name: str) -> list[str]:
    return re.findall(rf'<input type="checkbox" name="{name}" value="(\d+)"', html)


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_the_consent_form_offers_agencies_as_grouped_checkboxes_and_saves_them(world, lead_worker):
    url = reverse("cases:consents", kwargs={"pk": world.case.pk})
    client = client_for(lead_worker)
    html = client.get(url).content.decode()
    assert 'class="checklist"' in html and "<legend>高齢者支援（あんしんすこやかセンター）</legend>" in html
    assert set(_checkbox_names(html, "agencies")) == {
        str(pk) for pk in Agency.objects.filter(active=True).values_list("pk", flat=True)
    }
    assert '<select name="agencies"' not in html
    assert "<fieldset><legend>共有してよい機関" in html and '<label for="">' not in html
    chosen = [Agency.objects.get(code="anshin-kyodo"), Agency.objects.get(code="link")]
    response = client.post(
        url,
        {
            "submission_key": str(uuid.uuid4()),
            "person": world.person.pk,
            "agencies": [a.pk for a in chosen],
            "purpose": "ケース会議での情報共有",
            "method": "written",
            "given_on": "令和8年11月26日",
            "expires_on": "",
        },
    )
    assert response.status_code == 302
    assert set(Consent.objects.get().agencies.all()) == set(chosen)
    listed = client.get(url).content.decode()
    assert "あんしんすこやかセンター経堂、" in listed or "、あんしんすこやかセンター経堂" in listed


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_the_meeting_forms_offer_agencies_as_checkboxes_and_save_them(world, lead_worker):
    client = client_for(lead_worker)
    html = client.get(reverse("meetings:new")).content.decode()
    assert '<select name="agencies"' not in html and _checkbox_names(html, "agencies")
    assert create_meeting(client, agencies=("merkmal", "anshin-kyodo", "link")).status_code == 302
    meeting = Meeting.objects.get()
    assert set(meeting.agencies.values_list("code", flat=True)) == {"merkmal", "anshin-kyodo", "link"}
    edit = client.get(reverse("meetings:edit", kwargs={"pk": meeting.pk})).content.decode()
    assert '<select name="agencies"' not in edit
    checked = re.findall(r'<input type="checkbox" name="agencies" value="(\d+)"[^>]*checked', edit)
    assert set(checked) == {str(pk) for pk in meeting.agencies.values_list("pk", flat=True)}


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_agency_names_on_the_timeline_are_joined_with_the_japanese_comma(users):
    household = household_make(label="上町の佐藤さん宅", district_code="ikejiri")
    case = case_open(
        user=users["desk"],
        household=household,
        lead=Agency.objects.get(code="merkmal"),
        partners=[Agency.objects.get(code="link"), Agency.objects.get(code="anshin-kyodo")],
        sharing_basis=SharingBasis.CONSENT,
    )
    opened = TimelineEntry.objects.get(case=case, kind="opened")
    names = "、".join(Agency.objects.get(code=c).name for c in ("merkmal", "link", "anshin-kyodo"))
    assert names in opened.summary and ", " not in opened.summary

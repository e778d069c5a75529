"""The consultation page names the receiving staff member and says how it came, once
(issue 8, defect 20)."""

import re

import pytest
from django.urls import reverse

from tsunagu.core.tests.personas import client_for
from tsunagu.intake.models import Channel, Source
from tsunagu.intake.tests.factories import consultation_make


def facts(page: str) -> dict[str, str]:
    """The <dt>/<dd> pairs of the page, tags stripped."""
    pairs = re.findall(r"<dt>(.*?)</dt><dd>(.*?)</dd>", page, flags=re.S)
    return {dt: re.sub(r"<[^>]+>", "", dd).strip() for dt, dd in pairs}


@pytest.mark.django_db
def test_the_receiver_is_shown_by_name_and_agency_not_login_name(world, desk):
    desk.last_name, desk.first_name = "窓口", "花子"
    desk.save()
    consultation = consultation_make(received_by=desk)
    page = client_for(desk).get(reverse("intake:detail", args=[consultation.pk])).content.decode()
    assert facts(page)["受付者"] == "窓口 花子（ぷらっとホーム世田谷）"


@pytest.mark.django_db
def test_a_receiver_without_a_name_is_still_shown_with_the_agency(world, desk):
    consultation = consultation_make(received_by=desk)
    page = client_for(desk).get(reverse("intake:detail", args=[consultation.pk])).content.decode()
    assert facts(page)["受付者"] == "desk（ぷらっとホーム世田谷）"


@pytest.mark.django_db
def test_a_receiver_with_a_hostile_name_is_escaped(world, desk):
    desk.last_name, desk.first_name = '"><b hx-post="/x">', "&"
    desk.save()
    consultation = consultation_make(received_by=desk)
    page = client_for(desk).get(reverse("intake:detail", args=[consultation.pk])).content.decode()
    assert '<b hx-post="/x">' not in page
    assert "&quot;&gt;&lt;b hx-post=&quot;/x&quot;&gt; &amp;" in page


@pytest.mark.django_db
def test_the_public_form_channel_is_said_once(world, desk):
    consultation = consultation_make(channel=Channel.ONLINE_FORM, source=Source.PUBLIC_FORM)
    page = client_for(desk).get(reverse("intake:detail", args=[consultation.pk])).content.decode()
    received = facts(page)["受付日時"]
    assert received.count("オンライン相談フォーム") == 1, received
    assert facts(page)["受付者"] == "—"


@pytest.mark.django_db
def test_a_desk_recorded_call_says_how_and_who_recorded_it(world, desk):
    consultation = consultation_make(channel=Channel.PHONE, source=Source.DESK, received_by=desk)
    page = client_for(desk).get(reverse("intake:detail", args=[consultation.pk])).content.decode()
    assert "（電話、窓口で記録）" in facts(page)["受付日時"]

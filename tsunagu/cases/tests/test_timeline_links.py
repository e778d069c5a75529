"""Reviewer's finding (issue 8, defect 12 around the fix: pages never link to what the user may
not open). Emergency access shows the whole case page, whose timeline linked the consultation
that opened the case; the consultation page answered 404 to that reader (consultations open to
the desk and the case's team only). The entry is now text for them, a link for the team."""

import pytest
from django.urls import reverse

from tsunagu.cases.models import TimelineKind
from tsunagu.cases.services import emergency_open, timeline_add
from tsunagu.core.tests.personas import client_for


@pytest.fixture
def consultation_entry(world, desk):
    timeline_add(
        case=world.case,
        kind=TimelineKind.CONSULTATION,
        user=desk,
        object_id=world.consultation.pk,
        summary="相談受付：母親から電話",
    )
    return reverse("intake:detail", kwargs={"pk": world.consultation.pk})


@pytest.mark.django_db
def test_an_emergency_reader_sees_the_consultation_entry_as_text(world, outsider, consultation_entry):
    emergency_open(user=outsider, case=world.case, reason="夜間に家族から緊急の連絡があったため")
    page = client_for(outsider).get(reverse("cases:detail", kwargs={"pk": world.case.pk}))
    assert page.status_code == 200
    text = page.content.decode()
    assert "相談受付：母親から電話" in text
    assert consultation_entry not in text
    assert client_for(outsider).get(consultation_entry).status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["lead_worker", "supervisor"])
def test_the_team_still_follows_the_link(world, users, persona, consultation_entry):
    text = client_for(users[persona]).get(reverse("cases:detail", kwargs={"pk": world.case.pk})).content.decode()
    assert consultation_entry in text
    assert client_for(users[persona]).get(consultation_entry).status_code == 200

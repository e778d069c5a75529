"""Reviewer's finding (issue 8, defect 12 around the fix: pages never link to what the user may
not open). Emergency access is for reading, yet the household, person, record, assessment and
plan pages offered it 修正する / 訂正する / 世帯員を追加 / 続きを入力する / 承認を依頼する, each
answering 404. The pages offer a change only to those who may make it."""

import re

import pytest
from django.urls import reverse

from tsunagu.cases.services import emergency_open
from tsunagu.core.tests.personas import client_for
from tsunagu.plans.models import PlanStatus


def pages(world):
    return [
        reverse("people:household_detail", kwargs={"pk": world.household.pk}),
        reverse("people:person_detail", kwargs={"pk": world.person.pk}),
        reverse("records:detail", kwargs={"pk": world.record.pk}),
        reverse("assessments:detail", kwargs={"pk": world.assessment.pk}),
        reverse("plans:detail", kwargs={"pk": world.plan.pk}),
    ]


def targets(client, page):
    response = client.get(page)
    assert response.status_code == 200
    text = response.content.decode()
    return {("get", url) for url in re.findall(r'href="(/staff/[^"#?]*)', text) if "logout" not in url} | {
        ("post", url) for url in re.findall(r'action="(/staff/[^"#?]*)', text) if "logout" not in url
    }


def answers(client, method, url):
    return client.get(url).status_code if method == "get" else client.post(url, {}).status_code


@pytest.mark.django_db
@pytest.mark.parametrize("plan_status", [PlanStatus.DRAFT, PlanStatus.APPROVED])
def test_an_emergency_reader_is_offered_no_change_it_cannot_make(world, outsider, plan_status):
    type(world.plan).objects.filter(pk=world.plan.pk).update(status=plan_status)
    emergency_open(user=outsider, case=world.case, reason="夜間に家族から緊急の連絡があったため")
    client = client_for(outsider)
    dead = []
    for page in pages(world):
        for method, url in sorted(targets(client, page)):
            if answers(client, method, url) == 404:
                dead.append((page, method, url))
    assert dead == []


@pytest.mark.django_db
def test_the_team_is_still_offered_its_changes(world, lead_worker):
    client = client_for(lead_worker)
    offered = set().union(*(targets(client, page) for page in pages(world)))
    for name, kwargs in [
        ("people:household_edit", {"pk": world.household.pk}),
        ("people:person_create", {"household_pk": world.household.pk}),
        ("people:person_edit", {"pk": world.person.pk}),
        ("records:correct", {"pk": world.record.pk}),
        ("assessments:edit", {"pk": world.assessment.pk}),
        ("plans:edit", {"pk": world.plan.pk}),
    ]:
        assert ("get", reverse(name, kwargs=kwargs)) in offered, name
    assert ("post", reverse("plans:submit", kwargs={"pk": world.plan.pk})) in offered

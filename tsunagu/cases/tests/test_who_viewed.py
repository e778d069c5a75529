"""「このケースを見た人」: every reader once, with name, agency, basis, last view and count; every
read recorded with its basis, case and persons (issue 8, #9)."""

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tsunagu.audit.models import AccessEvent
from tsunagu.core.tests.personas import client_for, make_user

REASON = "本人の母親から自傷をほのめかす電話。担当機関に連絡がつかない。"


def case_url(world):
    return reverse("cases:detail", kwargs={"pk": world.case.pk})


def break_glass(client, case):
    return client.post(reverse("cases:emergency"), {"case_number": case.number, "reason": REASON})


@pytest.mark.django_db
def test_an_emergency_view_is_not_hidden_behind_another_readers_reloads(world, outsider, lead_worker):
    outsider_client = client_for(outsider)
    break_glass(outsider_client, world.case)
    outsider_client.get(case_url(world))
    worker = client_for(lead_worker)
    for _ in range(25):
        worker.get(case_url(world))
    page = worker.get(case_url(world))
    rows = {(row["reader"], row["basis"]): row["count"] for row in page.context["viewers"]}
    assert rows[(outsider, "emergency")] == 2  # opening and reading
    assert rows[(lead_worker, "team")] == 26
    assert len(rows) == len(page.context["viewers"].rows)  # each reader and basis once


@pytest.mark.django_db
def test_readers_are_shown_by_staff_name_family_name_first_with_agency_and_basis(world, users):
    worker = users["lead_worker"]
    worker.last_name, worker.first_name = "架空", "花子"
    worker.save()
    client_for(users["desk"]).get(case_url(world))
    page = client_for(worker).get(case_url(world))
    text = page.content.decode()
    section = text[text.index('id="viewers"') :]
    assert "架空 花子" in section and "メルクマールせたがや" in section
    assert "担当機関" in section and "窓口（概要）" in section
    assert ">lead_worker<" not in section


@pytest.mark.django_db
def test_every_reader_is_listed_on_pages(world, lead_worker):
    for i in range(25):
        reader = make_user(f"reader{i:02}", "merkmal", "caseworker")
        client_for(reader).get(case_url(world))
    client = client_for(lead_worker)
    first = client.get(case_url(world))
    assert first.context["viewers"].next_url.endswith("#viewers")
    second = client.get(case_url(world) + first.context["viewers"].next_url.split("#")[0])
    readers = [row["reader"].username for row in first.context["viewers"]]
    readers += [row["reader"].username for row in second.context["viewers"]]
    assert sorted(readers) == sorted([f"reader{i:02}" for i in range(25)] + ["lead_worker"])
    assert len(readers) == len(set(readers))  # nobody twice across the pages
    assert second.context["viewers"].next_url == "" and second.context["viewers"].prev_url
    lasts = [row["last"] for row in first.context["viewers"]] + [row["last"] for row in second.context["viewers"]]
    assert lasts == sorted(lasts, reverse=True)  # the last read first


@pytest.mark.django_db
def test_the_reader_list_costs_the_same_queries_for_many_readers(world, lead_worker):
    client = client_for(lead_worker)

    def queries():
        with CaptureQueriesContext(connection) as captured:
            client.get(case_url(world))
        return len(captured)

    # The clock stands still: the first request after signing in saves the session's activity
    # time, the next ones within a minute do not (SESSION_ACTIVITY_GRANULARITY_SECONDS), so both
    # measured requests come after a first one.
    with time_machine.travel(timezone.now(), tick=False):
        client.get(case_url(world))
        for i in range(2):
            client_for(make_user(f"few{i}", "merkmal", "caseworker")).get(case_url(world))
        few = queries()
        for i in range(15):
            client_for(make_user(f"many{i}", "merkmal", "caseworker")).get(case_url(world))
        assert queries() == few


@pytest.mark.django_db
def test_a_person_read_under_emergency_access_records_basis_case_and_reason(world, outsider):
    client = client_for(outsider)
    break_glass(client, world.case)
    before = AccessEvent.objects.count()
    client.get(reverse("people:person_detail", kwargs={"pk": world.person.pk}))
    client.get(reverse("people:household_detail", kwargs={"pk": world.household.pk}))
    client.get(reverse("records:detail", kwargs={"pk": world.record.pk}))
    client.get(reverse("assessments:detail", kwargs={"pk": world.assessment.pk}))
    client.get(reverse("plans:detail", kwargs={"pk": world.plan.pk}))
    events = AccessEvent.objects.order_by("id")[before:]
    reads = {e.object_type: e for e in events if e.action == "view"}
    assert set(reads) >= {"person", "household", "record", "assessment", "plan"}
    for event in reads.values():
        assert (event.basis, event.case_id) == ("emergency", world.case.pk), event.object_type
        assert event.reason.startswith("emergency: 本人の母親から"), event.object_type
        assert world.person.pk in event.person_ids, event.object_type


@pytest.mark.django_db
@pytest.mark.parametrize(("persona", "basis"), [("lead_worker", "team"), ("supervisor", "team"), ("desk", "desk")])
def test_a_person_read_records_its_basis_and_case(world, users, persona, basis):
    last = AccessEvent.objects.order_by("-id").values_list("id", flat=True).first()
    client_for(users[persona]).get(reverse("people:person_detail", kwargs={"pk": world.person.pk}))
    event = AccessEvent.objects.filter(id__gt=last).get(object_type="person")
    assert (event.basis, event.case_id, event.person_ids) == (basis, world.case.pk, [world.person.pk])


@pytest.mark.django_db
@pytest.mark.parametrize(("persona", "basis"), [("lead_worker", "team"), ("desk", "desk")])
def test_a_case_read_records_its_basis(world, users, persona, basis):
    last = AccessEvent.objects.order_by("-id").values_list("id", flat=True).first()
    client_for(users[persona]).get(case_url(world))
    event = AccessEvent.objects.filter(id__gt=last).get(object_type="case")
    assert event.basis == basis

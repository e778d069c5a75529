"""The case page: status changes, closure and reopening, a timeline whose cost does not grow."""

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tsunagu.cases.models import TimelineEntry
from tsunagu.cases.services import timeline_add
from tsunagu.core.tests.personas import client_for


def status_post(client, case, **data):
    version = client.get(reverse("cases:status", kwargs={"pk": case.pk})).context["form"].initial["version"]
    return client.post(reverse("cases:status", kwargs={"pk": case.pk}), {"version": version, **data})


@pytest.mark.django_db
def test_triage_and_opening_leave_their_lines_on_the_timeline(world, desk):
    from tsunagu.agencies.models import Agency

    client_for(desk).post(
        reverse("intake:triage", kwargs={"pk": world.waiting.pk}),
        {
            "version": world.waiting.version,
            "screening": "continue",
            "household_mode": "existing",
            "person_mode": "existing",
            "person_id": world.other_person.pk,
            "action": "save",
            "lead": Agency.objects.get(code="link").pk,
            "sharing_basis": "consent",
        },
    )
    world.waiting.refresh_from_db()
    kinds = list(TimelineEntry.objects.filter(case=world.waiting.case).values_list("kind", flat=True))
    assert sorted(kinds) == ["consultation", "opened"]


@pytest.mark.django_db
def test_a_case_moves_through_its_states_and_closing_needs_a_reason(world, lead_worker):
    client = client_for(lead_worker)
    assert status_post(client, world.case, status="active").status_code == 302
    refused = status_post(client, world.case, status="closed")
    assert refused.status_code == 400
    assert "終結の理由を選んでください" in refused.content.decode()
    closed = status_post(client, world.case, status="closed", closure_reason="work", follow_up_on="令和9年3月1日")
    assert closed.status_code == 302
    world.case.refresh_from_db()
    assert (world.case.status, world.case.closure_reason, str(world.case.follow_up_on)) == (
        "closed",
        "work",
        "2027-03-01",
    )
    assert world.case.closed_at is not None


@pytest.mark.django_db
def test_reopening_keeps_the_history(world, lead_worker):
    client = client_for(lead_worker)
    status_post(client, world.case, status="closed", closure_reason="lost_contact")
    status_post(client, world.case, status="active")
    world.case.refresh_from_db()
    assert (world.case.status, world.case.closed_at, world.case.closure_reason) == ("active", None, "")
    lines = list(
        TimelineEntry.objects.filter(case=world.case, kind="status")
        .order_by("at", "id")
        .values_list("summary", flat=True)
    )
    assert lines == ["受付 → 終結（連絡途絶）", "終結 → 支援中"]


@pytest.mark.django_db
def test_the_same_status_is_not_a_change(world, lead_worker):
    version = world.case.version
    entries = TimelineEntry.objects.filter(case=world.case).count()
    response = status_post(client_for(lead_worker), world.case, status="received")
    assert response.status_code == 400
    assert "状態が変わっていません" in response.content.decode()
    world.case.refresh_from_db()
    assert (world.case.status, world.case.version) == ("received", version)
    assert TimelineEntry.objects.filter(case=world.case).count() == entries


@pytest.mark.django_db
def test_a_stale_status_change_is_told(world, lead_worker, users):
    first, second = client_for(lead_worker), client_for(users["supervisor"])
    url = reverse("cases:status", kwargs={"pk": world.case.pk})
    version = first.get(url).context["form"].initial["version"]
    assert first.post(url, {"version": version, "status": "active"}).status_code == 302
    stale = second.post(url, {"version": version, "status": "watching"})
    assert stale.status_code == 409
    assert 'class="conflict"' in stale.content.decode()
    world.case.refresh_from_db()
    assert world.case.status == "active", "the first change stands"
    assert world.case.version == version + 1


def _case_page_queries(client, case) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("cases:detail", kwargs={"pk": case.pk}))
    assert response.status_code == 200
    return len(queries)


@pytest.mark.django_db
def test_the_case_page_costs_the_same_with_5_and_with_500_timeline_entries(world, lead_worker):
    client = client_for(lead_worker)
    base = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    for n in range(5):
        timeline_add(case=world.case, kind="record", summary=f"記録 {n}", user=lead_worker, at=base)
    # The clock stands still: the first request after signing in saves the session's activity
    # time, the next ones within a minute do not (SESSION_ACTIVITY_GRANULARITY_SECONDS), so both
    # measured requests come after a first one.
    with time_machine.travel(timezone.now(), tick=False):
        client.get(reverse("cases:detail", kwargs={"pk": world.case.pk}))
        few = _case_page_queries(client, world.case)
        TimelineEntry.objects.bulk_create(
            [
                TimelineEntry(case=world.case, kind="record", summary=f"記録 {n}", user=lead_worker, at=base)
                for n in range(495)
            ]
        )
        many = _case_page_queries(client, world.case)
    assert few == many
    url = reverse("cases:detail", kwargs={"pk": world.case.pk})
    page = client.get(url)
    seen = []
    for _n in range(3):
        seen += [e.pk for e in page.context["timeline"]]
        page = client.get(url + page.context["timeline"].next_url.split("#")[0])
        assert _case_page_queries(client, world.case) == many
    assert len(page.context["timeline"]) == 20
    assert seen == list(world.case.timeline.order_by("-at", "-id").values_list("pk", flat=True)[:60])


@pytest.mark.django_db
def test_the_timeline_is_paged_by_keyset_without_offset_or_a_count(world, lead_worker):
    base = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    TimelineEntry.objects.bulk_create(
        [
            TimelineEntry(case=world.case, kind="record", summary=f"記録 {n}", user=lead_worker, at=base)
            for n in range(45)
        ]
    )
    client = client_for(lead_worker)
    url = reverse("cases:detail", kwargs={"pk": world.case.pk})
    pages, response = [], client.get(url)
    while True:
        pages.append([e.pk for e in response.context["timeline"]])
        if not response.context["timeline"].next_url:
            break
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url + response.context["timeline"].next_url.split("#")[0])
        timeline_sql = [q["sql"] for q in captured if "cases_timelineentry" in q["sql"]]
        assert timeline_sql and not any("OFFSET" in sql.upper() or "COUNT(" in sql.upper() for sql in timeline_sql)
    seen = [pk for page in pages for pk in page]
    assert seen == list(world.case.timeline.order_by("-at", "-id").values_list("pk", flat=True))
    assert len(set(seen)) == len(seen) == world.case.timeline.count()
    back = client.get(url + response.context["timeline"].prev_url.split("#")[0])
    assert [e.pk for e in back.context["timeline"]] == pages[-2]
    forged = client.get(url, {"timeline": "forged", "viewers": "forged"})
    assert forged.status_code == 200 and [e.pk for e in forged.context["timeline"]] == pages[0]

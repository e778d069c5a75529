"""The referral inbox for an agency with thousands of referrals: the database filters (state,
overdue, the other agency), keyset pages per box, a bad cursor, fixed queries, the ids recorded."""

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tsunagu.audit.models import AccessEvent
from tsunagu.cases.models import SharingBasis
from tsunagu.core.tests.personas import client_for
from tsunagu.referrals.models import Referral, ReferralStatus
from tsunagu.referrals.tests.helpers import agency

NOW = dt.datetime(2026, 11, 25, 10, 0, tzinfo=dt.UTC)
URL = reverse("referrals:inbox")


def referrals_bulk(world, n, *, sender="merkmal", to="anshin-kyodo", status=ReferralStatus.REQUESTED, due_days=5):
    """``n`` referrals inserted in bulk, requested on days that repeat (many ties)."""
    made = Referral.objects.bulk_create(
        Referral(
            case=world.case,
            from_agency=agency(sender),
            to_agency=agency(to),
            reason="一括",
            summary="一括のつなぎ",
            sharing_basis=SharingBasis.MEETING_ART9,
            requested_at=NOW - dt.timedelta(days=i % 4),
            due_on=NOW.date() + dt.timedelta(days=due_days),
            status=status,
        )
        for i in range(n)
    )
    return Referral.objects.order_by("-pk")[: len(made)]


def walk(client, params, box):
    response = client.get(URL, params)
    pages = [[r.pk for r in response.context[box]]]
    while response.context[box].next_url:
        assert len(pages) < 100
        response = client.get(URL + response.context[box].next_url.split("#")[0])
        pages.append([r.pk for r in response.context[box]])
    return pages


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_every_received_referral_is_reached_newest_first(world, outsider):
    made = {r.pk for r in referrals_bulk(world, 120)}
    pages = walk(client_for(outsider), {"box": "received"}, "received")
    seen = [pk for page in pages for pk in page]
    assert [len(p) for p in pages] == [50, 50, 20] and set(seen) == made
    assert seen == list(Referral.objects.order_by("-requested_at", "-pk").values_list("pk", flat=True))


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_the_filters_are_done_by_the_database_and_kept_across_pages(world, outsider, lead_worker):
    late = {r.pk for r in referrals_bulk(world, 60, due_days=-2)}
    referrals_bulk(world, 5)
    accepted = {r.pk for r in referrals_bulk(world, 3, status=ReferralStatus.ACCEPTED)}
    from_link = {r.pk for r in referrals_bulk(world, 2, sender="link")}
    to_school = {r.pk for r in referrals_bulk(world, 4, to="kyoiku-iinkai")}
    client = client_for(outsider)

    def received(**params):
        return {pk for page in walk(client, params, "received") for pk in page}

    assert received(overdue="on") == late
    assert received(status="accepted") == accepted
    assert received(agency="link") == from_link
    first = client.get(URL, {"overdue": "on", "sort": "due"})
    following = QueryDict(first.context["received"].next_url.split("#")[0][1:])
    assert following["overdue"] == "on" and following["sort"] == "due"
    sent = {pk for page in walk(client_for(lead_worker), {"agency": "kyoiku-iinkai"}, "sent") for pk in page}
    assert sent == to_school


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_one_box_alone_reads_only_that_box(world, outsider):
    referrals_bulk(world, 3)
    response = client_for(outsider).get(URL, {"box": "sent"})
    assert list(response.context["received"]) == []
    assert 'id="received"' not in response.content.decode() and 'id="sent"' in response.content.decode()


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize("params", [{"received": "bogus"}, {"sent": "x" * 3000}, {"status": "lost"}, {"agency": "?"}])
def test_a_bad_cursor_or_filter_is_the_first_page(world, outsider, params):
    referrals_bulk(world, 60)
    client = client_for(outsider)
    plain = [r.pk for r in client.get(URL).context["received"]]
    response = client.get(URL, params)
    assert response.status_code == 200 and [r.pk for r in response.context["received"]] == plain


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_the_inbox_records_the_ids_it_shows(world, outsider):
    referrals_bulk(world, 60)
    response = client_for(outsider).get(URL)
    event = AccessEvent.objects.filter(user=outsider, object_type="referral", action="list").latest("id")
    assert sorted(event.object_ids) == sorted(r.pk for r in response.context["received"])
    assert len(event.object_ids) == 50


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize("persona", ["outsider", "lead_worker"])
def test_the_inbox_costs_the_same_with_5_and_with_500_referrals(world, users, persona):
    client = client_for(users[persona])

    def queries():
        with CaptureQueriesContext(connection) as captured:
            response = client.get(URL)
        assert response.status_code == 200
        return len(captured)

    referrals_bulk(world, 5)
    queries()  # the first request of a session saves its activity time
    few = queries()
    referrals_bulk(world, 495)
    assert queries() == few

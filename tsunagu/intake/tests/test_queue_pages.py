"""The desk queue with thousands of consultations: filters, keyset pages in the order of an
index, a bad cursor, fixed queries, and the ids shown recorded."""

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tsunagu.agencies.models import District
from tsunagu.audit.models import AccessEvent
from tsunagu.core.tests.personas import client_for
from tsunagu.intake.models import Consultation
from tsunagu.people.models import Household

NOW = dt.datetime(2026, 11, 25, 10, 0, tzinfo=dt.UTC)
URL = reverse("intake:queue")


def consultations_bulk(n, *, hours=2, **fields):
    """``n`` untriaged consultations received ``hours`` ago, inserted in bulk (many ties)."""
    Consultation.objects.bulk_create(
        Consultation(
            reference_code=f"B{n}-{hours}-{i:05d}-{fields.get('channel', 'phone')}",
            received_at=NOW - dt.timedelta(hours=hours + i % 3),
            contact_type="family",
            summary="一括の相談",
            **{"channel": "phone", **fields},
        )
        for i in range(n)
    )
    return list(Consultation.objects.filter(reference_code__startswith=f"B{n}-{hours}-"))


def walk(client, params):
    response = client.get(URL, params)
    pages = [[c.pk for c in response.context["rows"]]]
    while response.context["page"].next_url:
        assert len(pages) < 100
        response = client.get(URL + response.context["page"].next_url)
        pages.append([c.pk for c in response.context["rows"]])
    return pages


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_the_untriaged_are_reached_page_by_page_urgent_first_then_the_longest_waiting(world, desk):
    consultations_bulk(70)
    consultations_bulk(40, hours=30, urgent=True)
    pages = walk(client_for(desk), {})
    seen = [pk for page in pages for pk in page]
    untriaged = Consultation.objects.filter(triaged_at__isnull=True)
    assert [len(p) for p in pages] == [50, 50, 11]
    assert seen == list(untriaged.order_by("-urgent", "received_at", "pk").values_list("pk", flat=True))


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_the_filters_narrow_the_queue_and_the_pages_keep_them(world, desk):
    late = consultations_bulk(60, hours=30)
    consultations_bulk(5)
    email = consultations_bulk(3, hours=5, channel="email")
    district = District.objects.get(code="seijo")
    household = Household.objects.create(label="成城の世帯", district=district)
    Consultation.objects.filter(pk=email[0].pk).update(household=household)
    client = client_for(desk)

    def ids(**params):
        return {pk for page in walk(client, params) for pk in page}

    assert ids(late="on") == {c.pk for c in late}
    assert ids(channel="email") == {c.pk for c in email}
    assert ids(district="seijo") == {email[0].pk}
    assert world.consultation.pk in ids(show="triaged")
    assert world.consultation.pk not in ids()
    first = client.get(URL, {"late": "on", "channel": "phone"})
    following = QueryDict(first.context["page"].next_url[1:])
    assert following["late"] == "on" and following["channel"] == "phone"


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize("params", [{"after": "nonsense"}, {"show": "x"}, {"channel": "fax"}, {"district": "mars"}])
def test_a_bad_cursor_or_filter_is_the_first_page(world, desk, params):
    consultations_bulk(60)
    client = client_for(desk)
    plain = [c.pk for c in client.get(URL).context["rows"]]
    response = client.get(URL, params)
    assert response.status_code == 200 and [c.pk for c in response.context["rows"]] == plain


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_each_page_records_the_ids_it_shows(world, desk):
    consultations_bulk(60)
    client = client_for(desk)
    first = client.get(URL)
    second = client.get(URL + first.context["page"].next_url)
    events = list(AccessEvent.objects.filter(user=desk, object_type="consultation", action="list").order_by("id"))
    assert sorted(events[-2].object_ids) == sorted(c.pk for c in first.context["rows"])
    assert sorted(events[-1].object_ids) == sorted(c.pk for c in second.context["rows"])


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize("params", [{}, {"show": "all"}, {"late": "on", "channel": "phone", "district": "ikejiri"}])
def test_the_queue_costs_the_same_with_5_and_with_500_consultations(world, desk, params):
    client = client_for(desk)

    def queries():
        with CaptureQueriesContext(connection) as captured:
            response = client.get(URL, params)
        assert response.status_code == 200
        return len(captured)

    consultations_bulk(5, hours=30)
    queries()  # the first request of a session saves its activity time
    few = queries()
    consultations_bulk(495, hours=40)
    assert queries() == few

"""The case list for an agency with thousands of cases: filters, orders and keyset pages over the
one list filter (cases_visible_to), a fixed number of queries, and its access event."""

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tsunagu.agencies.models import Agency, District, TeamRole
from tsunagu.audit.models import AccessEvent
from tsunagu.cases.models import Case, CaseAgency, CaseStatus, SharingBasis
from tsunagu.core.tests.personas import client_for, make_user
from tsunagu.people.models import Household, Person

NOW = dt.datetime(2026, 11, 25, 10, 0, tzinfo=dt.UTC)
URL = reverse("cases:list")


def cases_bulk(n, *, agency="merkmal", district="ikejiri", status=CaseStatus.ACTIVE, worker=None, **fields):
    """``n`` cases led by ``agency``, inserted in bulk (opened on days that repeat, to make ties)."""
    district_obj = District.objects.get(code=district)
    households = Household.objects.bulk_create(Household(label=f"一括世帯{i}", district=district_obj) for i in range(n))
    households = list(Household.objects.filter(label__startswith="一括世帯").order_by("-pk")[:n])
    cases = Case.objects.bulk_create(
        Case(
            household=h,
            status=status,
            opened_at=NOW - dt.timedelta(days=i % 7),
            lead_worker=worker,
            **fields,
        )
        for i, h in enumerate(households)
    )
    cases = list(Case.objects.filter(household__in=households))
    lead = Agency.objects.get(code=agency)
    CaseAgency.objects.bulk_create(
        CaseAgency(case=c, agency=lead, role=TeamRole.LEAD, since=NOW.date(), sharing_basis=SharingBasis.CONSENT)
        for c in cases
    )
    return cases


def walk(client, params=None):
    """Every page of the list from the first, following 次へ; (case ids per page, responses)."""
    response = client.get(URL, params or {})
    pages = [[c.pk for c in response.context["rows"]]]
    while response.context["page"].next_url:
        assert len(pages) < 100
        response = client.get(URL + response.context["page"].next_url)
        pages.append([c.pk for c in response.context["rows"]])
    return pages, response


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_every_case_of_the_agency_is_reached_page_by_page_in_order(world, lead_worker):
    made = cases_bulk(120)
    pages, last = walk(client_for(lead_worker))
    seen = [pk for page in pages for pk in page]
    assert [len(p) for p in pages] == [50, 50, 21]
    assert sorted(seen) == sorted([c.pk for c in made] + [world.case.pk])
    assert len(set(seen)) == len(seen)
    expected = list(Case.objects.filter(pk__in=seen).order_by("-opened_at", "-pk").values_list("pk", flat=True))
    assert seen == expected
    back = client_for(lead_worker).get(URL + last.context["page"].prev_url)
    assert [c.pk for c in back.context["rows"]] == pages[-2]
    assert "次へ" in back.content.decode() and "前へ" in back.content.decode()


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_the_pages_keep_the_filters(world, lead_worker):
    cases_bulk(60, district="seijo")
    cases_bulk(10, district="ikejiri")
    client = client_for(lead_worker)
    pages, _last = walk(client, {"district": "seijo", "sort": "number"})
    seen = [pk for page in pages for pk in page]
    assert len(seen) == 60 and seen == sorted(seen)
    assert set(Case.objects.filter(pk__in=seen).values_list("household__district__code", flat=True)) == {"seijo"}
    first = client.get(URL, {"district": "seijo", "sort": "number"})
    following = QueryDict(first.context["page"].next_url[1:])
    assert following["district"] == "seijo" and following["sort"] == "number"


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_the_filters_each_narrow_the_list(world, users, lead_worker):
    colleague = make_user("colleague", "merkmal", "caseworker")
    watching = cases_bulk(3, status=CaseStatus.WATCHING, worker=colleague, district="seijo")
    closed = cases_bulk(2, status=CaseStatus.CLOSED)
    late = cases_bulk(2, next_action_on=dt.date(2026, 11, 1))
    cases_bulk(2, next_action_on=dt.date(2026, 12, 1))
    staged = watching[0]
    Person.objects.create(household=staged.household, is_concerned=True, support_stage=3)
    client = client_for(lead_worker)

    def ids(**params):
        return {c.pk for c in client.get(URL, params).context["rows"]}

    everything_open = ids()
    assert not everything_open & {c.pk for c in closed}
    assert ids(status="all") >= {c.pk for c in closed}
    assert ids(status="closed") == {c.pk for c in closed}
    assert ids(status="watching") == {c.pk for c in watching}
    assert ids(worker=colleague.pk) == {c.pk for c in watching}
    assert ids(district="seijo") == {c.pk for c in watching}
    assert ids(stage=3) == {staged.pk}
    assert ids(overdue="on") == {c.pk for c in late}
    assert ids(status="watching", stage=3, district="seijo") == {staged.pk}


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize(
    ("sort", "key"),
    [
        ("next_action", lambda c: (c.next_action_on is None, c.next_action_on or dt.date.min, c.pk)),
        ("last_contact", lambda c: (c.last_contact_on is None, -(c.last_contact_on or dt.date.min).toordinal(), -c.pk)),
        ("quiet", lambda c: (c.last_contact_on is None, c.last_contact_on or dt.date.min, c.pk)),
        ("number", lambda c: c.pk),
        ("opened_old", lambda c: (c.opened_at, c.pk)),
    ],
)
def test_each_order_walks_every_case_once_with_empty_dates_last(world, lead_worker, sort, key):
    for day in (None, dt.date(2026, 11, 1), dt.date(2026, 11, 20)):
        cases_bulk(25, next_action_on=day, last_contact_on=day)
    pages, _last = walk(client_for(lead_worker), {"sort": sort})
    seen = [pk for page in pages for pk in page]
    expected = sorted(Case.objects.filter(pk__in=seen), key=key)
    assert len(seen) == len(set(seen)) == 76
    assert seen == [c.pk for c in expected]


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize(
    "params",
    [
        {"after": "garbage"},
        {"after": "x" * 5000},
        {"sort": "nonsense"},
        {"status": "<script>"},
        {"stage": "9"},
        {"worker": "abc"},
        {"district": "atlantis"},
    ],
)
def test_a_bad_cursor_or_filter_shows_the_first_page_never_an_error(world, lead_worker, params):
    cases_bulk(55)
    client = client_for(lead_worker)
    plain = [c.pk for c in client.get(URL).context["rows"]]
    response = client.get(URL, params)
    assert response.status_code == 200
    assert [c.pk for c in response.context["rows"]] == plain


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_a_cursor_does_not_widen_the_access_filter(world, lead_worker, outsider):
    cases_bulk(60)
    cursor = client_for(lead_worker).get(URL).context["page"].next_url
    response = client_for(outsider).get(URL + cursor)
    assert response.status_code == 200 and list(response.context["rows"]) == []


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_the_list_records_the_ids_it_shows(world, lead_worker):
    cases_bulk(60)
    client = client_for(lead_worker)
    first = client.get(URL)
    event = AccessEvent.objects.filter(user=lead_worker, action="list", object_type="case").latest("id")
    assert sorted(event.object_ids) == sorted(c.pk for c in first.context["rows"])
    second = client.get(URL + first.context["page"].next_url)
    event = AccessEvent.objects.filter(user=lead_worker, action="list", object_type="case").latest("id")
    assert sorted(event.object_ids) == sorted(c.pk for c in second.context["rows"])


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize("persona", ["lead_worker", "supervisor", "desk"])
def test_the_case_list_costs_the_same_with_5_and_with_500_cases(world, users, persona):
    client = client_for(users[persona])

    def queries(params):
        with CaptureQueriesContext(connection) as captured:
            response = client.get(URL, params)
        assert response.status_code == 200
        return len(captured), response

    cases_bulk(5)
    queries({"status": "all"})  # the first request of a session saves its activity time
    few, _ = queries({"status": "all"})
    cases_bulk(495)
    many, response = queries({"status": "all"})
    assert many == few
    assert len(response.context["rows"]) == 50
    filtered_few, _ = queries({"status": "active", "stage": 2, "district": "ikejiri", "overdue": "on"})
    later, _ = queries(dict(QueryDict(response.context["page"].next_url[1:]).items()))
    assert later == many
    assert filtered_few <= many + 1


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_the_filter_form_works_without_script(world, lead_worker):
    cases_bulk(3)
    text = client_for(lead_worker).get(URL, {"status": "active"}).content.decode()
    assert '<form method="get" class="filters"' in text
    assert 'name="status"' in text and 'name="district"' in text and 'name="sort"' in text
    assert 'value="active" selected' in text
    assert timezone.now() == NOW


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_the_desk_reads_no_record_content_of_a_case_it_sees_in_summary(world, users):
    """The next action is the latest record's: the case page hides it from a desk user off the
    team, and so must the list, its overdue filter and its order by the next action."""
    from tsunagu.cases.access import case_access
    from tsunagu.cases.grants import Level
    from tsunagu.records.services import RecordData, record_create

    secret = "精神科受診に同行する"
    desk, lead_worker = users["desk"], users["lead_worker"]
    record_create(
        user=lead_worker,
        case=world.case,
        key=None,
        data=RecordData(
            occurred_on=dt.date(2026, 11, 21),
            method="phone",
            reached=True,
            persons=[world.person],
            summary="本人と話せた",
            next_action=secret,
            next_action_on=dt.date(2026, 11, 22),
        ),
    )
    assert case_access(desk, world.case).level == Level.SUMMARY
    client = client_for(desk)
    assert secret not in client.get(reverse("cases:detail", args=[world.case.pk])).content.decode()
    listed = client.get(URL)
    assert world.case in listed.context["rows"]  # the desk lists every case…
    assert secret not in listed.content.decode()  # …without its record content
    for params in ({"overdue": "on"}, {"sort": "next_action"}):
        rows = client.get(URL, params).context["rows"]
        assert world.case not in rows, params
    # The team still sees it, filters and orders by it.
    team = client_for(lead_worker)
    assert secret in team.get(URL).content.decode()
    assert world.case in team.get(URL, {"overdue": "on"}).context["rows"]

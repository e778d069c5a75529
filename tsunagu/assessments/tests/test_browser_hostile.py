"""A person's name cannot make the viewer's browser post (issue 8, defect 2).

The name carries htmx attributes that, before the fix, closed the chart's aria-label and made htmx
post to the team's "end membership" URL with the viewer's CSRF token as soon as the chart loaded.
"""

import datetime as dt

import pytest

from tsunagu.agencies.models import Agency, TeamRole
from tsunagu.assessments.tests.test_views import post_new
from tsunagu.cases.models import CaseAgency, SharingBasis
from tsunagu.conftest import login
from tsunagu.core.tests.personas import PASSWORD, client_for
from tsunagu.people.models import Person

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_hostile_name_on_the_chart_makes_no_request(new_page, world, users):
    # A second agency on the team: the membership the name tries to end.
    partner = CaseAgency.objects.create(
        case=world.case,
        agency=Agency.objects.get(code="anshin-kyodo"),
        role=TeamRole.PARTNER,
        since=dt.date(2026, 11, 1),
        sharing_basis=SharingBasis.CONSENT,
    )
    end_url = f"/staff/cases/{world.case.pk}/team/{partner.pk}/end/"
    # Written past the form (browser tests run on SQLite, which does not enforce the length).
    Person.objects.filter(pk=world.person.pk).update(
        family_name=f'" hx-post="{end_url}"', given_name='hx-include="*" hx-trigger="load" x="'
    )
    client = client_for(users["lead_worker"])
    assert post_new(client, world, assessed_on="令和8年6月1日", q_going_out="8").status_code == 302
    assert post_new(client, world, assessed_on="令和8年11月1日", q_going_out="6").status_code == 302

    page = new_page()
    login(page, "lead_worker", PASSWORD)
    requests = []
    page.on("request", lambda request: requests.append((request.method, request.url)))
    page.goto(f"/staff/assessments/persons/{world.person.pk}/history/")
    page.wait_for_load_state("networkidle")
    partner.refresh_from_db()
    assert partner.until is None
    assert not [r for r in requests if "/team/" in r[1]], requests
    assert [m for m, _url in requests if m != "GET"] == []
    assert page.locator("svg.chart circle").count() == 2


def test_search_results_with_a_hostile_name_stay_inert_and_back_reloads(new_page, world, users):
    """The search is sent by POST and its results swapped in with htmx; a name in them is inert
    (hx-disable on the table), no name reaches a URL (decision 0028), and the back button reloads
    the results from the server by the search's opaque key (no history copy in the browser)."""
    end_url = f"/staff/cases/{world.case.pk}/team/1/end/"
    Person.objects.filter(pk=world.person.pk).update(
        family_name=f'" hx-post="{end_url}"', given_name='hx-trigger="load" hx-include="*" x="'
    )
    page = new_page()
    login(page, "desk", PASSWORD)
    requests = []
    page.on("request", lambda request: requests.append((request.method, request.url)))
    page.goto("/staff/people/")
    page.get_by_label("氏名・フリガナ").fill("ヤマダ")
    page.get_by_role("button", name="検索").click()
    page.wait_for_url("**/staff/people/?s=*")
    page.locator("table.results tbody tr").first.wait_for()
    page.wait_for_load_state("networkidle")
    assert page.locator("table.results tbody tr").count() == 1
    assert page.locator("table.results").get_attribute("hx-disable") is not None
    # One POST, the search itself; nothing the hostile name says was sent.
    assert [url for m, url in requests if m != "GET"] == [page.url.split("?")[0]]
    assert all("ヤマダ" not in url and "%E3%83%A4" not in url for _m, url in requests)
    assert page.evaluate("() => sessionStorage.getItem('htmx-history-cache')") is None
    page.locator("table.results a").first.click()
    page.wait_for_url("**/persons/**")
    page.go_back()
    page.locator("table.results tbody tr").first.wait_for()
    assert page.locator("h1").inner_text() == "人をさがす"
    assert len([m for m, _url in requests if m != "GET"]) == 1

"""A caseworker assesses a person twice and the family once; the person's chart shows both."""

import pytest
from playwright.sync_api import expect

from tsunagu.assessments.definition import items_of
from tsunagu.assessments.services import current_instrument
from tsunagu.conftest import axe_violations, login
from tsunagu.core.tests.personas import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def mark_rest_unknown(page, target, answered):
    for item in items_of(current_instrument(target).definition):
        if item["id"] in answered:
            continue
        if item["type"] in ("single", "scale"):
            page.check(f"input[name=q_{item['id']}][value=unknown]")
        else:
            page.check(f"input[name=u_{item['id']}]")


def test_a_caseworker_assesses_the_person_twice_and_the_family(new_page, world):
    page = new_page()
    login(page, "lead_worker", PASSWORD)
    case_url = f"/staff/cases/{world.case.pk}/"
    for date, going_out in (
        ("令和8年6月1日", "自室からほとんど出ない"),
        ("令和8年11月1日", "近所のコンビニなどには出かける"),
    ):
        page.goto(case_url)
        page.get_by_role("link", name="山田 太郎 のアセスメント").click()
        page.get_by_label("実施日").fill(date)
        page.get_by_label(going_out).check()
        mark_rest_unknown(page, "person", {"going_out"})
        page.get_by_role("button", name="完了する").click()
        expect(page.locator("dl.facts").first).to_contain_text("完了")
    assert axe_violations(page) == []

    page.goto(case_url)
    page.get_by_role("link", name="家族のニーズ把握").click()
    page.check("input[name=q_strain_emotional][value='4']")
    mark_rest_unknown(page, "family", {"strain_emotional"})
    assert axe_violations(page) == []
    page.get_by_role("button", name="完了する").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("家族のニーズ把握シート：家族")

    page.goto(f"/staff/assessments/persons/{world.person.pk}/history/")
    expect(page.locator("#history tbody tr")).to_have_count(2)
    expect(page.locator("svg.chart circle")).to_have_count(2)
    assert axe_violations(page) == []

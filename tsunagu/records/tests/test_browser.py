"""A caseworker records an unanswered outreach visit on a tablet-sized screen."""

import pytest
from playwright.sync_api import expect

from tsunagu.conftest import axe_violations, login
from tsunagu.core.tests.personas import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_caseworker_records_an_unanswered_outreach_visit(new_page, world):
    page = new_page()
    page.set_viewport_size({"width": 820, "height": 1180})  # a tablet on a home visit
    login(page, "lead_worker", PASSWORD)
    page.get_by_role("link", name="支援ケース").click()
    page.get_by_role("link", name=world.case.number).click()
    assert axe_violations(page) == []
    page.get_by_role("link", name="支援経過を記録する").click()
    page.get_by_label("アウトリーチ").check()
    page.get_by_label("会えなかった・応答なし").check()
    page.get_by_label("内容").fill("自宅を訪問。インターホンに応答なし。手紙を置いた。")
    page.get_by_label("次の対応", exact=True).fill("1週間後に再訪問")
    assert axe_violations(page) == []
    page.get_by_role("button", name="記録する").click()

    timeline = page.locator("table.timeline")
    expect(timeline).to_contain_text("アウトリーチ（会えず）自宅を訪問。")
    page.get_by_role("link", name="アウトリーチ（会えず）自宅を訪問。インターホンに応答なし。手紙を置いた。").click()
    expect(page.locator("dl.facts")).to_contain_text("会えなかった・応答なし")

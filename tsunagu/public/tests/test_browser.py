"""A request from the public form reaches the desk queue."""

import pytest
from playwright.sync_api import expect

from tsunagu.conftest import axe_violations, login
from tsunagu.core.tests.personas import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_public_request_appears_in_the_desk_queue(new_page, users):
    visitor = new_page()
    visitor.set_viewport_size({"width": 390, "height": 844})  # a phone
    visitor.goto("/")
    expect(visitor.get_by_role("heading", level=2).first).to_have_text("ひきこもり相談窓口「リンク」")
    assert axe_violations(visitor) == []
    visitor.get_by_role("link", name="インターネットで相談を申し込む").click()
    visitor.get_by_label("家族です").check()
    visitor.get_by_label("ひきこもり・不登校のこと").check()
    visitor.get_by_label("ご相談したいこと").fill("30代の娘が家から出られません。家族だけでも相談できますか。")
    visitor.get_by_label("連絡は不要。情報だけほしい").check()
    assert axe_violations(visitor) == []
    visitor.get_by_role("button", name="送信する").click()
    code = visitor.locator("#reference-code").inner_text()
    assert len(code) == 9

    desk = new_page()
    login(desk, "desk", PASSWORD)
    desk.goto("/staff/desk/")
    row = desk.locator("#queue tr", has_text=code)
    expect(row).to_contain_text("オンライン相談フォーム")
    expect(row).to_contain_text("未振り分け")

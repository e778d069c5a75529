"""An outsider breaks the glass; the desk's supervisor reviews it on the review page (#7, #13),
and the case page lists who read it (#9)."""

import pytest
from playwright.sync_api import expect

from tsunagu.conftest import axe_violations, login
from tsunagu.core.tests.personas import PASSWORD, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

REASON = "本人の母親から自傷をほのめかす電話。担当機関に連絡がつかない。"


def test_an_emergency_access_is_reviewed_without_opening_the_case(new_page, world, users):
    make_user("desk_boss", "link", "supervisor", last_name="窓口", first_name="統括")
    worker = new_page()
    login(worker, "outsider", PASSWORD)
    worker.goto("/staff/cases/emergency/")
    worker.get_by_label("ケース番号").fill(world.case.number)
    worker.get_by_label("理由（具体的に）").fill(REASON)
    worker.get_by_role("button", name="理由を記録して開く").click()
    expect(worker.locator("#why")).to_contain_text("緊急アクセス")
    expect(worker.locator("#viewers + table")).to_contain_text("緊急アクセス")
    assert axe_violations(worker) == []

    boss = new_page()
    login(boss, "desk_boss", PASSWORD)
    boss.get_by_role("link", name="わたしの仕事").click()
    boss.locator("#emergency a").first.click()
    expect(boss.locator("dl.facts")).to_contain_text(REASON)
    expect(boss.locator("table.list")).to_contain_text(f"/staff/cases/{world.case.pk}/")
    assert axe_violations(boss) == []
    boss.get_by_label("確認のメモ").fill("本人の安全を確認済み")
    boss.get_by_role("button", name="確認した").click()
    expect(boss.locator("h1")).to_contain_text("わたしの仕事")
    expect(boss.locator("#emergency")).to_have_count(0)


def test_the_security_log_shows_a_refused_url(new_page, world, users):
    worker = new_page()
    login(worker, "outsider", PASSWORD)
    worker.goto(f"/staff/cases/{world.case.pk}/")
    reader = new_page()
    login(reader, "secretariat", PASSWORD)
    reader.get_by_role("link", name="セキュリティ記録").click()
    expect(reader.locator("table.list")).to_contain_text("cases:detail")
    expect(reader.locator("table.list")).to_contain_text(str(world.case.pk))
    assert axe_violations(reader) == []

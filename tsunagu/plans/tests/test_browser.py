"""A caseworker drafts a plan for the person and the family; the supervisor approves it."""

import pytest
from playwright.sync_api import expect

from tsunagu.conftest import axe_violations, login
from tsunagu.core.tests.personas import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_plan_is_drafted_submitted_and_approved(new_page, world):
    worker = new_page()
    login(worker, "lead_worker", PASSWORD)
    worker.goto(f"/staff/cases/{world.case.pk}/")
    worker.get_by_role("link", name="支援計画を作る").click()
    worker.locator("#id_g0_target").select_option(label="本人")
    worker.locator("#id_g0_person").select_option(label="山田 太郎")
    worker.locator("#id_g0_text").fill("週に1回、居場所に通う")
    worker.locator("#id_g1_target").select_option(label="家族")
    worker.locator("#id_g1_text").fill("母親が家族会につながる")
    worker.get_by_role("button", name="目標を追加").click()  # a round trip: what was typed stays
    expect(worker.locator("#id_g0_text")).to_have_value("週に1回、居場所に通う")
    worker.locator("#id_g3_target").select_option(label="世帯")
    worker.locator("#id_g3_text").fill("家計の相談につながる")
    assert axe_violations(worker) == []
    worker.get_by_role("button", name="保存する").click()
    expect(worker.locator("table.goals")).to_contain_text("週に1回、居場所に通う")
    expect(worker.locator("table.goals")).to_contain_text("母親が家族会につながる")
    expect(worker.locator("table.goals")).to_contain_text("家計の相談につながる")
    worker.get_by_role("button", name="承認を依頼する").click()
    expect(worker.locator("dl.facts")).to_contain_text("承認待ち")
    plan_url = worker.url

    boss = new_page()
    login(boss, "supervisor", PASSWORD)
    boss.get_by_role("link", name="わたしの仕事").click()
    boss.get_by_role("link", name="機関のすべてのケース").click()
    boss.locator("#to-approve a").first.click()
    assert boss.url == plan_url
    boss.get_by_label("承認する").check()
    boss.get_by_label("コメント").fill("家族の目標もよいと思います。")
    assert axe_violations(boss) == []
    boss.get_by_role("button", name="決定する").click()
    expect(boss.locator("dl.facts")).to_contain_text("承認済み")
    expect(boss.locator("dl.facts")).to_contain_text("家族の目標もよいと思います。")

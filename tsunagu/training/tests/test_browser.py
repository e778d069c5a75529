"""The story in the browser: a supervisor records a supervision session with one case and a
follow-up; the supervisee finds the follow-up on their work page and marks it done. Every page
axe clean."""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tsunagu.conftest import axe_violations, login
from tsunagu.core.tests.personas import PASSWORD
from tsunagu.training.models import SupervisionFollowUp

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_supervisor_records_a_session_and_the_supervisee_closes_the_follow_up(new_page, users, world):
    today = timezone.localdate()

    # 1. The supervisor records the session from the nav: 研修・SV → スーパービジョン.
    sv = new_page()
    login(sv, "supervisor", PASSWORD)
    sv.get_by_role("link", name="研修・SV").click()
    assert axe_violations(sv) == []
    sv.get_by_role("link", name="スーパービジョン", exact=True).click()
    sv.get_by_role("link", name="スーパービジョンを記録する").click()
    sv.get_by_label("実施日").fill(today.isoformat())
    sv.get_by_label("lead_worker").check()
    sv.get_by_label("検討したケース（ケース番号）").fill(world.case.number)
    sv.get_by_label("記録").fill("訪問が途切れている。手紙の文面を一緒に見直した。")
    assert axe_violations(sv) == []
    sv.get_by_role("button", name="登録する").click()
    expect(sv.locator("dl.facts")).to_contain_text(world.case.number)
    expect(sv.locator("dl.facts").get_by_role("link", name=world.case.number)).to_be_visible()

    # 2. A follow-up for the supervisee.
    sv.get_by_label("担当者").select_option(label="lead_worker")
    sv.get_by_label("フォローアップ").fill("母親に次回の訪問日を手紙で知らせる")
    sv.get_by_role("button", name="加える").click()
    expect(sv.locator("#follow-ups")).to_contain_text("母親に次回の訪問日を手紙で知らせる")
    assert axe_violations(sv) == []

    # 3. The supervisee sees it on their work page and marks it done.
    worker = new_page()
    login(worker, "lead_worker", PASSWORD)
    worker.get_by_role("link", name="わたしの仕事").click()
    section = worker.locator("#supervision-follow-ups")
    expect(section).to_contain_text("母親に次回の訪問日を手紙で知らせる")
    assert axe_violations(worker) == []
    section.get_by_role("button", name="完了にする").click()
    expect(worker.locator("#supervision-follow-ups")).to_have_count(0)
    assert SupervisionFollowUp.objects.get().done_at is not None


def test_a_supervisor_adds_a_course_and_records_attendance_and_the_worker_sees_it(new_page, users):
    sv = new_page()
    login(sv, "supervisor", PASSWORD)
    sv.get_by_role("link", name="研修・SV").click()
    sv.get_by_role("link", name="研修を登録する").click()
    sv.get_by_label("種類").select_option(label="基礎")
    sv.get_by_label("研修名").fill("ひきこもり支援 基礎研修（第1回）")
    sv.get_by_label("開催日").fill("2026-10-01")
    sv.get_by_label("時間数").fill("1.25")
    assert axe_violations(sv) == []
    sv.get_by_role("button", name="登録する").click()
    expect(sv.get_by_role("alert").filter(has_text="0.5時間単位で入力してください")).to_be_visible()
    sv.get_by_label("時間数").fill("1.5")
    sv.get_by_role("button", name="登録する").click()
    expect(sv.locator("dl.facts")).to_contain_text("1.5時間")
    sv.get_by_label("職員").select_option(label="lead_worker")
    sv.get_by_role("button", name="記録する").click()
    expect(sv.locator("#attendance")).to_contain_text("lead_worker：修了")
    assert axe_violations(sv) == []
    sv.get_by_role("link", name="研修の一覧に戻る").click()
    sv.get_by_role("link", name="基礎研修の受講状況").click()
    expect(sv.locator("table")).to_contain_text("メルクマールせたがや")
    assert axe_violations(sv) == []

    worker = new_page()
    login(worker, "lead_worker", PASSWORD)
    worker.get_by_role("link", name="研修・SV").click()
    worker.get_by_role("link", name="わたしの研修記録").click()
    expect(worker.locator("main")).to_contain_text("基礎研修を修了しています。")
    assert axe_violations(worker) == []

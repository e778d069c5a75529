"""The desk's day in a real browser: record a call, triage it into a case; an outsider sees nothing."""

import re

import pytest
from playwright.sync_api import expect

from tsunagu.agencies.models import Agency
from tsunagu.cases.models import Case
from tsunagu.conftest import axe_violations, login
from tsunagu.core.tests.personas import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_desk_worker_triages_a_mothers_call_about_her_unnamed_son(new_page, world):
    page = new_page()
    login(page, "desk", PASSWORD)
    page.get_by_role("link", name="相談受付の一覧").click()
    assert axe_violations(page) == []
    page.get_by_role("link", name="相談を記録する").click()

    page.get_by_label("電話", exact=True).check()
    page.get_by_label("家族", exact=True).check()
    page.get_by_label("本人との関係（家族のとき）").select_option(label="母")
    page.get_by_label("電話番号").fill("03-0000-1234")
    page.get_by_label("ひきこもり・不登校").check()
    page.get_by_label("介護").check()
    page.get_by_label("主な相談内容").select_option(label="ひきこもり・不登校")
    page.get_by_label("相談の概要").fill("50代の息子が10年ほど部屋から出ない。母親は80代で足が悪い。")
    assert axe_violations(page) == []
    page.get_by_role("button", name="保存する").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("相談受付")
    expect(page.locator("dl.facts")).to_contain_text("家族（母）")

    page.get_by_role("link", name="振り分ける").click()
    page.get_by_label("新しい世帯を登録").check()
    page.locator("#id_hh-postal_code").fill("154-0001")
    page.get_by_label("新しい人を登録").check()
    page.locator("#id_p-label").fill("相談者の長男（50代）")
    page.locator("#id_p-approx_decade").select_option(label="50代")
    page.locator("#id_p-relation").select_option(label="息子")
    page.get_by_label("相談者（家族）も世帯員として登録する").check()
    page.get_by_label("相談者のおおよその年代").select_option(label="80代以上")
    page.get_by_label("継続支援").check()
    page.get_by_role("button", name=re.compile("担当機関の候補を表示")).click()

    suggestions = page.locator("table.suggestions")
    expect(suggestions).to_contain_text("ぷらっとホーム世田谷")
    expect(suggestions).to_contain_text("40歳以上 → ぷらっとホーム世田谷")
    expect(suggestions).to_contain_text("あんしんすこやかセンター池尻")
    expect(page.get_by_label("主担当機関")).to_have_value(str(Agency.objects.get(code="link").pk))
    assert axe_violations(page) == []
    page.get_by_label("情報共有の根拠").select_option(label="本人（または家族）の同意")
    page.get_by_role("button", name="振り分けを確定する").click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("ケース K-")
    expect(page.locator("table.list").first).to_contain_text("ぷらっとホーム世田谷")
    case = Case.objects.order_by("-pk").first()
    assert case.lead().agency.code == "link"
    assert case.household.members.filter(label="相談者の長男（50代）").exists()

    # A caseworker of an unrelated agency: the case does not exist for them, and search finds nobody.
    outsider_page = new_page()
    login(outsider_page, "outsider", PASSWORD)
    response = outsider_page.goto(f"/staff/cases/{case.pk}/")
    assert response.status == 404
    expect(outsider_page.get_by_role("heading", level=1)).to_have_text("ページが見つかりません")
    outsider_page.goto("/staff/people/")
    outsider_page.get_by_label("氏名・フリガナ").fill("やまだ")
    outsider_page.get_by_role("button", name="検索").click()
    expect(outsider_page.locator("#search-results")).to_contain_text("該当する人は見つかりませんでした")

    # The desk itself finds the same person by a hiragana reading.
    page.goto("/staff/people/")
    page.get_by_label("氏名・フリガナ").fill("やまだ")
    page.get_by_role("button", name="検索").click()
    expect(page.locator("#search-results")).to_contain_text("山田 太郎")


def test_the_queue_refresh_is_marked_as_a_poll_and_an_idle_session_ends_on_the_login_page(new_page, world):
    """Issue 8, defect 8, in a real browser: htmx sends the poll mark, and a poll of an idle
    session takes the whole window to the login page (not the login form inside the table)."""
    import time

    from django.contrib.sessions.backends.db import SessionStore

    from tsunagu.core.middleware import POLL_HEADER, SESSION_ACTIVE

    page = new_page()
    login(page, "desk", PASSWORD)
    page.clock.install()
    page.goto("/staff/desk/")
    with page.expect_request(lambda r: "/staff/desk/" in r.url and r.headers.get(POLL_HEADER.lower()) == "1"):
        page.clock.run_for(61_000)
    expect(page.locator("#queue")).to_contain_text("未振り分け")
    assert page.url.endswith("/staff/desk/")

    # The person left 31 minutes ago: the next refresh ends the session.
    cookie = next(c for c in page.context.cookies() if c["name"] == "sessionid")
    session = SessionStore(session_key=cookie["value"])
    session[SESSION_ACTIVE] = int(time.time()) - 31 * 60
    session.save()
    page.clock.run_for(61_000)
    page.wait_for_url("**/staff/login/**")
    expect(page.get_by_role("alert").or_(page.locator(".messages"))).to_contain_text("一定時間操作がなかったため")
    expect(page.locator("#queue")).to_have_count(0)

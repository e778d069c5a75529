"""The issue's story in the browser: an あんしんすこやかセンター caseworker refers a withdrawn son to
the desk under a 支援会議 basis; the desk accepts and refers him on to メルクマールせたがや, which
declines with a reason; the desk sees the decline on its work page; a case conference records a
decision whose action item appears on its owner's work page."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tsunagu.agencies.models import Agency
from tsunagu.cases.services import case_open
from tsunagu.conftest import axe_violations, login
from tsunagu.core.tests.personas import PASSWORD
from tsunagu.people.tests.factories import household_make, person_make

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BASIS = "支援会議（生活困窮者自立支援法第9条）"


@pytest.fixture
def mothers_case(users):
    """An 8050 household met by the あんしんすこやかセンター while supporting the mother."""
    household = household_make(label="経堂の佐々木さん宅", district_code="kyodo")
    person_make(household, family_name="佐々木", given_name="トミ", birth_date="1946-03-02")
    son = person_make(household, family_name="佐々木", given_name="健一", birth_date="1988-07-15", is_concerned=True)
    case = case_open(
        user=users["desk"],
        household=household,
        lead=Agency.objects.get(code="anshin-kyodo"),
        sharing_basis="consent",
    )
    return case, son


def test_referrals_end_with_an_answer_and_a_conference_assigns_an_action(new_page, users, mothers_case):
    case, son = mothers_case
    today = timezone.localdate()

    # 1. The あんしんすこやかセンター caseworker refers the son to the desk.
    anshin = new_page()
    login(anshin, "outsider", PASSWORD)
    anshin.goto(f"/staff/cases/{case.pk}/")
    anshin.get_by_role("link", name="他の機関へつなぐ").click()
    anshin.locator("#id_agency").select_option(label="ぷらっとホーム世田谷")
    anshin.get_by_label("つなぐ人").select_option(label=son.display_name)
    anshin.get_by_label("つなぐ理由").fill("母親の介護で訪問したところ、同居の長男が長く自室にこもっていると分かった")
    anshin.get_by_label("依頼先に伝える概要").fill(
        "30代後半の長男。日中は自室。母親は本人に会ってほしいと希望している。"
    )
    anshin.locator("#id_basis").select_option(label=BASIS)
    assert axe_violations(anshin) == []
    anshin.get_by_role("button", name="つなぎを依頼する").click()
    expect(anshin.locator("dl.facts")).to_contain_text("依頼中")

    # 2. The desk finds it on its work page, sees only the summary, and accepts.
    desk = new_page()
    login(desk, "desk", PASSWORD)
    desk.get_by_role("link", name="わたしの仕事").click()
    desk.locator("#referrals-incoming a").first.click()
    expect(desk.locator(".summary")).to_contain_text("母親は本人に会ってほしいと希望している")
    expect(desk.locator(".why")).to_contain_text("概要だけが見られます")
    assert axe_violations(desk) == []
    desk.get_by_label("受理する").check()
    desk.get_by_role("button", name="回答を送る").click()
    expect(desk.locator("dl.facts")).to_contain_text("受理")

    # 3. Now on the team, the desk refers him on to メルクマールせたがや.
    desk.locator("dl.facts").get_by_role("link", name=case.number).click()
    expect(desk.locator("#why")).to_contain_text("担当機関")
    desk.get_by_role("link", name="他の機関へつなぐ").click()
    desk.locator("#id_agency").select_option(label="メルクマールせたがや")
    desk.get_by_label("つなぐ人").select_option(label=son.display_name)
    desk.get_by_label("つなぐ理由").fill("39歳まで。若者向けの居場所につなぎたい")
    desk.get_by_label("依頼先に伝える概要").fill("37歳の長男。外出は近所のコンビニまで。")
    desk.locator("#id_basis").select_option(label=BASIS)
    desk.get_by_role("button", name="つなぎを依頼する").click()
    expect(desk.locator("dl.facts")).to_contain_text("メルクマールせたがや")

    # 4. メルクマールせたがや declines, with a reason and a comment.
    merkmal = new_page()
    login(merkmal, "lead_worker", PASSWORD)
    merkmal.get_by_role("link", name="わたしの仕事").click()
    merkmal.locator("#referrals-incoming a").first.click()
    merkmal.get_by_label("辞退する").check()
    merkmal.get_by_label("辞退の理由（辞退のとき）").select_option(label="他の機関のほうが適している")
    merkmal.get_by_label("コメント（辞退のときは必須）").fill("就労の希望が強いので、サポステが適しています。")
    merkmal.get_by_role("button", name="回答を送る").click()
    expect(merkmal.locator(".answer")).to_contain_text("他の機関のほうが適している")

    # 5. The desk sees the decline on its work page.
    desk.get_by_role("link", name="わたしの仕事").click()
    answers = desk.locator("#referral-answers")
    expect(answers).to_contain_text("辞退")
    expect(answers).to_contain_text("就労の希望が強いので、サポステが適しています。")
    assert axe_violations(desk) == []

    # 6. A case conference records a decision with an action item for the あんすこ caseworker.
    desk.get_by_role("link", name="会議", exact=True).click()
    desk.get_by_role("link", name="会議を記録する").click()
    desk.get_by_label("会議の種類").select_option(label="ケース会議")
    desk.get_by_label("件名").fill("佐々木さん宅 ケース会議")
    desk.get_by_label("開催日").fill(today.isoformat())
    desk.get_by_label("あんしんすこやかセンター経堂", exact=True).check()
    assert axe_violations(desk) == []
    desk.get_by_role("button", name="登録する").click()
    expect(desk.locator(".confidential")).to_contain_text("取扱注意")
    desk.get_by_label("ケース番号").fill(case.number)
    desk.get_by_role("button", name="加える").click()
    expect(desk.locator("#cases").locator("xpath=following-sibling::table[1]")).to_contain_text(case.number)
    desk.get_by_label("決定事項").fill("母親のショートステイ中に長男を訪問する")
    desk.get_by_label("ケース（任意）").select_option(label=case.number)
    desk.get_by_label("担当者（対応が必要なとき）").select_option(label="outsider")
    desk.get_by_label("期日").fill((today + dt.timedelta(days=7)).isoformat())
    desk.get_by_role("button", name="記録する").click()
    expect(desk.locator("#decisions").locator("xpath=following-sibling::table[1]")).to_contain_text(
        "母親のショートステイ中に長男を訪問する"
    )

    anshin.get_by_role("link", name="わたしの仕事").click()
    expect(anshin.locator("#actions")).to_contain_text("母親のショートステイ中に長男を訪問する")
    assert axe_violations(anshin) == []

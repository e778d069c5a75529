"""A mother finds the family association in the public directory and sends the request form
from its page (issue 12); every page passes axe."""

import pytest
from playwright.sync_api import expect

from tsunagu.conftest import axe_violations
from tsunagu.intake.models import Consultation
from tsunagu.places.models import Audience, PlaceKind
from tsunagu.places.tests.public_factories import event_make, place_make

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_mother_finds_the_family_association_and_asks_from_its_page(new_page, reference):
    family = place_make(
        "北沢家族会「ひだまり」",
        kind=PlaceKind.FAMILY_ASSOCIATION,
        district="daizawa",
        audience=Audience.FAMILY,
        organiser="北沢ひきこもり家族会",
        address="世田谷区代沢5-0-0 代沢まちづくりセンター",
        schedule="毎月第2土曜 14:00〜16:00",
    )
    place_make("烏山家族会", kind=PlaceKind.FAMILY_ASSOCIATION, district="karasuyama-d", audience=Audience.FAMILY)
    place_make("池尻の居場所", district="ikejiri")
    event_make("家族向け講座「はじめの一歩」", place=family)

    mother = new_page()
    mother.set_viewport_size({"width": 390, "height": 844})  # a phone
    mother.goto("/")
    assert axe_violations(mother) == []
    mother.get_by_role("link", name="居場所・プログラム・家族会の案内").click()
    expect(mother.get_by_role("heading", level=1)).to_have_text("居場所・プログラム・家族会の案内")
    assert axe_violations(mother) == []
    mother.get_by_label("種類").select_option(label="家族会")
    mother.get_by_label("地域", exact=True).select_option(label="北沢")
    mother.get_by_role("button", name="さがす").click()
    results = mother.locator("#results li")
    expect(results).to_have_count(1)
    expect(results).to_contain_text("北沢家族会「ひだまり」")
    assert axe_violations(mother) == []

    mother.get_by_role("link", name="北沢家族会「ひだまり」").click()
    expect(mother.get_by_role("heading", level=1)).to_have_text("北沢家族会「ひだまり」")
    expect(mother.get_by_text("毎月第2土曜 14:00〜16:00")).to_be_visible()
    expect(mother.get_by_role("link", name="家族向け講座「はじめの一歩」")).to_be_visible()
    assert axe_violations(mother) == []

    mother.get_by_role("link", name="このページについて相談を申し込む").click()
    expect(mother.locator("#about")).to_contain_text("北沢家族会「ひだまり」")
    mother.get_by_label("家族です").check()
    mother.get_by_label("ひきこもり・不登校のこと").check()
    mother.get_by_label("ご相談したいこと").fill("30代の息子のことで、家族会に参加してみたいです。")
    mother.get_by_label("連絡は不要。情報だけほしい").check()
    assert axe_violations(mother) == []
    mother.get_by_role("button", name="送信する").click()
    code = mother.locator("#reference-code").inner_text()
    assert axe_violations(mother) == []

    consultation = Consultation.objects.get(reference_code=code)
    assert consultation.summary.startswith("【区民向けページ「家族会「北沢家族会「ひだまり」」」から申し込み】\n")
    assert consultation.summary.endswith("家族会に参加してみたいです。")


def test_the_events_pages_and_the_staff_form_pass_axe(new_page, users):
    from tsunagu.conftest import login
    from tsunagu.core.tests.personas import PASSWORD

    event_make("相談会「ひとりで悩まないで」", how_to_apply="電話で申し込み")
    visitor = new_page()
    visitor.goto("/events/")
    assert axe_violations(visitor) == []
    visitor.get_by_role("link", name="相談会「ひとりで悩まないで」").click()
    expect(visitor.get_by_text("電話で申し込み")).to_be_visible()
    assert axe_violations(visitor) == []
    visitor.emulate_media(media="print")
    expect(visitor.get_by_role("link", name="この催しについて相談を申し込む")).to_be_hidden()
    expect(visitor.get_by_text("電話で申し込み")).to_be_visible()

    worker = new_page()
    login(worker, "lead_worker", PASSWORD)
    worker.get_by_role("link", name="催し", exact=True).click()
    assert axe_violations(worker) == []
    worker.get_by_role("link", name="催しを登録する").click()
    worker.get_by_label("名称").fill("家族向け講座「はじめの一歩」")
    worker.get_by_label("種類").select_option(label="家族向け講座")
    worker.get_by_label("開催日").fill("2099-05-01")
    worker.get_by_label("開始時刻").fill("14:00")
    worker.get_by_label("会場").fill("北沢タウンホール")
    assert axe_violations(worker) == []
    worker.get_by_role("button", name="登録する").click()
    expect(worker.locator("#events")).to_contain_text("家族向け講座「はじめの一歩」")
    assert axe_violations(worker) == []

"""The story in the browser (issue 13): the secretariat opens this year's report, changes the
period and the area, downloads the Excel file and prints. Every page axe clean."""

import io

import openpyxl
import pytest
from playwright.sync_api import expect

from tsunagu.conftest import axe_violations, login
from tsunagu.core.tests.personas import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_secretariat_reads_the_year_changes_period_and_area_downloads_and_prints(new_page, users, world):
    page = new_page()
    login(page, "secretariat", PASSWORD)
    page.get_by_role("link", name="統計・進行管理").click()
    expect(page.get_by_role("heading", name="統計・進行管理", level=1)).to_be_visible()
    expect(page.locator("nav.tabs [aria-current=page]")).to_have_text("相談の受付")
    expect(page.locator("p.lead")).to_contain_text("年度")
    assert axe_violations(page) == []

    # The survey of people known, for one area and a period typed in 和暦.
    page.locator("nav.tabs").get_by_role("link", name="実態把握（調査票の集計）").click()
    expect(page.locator("table[data-key=survey_sex]")).to_be_visible()
    page.get_by_label("範囲", exact=True).select_option(label="地域：世田谷")
    page.get_by_label("期間の初日").fill("令和8年4月1日")
    page.get_by_label("期間の末日").fill("R8.9.30")
    page.get_by_role("button", name="表示").click()
    expect(page.locator("p.lead")).to_contain_text("令和8年4月1日〜令和8年9月30日")
    expect(page.locator("p.lead")).to_contain_text("地域：世田谷")
    assert axe_violations(page) == []
    screen_total = page.locator("table[data-key=survey_sex] tr.total td").last.inner_text()

    # Excel: the same period, scope and figures.
    with page.expect_download() as download:
        page.get_by_role("link", name="Excelで出力", exact=True).click()
    book = openpyxl.load_workbook(io.BytesIO(download.value.path().read_bytes()))
    sheet = book.worksheets[0]
    lines = [row[0] for row in sheet.iter_rows(values_only=True) if row and row[0]]
    assert any("令和8年4月1日〜令和8年9月30日" in str(line) for line in lines)
    assert any("地域：世田谷" in str(line) for line in lines)
    assert book.worksheets[1].title == "定義"
    sex_title = next(
        i for i, row in enumerate(sheet.iter_rows(values_only=True)) if row[0] and str(row[0]).startswith("性別")
    )
    rows = list(sheet.iter_rows(min_row=sex_title + 1, values_only=True))
    total = next(row for row in rows if row[0] == "計")
    assert str(total[1]) == screen_total.replace(",", "")

    # The print view: A4, no form, the same tables.
    page.get_by_role("link", name="印刷用の表示（A4）").click()
    expect(page.get_by_role("button", name="印刷（A4）")).to_be_visible()
    expect(page.locator("table[data-key=survey_sex] tr.total td").last).to_have_text(screen_total)
    assert axe_violations(page) == []
    page.emulate_media(media="print")
    expect(page.get_by_role("button", name="印刷（A4）")).to_be_hidden()
    pdf = page.pdf(format="A4", prefer_css_page_size=True)
    assert pdf.startswith(b"%PDF")

    # Every section at once, for the council's papers: the same survey figure among the others.
    page.emulate_media(media="screen")
    page.go_back()
    page.get_by_role("link", name="全項目を印刷（A4）").click()
    expect(page.get_by_role("heading", name="ひきこもり支援 進行管理 ─ 全項目", level=1)).to_be_visible()
    expect(page.get_by_role("heading", name="相談の受付", level=2)).to_be_visible()
    expect(page.locator("table[data-key=survey_sex] tr.total td").last).to_have_text(screen_total)
    assert axe_violations(page) == []

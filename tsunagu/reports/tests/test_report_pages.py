"""The statistics pages (issue 13 items 4–6): who may open which section for which scope, the
published figures on screen, in Excel, in CSV and in the print view, and the period form.

The compute modules have their own tests with constructed populations; here the section's tables
are fixed ones, so that what the pages do with them is seen exactly."""

import csv
import datetime as dt
import io
from html.parser import HTMLParser

import openpyxl
import pytest
import time_machine
from django.urls import reverse

from tsunagu.agencies.models import Agency, Area, District
from tsunagu.core.tests.personas import client_for
from tsunagu.reports import compose
from tsunagu.reports.period import AGENCY, Period
from tsunagu.reports.tables import MEASURE, Measure, Table

NOW = dt.datetime(2026, 11, 29, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=9)))

# Rows: 4 age bands; columns: 男性, 女性. The 2 and the 3 are small; the protection withholds more.
AGE_BY_SEX = Table(
    key="age_by_sex",
    title="年齢と性別",
    definition="基準日に支援中のケースの本人。",
    rows=("20〜29歳", "30〜39歳", "40〜49歳", "50〜59歳"),
    columns=("男性", "女性"),
    cells=((12, 2), (20, 9), (15, 11), (3, 8)),
    unit="人",
    row_header="年齢",
    group="本人の状況",
)
TRIAGE = Table(
    key="triage",
    title="1営業日以内に振り分けた割合",
    definition="受付の翌営業日までに振り分けた相談の割合。",
    rows=("4月", "5月", "6月"),
    columns=("割合",),
    cells=((Measure(92.5, 40),), (Measure(100.0, 3),), (Measure(None, 0),)),
    kind=MEASURE,
    unit="%",
    group="相談の受付",
)
PATHWAY = Table(
    key="pathway",
    title="きっかけ（複数回答）",
    definition="最新のアセスメントの回答。",
    rows=("不登校", "退職", "病気"),
    columns=("人数",),
    cells=((14,), (2,), (9,)),
    additive=False,
    total=20,
    unit="人",
    group="本人の状況",
)


def _months_table(period: Period) -> Table:
    months = period.months()
    return Table(
        key="by_month",
        title="月別の相談受付件数",
        definition="受付日で数えます。",
        rows=tuple(f"{m.month}月" for m in months),
        columns=("件数",),
        cells=tuple(((10 + i) if i != 2 else 1,) for i, _m in enumerate(months)),
        monthly=True,
        months=tuple(months),
        unit="件",
        row_header="月",
        group="相談の受付",
    )


@pytest.fixture
def fixed_tables(monkeypatch):
    seen = []

    def tables(section, period, scope, as_of):
        seen.append((section, period, scope, as_of))
        return [_months_table(period), TRIAGE, AGE_BY_SEX, PATHWAY]

    monkeypatch.setattr(compose, "section_tables", tables)
    return seen


class Tables(HTMLParser):
    """The report tables of a page, by ``data-key``: rows of cell texts."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self.key: str | None = None
        self.cell: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table" and "data-key" in attrs:
            self.key = attrs["data-key"]
            self.tables[self.key] = []
        elif self.key and tag == "tr":
            self.tables[self.key].append([])
        elif self.key and tag in ("td", "th"):
            self.cell = []

    def handle_endtag(self, tag):
        if tag == "table":
            self.key = None
        elif self.key and tag in ("td", "th") and self.cell is not None:
            self.tables[self.key][-1].append("".join(self.cell).strip())
            self.cell = None

    def handle_data(self, data):
        if self.cell is not None:
            self.cell.append(data)


def page_tables(response) -> dict[str, list[list[str]]]:
    parser = Tables()
    parser.feed(response.content.decode())
    return parser.tables


def url(name, section="cases", **query):
    from urllib.parse import urlencode

    return reverse(f"reports:{name}", args=[section]) + ("?" + urlencode(query) if query else "")


# --- who sees what ------------------------------------------------------------------------------


@time_machine.travel(NOW, tick=False)
@pytest.mark.django_db
@pytest.mark.parametrize("who", ["caseworker", "partner", "admin"])
def test_roles_without_reports_are_refused(people, fixed_tables, who):
    client = client_for(people[who])
    assert client.get(reverse("reports:index")).status_code == 403
    assert client.get(url("section", "survey")).status_code == 404
    assert client.get(url("xlsx", "survey")).status_code == 404
    assert fixed_tables == []


@time_machine.travel(NOW, tick=False)
@pytest.mark.django_db
def test_the_secretariat_sees_every_section_for_the_ward_areas_and_districts_but_no_agency(people, fixed_tables):
    client = client_for(people["secretariat"])
    first = client.get(reverse("reports:index"))
    assert first.status_code == 302 and first["Location"] == reverse("reports:section", args=["desk"])
    area = Area.objects.get(name="玉川")
    district = District.objects.get(name="成城")
    for section in ("desk", "cases", "referrals", "network", "survey"):
        assert client.get(url("section", section)).status_code == 200
        assert client.get(url("section", section, scope=f"area-{area.pk}")).status_code == 200
        assert client.get(url("section", section, scope=f"district-{district.pk}")).status_code == 200
    merkmal = Agency.objects.get(code="merkmal")
    assert client.get(url("section", "cases", scope=f"agency-{merkmal.pk}")).status_code == 404
    kinds = {scope.kind for _s, _p, scope, _d in fixed_tables}
    assert kinds == {"ward", "area", "district"}


@time_machine.travel(NOW, tick=False)
@pytest.mark.django_db
def test_a_supervisor_sees_their_own_agency_only(people, fixed_tables):
    client = client_for(people["supervisor"])
    merkmal = Agency.objects.get(code="merkmal")
    other = Agency.objects.get(code="anshin-kyodo")
    response = client.get(url("section", "cases"))
    assert response.status_code == 200
    assert fixed_tables[-1][2].kind == AGENCY and fixed_tables[-1][2].id == merkmal.pk
    assert "メルクマールせたがや" in response.content.decode()
    assert client.get(url("section", "cases", scope=f"agency-{merkmal.pk}")).status_code == 200
    assert client.get(url("section", "cases", scope=f"agency-{other.pk}")).status_code == 404
    assert client.get(url("section", "cases", scope="ward")).status_code == 404
    assert client.get(url("section", "desk")).status_code == 404
    assert client.get(url("xlsx", "cases", scope=f"agency-{other.pk}")).status_code == 404
    assert client.get(url("section", "cases", scope="agency-99999999999999999999")).status_code == 404


@time_machine.travel(NOW, tick=False)
@pytest.mark.django_db
def test_the_desk_sees_the_desks_section_only(people, fixed_tables):
    client = client_for(people["desk"])
    assert client.get(reverse("reports:index"))["Location"] == reverse("reports:section", args=["desk"])
    assert client.get(url("section", "desk")).status_code == 200
    assert client.get(url("section", "cases")).status_code == 404
    assert client.get(url("section", "survey")).status_code == 404


@pytest.mark.django_db
def test_anonymous_is_sent_to_sign_in(client):
    response = client.get(url("section", "survey"))
    assert response.status_code == 302 and "login" in response["Location"]


# --- the figures: suppressed, and the same everywhere ------------------------------------------


@time_machine.travel(NOW, tick=False)
@pytest.mark.django_db
def test_small_counts_are_withheld_and_totals_stay_true(people, fixed_tables):
    tables = page_tables(client_for(people["secretariat"]).get(url("section", "survey")))
    rows = tables["age_by_sex"]
    assert rows[0] == ["年齢", "男性", "女性", "計"]
    body = {row[0]: row[1:] for row in rows[1:]}
    # The 2 and the 3 are withheld, and so is one more entry on the cycle that protects each.
    assert body["20〜29歳"][1] == "＊" and body["50〜59歳"][0] == "＊"
    shown = [v for row in rows[1:] for v in row[1:]]
    numbers = [int(v.replace(",", "")) for v in shown if v != "＊"]
    assert all(n == 0 or n >= 5 for n in numbers[:-1])
    assert body["計"][-1] == "80"  # the grand total, true
    assert tables["triage"][1:] == [["4月", "92.5"], ["5月", "＊"], ["6月", "—"]]
    assert tables["pathway"][1:] == [["不登校", "14"], ["退職", "＊"], ["病気", "9"], ["回答した人数（実数）", "20"]]


@time_machine.travel(NOW, tick=False)
@pytest.mark.django_db
def test_screen_excel_csv_and_print_agree(people, fixed_tables):
    client = client_for(people["secretariat"])
    screen = page_tables(client.get(url("section", "survey")))
    printed = page_tables(client.get(url("print", "survey")))
    assert printed == screen

    response = client.get(url("xlsx", "survey"))
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    sheet = book.worksheets[0]
    excel_rows = [[c for c in row] for row in sheet.iter_rows(values_only=True)]

    def excel_table(title):
        start = next(i for i, row in enumerate(excel_rows) if row[0] and str(row[0]).startswith(title))
        rows = [excel_rows[start + 1]]
        for row in excel_rows[start + 2 :]:
            if row[0] is None or str(row[0]).startswith("＊："):
                break
            rows.append([v for v in row if v is not None])
        return rows

    for key, title in (("age_by_sex", "年齢と性別"), ("triage", "1営業日以内"), ("pathway", "きっかけ")):
        rows = excel_table(title)
        for screen_row, excel_row in zip(screen[key][1:], rows[1:], strict=True):
            assert screen_row[0] == excel_row[0]
            for text, value in zip(screen_row[1:], excel_row[1:], strict=False):
                if text in ("＊", "—"):
                    assert value == text or value is None
                else:
                    assert isinstance(value, int | float), (key, text, value)
                    assert text == (f"{value:,.1f}" if isinstance(value, float) else f"{value:,}")
    definitions = {row[0]: row[1] for row in book.worksheets[1].iter_rows(values_only=True) if row[0]}
    assert definitions["年齢と性別"] == "基準日に支援中のケースの本人。"
    assert "5未満" in definitions["小さな数の扱い"]
    assert "令和8年度" in str(excel_rows[1][0])

    text = b"".join(client.get(url("csv", "survey")).streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")
    lines = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    start = lines.index(["年齢と性別（人）"])
    assert [row[0] for row in lines[start + 2 : start + 7]] == [r[0] for r in screen["age_by_sex"][1:]]
    for csv_row, screen_row in zip(lines[start + 2 : start + 7], screen["age_by_sex"][1:], strict=True):
        assert [v if v == "＊" else f"{int(v):,}" for v in csv_row[1:]] == screen_row[1:]


@time_machine.travel(NOW, tick=False)
@pytest.mark.django_db
def test_the_monthly_trend_is_drawn_without_script_and_hides_withheld_months(people, fixed_tables):
    response = client_for(people["secretariat"]).get(url("section", "survey"))
    html = response.content.decode()
    # Twelve months; June's 1 is withheld, and with it the smallest other month (April's 10), or
    # June would be the total minus the rest.
    assert html.count("<rect ") == 10
    assert "6月：" not in html and "4月：" not in html and "5月：11" in html
    assert "<script" not in html.split('<main id="main"')[1].split("</main>")[0]


# --- the period ---------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("now", "label", "start"),
    [
        (dt.datetime(2027, 3, 31, 23, 59, tzinfo=dt.timezone(dt.timedelta(hours=9))), "令和8年度", dt.date(2026, 4, 1)),
        (dt.datetime(2027, 4, 1, 0, 1, tzinfo=dt.timezone(dt.timedelta(hours=9))), "令和9年度", dt.date(2027, 4, 1)),
    ],
)
def test_the_default_is_the_fiscal_year_of_today_in_tokyo(people, fixed_tables, now, label, start):
    with time_machine.travel(now, tick=False):
        response = client_for(people["secretariat"]).get(url("section", "desk"))
    assert label in response.content.decode()
    _section, period, _scope, as_of = fixed_tables[-1]
    assert period.start == start and as_of == now.date()


@time_machine.travel(NOW, tick=False)
@pytest.mark.django_db
def test_a_past_fiscal_year_and_a_range_typed_in_wareki(people, fixed_tables):
    client = client_for(people["secretariat"])
    client.get(url("section", "cases", year="2024"))
    _s, period, _scope, as_of = fixed_tables[-1]
    assert (period.start, period.end, as_of) == (dt.date(2024, 4, 1), dt.date(2025, 3, 31), dt.date(2025, 3, 31))
    response = client.get(url("section", "cases", start="令和8年4月1日", end="R8.9.30"))
    _s, period, _scope, as_of = fixed_tables[-1]
    assert (period.start, period.end, as_of) == (dt.date(2026, 4, 1), dt.date(2026, 9, 30), dt.date(2026, 9, 30))
    assert "令和8年4月1日〜令和8年9月30日" in response.content.decode()


@time_machine.travel(NOW, tick=False)
@pytest.mark.django_db
@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"start": "令和8年10月1日", "end": "令和8年4月1日"}, "末日が初日より前になっています。"),
        ({"start": "令和8年4月1日"}, "期間の初日と末日の両方を入力してください。"),
        ({"start": "2020-04-01", "end": "2026-03-31"}, "期間は3年以内にしてください。"),
        ({"start": "令和八年", "end": "2026-03-31"}, ""),
    ],
)
def test_a_bad_period_is_answered_on_the_field_and_the_default_is_shown(people, fixed_tables, query, message):
    response = client_for(people["secretariat"]).get(url("section", "cases", **query))
    assert response.status_code == 200
    assert 'role="alert"' in response.content.decode()
    assert message in response.content.decode()
    assert fixed_tables[-1][1] == Period.fiscal_year(2026)


def test_a_table_whose_grand_total_is_small_is_withheld_whole():
    from tsunagu.reports.render import render
    from tsunagu.reports.tables import publish

    small = Table(
        key="small",
        title="地区の人数",
        definition="基準日に支援中のケースの本人。",
        rows=("男性", "女性", "その他"),
        columns=("人数",),
        cells=((2,), (1,), (0,)),
        unit="人",
    )
    published = publish(small, 5)
    assert published.total is None and published.cells == ((None,), (None,), (0,))
    rows = render(published).rows
    assert [[c.text for c in row.cells] for row in rows] == [["＊"], ["＊"], ["0"], ["＊"]]
    two_way = Table(
        key="small2",
        title="年齢と性別",
        definition="…",
        rows=("20代", "30代"),
        columns=("男性", "女性"),
        cells=((1, 0), (2, 1)),
    )
    published = publish(two_way, 5)
    assert published.total is None and published.row_totals == (None, None)
    assert published.column_totals == (None, None) and published.cells == ((None, 0), (None, None))
    assert render(published).rows[-1].cells[-1].text == "＊"

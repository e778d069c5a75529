"""The report of every section the user may open (全項目, the council's yearly papers): the same
published tables as the section pages, only the sections of the user's audience, in print, Excel
and CSV; computed several sections at once on PostgreSQL outside a transaction, with the same
result as one after another."""

import dataclasses
import datetime as dt
import io

import openpyxl
import pytest
import time_machine
from django.db import connection
from django.test import override_settings
from django.urls import reverse
from django.utils import translation

from tsunagu.agencies.models import Agency, Area
from tsunagu.core.tests.personas import client_for
from tsunagu.reports import compose
from tsunagu.reports.period import WARD, Period, Scope
from tsunagu.reports.tests.test_report_pages import AGE_BY_SEX, NOW, PATHWAY, TRIAGE, page_tables

SECTIONS = ("desk", "cases", "referrals", "network", "survey")


@pytest.fixture
def section_tables(monkeypatch):
    """Fixed tables, their keys and titles named after their section."""
    seen = []

    def parts(section, period, scope, as_of):
        def tables():
            seen.append((section, scope))
            return [
                dataclasses.replace(
                    table, key=f"{section}-{table.key}", title=f"{section}：{table.title}", group=section
                )
                for table in (TRIAGE, AGE_BY_SEX, PATHWAY)
            ]

        return compose.Parts(calls={"tables": tables}, combine=lambda results: results["tables"])

    monkeypatch.setattr(compose, "section_parts", parts)
    return seen


def all_url(name="all_print", **query):
    from urllib.parse import urlencode

    return reverse(f"reports:{name}") + ("?" + urlencode(query) if query else "")


@time_machine.travel(NOW, tick=False)
@pytest.mark.django_db
def test_the_secretariat_prints_every_section_with_the_figures_of_each_page(people, section_tables):
    client = client_for(people["secretariat"])
    area = Area.objects.get(name="玉川")
    printed = page_tables(client.get(all_url(scope=f"area-{area.pk}")))
    assert set(printed) == {f"{s}-{t.key}" for s in SECTIONS for t in (TRIAGE, AGE_BY_SEX, PATHWAY)}
    for section in SECTIONS:
        page = page_tables(client.get(reverse("reports:section", args=[section]) + f"?scope=area-{area.pk}"))
        assert {key: rows for key, rows in printed.items() if key.startswith(f"{section}-")} == page
    assert {scope.kind for _s, scope in section_tables} == {"area"}
    # The small counts are withheld as on the pages.
    assert any("＊" in row for row in printed["survey-age_by_sex"])


@time_machine.travel(NOW, tick=False)
@pytest.mark.django_db
def test_the_excel_and_csv_of_every_section_hold_every_table(people, section_tables):
    client = client_for(people["secretariat"])
    response = client.get(all_url("all_xlsx"))
    assert response.status_code == 200
    assert 'filename="tsunagu-all-20260401-20270331.xlsx"' in response["Content-Disposition"]
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    first = [str(row[0]) for row in book.worksheets[0].iter_rows(values_only=True) if row and row[0]]
    assert "ひきこもり支援 進行管理 ─ 全項目" in first[0]
    for section in SECTIONS:
        assert any(line.startswith(f"{section}：年齢と性別") for line in first)
    definitions = {row[0] for row in book.worksheets[1].iter_rows(values_only=True) if row[0]}
    assert "survey：年齢と性別" in definitions
    text = b"".join(client.get(all_url("all_csv")).streaming_content).decode("utf-8")
    assert all(f"{section}：きっかけ" in text for section in SECTIONS)


@time_machine.travel(NOW, tick=False)
@pytest.mark.django_db
def test_each_audience_gets_its_own_sections_only(people, section_tables):
    merkmal = Agency.objects.get(code="merkmal")
    other = Agency.objects.get(code="anshin-kyodo")
    supervisor = client_for(people["supervisor"])
    printed = page_tables(supervisor.get(all_url()))
    assert {key.split("-")[0] for key in printed} == {"cases", "referrals", "network", "survey"}
    assert {(scope.kind, scope.id) for _s, scope in section_tables} == {("agency", merkmal.pk)}
    assert supervisor.get(all_url(scope=f"agency-{other.pk}")).status_code == 404
    assert supervisor.get(all_url("all_xlsx", scope="ward")).status_code == 404
    desk = client_for(people["desk"])
    assert {key.split("-")[0] for key in page_tables(desk.get(all_url()))} == {"desk"}
    for who in ("caseworker", "partner", "admin"):  # no report at all: refused, as the index is
        client = client_for(people[who])
        assert client.get(all_url()).status_code == 403
        assert client.get(all_url("all_xlsx")).status_code == 403
        assert client.get(all_url("all_csv")).status_code == 403


def test_several_at_once_only_on_postgresql_outside_a_transaction():
    with override_settings(TSUNAGU_REPORT_CONCURRENCY=2):
        expected = 2 if connection.vendor == "postgresql" and not connection.in_atomic_block else 1
        assert compose.concurrency() == expected
    with override_settings(TSUNAGU_REPORT_CONCURRENCY=1):
        assert compose.concurrency() == 1


@pytest.mark.django_db
def test_inside_a_transaction_the_sections_are_computed_one_after_another(section_tables):
    with override_settings(TSUNAGU_REPORT_CONCURRENCY=4):
        assert compose.concurrency() == 1  # the test's transaction
        period = Period.fiscal_year(2026)
        result = compose.sections_tables(SECTIONS, period, Scope(WARD), dt.date(2026, 11, 29))
    assert list(result) == list(SECTIONS)
    # One after another, the longest first.
    assert [s for s, _scope in section_tables] == ["survey", "desk", "cases", "network", "referrals"]


def _backends() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()")
        return int(cursor.fetchone()[0])


@time_machine.travel(NOW, tick=False)
@pytest.mark.django_db(transaction=True)
@override_settings(TSUNAGU_REPORT_CONCURRENCY=2)
def test_several_sections_at_once_give_what_one_after_another_gives(world):
    """Real sections over committed data (this test has no transaction of its own): on PostgreSQL
    two at a time, each thread in the caller's language, its connection closed when done."""
    period, scope, as_of = Period.fiscal_year(2026), Scope(WARD), dt.date(2026, 11, 29)
    postgresql = connection.vendor == "postgresql"
    assert compose.concurrency() == (2 if postgresql else 1)
    before = _backends() if postgresql else 0
    for language in ("ja", "en"):
        with translation.override(language):
            with override_settings(TSUNAGU_REPORT_CONCURRENCY=1):
                one_by_one = {s: compose.section_tables(s, period, scope, as_of) for s in SECTIONS}
            at_once = compose.sections_tables(SECTIONS, period, scope, as_of)
        assert list(at_once) == list(SECTIONS)
        assert at_once == one_by_one
        assert sum(len(tables) for tables in at_once.values()) > 20
    assert at_once["survey"][0].title != one_by_one_ja_title(period, scope, as_of)  # English this time
    if postgresql:
        assert _backends() == before  # the threads' connections are closed


def one_by_one_ja_title(period, scope, as_of):
    with translation.override("ja"), override_settings(TSUNAGU_REPORT_CONCURRENCY=1):
        return compose.section_tables("survey", period, scope, as_of)[0].title

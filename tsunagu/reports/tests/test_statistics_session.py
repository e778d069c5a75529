"""The statistics' statements may use parallel workers on PostgreSQL, for their own transaction only
(reports.compose.statistics_session, decision 0036)."""

import datetime as dt

import pytest
from django.db import connection

from tsunagu.reports import compose
from tsunagu.reports.period import Period, Scope


def _workers() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SHOW max_parallel_workers_per_gather")
        return str(cursor.fetchone()[0])


@pytest.mark.django_db(transaction=True)
def test_a_section_runs_with_the_reports_parallel_workers_and_only_for_itself(monkeypatch, settings):
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's setting")
    settings.TSUNAGU_REPORT_PARALLEL_WORKERS = 3
    before = _workers()
    seen: list[str] = []

    def spy(period, scope, as_of):
        seen.append(_workers())
        return []

    monkeypatch.setitem(compose.SECTION_TABLES, "desk", spy)
    day = dt.date(2026, 11, 29)
    assert compose.section_tables("desk", Period.fiscal_year_of(day), Scope(), day) == []
    assert seen == ["3"]
    assert _workers() == before  # SET LOCAL ended with the section's transaction


@pytest.mark.django_db
def test_none_leaves_the_servers_setting(monkeypatch, settings):
    settings.TSUNAGU_REPORT_PARALLEL_WORKERS = None
    seen: list[str] = []
    before = _workers() if connection.vendor == "postgresql" else "sqlite"

    def spy(period, scope, as_of):
        seen.append(_workers() if connection.vendor == "postgresql" else "sqlite")
        return []

    monkeypatch.setitem(compose.SECTION_TABLES, "desk", spy)
    day = dt.date(2026, 11, 29)
    compose.section_tables("desk", Period.fiscal_year_of(day), Scope(), day)
    assert seen == [before]

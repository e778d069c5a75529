"""Which tables make each section of a report (issue 13 items 2 and 3)."""

import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from tsunagu.reports.access import CASES, DESK, NETWORK, REFERRALS, SURVEY
from tsunagu.reports.indicators_cases import case_tables, desk_tables
from tsunagu.reports.indicators_network import network_tables, referral_tables
from tsunagu.reports.period import Period, Scope
from tsunagu.reports.survey import survey_tables
from tsunagu.reports.tables import Table


def as_of_for(period: Period, today: dt.date | None = None) -> dt.date:
    """The day "current state" figures are taken on: the period's last day, or today while the
    period has not ended."""
    return min(period.end, today or timezone.localdate())


SECTION_TABLES: dict[str, Callable[[Period, Scope, dt.date], list[Table]]] = {
    DESK: lambda period, scope, as_of: desk_tables(period, scope),
    CASES: lambda period, scope, as_of: case_tables(period, scope, as_of=as_of),
    REFERRALS: lambda period, scope, as_of: referral_tables(period, scope),
    NETWORK: lambda period, scope, as_of: network_tables(period, scope),
    SURVEY: lambda period, scope, as_of: survey_tables(as_of, scope),
}


@contextmanager
def statistics_session() -> Iterator[None]:
    """On PostgreSQL, let the section's statements use ``TSUNAGU_REPORT_PARALLEL_WORKERS`` parallel
    workers each (``SET LOCAL``, for this transaction only). The daily pages are short indexed
    reads, for which docs/scaling.md advises ``max_parallel_workers_per_gather = 0`` on the
    server; the statistics' large aggregates are the one place where parallel scans pay
    (decision 0036). SQLite, or the setting None: the server's own setting."""
    workers = settings.TSUNAGU_REPORT_PARALLEL_WORKERS
    if connection.vendor != "postgresql" or workers is None:
        yield
        return
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL max_parallel_workers_per_gather = %s", [int(workers)])
        yield


def section_tables(section: str, period: Period, scope: Scope, as_of: dt.date) -> list[Table]:
    with statistics_session():
        return SECTION_TABLES[section](period, scope, as_of)

"""Which tables make each section of a report (issue 13 items 2 and 3), and how they are
computed: a section's statements, or every section's for the report of all of them, several at
once on PostgreSQL (decision 0036, "Statements at once")."""

import datetime as dt
import threading
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import connection, connections, transaction
from django.utils import timezone, translation

from tsunagu.reports.access import CASES, DESK, NETWORK, REFERRALS, SURVEY
from tsunagu.reports.indicators_cases import case_tables, desk_tables
from tsunagu.reports.indicators_network import network_tables, referral_tables
from tsunagu.reports.models import PrevalenceEstimate
from tsunagu.reports.period import Period, Scope
from tsunagu.reports.survey import survey_parts, survey_tables
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
}  # the survey: section_parts (its statements run separately)


@contextmanager
def statistics_session(*, at_once: bool = False) -> Iterator[None]:
    """On PostgreSQL, let the section's statements use ``TSUNAGU_REPORT_PARALLEL_WORKERS`` parallel
    workers each (``SET LOCAL``, for this transaction only). The daily pages are short indexed
    reads, for which docs/scaling.md advises ``max_parallel_workers_per_gather = 0`` on the
    server; the statistics' large aggregates are the one place where parallel scans pay
    (decision 0036). SQLite, or the setting None: the server's own setting. ``at_once``: the
    statement runs beside others on their own connections (``_at_once``), which already keep the
    cores busy: no parallel workers on top (measured: more processes than cores made it slower)."""
    workers = 0 if at_once else settings.TSUNAGU_REPORT_PARALLEL_WORKERS
    if connection.vendor != "postgresql" or workers is None:
        yield
        return
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL max_parallel_workers_per_gather = %s", [int(workers)])
        yield


@dataclass(frozen=True)
class Parts:
    """A section as independent statements (``calls``, each run on its own) and how their results
    make its tables (``combine``, run after them)."""

    calls: dict[str, Callable[[], Any]]
    combine: Callable[[dict[str, Any]], list[Table]]


def section_parts(section: str, period: Period, scope: Scope, as_of: dt.date) -> Parts:
    """The survey (the longest section) as its four statements; any other section as one call."""
    if section == SURVEY:
        estimates = list(PrevalenceEstimate.objects.all())
        return Parts(
            calls=survey_parts(as_of, scope, estimates),
            combine=lambda counts: survey_tables(as_of, scope, counts=counts, estimates=estimates),
        )
    return Parts(
        calls={"tables": lambda: SECTION_TABLES[section](period, scope, as_of)},
        combine=lambda results: list(results["tables"]),
    )


def section_tables(section: str, period: Period, scope: Scope, as_of: dt.date) -> list[Table]:
    """One section's tables (a section page, its files, a snapshot)."""
    return sections_tables([section], period, scope, as_of)[section]


# The statements' rough cost at national scale, the longest first so that they start first and
# the two connections finish together (docs/quality.md P4).
COST_ORDER = (SURVEY, DESK, CASES, NETWORK, REFERRALS)


def concurrency() -> int:
    """How many statements run at once: more than one only on PostgreSQL, outside a transaction
    (each then has its own connection and reads the committed data, of which a transaction's
    uncommitted writes would not be part)."""
    workers = settings.TSUNAGU_REPORT_CONCURRENCY
    if workers <= 1 or connection.vendor != "postgresql" or connection.in_atomic_block:
        return 1
    return workers


def _in_session(call: Callable[[], Any], *, at_once: bool = False) -> Any:
    with statistics_session(at_once=at_once):
        return call()


def sections_tables(sections: Sequence[str], period: Period, scope: Scope, as_of: dt.date) -> dict[str, list[Table]]:
    """The tables of one or more sections, keyed by section. The sections' statements are
    independent reads, each a large aggregate that PostgreSQL runs in one process:
    ``concurrency()`` of them run at once (``_at_once``), the longest first; otherwise one after
    another. Either way each section's tables are made from the same results."""
    ordered = sorted(sections, key=lambda s: COST_ORDER.index(s) if s in COST_ORDER else len(COST_ORDER))
    parts = {section: section_parts(section, period, scope, as_of) for section in ordered}
    tasks = [(section, name, call) for section in ordered for name, call in parts[section].calls.items()]
    workers = min(concurrency(), len(tasks))
    if workers <= 1:
        results = {(section, name): _in_session(call) for section, name, call in tasks}
    else:
        results = _at_once([((section, name), call) for section, name, call in tasks], workers)
    return {
        section: parts[section].combine({name: results[(section, name)] for name in parts[section].calls})
        for section in sections
    }


def _at_once(tasks: list[tuple[Any, Callable[[], Any]]], workers: int) -> dict[Any, Any]:
    """Runs ``tasks`` (key, call) on ``workers`` connections: this thread's own and
    ``workers - 1`` helper threads', each taking the next task in order until none is left. A
    helper opens its connection once, works in the caller's language and time zone, and closes the
    connection when it stops. The first error is raised once every thread has stopped (the
    others take no further task)."""
    queue = deque(tasks)
    lock = threading.Lock()
    results: dict[Any, Any] = {}
    errors: list[BaseException] = []

    def work() -> None:
        while True:
            with lock:
                if errors or not queue:
                    return
                key, call = queue.popleft()
            try:
                results[key] = _in_session(call, at_once=True)
            except BaseException as error:
                with lock:
                    errors.append(error)
                return

    language = translation.get_language()
    zone = timezone.get_current_timezone()

    def helper() -> None:
        try:
            with translation.override(language), timezone.override(zone):
                work()
        finally:
            connections.close_all()  # this thread's connections only

    helpers = [threading.Thread(target=helper, name=f"tsunagu-report-{n}") for n in range(workers - 1)]
    for thread in helpers:
        thread.start()
    try:
        work()
    finally:
        for thread in helpers:
            thread.join()
    if errors:
        raise errors[0]
    return results

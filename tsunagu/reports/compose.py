"""Which tables make each section of a report (issue 13 items 2 and 3)."""

import datetime as dt
from collections.abc import Callable

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


def section_tables(section: str, period: Period, scope: Scope, as_of: dt.date) -> list[Table]:
    return SECTION_TABLES[section](period, scope, as_of)

"""The period and the part of the ward a report covers (issue 13 item 1).

A period is a run of whole Tokyo days, both ends included; the default is the fiscal year (年度,
April to March) that holds today. A scope is the ward, one area, one district or one agency.
"""

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.utils.translation import gettext as _

from tsunagu.lib import wareki
from tsunagu.lib.ages import add_months

TOKYO = ZoneInfo("Asia/Tokyo")


def fiscal_year_of(day: dt.date) -> int:
    """The fiscal year (by the calendar year it starts in) that holds ``day``."""
    return day.year if day.month >= 4 else day.year - 1


@dataclass(frozen=True)
class Period:
    start: dt.date  # first day, included
    end: dt.date  # last day, included

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise ValueError("period ends before it starts")

    @classmethod
    def fiscal_year(cls, year: int) -> "Period":
        return cls(dt.date(year, 4, 1), dt.date(year + 1, 3, 31))

    @classmethod
    def fiscal_year_of(cls, day: dt.date) -> "Period":
        return cls.fiscal_year(fiscal_year_of(day))

    @property
    def is_fiscal_year(self) -> bool:
        return self.start.month == 4 and self.start.day == 1 and self.end == dt.date(self.start.year + 1, 3, 31)

    @property
    def start_at(self) -> dt.datetime:
        """The first instant of the period (Tokyo midnight of the first day), aware."""
        return dt.datetime.combine(self.start, dt.time(), TOKYO)

    @property
    def end_at(self) -> dt.datetime:
        """The first instant after the period (Tokyo midnight after the last day), aware: use ``< end_at``."""
        return dt.datetime.combine(self.end + dt.timedelta(days=1), dt.time(), TOKYO)

    def months(self) -> list[dt.date]:
        """The first day of every calendar month the period touches, in order."""
        first = self.start.replace(day=1)
        months = []
        while first <= self.end:
            months.append(first)
            first = add_months(first, 1)
        return months

    @property
    def label(self) -> str:
        """令和8年度 for a fiscal year, else 令和8年4月1日〜令和8年9月30日."""
        if self.is_fiscal_year:
            era, year = wareki.era_year(self.start)
            year_text = "元" if year == 1 else str(year)
            return _("{era}{year}年度").format(era=era.name, year=year_text)
        return f"{wareki.format_wareki(self.start)}〜{wareki.format_wareki(self.end)}"

    @property
    def label_western(self) -> str:
        return f"{self.start:%Y-%m-%d}〜{self.end:%Y-%m-%d}"


WARD = "ward"
AREA = "area"
DISTRICT = "district"
AGENCY = "agency"


@dataclass(frozen=True)
class Scope:
    """Which part of the network a report counts: the whole ward, an area, a district (by the
    household's district) or one agency (the cases with that agency on their team)."""

    kind: str = WARD
    id: int | None = None
    name: str = ""

    @property
    def label(self) -> str:
        return self.name or _("区全体")

    @property
    def is_agency(self) -> bool:
        return self.kind == AGENCY

    def household_filter(self, prefix: str) -> dict[str, object]:
        """Keyword filter on a household reached by ``prefix`` (e.g. ``"household__"``) for a ward,
        area or district scope; an agency scope returns nothing here (filter by team instead)."""
        if self.kind == AREA:
            return {f"{prefix}district__area_id": self.id}
        if self.kind == DISTRICT:
            return {f"{prefix}district_id": self.id}
        return {}

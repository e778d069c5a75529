"""和暦 (Japanese era) dates: formatting and parsing.

Staff write dates as 令和7年4月1日, R7.4.1 or 2025/4/1 and expect to read them as 令和7年4月1日.
Eras are fixed history, so they live here as data rather than in a library.
"""

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass


@dataclass(frozen=True)
class Era:
    name: str
    letter: str
    start: dt.date  # first day of the era (Gregorian)


# Meiji is counted from the adoption of the Gregorian calendar (明治6年1月1日).
ERAS: tuple[Era, ...] = (
    Era("令和", "R", dt.date(2019, 5, 1)),
    Era("平成", "H", dt.date(1989, 1, 8)),
    Era("昭和", "S", dt.date(1926, 12, 25)),
    Era("大正", "T", dt.date(1912, 7, 30)),
    Era("明治", "M", dt.date(1873, 1, 1)),
)
_BY_NAME = {era.name: era for era in ERAS} | {era.letter: era for era in ERAS}
_MEIJI_YEAR_OFFSET = 1867  # 明治6年 is 1873


class WarekiError(ValueError):
    """A date that cannot be read; the message is Japanese and shown to the user."""


def era_of(day: dt.date) -> Era:
    for era in ERAS:
        if day >= era.start:
            return era
    raise WarekiError("明治6年より前の日付は扱えません。")


def era_year(day: dt.date) -> tuple[Era, int]:
    era = era_of(day)
    if era.letter == "M":
        return era, day.year - _MEIJI_YEAR_OFFSET
    return era, day.year - era.start.year + 1


def format_wareki(day: dt.date, *, short: bool = False) -> str:
    """令和7年4月1日 (long, 元年 for the first year) or R7.4.1 (short)."""
    era, year = era_year(day)
    if short:
        return f"{era.letter}{year}.{day.month}.{day.day}"
    year_text = "元" if year == 1 else str(year)
    return f"{era.name}{year_text}年{day.month}月{day.day}日"


_ERA_RE = re.compile(
    r"^(?P<era>令和|平成|昭和|大正|明治|[RHSTM])\s*(?P<year>元|\d{1,2})\s*[年./\-]\s*"
    r"(?P<month>\d{1,2})\s*[月./\-]\s*(?P<day>\d{1,2})\s*日?$",
    re.IGNORECASE,
)
_GREGORIAN_RE = re.compile(r"^(?P<year>\d{4})\s*[年./\-]\s*(?P<month>\d{1,2})\s*[月./\-]\s*(?P<day>\d{1,2})\s*日?$")
_COMPACT_RE = re.compile(r"^(?P<year>\d{4})(?P<month>\d{2})(?P<day>\d{2})$")


def _make(year: int, month: int, day: int) -> dt.date:
    try:
        return dt.date(year, month, day)
    except ValueError as exc:
        raise WarekiError(f"{year}年{month}月{day}日という日付はありません。") from exc


def parse_date(text: str) -> dt.date:
    """Read a date written in 和暦 or 西暦; raise WarekiError with a Japanese message."""
    value = unicodedata.normalize("NFKC", text or "").strip()
    if not value:
        raise WarekiError("日付を入力してください。")
    match = _ERA_RE.match(value)
    if match:
        era = _BY_NAME[match["era"].upper() if len(match["era"]) == 1 else match["era"]]
        year = 1 if match["year"] == "元" else int(match["year"])
        if year < 1:
            raise WarekiError("年は1以上で入力してください。")
        base = _MEIJI_YEAR_OFFSET if era.letter == "M" else era.start.year - 1
        day = _make(base + year, int(match["month"]), int(match["day"]))
        if era_of(day) != era:
            raise WarekiError(f"{era.name}{year}年{match['month']}月{match['day']}日は{era.name}の期間外です。")
        return day
    match = _GREGORIAN_RE.match(value) or _COMPACT_RE.match(value)
    if match:
        return _make(int(match["year"]), int(match["month"]), int(match["day"]))
    raise WarekiError("日付は「令和7年4月1日」「R7.4.1」「2025-04-01」のように入力してください。")

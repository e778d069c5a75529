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


def gettext_noop(message: str) -> str:
    """Mark ``message`` for the translation catalogue (``makemessages`` finds this name) without
    translating it here: lib has no Django. The form layer translates it (``core.forms.wareki_error``)."""
    return message


class WarekiError(ValueError):
    """A date that cannot be read. ``str()`` is the Japanese message; ``message`` (the untranslated
    text with ``{placeholders}``) and ``params`` let the form layer show it in the user's language."""

    def __init__(self, message: str, **params: object) -> None:
        self.message = message
        self.params = params
        super().__init__(message.format(**params))


def era_of(day: dt.date) -> Era:
    for era in ERAS:
        if day >= era.start:
            return era
    raise WarekiError(gettext_noop("明治6年より前の日付は扱えません。"))


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
        raise WarekiError(
            gettext_noop("{year}年{month}月{day}日という日付はありません。"), year=year, month=month, day=day
        ) from exc


def parse_date(text: str) -> dt.date:
    """Read a date written in 和暦 or 西暦; raise WarekiError with a Japanese message."""
    value = unicodedata.normalize("NFKC", text or "").strip()
    if not value:
        raise WarekiError(gettext_noop("日付を入力してください。"))
    match = _ERA_RE.match(value)
    if match:
        era = _BY_NAME[match["era"].upper() if len(match["era"]) == 1 else match["era"]]
        year = 1 if match["year"] == "元" else int(match["year"])
        if year < 1:
            raise WarekiError(gettext_noop("年は1以上で入力してください。"))
        base = _MEIJI_YEAR_OFFSET if era.letter == "M" else era.start.year - 1
        day = _make(base + year, int(match["month"]), int(match["day"]))
        if era_of(day) != era:
            period = f"{era.name}{year}年{match['month']}月{match['day']}日"
            raise WarekiError(gettext_noop("{period}は{era}の期間外です。"), period=period, era=era.name)
        return day
    match = _GREGORIAN_RE.match(value) or _COMPACT_RE.match(value)
    if match:
        day = _make(int(match["year"]), int(match["month"]), int(match["day"]))
        era_of(day)  # a day before 明治6年 has no 和暦, so no page could show it: refused alike
        return day
    raise WarekiError(gettext_noop("日付は「令和7年4月1日」「R7.4.1」「2025-04-01」のように入力してください。"))


# Approximate dates: families say 「平成18年ごろ」 or 「2006年の春」, not a day. Such a date is kept as
# its first day (clamped to the era's first day for 平成元年, 令和元年…) plus a precision.

YEAR = "year"
MONTH = "month"
DAY = "day"
PRECISIONS = (YEAR, MONTH, DAY)


@dataclass(frozen=True)
class ApproxDate:
    """A date known to the year, the month or the day; ``day`` is the first day of that period."""

    day: dt.date
    precision: str = DAY

    def __post_init__(self) -> None:
        if self.precision not in PRECISIONS:
            raise ValueError(f"unknown precision {self.precision!r}")

    @property
    def is_approximate(self) -> bool:
        return self.precision != DAY

    def last_day(self) -> dt.date:
        """The last day the period can mean (the same day for day precision)."""
        if self.precision == YEAR:
            return dt.date(self.day.year, 12, 31)
        if self.precision == MONTH:
            following = dt.date(self.day.year + self.day.month // 12, self.day.month % 12 + 1, 1)
            return following - dt.timedelta(days=1)
        return self.day

    def middle(self) -> dt.date:
        """The best single guess for the period: its middle day (durations count from here)."""
        return self.day + (self.last_day() - self.day) // 2

    def isoformat(self) -> str:
        """ISO 8601 at its precision: 2006, 2006-04 or 2006-04-01 (how answers keep it)."""
        return self.day.isoformat()[: {YEAR: 4, MONTH: 7, DAY: 10}[self.precision]]

    @classmethod
    def fromisoformat(cls, text: str) -> "ApproxDate":
        match = _ISO_RE.match(text)
        if not match:
            raise ValueError(f"not an ISO date at year, month or day precision: {text!r}")
        precision = DAY if match["day"] else MONTH if match["month"] else YEAR
        day = dt.date(int(match["year"]), int(match["month"] or 1), int(match["day"] or 1))
        return cls(day, precision)

    def __str__(self) -> str:
        return format_approx(self)


_ISO_RE = re.compile(r"^(?P<year>\d{4})(?:-(?P<month>\d{2})(?:-(?P<day>\d{2}))?)?$")


# 「ごろ」 and its kin only say what the precision already says. (A decade, 「20代のころ」, is too
# vague to keep as a date and is refused.)
_ABOUT_RE = re.compile(r"\s*(ごろ|頃|ころ|くらい|ぐらい|位|前後|\?)\s*$")
_ERA_PARTIAL_RE = re.compile(
    r"^(?P<era>令和|平成|昭和|大正|明治|[RHSTM])\s*(?P<year>元|\d{1,2})\s*(?:年|[./\-]|$)\s*"
    r"(?:(?P<month>\d{1,2})\s*月?)?$",
    re.IGNORECASE,
)
_GREGORIAN_PARTIAL_RE = re.compile(r"^(?P<year>\d{4})\s*(?:年|[./\-]|$)\s*(?:(?P<month>\d{1,2})\s*月?)?$")


def _first_day(year: int, month: int | None) -> dt.date:
    if month is not None and not 1 <= month <= 12:
        raise WarekiError(gettext_noop("{month}月という月はありません。"), month=month)
    if not 1873 <= year <= 9999:
        raise WarekiError(gettext_noop("明治6年より前の時期は扱えません。"))
    return dt.date(year, month or 1, 1)


def parse_approx(text: str) -> ApproxDate:
    """Read a date, or a year, or a year and month, written in 和暦 or 西暦 (「平成18年ごろ」,
    「H18」, 「2006」, 「2006年4月」, 「令和元年5月」, 「R7.4.1」…); raise WarekiError in Japanese."""
    value = unicodedata.normalize("NFKC", text or "").strip()
    value = _ABOUT_RE.sub("", value).strip()
    if not value:
        raise WarekiError(gettext_noop("時期を入力してください。"))
    try:
        return ApproxDate(parse_date(value), DAY)
    except WarekiError as exc:
        if _ERA_RE.match(value) or _GREGORIAN_RE.match(value) or _COMPACT_RE.match(value):
            raise  # a whole date that is wrong (2月30日): its own message
        del exc
    match = _ERA_PARTIAL_RE.match(value)
    if match:
        era = _BY_NAME[match["era"].upper() if len(match["era"]) == 1 else match["era"]]
        year = 1 if match["year"] == "元" else int(match["year"])
        if year < 1:
            raise WarekiError(gettext_noop("年は1以上で入力してください。"))
        base = _MEIJI_YEAR_OFFSET if era.letter == "M" else era.start.year - 1
        month = int(match["month"]) if match["month"] else None
        first = max(_first_day(base + year, month), era.start)
        last = ApproxDate(first, MONTH if month else YEAR).last_day()
        if era_of(first) != era or last < era.start:
            period = f"{era.name}{year}年" + (f"{month}月" if month else "")
            raise WarekiError(gettext_noop("{period}は{era}の期間外です。"), period=period, era=era.name)
        return ApproxDate(first, MONTH if month else YEAR)
    match = _GREGORIAN_PARTIAL_RE.match(value)
    if match:
        month = int(match["month"]) if match["month"] else None
        return ApproxDate(_first_day(int(match["year"]), month), MONTH if month else YEAR)
    raise WarekiError(
        gettext_noop("時期は「平成18年ごろ」「2006年4月」「R7.4.1」のように、年・年月・日付で入力してください。")
    )


def format_approx(value: ApproxDate, *, short: bool = False) -> str:
    """平成18年ごろ / 平成18年4月ごろ / 平成18年4月1日 (the era of the period's first day)."""
    if value.precision == DAY:
        return format_wareki(value.day, short=short)
    era, year = era_year(value.day)
    if short:
        text = f"{era.letter}{year}" + (f".{value.day.month}" if value.precision == MONTH else "")
        return f"{text}ごろ"
    year_text = "元" if year == 1 else str(year)
    month_text = f"{value.day.month}月" if value.precision == MONTH else ""
    return f"{era.name}{year_text}年{month_text}ごろ"


def years_since(value: ApproxDate, today: dt.date) -> int | None:
    """Whole years from the date (the middle of its period when approximate) to ``today``; None
    for a date in the future."""
    start = value.middle() if value.is_approximate else value.day
    if start > today:
        return None
    years = today.year - start.year - ((today.month, today.day) < (start.month, start.day))
    return max(years, 0)

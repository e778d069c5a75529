"""Ages and the age bands that reports and forms use (docs/domain.md §3)."""

import datetime as dt

# (code, label, lowest age, highest age or None)
AGE_BANDS: tuple[tuple[str, str, int, int | None], ...] = (
    ("u15", "〜14歳", 0, 14),
    ("15", "15〜19歳", 15, 19),
    ("20", "20〜24歳", 20, 24),
    ("25", "25〜29歳", 25, 29),
    ("30", "30〜34歳", 30, 34),
    ("35", "35〜39歳", 35, 39),
    ("40", "40〜44歳", 40, 44),
    ("45", "45〜49歳", 45, 49),
    ("50", "50〜54歳", 50, 54),
    ("55", "55〜59歳", 55, 59),
    ("60", "60〜64歳", 60, 64),
    ("65", "65歳〜", 65, None),
)
AGE_BAND_BOUNDS = {code: (low, high) for code, _label, low, high in AGE_BANDS}


def age_on(birth_date: dt.date, day: dt.date) -> int:
    """Age in completed years on ``day`` (a person born on 2/29 turns a year older on 3/1)."""
    years = day.year - birth_date.year
    if (day.month, day.day) < (birth_date.month, birth_date.day):
        years -= 1
    return years


def band_of(age: int) -> str:
    for code, _label, low, high in AGE_BANDS:
        if age >= low and (high is None or age <= high):
            return code
    raise ValueError(age)


def decade_label(age: int) -> str:
    """相談者の長男（50代）: the decade used in display labels."""
    if age < 10:
        return "10歳未満"
    return f"{age // 10 * 10}代"


def birth_date_range(low: int, high: int | None, today: dt.date) -> tuple[dt.date | None, dt.date]:
    """Birth dates of people aged ``low``..``high`` on ``today`` as (earliest or None, latest)."""

    def shift(years: int) -> dt.date:
        try:
            return today.replace(year=today.year - years)
        except ValueError:  # 2/29 in a year without it
            return today.replace(year=today.year - years, day=28)

    latest = shift(low)
    earliest = None if high is None else shift(high + 1) + dt.timedelta(days=1)
    return earliest, latest


def estimate_age(*, birth_date: dt.date | None, decade: int | None, today: dt.date) -> tuple[int | None, bool]:
    """(age, is_estimate): from the birth date, else the middle of the approximate decade."""
    if birth_date is not None:
        return age_on(birth_date, today), False
    if decade is not None:
        return decade + 5, True
    return None, False


def add_years(day: dt.date, years: int) -> dt.date:
    """The same day ``years`` later (2/29 becomes 2/28 in a year without it)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` later, or the month's last day when it has no such day."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    for last in (day.day, 30, 29, 28):
        try:
            return dt.date(year, month, last)
        except ValueError:
            continue
    raise ValueError(day)

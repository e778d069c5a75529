"""Business days of a Japanese municipal office.

Closed on Saturdays, Sundays, national holidays (国民の祝日, including substitute holidays, from
jpholiday) and the year-end closure of 12/29–1/3 (行政機関の休日に関する法律).
"""

import datetime as dt

import jpholiday


def is_year_end_closure(day: dt.date) -> bool:
    return (day.month == 12 and day.day >= 29) or (day.month == 1 and day.day <= 3)


def is_business_day(day: dt.date) -> bool:
    if day.weekday() >= 5:
        return False
    if is_year_end_closure(day):
        return False
    return not jpholiday.is_holiday(day)


def add_business_days(start: dt.date, days: int) -> dt.date:
    """The ``days``-th business day after ``start`` (``start`` itself not counted).

    With ``days == 0`` the answer is ``start`` if it is a business day, else the next one.
    """
    if days < 0:
        raise ValueError("days must not be negative")
    day = start
    if days == 0:
        while not is_business_day(day):
            day += dt.timedelta(days=1)
        return day
    remaining = days
    while remaining:
        day += dt.timedelta(days=1)
        if is_business_day(day):
            remaining -= 1
    return day


def subtract_business_days(start: dt.date, days: int) -> dt.date:
    """The ``days``-th business day before ``start`` (``start`` itself not counted), ``days >= 1``.

    The inverse of :func:`add_business_days`: ``add_business_days(subtract_business_days(d, n), n)``
    is ``d`` when ``d`` is a business day (else the next business day after ``d``). Used to put an
    invented event on the day that makes a deadline fall where it is wanted (the demo data).
    """
    if days < 1:
        raise ValueError("days must be at least 1")
    day = start
    remaining = days
    while remaining:
        day -= dt.timedelta(days=1)
        if is_business_day(day):
            remaining -= 1
    return day


def business_days_between(start: dt.date, end: dt.date) -> int:
    """Business days after ``start`` up to and including ``end`` (0 when end <= start)."""
    count = 0
    day = start
    while day < end:
        day += dt.timedelta(days=1)
        if is_business_day(day):
            count += 1
    return count

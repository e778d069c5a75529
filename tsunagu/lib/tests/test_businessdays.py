import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tsunagu.lib.businessdays import (
    add_business_days,
    business_days_between,
    is_business_day,
    subtract_business_days,
)

pytestmark = pytest.mark.dates

DAYS = st.dates(min_value=dt.date(2020, 1, 1), max_value=dt.date(2030, 12, 31))


def test_weekends_holidays_and_the_year_end_closure_are_not_business_days():
    assert not is_business_day(dt.date(2026, 11, 28))  # Saturday
    assert not is_business_day(dt.date(2026, 11, 23))  # 勤労感謝の日
    assert not is_business_day(dt.date(2026, 5, 6))  # 振替休日
    assert not is_business_day(dt.date(2026, 12, 29))  # 年末
    assert not is_business_day(dt.date(2027, 1, 3))  # 年始
    assert is_business_day(dt.date(2026, 11, 27))  # Friday


def test_adding_business_days_skips_golden_week():
    # 2026-04-30 (Thu) + 3 business days: 5/1 (Fri), 5/7 (Thu), 5/8 (Fri); 5/2-5/6 are closed.
    assert add_business_days(dt.date(2026, 4, 30), 3) == dt.date(2026, 5, 8)


def test_adding_business_days_over_the_new_year():
    assert add_business_days(dt.date(2026, 12, 28), 1) == dt.date(2027, 1, 4)


def test_zero_days_is_today_or_the_next_business_day():
    assert add_business_days(dt.date(2026, 11, 27), 0) == dt.date(2026, 11, 27)
    assert add_business_days(dt.date(2026, 11, 28), 0) == dt.date(2026, 11, 30)


@settings(deadline=None)  # pure date arithmetic: its speed is not under test (flaky on a loaded CI)
@given(DAYS, st.integers(min_value=1, max_value=40))
def test_the_deadline_is_a_business_day_exactly_n_business_days_later(start, n):
    deadline = add_business_days(start, n)
    assert is_business_day(deadline)
    assert business_days_between(start, deadline) == n


def test_subtracting_business_days_skips_the_year_end_and_golden_week():
    assert subtract_business_days(dt.date(2027, 1, 4), 1) == dt.date(2026, 12, 28)
    assert subtract_business_days(dt.date(2026, 5, 8), 3) == dt.date(2026, 4, 30)
    # From a Sunday after a Monday holiday week-end: Friday is the first business day before.
    assert subtract_business_days(dt.date(2026, 11, 29), 1) == dt.date(2026, 11, 27)
    with pytest.raises(ValueError):
        subtract_business_days(dt.date(2026, 11, 27), 0)


@settings(deadline=None)
@given(DAYS, st.integers(min_value=1, max_value=40))
def test_subtracting_then_adding_business_days_comes_back(day, n):
    start = subtract_business_days(day, n)
    assert is_business_day(start) and start < day
    assert add_business_days(start, n) == add_business_days(day, 0)

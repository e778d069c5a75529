import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tsunagu.lib.ages import age_on, band_of, birth_date_range, decade_label

pytestmark = pytest.mark.dates


def test_age_counts_completed_years():
    assert age_on(dt.date(1990, 5, 10), dt.date(2026, 5, 9)) == 35
    assert age_on(dt.date(1990, 5, 10), dt.date(2026, 5, 10)) == 36


def test_bands_and_decades():
    assert band_of(14) == "u15"
    assert band_of(39) == "35"
    assert band_of(70) == "65"
    assert decade_label(53) == "50代"


@given(st.dates(min_value=dt.date(1920, 1, 1), max_value=dt.date(2026, 11, 28)), st.integers(min_value=0, max_value=90))
def test_birth_date_range_holds_exactly_the_people_of_those_ages(birth, low):
    today = dt.date(2026, 11, 28)
    earliest, latest = birth_date_range(low, low + 9, today)
    inside = earliest <= birth <= latest
    assert inside == (low <= age_on(birth, today) <= low + 9)


def test_adding_years_and_months_handles_short_months_and_leap_days():
    from tsunagu.lib.ages import add_months, add_years

    assert add_years(dt.date(2000, 2, 29), 1) == dt.date(2001, 2, 28)
    assert add_years(dt.date(1987, 3, 1), 40) == dt.date(2027, 3, 1)
    assert add_months(dt.date(2026, 8, 31), 6) == dt.date(2027, 2, 28)
    assert add_months(dt.date(2026, 11, 28), 6) == dt.date(2027, 5, 28)

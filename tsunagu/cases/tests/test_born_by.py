"""born_by: the latest birth date of someone who has had a given birthday by a day, so that the
work page compares birth dates in the database (2/29 birthdays included)."""

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from tsunagu.cases.selectors import born_by
from tsunagu.lib.ages import add_years

days = st.dates(min_value=dt.date(1950, 1, 1), max_value=dt.date(2100, 12, 31))


@given(day=days, years=st.integers(min_value=1, max_value=80))
def test_born_by_is_the_latest_birth_date_that_reaches_the_age_by_the_day(day, years):
    birth = born_by(day, years)
    assert add_years(birth, years) <= day
    assert add_years(birth + dt.timedelta(days=1), years) > day


def test_a_leap_day_birthday_counts_on_february_28():
    assert born_by(dt.date(2027, 2, 28), 40) == dt.date(1987, 2, 28)
    assert born_by(dt.date(2028, 2, 28), 40) == dt.date(1988, 2, 28)  # 1988-02-29 turns 40 on 2028-02-29
    assert born_by(dt.date(2028, 2, 29), 40) == dt.date(1988, 2, 29)

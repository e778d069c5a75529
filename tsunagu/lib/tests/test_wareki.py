import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tsunagu.lib.wareki import (
    DAY,
    MONTH,
    YEAR,
    ApproxDate,
    WarekiError,
    format_approx,
    format_wareki,
    parse_approx,
    parse_date,
    years_since,
)

pytestmark = pytest.mark.dates

DATES = st.dates(min_value=dt.date(1873, 1, 1), max_value=dt.date(2100, 12, 31))


@pytest.mark.parametrize(
    ("day", "long", "short"),
    [
        (dt.date(2025, 4, 1), "令和7年4月1日", "R7.4.1"),
        (dt.date(2019, 5, 1), "令和元年5月1日", "R1.5.1"),
        (dt.date(2019, 4, 30), "平成31年4月30日", "H31.4.30"),
        (dt.date(1989, 1, 8), "平成元年1月8日", "H1.1.8"),
        (dt.date(1989, 1, 7), "昭和64年1月7日", "S64.1.7"),
        (dt.date(1946, 11, 3), "昭和21年11月3日", "S21.11.3"),
        (dt.date(1926, 12, 24), "大正15年12月24日", "T15.12.24"),
        (dt.date(1912, 7, 29), "明治45年7月29日", "M45.7.29"),
    ],
)
def test_it_formats_dates_as_staff_write_them(day, long, short):
    assert format_wareki(day) == long
    assert format_wareki(day, short=True) == short


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("令和7年4月1日", dt.date(2025, 4, 1)),
        ("令和元年5月1日", dt.date(2019, 5, 1)),
        ("R7.4.1", dt.date(2025, 4, 1)),
        ("r7/4/1", dt.date(2025, 4, 1)),
        ("Ｒ７．４．１", dt.date(2025, 4, 1)),
        ("H31.4.30", dt.date(2019, 4, 30)),
        ("S21.5.3", dt.date(1946, 5, 3)),
        ("2025-04-01", dt.date(2025, 4, 1)),
        ("2025/4/1", dt.date(2025, 4, 1)),
        ("2025年4月1日", dt.date(2025, 4, 1)),
        ("20250401", dt.date(2025, 4, 1)),
        (" 令和 7 年 4 月 1 日 ", dt.date(2025, 4, 1)),
    ],
)
def test_it_reads_wareki_and_western_dates(text, day):
    assert parse_date(text) == day


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("令和7年2月30日", "ありません"),
        ("2025-02-30", "ありません"),
        ("H31.5.1", "期間外"),
        ("R1.4.30", "期間外"),
        ("令和0年1月1日", "1以上"),
        ("きのう", "のように入力"),
        ("", "入力してください"),
    ],
)
def test_it_refuses_impossible_dates_in_japanese(text, message):
    with pytest.raises(WarekiError, match=message):
        parse_date(text)


@given(DATES)
def test_long_form_round_trips(day):
    assert parse_date(format_wareki(day)) == day


@given(DATES)
def test_short_form_round_trips(day):
    assert parse_date(format_wareki(day, short=True)) == day


@given(st.text(max_size=20))
def test_any_text_is_either_a_date_or_a_japanese_error(text):
    try:
        assert isinstance(parse_date(text), dt.date)
    except WarekiError as exc:
        assert str(exc)


# Approximate dates (issue 8 #18): a year, or a year and month, in 和暦 or 西暦.


@pytest.mark.parametrize(
    ("text", "day", "precision", "shown"),
    [
        ("平成18年", dt.date(2006, 1, 1), YEAR, "平成18年ごろ"),
        ("平成18年ごろ", dt.date(2006, 1, 1), YEAR, "平成18年ごろ"),
        ("平成１８年頃", dt.date(2006, 1, 1), YEAR, "平成18年ごろ"),
        ("H18", dt.date(2006, 1, 1), YEAR, "平成18年ごろ"),
        ("h18.4", dt.date(2006, 4, 1), MONTH, "平成18年4月ごろ"),
        ("2006", dt.date(2006, 1, 1), YEAR, "平成18年ごろ"),
        ("2006年4月", dt.date(2006, 4, 1), MONTH, "平成18年4月ごろ"),
        ("2006/04", dt.date(2006, 4, 1), MONTH, "平成18年4月ごろ"),
        ("令和元年5月", dt.date(2019, 5, 1), MONTH, "令和元年5月ごろ"),
        ("令和元年", dt.date(2019, 5, 1), YEAR, "令和元年ごろ"),
        ("平成元年", dt.date(1989, 1, 8), YEAR, "平成元年ごろ"),
        ("昭和64年", dt.date(1989, 1, 1), YEAR, "昭和64年ごろ"),
        ("平成18年4月1日", dt.date(2006, 4, 1), DAY, "平成18年4月1日"),
        ("2006-04-01", dt.date(2006, 4, 1), DAY, "平成18年4月1日"),
    ],
)
def test_it_reads_a_year_or_a_month_as_families_say_them(text, day, precision, shown):
    value = parse_approx(text)
    assert (value.day, value.precision) == (day, precision)
    assert format_approx(value) == shown


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "時期を入力してください"),
        ("ごろ", "時期を入力してください"),
        ("20代", "年・年月・日付で"),
        ("平成31年5月", "平成の期間外"),
        ("令和7年13月", "13月という月はありません"),
        ("平成18年2月30日", "日付はありません"),
        ("1066", "明治6年より前"),
    ],
)
def test_it_refuses_what_is_not_a_period_with_a_japanese_message(text, message):
    with pytest.raises(WarekiError, match=message):
        parse_approx(text)


PERIODS = st.builds(
    lambda day, precision: ApproxDate(
        dt.date(day.year, 1, 1) if precision == YEAR else day.replace(day=1) if precision == MONTH else day, precision
    ),
    st.dates(min_value=dt.date(1873, 1, 1), max_value=dt.date(2100, 12, 31)),
    st.sampled_from([YEAR, MONTH, DAY]),
)


@given(PERIODS, st.booleans())
def test_what_it_shows_it_reads_back(value, short):
    assert parse_approx(format_approx(value, short=short)) == value


@given(PERIODS, DATES)
def test_years_since_counts_from_the_middle_of_the_period_and_is_never_negative(value, today):
    years = years_since(value, today)
    if value.middle() > today:
        assert years is None
        return
    assert years is not None and years >= 0
    assert value.day <= value.middle() <= value.last_day()
    assert years <= today.year - value.day.year


def test_years_withdrawn_from_a_year_is_counted_from_its_middle():
    today = dt.date(2026, 11, 29)
    assert years_since(parse_approx("平成18年ごろ"), today) == 20  # mid-2006
    assert years_since(parse_approx("令和8年"), dt.date(2026, 3, 1)) is None  # mid-2026 is still ahead
    assert years_since(parse_approx("2006-12-01"), today) == 19


@given(PERIODS)
def test_an_approximate_date_keeps_its_precision_in_iso_form(value):
    text = value.isoformat()
    assert len(text) == {YEAR: 4, MONTH: 7, DAY: 10}[value.precision]
    assert ApproxDate.fromisoformat(text) == value

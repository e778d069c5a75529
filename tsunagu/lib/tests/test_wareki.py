import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tsunagu.lib.wareki import WarekiError, format_wareki, parse_date

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

"""Fiscal year / period <-> dates, FYP tags and the MM/DD/YYYY date format."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from broker_core.errors import RequestInvalid
from broker_core.generation.periods import dates_to_period, format_date, fyp, parse_date, period_to_dates

D = dt.date


@pytest.mark.parametrize(
    ("year", "period", "start", "end"),
    [
        (2017, 4, D(2017, 1, 1), D(2017, 1, 31)),
        (2017, 2, D(2016, 11, 1), D(2016, 11, 30)),
        (2017, 3, D(2016, 12, 1), D(2016, 12, 31)),
        (2017, 12, D(2017, 9, 1), D(2017, 9, 30)),
        (2016, 6, D(2016, 3, 1), D(2016, 3, 31)),
        (2016, 5, D(2016, 2, 1), D(2016, 2, 29)),  # leap year
        (2017, 5, D(2017, 2, 1), D(2017, 2, 28)),
    ],
)
def test_period_to_dates(year: int, period: int, start: dt.date, end: dt.date) -> None:
    assert period_to_dates(year, period) == (start, end)


@pytest.mark.parametrize("period", [13, 1, 0, -2, None, "4", 4.0, True])
def test_bad_period(period: object) -> None:
    with pytest.raises(RequestInvalid, match=r"^Period must be an integer 2-12\.$"):
        period_to_dates(2017, period)


@pytest.mark.parametrize("year", [None, 999, 12345, 0, -2017, "2017", 2017.0, True])
def test_bad_year(year: object) -> None:
    with pytest.raises(RequestInvalid, match=r"^Year must be in YYYY format\.$"):
        period_to_dates(year, 4)


def test_year_is_checked_before_period() -> None:
    with pytest.raises(RequestInvalid, match="Year"):
        period_to_dates(None, None)


@given(st.integers(1001, 9998), st.integers(2, 12))
def test_dates_to_period_reverses_period_to_dates(year: int, period: int) -> None:
    start, end = period_to_dates(year, period)
    assert dates_to_period(end) == (year, period)
    assert dates_to_period(start) == (year, period)


@pytest.mark.parametrize(
    ("end", "expected"),
    [
        (D(2017, 3, 31), (2017, 6)),
        (D(2016, 10, 31), (2017, 1)),
        (D(2016, 12, 31), (2017, 3)),
        (D(2017, 9, 30), (2017, 12)),
    ],
)
def test_dates_to_period(end: dt.date, expected: tuple[int, int]) -> None:
    assert dates_to_period(end) == expected


@pytest.mark.parametrize(
    ("year", "period", "quarterly", "expected"),
    [
        (2017, 6, False, "FY17P06"),
        (2017, 4, False, "FY17P04"),
        (2022, 12, False, "FY22P12"),
        (2017, 2, False, "FY17P01-P02"),
        (2017, 1, False, "FY17P01-P02"),
        (2017, 3, False, "FY17P03"),
        (2017, 6, True, "FY17Q2"),
        (2017, 12, True, "FY17Q4"),
        (2009, 3, True, "FY09Q1"),
    ],
)
def test_fyp(year: int, period: int, quarterly: bool, expected: str) -> None:
    assert fyp(year, period, quarterly) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("01/01/2016", D(2016, 1, 1)),
        ("1/2/2016", D(2016, 1, 2)),
        ("12/31/2016", D(2016, 12, 31)),
        ("02/29/2016", D(2016, 2, 29)),
        ("9/09/0001", D(1, 9, 9)),
    ],
)
def test_parse_date(text: str, expected: dt.date) -> None:
    assert parse_date(text) == expected


@pytest.mark.parametrize(
    "text",
    ["02/30/2016", "13/01/2016", "00/10/2016", "01/00/2016", "02/29/2017", "2016-01-01", "01/01/16",
     "001/01/2016", "01/01/20161", " 01/01/2016", "01/01/2016 ", "1/ 2/2016", "", "01/01/0000", "\u0660\u0661/\u0660\u0661/\u0662\u0660\u0661\u0666"],
)  # fmt: skip
def test_parse_date_rejects(text: str) -> None:
    with pytest.raises(ValueError):
        parse_date(text)


def test_format_date() -> None:
    assert format_date(D(2016, 1, 2)) == "01/02/2016"
    assert format_date(D(5, 11, 30)) == "11/30/0005"
    assert format_date(None) == ""


@given(st.dates())
def test_format_then_parse_round_trips(day: dt.date) -> None:
    assert parse_date(format_date(day)) == day

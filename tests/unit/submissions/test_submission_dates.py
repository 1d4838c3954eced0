"""parse_submission_dates: the original's good and bad date cases, the fixed quirks, and properties."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from broker_core.errors import RequestInvalid
from broker_core.submissions.dates import (
    DATE_FORMAT_MESSAGE,
    EXISTING_REQUIRED,
    IS_QUARTER_MESSAGE,
    QUARTER_SPAN_MESSAGE,
    SubmissionDates,
    parse_is_quarter,
    parse_submission_dates,
)
from broker_core.submissions.model import Submission


def existing(start: str, end: str, quarter: bool = False) -> Submission:
    """A stored submission; ``end`` is kept as the first of the month, as 2017 rows were."""
    (sm, sy), (em, ey) = (map(int, start.split("/")), map(int, end.split("/")))
    return Submission(dt.date(sy, sm, 1), dt.date(ey, em, 1), cgac_code="020", is_quarter_format=quarter)


def dates(start: tuple[int, int], end: tuple[int, int], quarter: bool) -> SubmissionDates:
    """Expected value: (year, month) of the start and end months."""
    end_day = dt.date(end[0], end[1] % 12 + 1, 1) if end[1] < 12 else dt.date(end[0] + 1, 1, 1)
    return SubmissionDates(dt.date(start[0], start[1], 1), end_day - dt.timedelta(days=1), quarter)


GOOD = [
    ("04/2016", "05/2016", False, None, dates((2016, 4), (2016, 5), False)),
    ("07/2014", "07/2014", False, None, dates((2014, 7), (2014, 7), False)),
    ("01/2010", "03/2010", False, None, dates((2010, 1), (2010, 3), False)),
    ("10/2017", "12/2017", True, None, dates((2017, 10), (2017, 12), True)),
    ("04/2016", None, False, existing("09/2016", "09/2016"), dates((2016, 4), (2016, 9), False)),
    (None, "07/2014", None, existing("08/2013", "09/2016"), dates((2013, 8), (2014, 7), False)),
    ("01/2010", "03/2010", True, existing("05/2012", "05/2012"), dates((2010, 1), (2010, 3), True)),
    (None, None, None, existing("09/2016", "09/2016"), dates((2016, 9), (2016, 9), False)),
    (None, None, None, existing("10/2016", "12/2016", True), dates((2016, 10), (2016, 12), True)),
]


@pytest.mark.parametrize(("start", "end", "quarter", "sub", "expected"), GOOD)
def test_good_dates(
    start: str | None,
    end: str | None,
    quarter: bool | None,
    sub: Submission | None,
    expected: SubmissionDates,
) -> None:
    assert parse_submission_dates(start, end, quarter, sub) == expected


BAD = [
    ("04/2016", "05/2016", True, existing("01/2015", "03/2015"), QUARTER_SPAN_MESSAGE),
    ("08/2016", "11/2016", True, existing("01/2015", "03/2015"), QUARTER_SPAN_MESSAGE),
    ("07/2014", "06/2014", False, None, "Submission start date 2014-07-01 is after the end date 2014-06-30"),
    ("11/2010", "03/2010", False, None, "Submission start date 2010-11-01 is after the end date 2010-03-31"),
    ("10/2017", "12/xyz", True, None, DATE_FORMAT_MESSAGE),
    ("01/2016", "07/2016", True, None, QUARTER_SPAN_MESSAGE),
    (None, "01/1930", False, existing("01/2016", "03/2016"), "Submission start date 2016-01-01 is after the end date 1930-01-31"),
]  # fmt: skip


@pytest.mark.parametrize(("start", "end", "quarter", "sub", "message"), BAD)
def test_bad_dates(
    start: str | None, end: str | None, quarter: bool, sub: Submission | None, message: str
) -> None:
    with pytest.raises(RequestInvalid) as info:
        parse_submission_dates(start, end, quarter, sub)
    assert (info.value.status, info.value.message) == (400, message)


def test_quarter_must_end_in_a_quarter_month() -> None:
    with pytest.raises(RequestInvalid) as info:
        parse_submission_dates("02/2016", "04/2016", True, None)
    assert info.value.message == "Invalid end month for a quarterly submission: 4"


def test_fifteen_months_is_not_a_quarter() -> None:
    # quirk 15: only the months component was compared, so 10/2015-12/2016 passed
    with pytest.raises(RequestInvalid) as info:
        parse_submission_dates("10/2015", "12/2016", True, None)
    assert info.value.message == QUARTER_SPAN_MESSAGE


@pytest.mark.parametrize(
    ("start", "end", "quarter"),
    [(None, "03/2016", False), ("01/2016", None, False), ("01/2016", "03/2016", None), (None, None, None)],
)
def test_missing_value_without_existing_submission_is_a_400(
    start: str | None, end: str | None, quarter: bool | None
) -> None:
    # quirk 16: the original answered 500
    with pytest.raises(RequestInvalid) as info:
        parse_submission_dates(start, end, quarter, None)
    assert (info.value.status, info.value.message) == (400, EXISTING_REQUIRED)


@pytest.mark.parametrize(
    ("value", "expected"),
    [(True, True), (False, False), ("true", True), ("FALSE", False), ("True", True), (" false ", False)],
)
def test_is_quarter_values(value: object, expected: bool) -> None:
    assert parse_is_quarter(value) is expected


def test_form_false_means_monthly() -> None:
    # quirk 14: "false" was truthy, so a monthly form submission got the quarter rules
    assert parse_submission_dates("04/2016", "05/2016", "false", None).is_quarter is False


@pytest.mark.parametrize("value", [1, 0, "yes", "", "1", None, [True], 1.0])
def test_other_is_quarter_values_are_refused(value: object) -> None:
    with pytest.raises(RequestInvalid) as info:
        parse_is_quarter(value)
    assert (info.value.status, info.value.message) == (400, IS_QUARTER_MESSAGE)


@pytest.mark.parametrize(
    "text", ["13/2016", "00/2016", "1/16", "2016/01", "01/2016 ", "01-2016", "01/0000", "", "012/2016"]
)
def test_malformed_months(text: str) -> None:
    with pytest.raises(RequestInvalid) as info:
        parse_submission_dates(text, "12/2016", False, None)
    assert info.value.message == DATE_FORMAT_MESSAGE


def test_non_text_dates_are_malformed() -> None:
    with pytest.raises(RequestInvalid) as info:
        parse_submission_dates(201601, "12/2016", False, None)  # type: ignore[arg-type]
    assert info.value.message == DATE_FORMAT_MESSAGE


def test_single_digit_month_is_accepted() -> None:
    assert parse_submission_dates("1/2016", "3/2016", True, None) == dates((2016, 1), (2016, 3), True)


def test_fiscal_values_of_the_dates() -> None:
    assert parse_submission_dates("10/2015", "12/2015", True, None).fiscal_year_period == (2016, 3)


MONTHS = st.tuples(st.integers(min_value=1900, max_value=2100), st.integers(min_value=1, max_value=12))


def text(month: tuple[int, int]) -> str:
    return f"{month[1]:02d}/{month[0]}"


@given(MONTHS, MONTHS)
def test_monthly_periods_accept_any_ordered_pair(a: tuple[int, int], b: tuple[int, int]) -> None:
    start, end = sorted((a, b))
    result = parse_submission_dates(text(start), text(end), False, None)
    assert (result.start.year, result.start.month, result.start.day) == (*start, 1)
    assert (result.end.year, result.end.month) == end
    assert (result.end + dt.timedelta(days=1)).day == 1  # last day of the month
    if start != end:
        with pytest.raises(RequestInvalid, match="is after the end date"):
            parse_submission_dates(text(end), text(start), False, None)


@given(MONTHS, MONTHS)
def test_quarterly_accepts_exactly_the_calendar_quarters(a: tuple[int, int], b: tuple[int, int]) -> None:
    start, end = sorted((a, b))
    is_quarter = (end[0] * 12 + end[1]) - (start[0] * 12 + start[1]) == 2 and end[1] % 3 == 0
    try:
        result = parse_submission_dates(text(start), text(end), True, None)
    except RequestInvalid:
        assert not is_quarter
    else:
        assert is_quarter
        assert result.is_quarter and result.start.month in (1, 4, 7, 10)


@given(MONTHS, MONTHS, st.booleans())
def test_missing_values_come_from_the_existing_submission(
    a: tuple[int, int], b: tuple[int, int], quarter: bool
) -> None:
    start, end = sorted((a, b))
    sub = Submission(dt.date(*start, 1), dt.date(*end, 1), is_quarter_format=quarter)
    try:
        inherited = parse_submission_dates(None, None, None, sub)
    except RequestInvalid:
        assert quarter  # only the quarter rules can refuse a stored ordered period
    else:
        assert inherited == parse_submission_dates(text(start), text(end), quarter, None)

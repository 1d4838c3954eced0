"""The submission entity: fiscal year/period, agency code, stored period and the check_status period text."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from broker_core.errors import RequestInvalid
from broker_core.submissions.model import (
    PublishStatus,
    Submission,
    fiscal_year_period,
    new_dabs_submission,
    reporting_period_text,
)

NOW = dt.datetime(2024, 5, 6, 7, 8, 9)


def test_publish_status_ids_and_labels() -> None:
    assert [(s.value, s.label) for s in PublishStatus] == [
        (1, "unpublished"),
        (2, "published"),
        (3, "updated"),
    ]


@pytest.mark.parametrize(
    ("end", "expected"),
    [
        (dt.date(2015, 10, 31), (2016, 1)),
        (dt.date(2015, 12, 1), (2016, 3)),
        (dt.date(2016, 1, 31), (2016, 4)),
        (dt.date(2016, 3, 31), (2016, 6)),
        (dt.date(2016, 9, 30), (2016, 12)),
    ],
)
def test_fiscal_year_and_period(end: dt.date, expected: tuple[int, int]) -> None:
    assert fiscal_year_period(end) == expected


@given(st.dates(min_value=dt.date(1901, 1, 1), max_value=dt.date(9998, 12, 31)))
def test_fiscal_year_period_rule(end: dt.date) -> None:
    year, period = fiscal_year_period(end)
    assert year == end.year + (1 if end.month >= 10 else 0)
    assert period == ((end.month + 3) % 12 or 12)
    assert 1 <= period <= 12


def test_agency_code_is_cgac_or_frec() -> None:
    assert Submission(None, None, cgac_code="020").agency_code == "020"
    assert Submission(None, None, frec_code="1601").agency_code == "1601"
    assert Submission(None, None).agency_code is None
    assert Submission(None, None, cgac_code="020", frec_code="1601").agency_codes == {"020", "1601"}


def test_new_submission_stores_last_day_of_end_month_and_fiscal_values() -> None:
    sub = new_dabs_submission(
        user_id=7,
        cgac_code="020",
        frec_code=None,
        start=dt.date(2016, 1, 1),
        end=dt.date(2016, 2, 1),
        is_quarter=False,
        now=NOW,
    )
    assert (sub.reporting_start_date, sub.reporting_end_date) == (dt.date(2016, 1, 1), dt.date(2016, 2, 29))
    assert (sub.reporting_fiscal_year, sub.reporting_fiscal_period) == (2016, 5)
    assert sub.publish_status is PublishStatus.UNPUBLISHED
    assert (sub.user_id, sub.created_at, sub.updated_at) == (7, NOW, NOW)
    assert (sub.publishable, sub.is_fabs, sub.number_of_errors) == (False, False, 0)


@pytest.mark.parametrize(
    ("cgac", "frec", "message"),
    [
        (None, None, "cgac_code is required"),
        ("", "", "cgac_code is required"),
        ("020", "1601", "A submission belongs to a CGAC or a FREC agency, not both"),
    ],
)
def test_new_submission_needs_exactly_one_agency(cgac: str | None, frec: str | None, message: str) -> None:
    with pytest.raises(RequestInvalid) as info:
        new_dabs_submission(
            user_id=1,
            cgac_code=cgac,
            frec_code=frec,
            start=dt.date(2016, 1, 1),
            end=dt.date(2016, 1, 1),
            is_quarter=False,
            now=NOW,
        )
    assert (info.value.status, info.value.message) == (400, message)


def test_changing_the_period_recomputes_fiscal_values() -> None:
    # quirk 13: the original kept the fiscal year/period of the first period forever
    sub = new_dabs_submission(
        user_id=1,
        cgac_code="020",
        frec_code=None,
        start=dt.date(2015, 10, 1),
        end=dt.date(2015, 12, 1),
        is_quarter=True,
        now=NOW,
    )
    assert (sub.reporting_fiscal_year, sub.reporting_fiscal_period) == (2016, 3)
    later = NOW + dt.timedelta(hours=1)
    sub.set_reporting_period(dt.date(2016, 4, 15), dt.date(2016, 6, 2), True, later)
    assert (sub.reporting_start_date, sub.reporting_end_date) == (dt.date(2016, 4, 1), dt.date(2016, 6, 30))
    assert (sub.reporting_fiscal_year, sub.reporting_fiscal_period, sub.updated_at) == (2016, 9, later)


def test_reporting_period_text() -> None:
    quarterly = Submission(
        dt.date(2015, 10, 1),
        dt.date(2015, 12, 31),
        is_quarter_format=True,
        reporting_fiscal_year=2016,
        reporting_fiscal_period=3,
    )
    assert reporting_period_text(quarterly) == "Q1/2016"
    monthly = Submission(dt.date(2015, 10, 1), dt.date(2015, 10, 31), reporting_fiscal_year=2016)
    assert reporting_period_text(monthly) == "Oct 2015"
    assert reporting_period_text(Submission(None, None, is_fabs=True)) == ""


@given(st.integers(min_value=1, max_value=12), st.integers(min_value=1000, max_value=9999))
def test_monthly_text_is_month_abbreviation_and_year(month: int, year: int) -> None:
    sub = Submission(dt.date(year, month, 1), dt.date(year, month, 1))
    text = reporting_period_text(sub)
    assert text.split() == [
        ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"][month - 1],
        str(year),
    ]

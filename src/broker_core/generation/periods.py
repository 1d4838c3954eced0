"""Fiscal years, periods and the date formats users send and read.

The federal fiscal year starts on 1 October, so period ``p`` is calendar month
``p - 3`` (wrapping into the previous calendar year for p <= 3). Period 1 is
never requested on its own: it is reported together with period 2.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re

from broker_core.errors import RequestInvalid

YEAR_MESSAGE = "Year must be in YYYY format."
PERIOD_MESSAGE = "Period must be an integer 2-12."

# The same inputs ``strptime("%m/%d/%Y")`` accepts, minus its odd leading-space days.
_DATE_RE = re.compile(r"([0-9]{1,2})/([0-9]{1,2})/([0-9]{4})", re.ASCII)


def period_to_dates(year: object, period: object) -> tuple[dt.date, dt.date]:
    """First and last day of the calendar month of fiscal ``year``/``period``."""
    # bool is an int subclass, but a JSON true is neither a year nor a period.
    if not isinstance(year, int) or isinstance(year, bool) or not 1000 <= year <= 9999:
        raise RequestInvalid(YEAR_MESSAGE)
    if not isinstance(period, int) or isinstance(period, bool) or not 2 <= period <= 12:
        raise RequestInvalid(PERIOD_MESSAGE)
    if period <= 3:
        cal_year, month = year - 1, period + 9
    else:
        cal_year, month = year, period - 3
    last_day = calendar.monthrange(cal_year, month)[1]
    return dt.date(cal_year, month, 1), dt.date(cal_year, month, last_day)


def dates_to_period(end: dt.date) -> tuple[int, int]:
    """(fiscal year, period) of the month containing ``end``: the reverse of :func:`period_to_dates`."""
    month = end.month + 3
    year = end.year
    if month > 12:
        month -= 12
        year += 1
    return year, month


def fyp(year: int, period: int, quarterly: bool = False) -> str:
    """The ``FY17P06`` / ``FY17Q2`` / ``FY17P01-P02`` tag used in file names."""
    prefix = f"FY{year % 100:02d}"
    if quarterly:
        return f"{prefix}Q{period // 3}"
    if period > 2:
        return f"{prefix}P{period:02d}"
    return f"{prefix}P01-P02"


def parse_date(value: str) -> dt.date:
    """Parse ``M/D/YYYY`` or ``MM/DD/YYYY`` into a real calendar date; ValueError otherwise."""
    match = _DATE_RE.fullmatch(value) if isinstance(value, str) else None
    if match is None:
        raise ValueError(f"{value!r} is not a date in MM/DD/YYYY format")
    month, day, year = (int(group) for group in match.groups())
    return dt.date(year, month, day)  # raises ValueError for 02/30, month 13, year 0000...


def format_date(value: dt.date | None) -> str:
    """``MM/DD/YYYY``, or "" for no date (as the status object shows a missing date)."""
    if value is None:
        return ""
    return f"{value.month:02d}/{value.day:02d}/{value.year:04d}"

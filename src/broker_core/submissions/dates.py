"""The reporting period a DABS submission is created or corrected with (``MM/YYYY`` inputs)."""

from __future__ import annotations

import datetime as dt
import re

import attrs

from broker_core.errors import RequestInvalid
from broker_core.submissions.model import Submission, fiscal_year_period, month_end, month_start

EXISTING_REQUIRED = "An existing submission is required when start/end date or is_quarter aren't supplied"
DATE_FORMAT_MESSAGE = "Date must be provided as MM/YYYY"
QUARTER_SPAN_MESSAGE = "Quarterly submission must span 3 months"
IS_QUARTER_MESSAGE = "is_quarter must be true or false"
QUARTER_END_MONTHS = frozenset({3, 6, 9, 12})

# What ``strptime("%m/%Y")`` accepts: a one- or two-digit month and a four-digit year.
_MONTH_RE = re.compile(r"(0?[1-9]|1[0-2])/([0-9]{4})", re.ASCII)


@attrs.frozen
class SubmissionDates:
    """A checked reporting period: first day of the start month to last day of the end month."""

    start: dt.date
    end: dt.date
    is_quarter: bool

    @property
    def fiscal_year_period(self) -> tuple[int, int]:
        return fiscal_year_period(self.end)


def parse_submission_dates(
    start: str | None, end: str | None, is_quarter: object, existing: Submission | None
) -> SubmissionDates:
    """Check the request's period; values left out (None) are taken from ``existing``.

    Raises :class:`RequestInvalid` with the Broker's messages. Unlike the original, a missing
    value without an existing submission is a client error (400, quirk 16), the strings
    "true"/"false" mean what they say (quirk 14) and a quarter is exactly 3 months (quirk 15).
    """
    if existing is None and (start is None or end is None or is_quarter is None):
        raise RequestInvalid(EXISTING_REQUIRED)
    quarterly = _existing(existing).is_quarter_format if is_quarter is None else parse_is_quarter(is_quarter)
    start_date = month_start(_parse_month(start) if start is not None else _stored(existing, "start"))
    end_date = month_end(_parse_month(end) if end is not None else _stored(existing, "end"))
    if start_date > end_date:
        raise RequestInvalid(
            f"Submission start date {start_date.isoformat()} is after the end date {end_date.isoformat()}"
        )
    if quarterly:
        # Whole months from the start month to the end month inclusive. The original looked
        # only at the months component of the difference, so 15 months passed as 3.
        span = (end_date.year - start_date.year) * 12 + end_date.month - start_date.month + 1
        if span != 3:
            raise RequestInvalid(QUARTER_SPAN_MESSAGE)
        if end_date.month not in QUARTER_END_MONTHS:
            raise RequestInvalid(f"Invalid end month for a quarterly submission: {end_date.month}")
    return SubmissionDates(start=start_date, end=end_date, is_quarter=quarterly)


def parse_is_quarter(value: object) -> bool:
    """A JSON boolean, or the text ``true``/``false`` in any case (form bodies send text).

    The original took any non-empty string as true, so a form's "false" meant quarterly.
    """
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    raise RequestInvalid(IS_QUARTER_MESSAGE)


def _parse_month(value: object) -> dt.date:
    match = _MONTH_RE.fullmatch(value) if isinstance(value, str) else None
    if match is None or int(match.group(2)) < 1:
        raise RequestInvalid(DATE_FORMAT_MESSAGE)
    return dt.date(int(match.group(2)), int(match.group(1)), 1)


def _existing(existing: Submission | None) -> Submission:
    # Only reached when a value is missing, which the first check allows only with a submission.
    if existing is None:
        raise RequestInvalid(EXISTING_REQUIRED)
    return existing


def _stored(existing: Submission | None, which: str) -> dt.date:
    submission = _existing(existing)
    stored = submission.reporting_start_date if which == "start" else submission.reporting_end_date
    if stored is None:  # a FABS submission has no period to inherit
        raise RequestInvalid(DATE_FORMAT_MESSAGE)
    return stored

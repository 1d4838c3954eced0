"""The submission entity, its publish status and the values derived from its reporting period."""

from __future__ import annotations

import calendar
import datetime as dt
import enum

import attrs

from broker_core.errors import RequestInvalid
from broker_core.generation.periods import dates_to_period


class PublishStatus(enum.Enum):
    # Ids are part of the schema (lookup table of the original).
    UNPUBLISHED = 1
    PUBLISHED = 2
    UPDATED = 3  # changed after being published

    @property
    def label(self) -> str:
        return self.name.lower()


CGAC_REQUIRED = "cgac_code is required"
ONE_AGENCY_ONLY = "A submission belongs to a CGAC or a FREC agency, not both"

# Fixed English abbreviations: strftime("%b") would follow the server's locale.
_MONTH_ABBREVIATIONS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def month_end(day: dt.date) -> dt.date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def fiscal_year_period(end: dt.date) -> tuple[int, int]:
    """(fiscal year, fiscal period) of the month holding ``end``: October is period 1 of the next year."""
    return dates_to_period(end)


@attrs.define(eq=False)
class Submission:
    """A DABS (or FABS, ``is_fabs``) submission. Mutable entity; identity is ``submission_id``.

    ``reporting_start_date`` is the first day of the start month. ``reporting_end_date`` is
    the LAST day of the end month: the current Broker's convention (the 2017 code stored the
    first day), so that "is this date inside the period" is a plain comparison.
    """

    reporting_start_date: dt.date | None
    reporting_end_date: dt.date | None
    cgac_code: str | None = None
    frec_code: str | None = None
    #: The creator ("owner"); None once that user is deleted.
    user_id: int | None = None
    reporting_fiscal_year: int = 0
    reporting_fiscal_period: int = 0
    is_quarter_format: bool = False
    #: True only while the last cross-file validation ended without errors.
    publishable: bool = False
    publish_status: PublishStatus = PublishStatus.UNPUBLISHED
    number_of_errors: int = 0
    number_of_warnings: int = 0
    #: The original's ``d2_submission``: a FABS (detached financial assistance) submission.
    is_fabs: bool = False
    created_at: dt.datetime | None = None
    updated_at: dt.datetime | None = None
    submission_id: int | None = None

    @property
    def agency_code(self) -> str | None:
        """The code the submission is filed under: its CGAC, or its FREC for FREC agencies."""
        return self.cgac_code or self.frec_code

    @property
    def agency_codes(self) -> frozenset[str]:
        """Every agency code an affiliation can match (a FREC user reaches FREC submissions)."""
        return frozenset(code for code in (self.cgac_code, self.frec_code) if code)

    def set_reporting_period(self, start: dt.date, end: dt.date, is_quarter: bool, now: dt.datetime) -> None:
        """Store a (validated) period and the fiscal year/period derived from it.

        The original computed fiscal year/period only at insert, so an update that moved the
        dates left them stale (quirk 13); here they always follow the end date.
        """
        self.reporting_start_date = month_start(start)
        self.reporting_end_date = month_end(end)
        self.is_quarter_format = is_quarter
        self.reporting_fiscal_year, self.reporting_fiscal_period = fiscal_year_period(end)
        self.updated_at = now


def stored_submission_id(submission: Submission) -> int:
    """The id of a submission the repository holds (every stored submission has one)."""
    if submission.submission_id is None:
        raise ValueError("a stored submission has an id")
    return submission.submission_id


def new_dabs_submission(
    *,
    user_id: int | None,
    cgac_code: str | None,
    frec_code: str | None,
    start: dt.date,
    end: dt.date,
    is_quarter: bool,
    now: dt.datetime,
) -> Submission:
    """A fresh, unpublished DABS submission owned by ``user_id`` for exactly one agency."""
    if not cgac_code and not frec_code:
        raise RequestInvalid(CGAC_REQUIRED)
    if cgac_code and frec_code:
        raise RequestInvalid(ONE_AGENCY_ONLY)
    submission = Submission(
        reporting_start_date=None,
        reporting_end_date=None,
        cgac_code=cgac_code or None,
        frec_code=frec_code or None,
        user_id=user_id,
        created_at=now,
    )
    submission.set_reporting_period(start, end, is_quarter, now)
    return submission


def reporting_period_text(submission: Submission) -> str:
    """The period as check_status shows it: ``Q1/2016`` for quarters, ``Oct 2015`` for months.

    Empty for a submission without dates (FABS).
    """
    if submission.is_quarter_format:
        return f"Q{submission.reporting_fiscal_period // 3}/{submission.reporting_fiscal_year}"
    start = submission.reporting_start_date
    if start is None:
        return ""
    return f"{_MONTH_ABBREVIATIONS[start.month - 1]} {start.year}"

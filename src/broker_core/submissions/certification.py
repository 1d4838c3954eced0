"""Certifying a DABS submission (the 2017 single-step certification) and where its files are kept."""

from __future__ import annotations

import datetime as dt

from broker_core.errors import RequestInvalid
from broker_core.submissions.model import PublishStatus, Submission
from broker_core.submissions.publish_status import change_publish_status

CRITICAL_ERRORS = "Submission cannot be certified due to critical errors"
MONTHLY_REFUSED = "Monthly submissions cannot be certified"
ALREADY_CERTIFIED = "Submission has already been certified"


def check_certifiable(submission: Submission) -> None:
    """Raise :class:`RequestInvalid` with the first reason the submission cannot be certified.

    An ``updated`` submission (changed after certification) may be certified again.
    """
    if not submission.publishable:
        raise RequestInvalid(CRITICAL_ERRORS)
    if not submission.is_quarter_format:
        raise RequestInvalid(MONTHLY_REFUSED)
    if submission.publish_status is PublishStatus.PUBLISHED:
        raise RequestInvalid(ALREADY_CERTIFIED)


def certify(submission: Submission, now: dt.datetime) -> None:
    """Check, then publish. Copy the files (:func:`certified_file_key`) before calling this."""
    check_certifiable(submission)
    change_publish_status(submission, PublishStatus.PUBLISHED, now)


def certified_file_key(submission: Submission, filename: str) -> str:
    """``<agency>/<fiscal year>/<quarter>/<file name>`` in the certified bucket.

    ``filename`` is the upload's storage key (``<submission id>/<epoch>_<name>``) or local
    path; only its last component is kept.
    """
    agency = submission.agency_code
    if agency is None:
        raise ValueError("a certified submission belongs to an agency")
    basename = filename.replace("\\", "/").rsplit("/", 1)[-1]
    if not basename:
        raise ValueError(f"{filename!r} names no file")
    quarter = submission.reporting_fiscal_period // 3
    return f"{agency}/{submission.reporting_fiscal_year}/{quarter}/{basename}"

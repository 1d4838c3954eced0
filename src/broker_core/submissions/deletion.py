"""When a submission may be deleted."""

from __future__ import annotations

from collections.abc import Iterable

from broker_core.errors import RequestInvalid
from broker_core.jobs import JobStatus
from broker_core.submissions.model import PublishStatus, Submission

CERTIFIED_NOT_DELETABLE = "Submissions that have been certified cannot be deleted"
RUNNING_NOT_DELETABLE = "Submissions with running jobs cannot be deleted"


def check_deletable(submission: Submission, job_statuses: Iterable[JobStatus]) -> None:
    """Raise :class:`RequestInvalid` unless the submission may be deleted, checks in the original's order.

    Anything ever certified (published or updated) is kept: it is the agency's record. A
    running job would write into rows that are being deleted.
    """
    if submission.publish_status is not PublishStatus.UNPUBLISHED:
        raise RequestInvalid(CERTIFIED_NOT_DELETABLE)
    if any(status is JobStatus.RUNNING for status in job_statuses):
        raise RequestInvalid(RUNNING_NOT_DELETABLE)

"""The one-word status list_submissions shows for a submission, derived from its jobs and counts."""

from __future__ import annotations

import enum
from collections import Counter
from collections.abc import Iterable

from broker_core.jobs import JobStatus
from broker_core.submissions.model import PublishStatus


class DerivedStatus(enum.StrEnum):
    FAILED = "failed"
    FILE_ERRORS = "file_errors"
    RUNNING = "running"
    WAITING = "waiting"
    READY = "ready"
    VALIDATION_SUCCESSFUL = "validation_successful"
    VALIDATION_SUCCESSFUL_WARNINGS = "validation_successful_warnings"
    CERTIFIED = "certified"
    VALIDATION_ERRORS = "validation_errors"
    #: Kept for clients that know it; every job status is covered above, so no input yields it.
    UNKNOWN = "unknown"


#: The first job status present decides, in this order: the most urgent problem wins.
_BY_JOB_STATUS: tuple[tuple[JobStatus, DerivedStatus], ...] = (
    (JobStatus.FAILED, DerivedStatus.FAILED),
    (JobStatus.INVALID, DerivedStatus.FILE_ERRORS),
    (JobStatus.RUNNING, DerivedStatus.RUNNING),
    (JobStatus.WAITING, DerivedStatus.WAITING),
    (JobStatus.READY, DerivedStatus.READY),
)


def derived_status(
    job_statuses: Iterable[JobStatus],
    number_of_errors: int,
    number_of_warnings: int,
    publish_status: PublishStatus,
) -> str:
    """The list status of a submission whose jobs have ``job_statuses``.

    Row errors override everything: a submission with errors is ``validation_errors`` even
    while a job is still running, as in the original. With every job finished (or no jobs),
    a published submission is ``certified``; an ``updated`` one is judged by its warnings.
    """
    if number_of_errors > 0:
        return DerivedStatus.VALIDATION_ERRORS
    counts = Counter(job_statuses)
    for job_status, status in _BY_JOB_STATUS:
        if counts[job_status]:
            return status
    if sum(counts.values()) != counts[JobStatus.FINISHED]:
        return DerivedStatus.UNKNOWN
    if publish_status is PublishStatus.PUBLISHED:
        return DerivedStatus.CERTIFIED
    if number_of_warnings > 0:
        return DerivedStatus.VALIDATION_SUCCESSFUL_WARNINGS
    return DerivedStatus.VALIDATION_SUCCESSFUL

"""The status object of detached generations (spec §1.5, §4.1).

Unlike the original, reading a status never writes: default messages are
computed for the answer only, and the job row (and its ``updated_at``) stays as it was.
"""

from __future__ import annotations

import datetime as dt

from broker_core.generation.model import GenerationStatus
from broker_core.generation.periods import format_date
from broker_core.jobs import Job, JobStatus

UNKNOWN_JOB_MESSAGE = "No generation job found with the specified ID"
FAILED_WITHOUT_MESSAGE = "Upload job failed without error message"

#: Upload-job status -> API status. ``ready`` means "never requested" to clients, hence invalid.
STATUS_MAP: dict[JobStatus, str] = {
    JobStatus.WAITING: "waiting",
    JobStatus.READY: "invalid",
    JobStatus.RUNNING: "waiting",
    JobStatus.FINISHED: "finished",
    JobStatus.INVALID: "failed",
    JobStatus.FAILED: "failed",
}

#: Validation-job status -> API status (used when a generated file is validated in a submission).
VALIDATION_STATUS_MAP: dict[JobStatus, str] = {
    JobStatus.WAITING: "waiting",
    JobStatus.READY: "waiting",
    JobStatus.RUNNING: "waiting",
    JobStatus.FINISHED: "finished",
    JobStatus.INVALID: "failed",
    JobStatus.FAILED: "failed",
}


def format_generated_at(timestamp: dt.datetime | None) -> str | None:
    """``YYYY-MM-DD HH:MM:SS.ffffff`` in UTC, always with six fraction digits so clients parse one form."""
    if timestamp is None:
        return None
    if timestamp.tzinfo is not None:
        timestamp = timestamp.astimezone(dt.UTC).replace(tzinfo=None)
    return f"{timestamp:%Y-%m-%d %H:%M:%S}.{timestamp.microsecond:06d}"


def detached_status(job: Job, url: str | None) -> GenerationStatus:
    """The status object of a detached generation job; ``url`` is its download link if any."""
    if job.job_id is None or job.file_type is None:
        raise ValueError("a generation status needs a stored job with a file type")
    status = STATUS_MAP[job.status]
    message = job.error_message or ""
    if status == "failed" and not message:
        message = FAILED_WITHOUT_MESSAGE
    with_dates = job.file_type.is_d_file
    return GenerationStatus(
        job_id=job.job_id,
        status=status,
        file_type=job.file_type.letter,
        message=message,
        url=url if status == "finished" and url else "#",
        size=job.file_size,
        generated_at=format_generated_at(job.updated_at),
        start=format_date(job.start_date) if with_dates else None,
        end=format_date(job.end_date) if with_dates else None,
    )


def unknown_job_status(job_id: int) -> GenerationStatus:
    """The answer for a job id that does not exist (200 with status ``invalid``, as in the original)."""
    return GenerationStatus(
        job_id=job_id,
        status="invalid",
        file_type="",
        message=UNKNOWN_JOB_MESSAGE,
        url="#",
        size=None,
        generated_at=None,
        start="",
        end="",
    )

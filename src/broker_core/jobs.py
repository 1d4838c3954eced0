"""Jobs: their types, their statuses and the one table of legal status transitions."""

from __future__ import annotations

import datetime as dt
import enum

import attrs

from broker_core.errors import IllegalTransition
from broker_core.file_types import FileType


class JobStatus(enum.Enum):
    # Ids are part of the schema (lookup table of the original).
    WAITING = 1
    READY = 2
    RUNNING = 3
    FINISHED = 4
    INVALID = 5
    FAILED = 6

    @property
    def label(self) -> str:
        return self.name.lower()


class JobType(enum.Enum):
    FILE_UPLOAD = 1
    CSV_RECORD_VALIDATION = 2
    VALIDATION = 4  # cross-file

    @property
    def label(self) -> str:
        return self.name.lower()


_W, _RD, _RU, _F, _I, _X = (
    JobStatus.WAITING,
    JobStatus.READY,
    JobStatus.RUNNING,
    JobStatus.FINISHED,
    JobStatus.INVALID,
    JobStatus.FAILED,
)

#: Every legal move. A finished job can be re-queued or re-run (regeneration,
#: restart, re-upload) but can never silently turn into a failure: once its
#: file exists, a later problem belongs to a new run.
TRANSITIONS: frozenset[tuple[JobStatus, JobStatus]] = frozenset(
    {
        (_W, _W), (_W, _RD), (_W, _RU), (_W, _F), (_W, _I), (_W, _X),
        (_RD, _W), (_RD, _RD), (_RD, _RU), (_RD, _F), (_RD, _I), (_RD, _X),
        (_RU, _W), (_RU, _RU), (_RU, _F), (_RU, _I), (_RU, _X),
        (_F, _W), (_F, _RU), (_F, _F),
        (_I, _W), (_I, _RD), (_I, _RU),
        (_X, _W), (_X, _RD), (_X, _RU),
    }
)  # fmt: skip


def check_transition(current: JobStatus, target: JobStatus) -> None:
    """Raise :class:`IllegalTransition` unless ``current -> target`` is in the table."""
    if (current, target) not in TRANSITIONS:
        raise IllegalTransition(f"A job cannot go from {current.label} to {target.label}")


@attrs.define(eq=False)
class Job:
    """One unit of work: an upload/generation, a file validation or the cross-file validation.

    Mutable entity; identity is ``job_id`` (assigned by the repository).
    """

    job_type: JobType
    file_type: FileType | None
    status: JobStatus
    submission_id: int | None = None
    user_id: int | None = None
    start_date: dt.date | None = None
    end_date: dt.date | None = None
    filename: str | None = None  # storage key
    original_filename: str | None = None  # bare file name shown to users
    file_size: int | None = None
    number_of_rows: int | None = None
    #: Data rows without any fatal error (set by the validator).
    number_of_rows_valid: int | None = None
    number_of_errors: int = 0
    number_of_warnings: int = 0
    error_message: str | None = None
    file_generation_id: int | None = None
    #: For A generations: the agency code (CGAC or FREC) the file is for.
    agency_code: str | None = None
    progress: float = 0.0
    created_at: dt.datetime | None = None
    updated_at: dt.datetime | None = None
    #: When the job last completed a validation (the original: its creation time until then).
    last_validated: dt.datetime | None = None
    job_id: int | None = None

    def transition(self, target: JobStatus, now: dt.datetime) -> None:
        """Apply a status change, keeping the original's side effects of a status change."""
        check_transition(self.status, target)
        self.status = target
        if target in (JobStatus.WAITING, JobStatus.READY):
            self.error_message = None
        if target is JobStatus.FINISHED:
            self.progress = 100.0
        self.updated_at = now

    def fail(self, message: str, now: dt.datetime) -> None:
        self.transition(JobStatus.FAILED, now)
        self.error_message = message

    @property
    def is_detached(self) -> bool:
        return self.submission_id is None

    @property
    def is_active(self) -> bool:
        return self.status in (JobStatus.WAITING, JobStatus.READY, JobStatus.RUNNING)


def stored_job_id(job: Job) -> int:
    """The id of a job the repository holds (every stored job has one)."""
    if job.job_id is None:
        raise ValueError("a stored job has an id")
    return job.job_id

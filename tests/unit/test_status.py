"""The detached status object (spec §1.5, §4.1; the original's test_check_detached_d_file_generation)."""

from __future__ import annotations

import datetime as dt

import pytest

from broker_core.file_types import FileType
from broker_core.generation.status import (
    STATUS_MAP,
    UNKNOWN_JOB_MESSAGE,
    VALIDATION_STATUS_MAP,
    detached_status,
    format_generated_at,
    unknown_job_status,
)
from broker_core.jobs import Job, JobStatus, JobType

UPDATED = dt.datetime(2020, 1, 15, 14, 25, 40, 123450)


def job(status: JobStatus, file_type: FileType = FileType.D2, message: str | None = None) -> Job:
    return Job(
        job_type=JobType.FILE_UPLOAD,
        file_type=file_type,
        status=status,
        start_date=dt.date(2016, 1, 1),
        end_date=dt.date(2016, 3, 31),
        error_message=message,
        updated_at=UPDATED,
        job_id=1234,
    )


def test_status_maps() -> None:
    assert {s.label: v for s, v in STATUS_MAP.items()} == {
        "waiting": "waiting", "ready": "invalid", "running": "waiting",
        "finished": "finished", "invalid": "failed", "failed": "failed",
    }  # fmt: skip
    assert {s.label: v for s, v in VALIDATION_STATUS_MAP.items()} == {
        "waiting": "waiting", "ready": "waiting", "running": "waiting",
        "finished": "finished", "invalid": "failed", "failed": "failed",
    }  # fmt: skip


@pytest.mark.parametrize(
    ("status", "message", "api_status", "api_message"),
    [
        (JobStatus.WAITING, None, "waiting", ""),
        (JobStatus.RUNNING, None, "waiting", ""),
        (JobStatus.READY, None, "invalid", ""),
        (JobStatus.FINISHED, None, "finished", ""),
        (JobStatus.FAILED, None, "failed", "Upload job failed without error message"),
        (JobStatus.FAILED, "", "failed", "Upload job failed without error message"),
        (JobStatus.INVALID, None, "failed", "Upload job failed without error message"),
        (JobStatus.FAILED, "Some error", "failed", "Some error"),
        (JobStatus.INVALID, "File was invalid", "failed", "File was invalid"),
    ],
)
def test_detached_d_statuses(
    status: JobStatus, message: str | None, api_status: str, api_message: str
) -> None:
    the_job = job(status, message=message)
    result = detached_status(the_job, "https://files/x.csv")
    assert (result.status, result.message) == (api_status, api_message)
    assert the_job.error_message == message  # reading a status never writes the job


def test_finished_d_file() -> None:
    result = detached_status(job(JobStatus.FINISHED, FileType.D1), "https://files/x.csv")
    assert result.job_id == 1234
    assert result.file_type == "D1"
    assert result.url == "https://files/x.csv"
    assert (result.start, result.end) == ("01/01/2016", "03/31/2016")
    assert result.generated_at == "2020-01-15 14:25:40.123450"
    assert result.size is None


def test_url_only_when_finished() -> None:
    assert detached_status(job(JobStatus.FINISHED), None).url == "#"
    assert detached_status(job(JobStatus.FINISHED), "").url == "#"
    for status in (JobStatus.WAITING, JobStatus.RUNNING, JobStatus.READY, JobStatus.FAILED):
        assert detached_status(job(status), "https://files/x.csv").url == "#"


def test_size_is_the_jobs_file_size() -> None:
    the_job = job(JobStatus.FINISHED)
    the_job.file_size = 2048
    assert detached_status(the_job, "u").size == 2048


def test_a_file_has_no_dates() -> None:
    result = detached_status(job(JobStatus.FINISHED, FileType.A), "u")
    assert result.file_type == "A"
    assert (result.start, result.end) == (None, None)


def test_d_file_without_dates_shows_empty_strings() -> None:
    the_job = job(JobStatus.WAITING)
    the_job.start_date = the_job.end_date = None
    assert (detached_status(the_job, None).start, detached_status(the_job, None).end) == ("", "")


def test_job_without_id_or_type_is_a_programming_error() -> None:
    with pytest.raises(ValueError):
        detached_status(Job(JobType.VALIDATION, None, JobStatus.WAITING, job_id=1), None)
    with pytest.raises(ValueError):
        detached_status(Job(JobType.FILE_UPLOAD, FileType.D1, JobStatus.WAITING), None)


@pytest.mark.parametrize(
    ("stamp", "text"),
    [
        (dt.datetime(2020, 1, 15, 14, 25, 40, 123450), "2020-01-15 14:25:40.123450"),
        (dt.datetime(2020, 1, 15, 14, 25, 40), "2020-01-15 14:25:40.000000"),
        (
            dt.datetime(2020, 1, 15, 14, 25, 40, 7, tzinfo=dt.timezone(dt.timedelta(hours=2))),
            "2020-01-15 12:25:40.000007",
        ),
        (None, None),
    ],
)
def test_format_generated_at(stamp: dt.datetime | None, text: str | None) -> None:
    assert format_generated_at(stamp) == text


def test_unknown_job() -> None:
    result = unknown_job_status(-1)
    assert (result.job_id, result.status, result.file_type, result.message) == (
        -1,
        "invalid",
        "",
        UNKNOWN_JOB_MESSAGE,
    )
    assert (result.url, result.size, result.generated_at, result.start, result.end) == (
        "#",
        None,
        None,
        "",
        "",
    )
    assert UNKNOWN_JOB_MESSAGE == "No generation job found with the specified ID"

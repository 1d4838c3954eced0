"""The job status transition table: Job.transition allows exactly the moves in TRANSITIONS."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from broker_core.errors import IllegalTransition
from broker_core.file_types import FileType
from broker_core.jobs import TRANSITIONS, Job, JobStatus, JobType, check_transition

T0 = dt.datetime(2024, 1, 1, 12, 0, 0)
STATUSES = st.sampled_from(JobStatus)


def new_job(status: JobStatus) -> Job:
    return Job(JobType.FILE_UPLOAD, FileType.D1, status, error_message="old message", updated_at=T0)


@given(STATUSES, STATUSES)
def test_transition_follows_the_table(current: JobStatus, target: JobStatus) -> None:
    job = new_job(current)
    later = T0 + dt.timedelta(seconds=5)
    if (current, target) in TRANSITIONS:
        job.transition(target, later)
        assert job.status is target
        assert job.updated_at == later
    else:
        with pytest.raises(IllegalTransition) as info:
            job.transition(target, later)
        assert info.value.status == 409
        assert info.value.message == f"A job cannot go from {current.label} to {target.label}"
        # a refused move changes nothing
        assert (job.status, job.updated_at, job.error_message) == (current, T0, "old message")


@given(STATUSES, st.lists(STATUSES, max_size=12))
def test_every_path_stays_inside_the_table(start: JobStatus, targets: list[JobStatus]) -> None:
    job = new_job(start)
    for target in targets:
        before = job.status
        try:
            job.transition(target, T0)
        except IllegalTransition:
            assert (before, target) not in TRANSITIONS
            assert job.status is before
        else:
            assert (before, target) in TRANSITIONS
            assert job.status is target


@given(STATUSES, STATUSES)
def test_check_transition_agrees_with_the_table(current: JobStatus, target: JobStatus) -> None:
    allowed = (current, target) in TRANSITIONS
    try:
        check_transition(current, target)
    except IllegalTransition:
        assert not allowed
    else:
        assert allowed


def test_side_effects_of_a_status_change() -> None:
    for status in (JobStatus.WAITING, JobStatus.READY):
        job = new_job(JobStatus.FAILED)
        job.transition(status, T0)
        assert job.error_message is None  # re-queueing clears the old failure
    job = new_job(JobStatus.RUNNING)
    job.transition(JobStatus.FINISHED, T0)
    assert job.progress == 100.0
    job = new_job(JobStatus.RUNNING)
    job.fail("boom", T0)
    assert (job.status, job.error_message) == (JobStatus.FAILED, "boom")


def test_a_finished_job_never_fails_or_becomes_invalid() -> None:
    assert (JobStatus.FINISHED, JobStatus.FAILED) not in TRANSITIONS
    assert (JobStatus.FINISHED, JobStatus.INVALID) not in TRANSITIONS
    with pytest.raises(IllegalTransition):
        new_job(JobStatus.FINISHED).fail("late", T0)

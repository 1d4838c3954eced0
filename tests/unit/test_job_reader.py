"""``EndedJobCache``: detached jobs that have ended are remembered; everything else is read each time."""

from __future__ import annotations

import copy

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from broker_core.file_types import FileType
from broker_core.jobs import Job, JobStatus, JobType
from broker_core.services import job_reader
from broker_core.services.job_reader import EndedJobCache
from broker_entrypoints.config import load_config


class CountingReader:
    def __init__(self) -> None:
        self.jobs: dict[int, Job] = {}
        self.reads = 0

    def get(self, job_id: int) -> Job | None:
        self.reads += 1
        job = self.jobs.get(job_id)
        return None if job is None else copy.copy(job)


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


def _same(found: Job | None, stored: Job) -> bool:
    """Jobs compare by identity; a reader's answer is a copy with the same values."""
    return found is not None and attrs.asdict(found) == attrs.asdict(stored)


def _job(job_id: int, status: JobStatus, submission_id: int | None = None) -> Job:
    return Job(
        job_type=JobType.FILE_UPLOAD,
        file_type=FileType.D1,
        status=status,
        submission_id=submission_id,
        job_id=job_id,
    )


def test_an_ended_detached_job_is_read_once_per_lifetime(clock: Clock) -> None:
    inner = CountingReader()
    inner.jobs[1] = _job(1, JobStatus.FINISHED)
    inner.jobs[2] = _job(2, JobStatus.FAILED)
    cache = EndedJobCache(inner, seconds=1.0, monotonic=clock)
    for _ in range(5):
        assert _same(cache.get(1), inner.jobs[1]) and _same(cache.get(2), inner.jobs[2])
    assert inner.reads == 2
    clock.now += 0.999
    cache.get(1)
    assert inner.reads == 2
    clock.now += 0.002  # past the lifetime: read again, remembered again
    cache.get(1)
    cache.get(1)
    assert inner.reads == 3


@pytest.mark.parametrize("status", [JobStatus.WAITING, JobStatus.READY, JobStatus.RUNNING])
def test_unfinished_jobs_are_always_read(clock: Clock, status: JobStatus) -> None:
    inner = CountingReader()
    inner.jobs[1] = _job(1, status)
    cache = EndedJobCache(inner, seconds=1.0, monotonic=clock)
    assert _same(cache.get(1), inner.jobs[1])
    inner.jobs[1].status = JobStatus.FINISHED
    found = cache.get(1)
    assert found is not None and found.status is JobStatus.FINISHED
    assert inner.reads == 2


def test_jobs_of_submissions_and_unknown_ids_are_always_read(clock: Clock) -> None:
    """restart_validation can reopen a submission's finished job."""
    inner = CountingReader()
    inner.jobs[1] = _job(1, JobStatus.FINISHED, submission_id=7)
    cache = EndedJobCache(inner, seconds=1.0, monotonic=clock)
    cache.get(1)
    inner.jobs[1].status = JobStatus.WAITING
    found = cache.get(1)
    assert found is not None and found.status is JobStatus.WAITING
    assert cache.get(99) is None and cache.get(99) is None
    assert inner.reads == 4


def test_a_caller_changing_its_job_does_not_change_the_cache(clock: Clock) -> None:
    inner = CountingReader()
    inner.jobs[1] = _job(1, JobStatus.FINISHED)
    cache = EndedJobCache(inner, seconds=1.0, monotonic=clock)
    for _ in range(2):
        found = cache.get(1)
        assert found is not None and found.status is JobStatus.FINISHED
        found.status = JobStatus.WAITING
        found.error_message = "changed by the caller"
    assert inner.reads == 1


def test_the_cache_is_bounded(clock: Clock, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(job_reader, "MAX_CACHED_JOBS", 10)
    inner = CountingReader()
    for job_id in range(1, 26):
        inner.jobs[job_id] = _job(job_id, JobStatus.FINISHED)
    cache = EndedJobCache(inner, seconds=60.0, monotonic=clock)
    for job_id in range(1, 26):
        cache.get(job_id)
    assert len(cache._jobs) == 10
    reads = inner.reads
    cache.get(25)  # among the newest: remembered
    cache.get(1)  # the oldest went first
    assert inner.reads == reads + 1


# A detached job's life: it moves forward through the statuses and, once ended, stays.
_LIVES = st.lists(
    st.sampled_from(
        [JobStatus.WAITING, JobStatus.READY, JobStatus.RUNNING, JobStatus.FINISHED, JobStatus.FAILED]
    ),
    min_size=1,
    max_size=8,
)


@given(lives=st.lists(_LIVES, min_size=1, max_size=4), steps=st.lists(st.floats(0, 1.5), max_size=30))
def test_the_cache_answers_as_the_database_would(lives: list[list[JobStatus]], steps: list[float]) -> None:
    inner, clock = CountingReader(), Clock()
    cache = EndedJobCache(inner, seconds=1.0, monotonic=clock)
    position = [0] * len(lives)
    for job_id in range(len(lives)):
        inner.jobs[job_id + 1] = _job(job_id + 1, lives[job_id][0])
    for index, step in enumerate(steps):
        clock.now += step
        job_id = index % len(lives)
        life, stored = lives[job_id], inner.jobs[job_id + 1]
        if stored.status not in (JobStatus.FINISHED, JobStatus.FAILED) and position[job_id] + 1 < len(life):
            position[job_id] += 1
            stored.status = life[position[job_id]]
        assert _same(cache.get(job_id + 1), stored)


def test_configuration_defaults() -> None:
    assert load_config({}).job_cache_ms == 0  # local mode: one process reads its own writes
    assert load_config({"BROKER_QUEUE_URL": "redis://127.0.0.1:6379/0"}).job_cache_ms == 1000
    assert load_config({"BROKER_JOB_CACHE_MS": "5000"}).job_cache_ms == 2000
    assert load_config({"BROKER_QUEUE_URL": "redis://x", "BROKER_JOB_CACHE_MS": "0"}).job_cache_ms == 0

"""Readers of one job for the status checks clients poll (the ``JobReader`` port).

``UnitOfWorkJobReader`` reads through a read-only unit of work and works over
every adapter set; an adapter may offer a cheaper reader. ``EndedJobCache``
sits in front of either and remembers detached jobs that have ended.
"""

from __future__ import annotations

import copy
import threading
import time
from collections.abc import Callable

import attrs

from broker_core.jobs import Job, JobStatus
from broker_core.ports import JobReader, UnitOfWorkFactory

#: Bound of an ``EndedJobCache`` (the oldest entry goes first when full).
MAX_CACHED_JOBS = 4096
_ENDED = frozenset({JobStatus.FINISHED, JobStatus.FAILED})


@attrs.frozen
class UnitOfWorkJobReader:
    """Reads through a read-only unit of work."""

    uow_factory: UnitOfWorkFactory

    def get(self, job_id: int) -> Job | None:
        with self.uow_factory(read_only=True) as uow:
            return uow.jobs.get(job_id)


@attrs.define
class EndedJobCache:
    """Remembers, for ``seconds``, the detached jobs ``inner`` found finished or failed.

    Nothing changes a detached generation job once it has ended (a new request
    makes a new job), so the remembered job is the one the database holds; the
    time limit only bounds what an operator's hand edit could leave stale. Jobs
    still waiting or running, and jobs of submissions (which restart_validation
    can reopen), are always read from ``inner``. A client polling a finished
    job then costs no database round trip.
    """

    inner: JobReader
    seconds: float
    #: Seconds from any fixed point (tests pass their own).
    monotonic: Callable[[], float] = time.monotonic
    _jobs: dict[int, tuple[float, Job]] = attrs.field(factory=dict, init=False)
    _lock: threading.Lock = attrs.field(factory=threading.Lock, init=False)

    def get(self, job_id: int) -> Job | None:
        remembered = self._jobs.get(job_id)
        now = self.monotonic()
        if remembered is not None and remembered[0] > now:
            return copy.copy(remembered[1])  # the caller may change its copy, never the cache's
        job = self.inner.get(job_id)
        if job is not None and job.is_detached and job.status in _ENDED:
            with self._lock:
                self._jobs.pop(job_id, None)
                while len(self._jobs) >= MAX_CACHED_JOBS:
                    del self._jobs[next(iter(self._jobs))]
                self._jobs[job_id] = (now + self.seconds, copy.copy(job))
        return job

"""Production :class:`~broker_core.ports.JobQueue` on Redis with RQ (needs the ``[rq]`` extra).

Every task maps to one RQ job with a deterministic id (``broker-<kind>-<ref_id>``),
so a task is never queued twice at once: :meth:`RqJobQueue.enqueue` does nothing
while a live job with that id exists, and replaces a finished, failed, stopped,
canceled or orphaned one. The RQ job only says "go and look at row N"; the
database rows stay the truth, and the periodic sweep
(:meth:`broker_core.services.generation.GenerationService.sweep`) asks
:meth:`RqJobQueue.is_pending` before enqueueing an outstanding task again.

How a dead worker is recognised (RQ 3)
--------------------------------------
When a worker takes a job it records an *execution* (hash ``rq:execution:<job>:<id>``
with ``worker_name`` and ``last_heartbeat``) in the queue's StartedJobRegistry,
and the job's status becomes ``started``. While the forked work horse runs the
job, the worker's main process refreshes ``last_heartbeat`` of its own hash
(``rq:worker:<name>``) and of the execution every ``job_monitoring_interval``
seconds. RQ itself only gives up on such a job when the registry entry's score
runs out, at least ``job_monitoring_interval + 60`` s after the last heartbeat
(the 60 s are hard-coded), and only when some worker's maintenance
(``StartedJobRegistry.cleanup``, every ``maintenance_interval``) looks; the
worker hash likewise lives on for ``+ 60`` s after its process died.

:meth:`RqJobQueue.is_pending` therefore reads the heartbeats themselves: a
``started`` job is pending only if one of its executions belongs to a worker
whose hash still exists, has no ``death`` mark, and whose newest heartbeat
(worker's or execution's) is at most ``worker_ttl`` seconds old. Workers made
by :meth:`RqJobQueue.make_worker` beat every :func:`heartbeat_interval`
(``worker_ttl // 4``, at least 1 s) during a job, so a live worker never looks
dead and a SIGKILLed one reads as not pending ``worker_ttl`` seconds after its
last beat. Heartbeats carry the worker host's clock: hosts need synchronised
clocks (NTP), with skew well below ``worker_ttl``.

Worker objects are never built on this queue's connection: RQ's ``Worker``
raises the socket timeout of the connection pool it is given (for its blocking
pops), which would undo the fail-fast timeouts below.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import redis
from redis.backoff import ExponentialBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from redis.exceptions import WatchError
from redis.retry import Retry as RedisRetry
from rq import Queue, Retry, Worker
from rq.executions import Execution, ExecutionRegistry
from rq.job import Job, JobStatus
from rq.results import Result
from rq.utils import as_text, utcparse

from broker_core.queueing import Task

log = logging.getLogger(__name__)

#: RQ statuses of a job that is waiting for a worker (queued, or due later).
_WAITING = frozenset(
    {
        JobStatus.QUEUED.value,
        JobStatus.DEFERRED.value,
        JobStatus.SCHEDULED.value,
        JobStatus.READY_TO_ENQUEUE.value,
        JobStatus.RATE_LIMITED.value,
    }
)
#: WATCH conflicts tolerated by one enqueue: each means someone else just touched the job.
_ENQUEUE_ATTEMPTS = 10


class QueueUnavailable(RedisConnectionError):
    """Redis could not be reached (or answered too slowly): nothing was enqueued."""


def heartbeat_interval(worker_ttl: int) -> int:
    """Seconds between a busy worker's heartbeats: a quarter of ``worker_ttl``, at least 1."""
    return max(1, worker_ttl // 4)


def job_id_for(task: Task) -> str:
    """The RQ job id of a task; RQ ids must not contain ``:``."""
    return f"broker-{task.kind.value}-{task.ref_id}"


class RqJobQueue:
    """Enqueues tasks as RQ jobs calling ``task_function(kind, ref_id)`` in a worker.

    ``job_timeout``: seconds a job may run before the worker kills it.
    ``retries``/``retry_interval``: RQ retries of a job whose function raised
    (the interval needs a worker running RQ's scheduler, as ``broker worker`` does).
    ``worker_ttl``: seconds without a heartbeat after which a worker, and the
    job it was running, count as dead. ``connect_timeout``/``socket_timeout``:
    how long a call may wait for Redis before raising :class:`QueueUnavailable`.
    """

    def __init__(
        self,
        redis_url: str,
        *,
        queue_name: str = "broker",
        job_timeout: int = 3600,
        retries: int = 2,
        retry_interval: int = 10,
        task_function: str = "broker_entrypoints.worker.run_task",
        worker_ttl: int = 60,
        result_ttl: int = 3600,
        failure_ttl: int = 7 * 24 * 3600,
        connect_timeout: float = 2.0,
        socket_timeout: float = 5.0,
    ) -> None:
        if job_timeout < 1 or worker_ttl < 1:
            raise ValueError("job_timeout and worker_ttl must be at least 1 second")
        if retries < 0 or retry_interval < 0:
            raise ValueError("retries and retry_interval must not be negative")
        self.redis_url = redis_url
        self.queue_name = queue_name
        self.job_timeout = job_timeout
        self.retries = retries
        self.retry_interval = retry_interval
        self.task_function = task_function
        self.worker_ttl = worker_ttl
        self.result_ttl = result_ttl
        self.failure_ttl = failure_ttl
        self._connect_timeout = connect_timeout
        # One quick retry (on a fresh connection) covers a pooled connection
        # that died with a Redis restart; a Redis that is really down fails fast.
        self.redis = redis.Redis.from_url(
            redis_url,
            socket_connect_timeout=connect_timeout,
            socket_timeout=socket_timeout,
            retry=RedisRetry(ExponentialBackoff(cap=0.5, base=0.1), 1),
        )
        self.queue = Queue(queue_name, connection=self.redis, default_timeout=job_timeout)

    def __repr__(self) -> str:
        return f"RqJobQueue(queue_name={self.queue_name!r})"

    # ------------------------------------------------------------------ JobQueue

    def enqueue(self, task: Task) -> None:
        """Queue an RQ job for the task, unless a live one already exists (then do nothing)."""
        job_id = job_id_for(task)
        with self._unavailable_as_error():
            for _ in range(_ENQUEUE_ATTEMPTS):
                with self.redis.pipeline() as pipe:
                    try:
                        # WATCH the job hash: if anyone (another enqueuer, a worker)
                        # changes it between the check and EXEC, start over.
                        pipe.watch(Job.key_for(job_id))
                        if self._is_live(pipe, job_id):
                            log.debug("%s is already queued or running", task)
                            return
                        stale = self._started_entries(pipe, job_id)
                        pipe.multi()
                        self._forget(pipe, job_id, stale)
                        self.queue.enqueue_job(self._new_job(task, job_id), pipeline=pipe)
                        pipe.execute()
                        return
                    except WatchError:
                        continue
        log.info("%s kept changing while being enqueued; leaving it to whoever changes it", task)

    def is_pending(self, task: Task) -> bool:
        """True if RQ holds a live job for the task: waiting, or started by a worker that still beats."""
        with self._unavailable_as_error():
            return self._is_live(self.redis, job_id_for(task))

    # ------------------------------------------------------------------ workers

    def make_worker(
        self, *, name: str | None = None, worker_class: type[Worker] = Worker, **kwargs: Any
    ) -> Worker:
        """An RQ worker on this queue whose heartbeats match ``worker_ttl`` (see :meth:`is_pending`).

        It gets a connection of its own: RQ raises the socket timeout of the
        connection it is given to cover its blocking pops.
        """
        connection = redis.Redis.from_url(
            self.redis_url, socket_connect_timeout=self._connect_timeout, health_check_interval=30
        )
        kwargs.setdefault("maintenance_interval", 60)
        return worker_class(
            [self.queue_name],
            name=name,
            connection=connection,
            worker_ttl=self.worker_ttl,
            job_monitoring_interval=heartbeat_interval(self.worker_ttl),
            **kwargs,
        )

    def close(self) -> None:
        self.redis.close()

    # ------------------------------------------------------------------ helpers

    def _new_job(self, task: Task, job_id: str) -> Job:
        return self.queue.create_job(
            self.task_function,
            args=(task.kind.value, task.ref_id),
            timeout=self.job_timeout,
            result_ttl=self.result_ttl,
            failure_ttl=self.failure_ttl,
            description=f"{task.kind.value} {task.ref_id}",
            job_id=job_id,
            retry=Retry(max=self.retries, interval=self.retry_interval) if self.retries else None,
        )

    def _is_live(self, conn: Any, job_id: str) -> bool:
        """``conn``: the client, or a pipeline in immediate (WATCH) mode."""
        status = conn.hget(Job.key_for(job_id), "status")
        if status is None:
            return False
        status = as_text(status)
        if status in _WAITING:
            return True
        if status != JobStatus.STARTED.value:
            return False  # finished, failed, stopped, canceled
        return any(self._execution_is_alive(conn, entry) for entry in self._started_entries(conn, job_id))

    def _started_entries(self, conn: Any, job_id: str) -> list[str]:
        """The job's entries (``<job_id>:<execution_id>``) in the StartedJobRegistry."""
        prefix = f"{job_id}:"
        entries = (as_text(e) for e in conn.zrange(self.queue.started_job_registry.key, 0, -1))
        return [e for e in entries if e.startswith(prefix)]

    def _execution_is_alive(self, conn: Any, entry: str) -> bool:
        execution = conn.hgetall(Execution.from_composite_key(entry, self.redis).key)
        worker_name = as_text(execution.get(b"worker_name", b""))
        if not execution or not worker_name:
            return False  # the execution's own TTL ran out, or nobody claims it
        worker = conn.hgetall(Worker.redis_worker_namespace_prefix + worker_name)
        if not worker or b"death" in worker:
            return False  # the worker's hash expired, or it shut down
        beats = [float(execution.get(b"last_heartbeat") or 0)]
        if worker.get(b"last_heartbeat"):
            beats.append(utcparse(as_text(worker[b"last_heartbeat"])).timestamp())
        return time.time() - max(beats) <= self.worker_ttl

    def _forget(self, pipe: Any, job_id: str, started_entries: list[str]) -> None:
        """Queue (in MULTI) the removal of every trace of an old, dead job with this id.

        Without it, RQ's own clean-up of the old StartedJobRegistry entry would
        later find the *new* job under the same id and count it as abandoned.
        """
        pipe.delete(Job.key_for(job_id), Job.dependents_key_for(job_id), Result.get_key(job_id))
        pipe.delete(ExecutionRegistry(job_id=job_id, connection=self.redis).key)
        if started_entries:
            pipe.zrem(self.queue.started_job_registry.key, *started_entries)
            for entry in started_entries:
                pipe.delete(Execution.from_composite_key(entry, self.redis).key)
        for registry in (
            self.queue.finished_job_registry,
            self.queue.failed_job_registry,
            self.queue.canceled_job_registry,
            self.queue.scheduled_job_registry,
            self.queue.deferred_job_registry,
        ):
            pipe.zrem(registry.key, job_id)
        pipe.lrem(self.queue.key, 0, job_id)

    @contextmanager
    def _unavailable_as_error(self) -> Iterator[None]:
        try:
            yield
        except (RedisConnectionError, RedisTimeoutError) as exc:
            if isinstance(exc, QueueUnavailable):
                raise
            raise QueueUnavailable(f"the job queue (Redis) is unavailable: {exc}") from exc

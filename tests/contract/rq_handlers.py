"""Task handlers of the job-queue contract, and the worker side of its RQ harness.

A handler is ``handler(task, sink)``: the sink records what the handler did
(and lets it enqueue follow-ups or ask whether its own task is pending). The
in-process harness calls handlers directly with a sink in the test process. The
RQ harness runs a real RQ worker in a subprocess (:func:`serve`), whose jobs
call the ``rq_<handler>`` functions below with a sink that writes to Redis,
under keys named after the job's queue (each test has its own queue).
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable
from typing import Protocol

import redis
from rq import get_current_job

from broker_adapters.rq_queue import RqJobQueue
from broker_core.queueing import Task, TaskKind

#: Environment variable giving the worker subprocess the Redis URL (for follow-up enqueues).
REDIS_URL_ENV = "BROKER_TEST_REDIS_URL"
#: How long ``slow_first_time`` sleeps on its first attempt: longer than any test waits.
FIRST_ATTEMPT_SLEEP = 60.0


class Sink(Protocol):
    def record(self, task: Task) -> None: ...

    def enqueue(self, task: Task) -> None: ...

    def is_pending(self, task: Task) -> bool: ...

    def started(self, task: Task) -> int:
        """Note that the handler started (and in which process); returns the attempt number, from 1."""
        ...


Handler = Callable[[Task, Sink], None]


# --------------------------------------------------------------------------- handlers


def record(task: Task, sink: Sink) -> None:
    sink.record(task)


def fail_every_third(task: Task, sink: Sink) -> None:
    sink.record(task)
    if task.ref_id % 3 == 0:
        raise RuntimeError(f"task {task.ref_id} blew up")


def follow_up_to_five(task: Task, sink: Sink) -> None:
    sink.record(task)
    if task.ref_id < 5:
        sink.enqueue(Task(TaskKind.GENERATE_D_FILE, task.ref_id + 1))


def pending_while_running(task: Task, sink: Sink) -> None:
    if not sink.is_pending(task):
        raise AssertionError(f"{task} is not pending while its handler runs")
    sink.record(task)


def slow_first_time(task: Task, sink: Sink) -> None:
    """Hangs on the first attempt (until the test kills its worker); later attempts finish at once."""
    if sink.started(task) == 1:
        time.sleep(FIRST_ATTEMPT_SLEEP)
    sink.record(task)


HANDLERS: dict[str, Handler] = {
    h.__name__: h
    for h in (record, fail_every_third, follow_up_to_five, pending_while_running, slow_first_time)
}


# --------------------------------------------------------------------------- RQ side


def task_function(handler_name: str) -> str:
    """Dotted path of the RQ task function running ``handler_name``."""
    return f"{__name__}.rq_{handler_name}"


def handled_key(queue_name: str) -> str:
    return f"test:{queue_name}:handled"


def pids_key(queue_name: str) -> str:
    return f"test:{queue_name}:pids"


def attempts_key(queue_name: str, task: Task) -> str:
    return f"test:{queue_name}:attempts:{task.kind.value}:{task.ref_id}"


def encode(task: Task) -> str:
    return f"{task.kind.value}:{task.ref_id}"


def decode(raw: bytes | str) -> Task:
    text = raw.decode() if isinstance(raw, bytes) else raw
    kind, ref_id = text.rsplit(":", 1)
    return Task(TaskKind(kind), int(ref_id))


class RedisSink:
    """The sink of a handler running inside an RQ job."""

    def __init__(self) -> None:
        job = get_current_job()
        assert job is not None, "not inside an RQ job"
        self.redis: redis.Redis = job.connection
        self.queue_name = job.origin
        self.func_name = job.func_name

    def _queue(self) -> RqJobQueue:
        return RqJobQueue(
            os.environ[REDIS_URL_ENV], queue_name=self.queue_name, task_function=self.func_name, retries=0
        )

    def record(self, task: Task) -> None:
        self.redis.rpush(handled_key(self.queue_name), encode(task))

    def enqueue(self, task: Task) -> None:
        self._queue().enqueue(task)

    def is_pending(self, task: Task) -> bool:
        return self._queue().is_pending(task)

    def started(self, task: Task) -> int:
        self.redis.rpush(pids_key(self.queue_name), os.getpid())
        return int(self.redis.incr(attempts_key(self.queue_name, task)))


def _rq_entry(handler: Handler) -> Callable[[str, int], None]:
    def entry(kind: str, ref_id: int) -> None:
        handler(Task(TaskKind(kind), ref_id), RedisSink())

    entry.__name__ = entry.__qualname__ = f"rq_{handler.__name__}"
    return entry


rq_record = _rq_entry(record)
rq_fail_every_third = _rq_entry(fail_every_third)
rq_follow_up_to_five = _rq_entry(follow_up_to_five)
rq_pending_while_running = _rq_entry(pending_while_running)
rq_slow_first_time = _rq_entry(slow_first_time)


def serve(argv: list[str] | None = None) -> None:
    """Worker subprocess: ``serve(["REDIS_URL", "QUEUE", "WORKER_TTL"])`` runs an RQ worker until killed.

    The worker comes from :meth:`RqJobQueue.make_worker`, as in production, so
    its heartbeats are the ones ``is_pending`` relies on.
    """
    url, queue_name, worker_ttl = argv if argv is not None else sys.argv[1:]
    queue = RqJobQueue(url, queue_name=queue_name, worker_ttl=int(worker_ttl))
    queue.make_worker().work(logging_level="WARNING")

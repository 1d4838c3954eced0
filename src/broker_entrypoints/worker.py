"""The RQ worker side: ``broker worker`` runs :func:`run_worker`; RQ calls :func:`run_task` for each job.

A worker is RQ's forking ``Worker``: each job runs in a forked work horse, so a
job that exceeds its timeout can be killed without killing the worker. The
worker also runs the broker's sweep (:meth:`GenerationService.sweep`) at start
and then every ``sweep_interval`` seconds, which enqueues again whatever the
database says is outstanding and RQ no longer holds: tasks whose enqueue failed
while Redis was down, and tasks whose worker died.
"""

from __future__ import annotations

import logging
import math
import os
import threading
import time
from collections.abc import Callable
from typing import Any

from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from rq import Worker

from broker_adapters.rq_queue import RqJobQueue
from broker_core.queueing import Task, TaskKind
from broker_entrypoints.bootstrap import Broker, bootstrap
from broker_entrypoints.config import Config, load_config

log = logging.getLogger(__name__)

_broker: Broker | None = None
_broker_pid: int | None = None
_broker_lock = threading.Lock()


def process_broker() -> Broker:
    """The process-wide :class:`Broker` of this worker, built on first use from the environment.

    A work horse forked from a worker that already built it reuses it, with
    fresh database connections: connections must never be shared across a fork.
    """
    global _broker, _broker_pid
    with _broker_lock:
        if _broker is None:
            _broker = bootstrap(load_config(), queue_mode="inline", migrate=False)
            _broker_pid = os.getpid()
        elif _broker_pid != os.getpid():
            _broker.engine.dispose(close=False)  # leave the parent's connections to the parent
            _broker_pid = os.getpid()
        return _broker


def _install_broker(broker: Broker | None) -> None:
    global _broker, _broker_pid
    with _broker_lock:
        _broker, _broker_pid = broker, os.getpid()


def run_task(kind: str, ref_id: int) -> None:
    """What every RQ job of the broker calls (see :class:`broker_adapters.rq_queue.RqJobQueue`)."""
    process_broker().tasks.run(Task(TaskKind(kind), ref_id))


class SweepingWorker(Worker):
    """RQ's forking worker that also runs a sweep every ``sweep_interval`` seconds, at start first.

    The sweep is one of the worker's *maintenance tasks* (RQ's hook, run by the
    main process between jobs and while waiting for one) rather than a thread:

    * RQ forks a work horse for every job. A thread of ours busy with the
      database or Redis at the moment of a fork could leave locks held in the
      child; running the sweep in the main loop means it is never in flight
      during a fork.
    * Nothing is lost by not sweeping while this worker runs a job: what a
      sweep enqueues can only be run by an idle worker, and an idle worker
      sweeps itself (and a busy one sweeps again before taking its next job).
    * ``--burst`` gets its sweep at start for free: RQ runs maintenance before
      the first dequeue.

    While idle the worker blocks on Redis for at most ``sweep_interval``
    seconds, so sweeps keep their pace. A sweep never raises (the ``sweep``
    callable logs its own errors).
    """

    def __init__(self, *args: Any, sweep: Callable[[], object], sweep_interval: float, **kwargs: Any) -> None:
        if sweep_interval <= 0:
            raise ValueError("sweep_interval must be positive")
        # Set before RQ's __init__, which reads dequeue_timeout.
        self._sweep = sweep
        self._sweep_interval = sweep_interval
        self._last_sweep: float | None = None
        super().__init__(*args, **kwargs)

    def _sweep_due(self) -> bool:
        return self._last_sweep is None or time.monotonic() - self._last_sweep >= self._sweep_interval

    @property
    def should_run_maintenance_tasks(self) -> bool:
        return bool(super().should_run_maintenance_tasks) or self._sweep_due()

    def run_maintenance_tasks(self) -> None:
        if super().should_run_maintenance_tasks:
            try:
                super().run_maintenance_tasks()
            except (RedisConnectionError, RedisTimeoutError) as exc:
                # RQ would let this end the worker; Redis coming back is the usual case.
                self.log.warning("Worker %s: RQ maintenance failed, Redis unavailable: %s", self.name, exc)
        if self._sweep_due():
            self._last_sweep = time.monotonic()
            self._sweep()

    @property
    def dequeue_timeout(self) -> int:
        return max(1, min(super().dequeue_timeout, math.ceil(self._sweep_interval)))


def sweep_once(broker: Broker) -> int | None:
    """Run one sweep and return how many tasks it enqueued; None if it failed (logged)."""
    try:
        count = broker.tasks.sweep()
    except Exception:  # Redis or the database down: the next sweep tries again
        log.exception("sweep failed; outstanding jobs wait for the next one")
        return None
    if count:
        log.info("sweep: re-enqueued %d outstanding job(s)", count)
    return count


def rq_queue_of(broker: Broker) -> RqJobQueue:
    if not isinstance(broker.queue, RqJobQueue):
        raise ValueError(
            f"BROKER_QUEUE_URL={broker.config.queue_url!r}: a worker needs a Redis queue (redis://host:port/db)"
        )
    return broker.queue


def run_worker(
    config: Config, *, burst: bool = False, sweep_interval: float = 30.0, name: str | None = None
) -> None:
    """Run an RQ worker on the configured queue until it is stopped (or, with ``burst``, idle).

    SIGTERM/SIGINT stop it warmly (the running job finishes first), as in RQ.
    """
    broker = bootstrap(config, queue_mode="inline", migrate=False)
    try:
        queue = rq_queue_of(broker)
        _install_broker(broker)  # work horses forked from this process run their tasks with it
        worker = queue.make_worker(
            name=name,
            worker_class=SweepingWorker,
            sweep=lambda: sweep_once(broker),
            sweep_interval=sweep_interval,
        )
        # The scheduler moves retries (Retry with an interval) back onto the queue.
        worker.work(burst=burst, with_scheduler=True)
    finally:
        _install_broker(None)
        broker.close()

"""Contract of :class:`broker_core.ports.JobQueue`, run against every queue adapter.

Each test asks a harness (``make_harness``) for a queue serving one of the
handlers of :mod:`tests.contract.rq_handlers`, and reads back what the handler
did. In-process adapters run the handler in the test process; the ``rq``
harness runs real RQ workers in subprocesses against the session's Redis.
To add an adapter, add its name to ``QUEUE_ADAPTERS`` and a harness class.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Protocol

import psutil
import pytest
import redis
from rq.job import Job

from broker_adapters.inprocess_queue import InlineQueue, InProcessQueue
from broker_adapters.rq_queue import QueueUnavailable, RqJobQueue, job_id_for
from broker_core.queueing import Task, TaskKind
from tests.contract import rq_handlers
from tests.servers import RedisServer

QUEUE_ADAPTERS = ["inprocess", "inline", "rq"]
TIMEOUT = 10.0
REPO_ROOT = Path(__file__).resolve().parents[2]
#: Heartbeat TTL of the RQ test workers: a killed worker's job stops being pending after this.
RQ_WORKER_TTL = 3

Handler = Callable[[Task], None]


class Harness(Protocol):
    queue: InProcessQueue | InlineQueue | RqJobQueue

    def handled(self) -> list[Task]:
        """Tasks whose handler ran (recorded by the handler), in order."""

    def failed(self) -> list[int]:
        """``ref_id`` of each task whose handler raised, sorted."""

    def join_idle(self, timeout: float) -> bool: ...

    def close(self) -> None: ...


class LocalHarness:
    """``inprocess`` (one worker thread) or ``inline``: handlers run in the test process."""

    def __init__(self, adapter: str, handler_name: str) -> None:
        handler = rq_handlers.HANDLERS[handler_name]
        self._handled: list[Task] = []
        self._failed: list[int] = []

        def run(task: Task) -> None:
            try:
                handler(task, self)
            except Exception:
                self._failed.append(task.ref_id)
                raise

        if adapter == "inprocess":
            self.queue: InProcessQueue | InlineQueue = InProcessQueue(run)
            self.queue.start()
        elif adapter == "inline":
            self.queue = InlineQueue(run)
        else:
            raise ValueError(adapter)

    # the sink handed to handlers
    def record(self, task: Task) -> None:
        self._handled.append(task)

    def enqueue(self, task: Task) -> None:
        self.queue.enqueue(task)

    def is_pending(self, task: Task) -> bool:
        return self.queue.is_pending(task)

    def started(self, task: Task) -> int:
        return 1

    # the harness
    def handled(self) -> list[Task]:
        return list(self._handled)

    def failed(self) -> list[int]:
        return sorted(self._failed)

    def join_idle(self, timeout: float) -> bool:
        return self.queue.join_idle(timeout)

    def close(self) -> None:
        if isinstance(self.queue, InProcessQueue):
            assert self.queue.stop(timeout=TIMEOUT)


class RqHarness:
    """A fresh RQ queue on the session's Redis, served by worker subprocesses (:func:`rq_handlers.serve`)."""

    def __init__(
        self,
        server: RedisServer,
        handler_name: str,
        *,
        workers: int = 1,
        retries: int = 0,
        worker_ttl: int = RQ_WORKER_TTL,
    ) -> None:
        self.server = server
        self.queue_name = f"contract-{uuid.uuid4().hex[:10]}"
        self.worker_ttl = worker_ttl
        self.queue = RqJobQueue(
            server.url,
            queue_name=self.queue_name,
            task_function=rq_handlers.task_function(handler_name),
            retries=retries,
            retry_interval=0,
            worker_ttl=worker_ttl,
        )
        self.redis = redis.Redis.from_url(server.url, socket_timeout=5)
        self.processes: list[subprocess.Popen[bytes]] = []
        for _ in range(workers):
            self.start_worker()

    def start_worker(self) -> subprocess.Popen[bytes]:
        env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(REPO_ROOT), os.environ.get("PYTHONPATH", "")]))
        env[rq_handlers.REDIS_URL_ENV] = self.server.url
        process = subprocess.Popen(
            [sys.executable, "-c", "from tests.contract.rq_handlers import serve; serve()",
             self.server.url, self.queue_name, str(self.worker_ttl)],
            cwd=REPO_ROOT,
            env=env,
        )  # fmt: skip
        self.processes.append(process)
        return process

    def handled(self) -> list[Task]:
        return [
            rq_handlers.decode(raw)
            for raw in self.redis.lrange(rq_handlers.handled_key(self.queue_name), 0, -1)
        ]

    def failed(self) -> list[int]:
        ids = self.queue.queue.failed_job_registry.get_job_ids(cleanup=False)
        return sorted(int(job_id.rsplit("-", 1)[1]) for job_id in ids)

    def horse_pids(self) -> list[int]:
        return [int(pid) for pid in self.redis.lrange(rq_handlers.pids_key(self.queue_name), 0, -1)]

    def is_idle(self) -> bool:
        """Nothing queued, being dequeued, running or scheduled, read in one atomic snapshot."""
        q = self.queue.queue
        with self.redis.pipeline(transaction=True) as pipe:
            pipe.llen(q.key)
            pipe.llen(q.intermediate_queue_key)
            pipe.zcard(q.started_job_registry.key)
            pipe.zcard(q.scheduled_job_registry.key)
            return not any(pipe.execute())

    def join_idle(self, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while not self.is_idle():
            if time.monotonic() >= deadline:
                return False
            time.sleep(0.02)
        return True

    def kill(self, process: subprocess.Popen[bytes]) -> None:
        """SIGKILL a worker and every process it started, like a machine dying."""
        with_children = [process.pid]
        with contextlib.suppress(psutil.NoSuchProcess):
            with_children += [child.pid for child in psutil.Process(process.pid).children(recursive=True)]
        for pid in [*with_children, *self.horse_pids()]:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        process.wait(TIMEOUT)

    def close(self) -> None:
        for process in self.processes:
            self.kill(process)
        self.queue.close()
        self.redis.close()


MakeHarness = Callable[..., Harness]


@pytest.fixture(params=QUEUE_ADAPTERS)
def make_harness(request: pytest.FixtureRequest) -> Iterator[MakeHarness]:
    made: list[Harness] = []

    def make(handler_name: str) -> Harness:
        harness: Harness
        if request.param == "rq":
            harness = RqHarness(request.getfixturevalue("redis_server"), handler_name)
        else:
            harness = LocalHarness(request.param, handler_name)
        made.append(harness)
        return harness

    yield make
    for harness in made:
        harness.close()


def _tasks(n: int) -> list[Task]:
    kinds = [TaskKind.GENERATE_D_FILE, TaskKind.GENERATE_A_FILE]
    return [Task(kinds[i % 2], i) for i in range(n)]


# --------------------------------------------------------------------------- contract


def test_every_task_is_handled_once_in_order(make_harness: MakeHarness) -> None:
    harness = make_harness("record")
    tasks = _tasks(200)

    for task in tasks:
        harness.queue.enqueue(task)

    assert harness.join_idle(TIMEOUT)
    assert harness.handled() == tasks
    assert harness.failed() == []


def test_join_idle_on_an_empty_queue(make_harness: MakeHarness) -> None:
    harness = make_harness("record")
    assert harness.join_idle(0.5)
    assert harness.join_idle(0)


def test_a_raising_handler_does_not_stop_the_work(make_harness: MakeHarness) -> None:
    harness = make_harness("fail_every_third")
    for task in _tasks(10):
        harness.queue.enqueue(task)  # never raises the handler's error
    assert harness.join_idle(TIMEOUT)

    assert [t.ref_id for t in harness.handled()] == list(range(10))
    assert harness.failed() == [0, 3, 6, 9]

    harness.queue.enqueue(Task(TaskKind.GENERATE_A_FILE, 100))  # still serving
    assert harness.join_idle(TIMEOUT)
    assert harness.handled()[-1].ref_id == 100


def test_a_handler_may_enqueue_follow_up_tasks(make_harness: MakeHarness) -> None:
    harness = make_harness("follow_up_to_five")
    harness.queue.enqueue(Task(TaskKind.GENERATE_D_FILE, 0))

    assert harness.join_idle(TIMEOUT)  # idle only once the follow-ups are done too
    assert [t.ref_id for t in harness.handled()] == [0, 1, 2, 3, 4, 5]


def test_a_task_is_pending_while_it_runs_and_not_once_done(make_harness: MakeHarness) -> None:
    harness = make_harness("pending_while_running")  # the handler checks is_pending itself
    tasks = _tasks(6)
    assert not any(harness.queue.is_pending(task) for task in tasks)  # never enqueued

    for task in tasks:
        harness.queue.enqueue(task)
    assert harness.join_idle(TIMEOUT)

    assert harness.failed() == []
    assert harness.handled() == tasks
    assert not any(harness.queue.is_pending(task) for task in tasks)


def test_a_failed_task_is_not_pending(make_harness: MakeHarness) -> None:
    harness = make_harness("fail_every_third")
    task = Task(TaskKind.GENERATE_D_FILE, 3)
    harness.queue.enqueue(task)
    assert harness.join_idle(TIMEOUT)
    assert harness.failed() == [3]
    assert not harness.queue.is_pending(task)


# --------------------------------------------------------------------------- RQ specifics


@pytest.fixture
def rq_harness(redis_server: RedisServer) -> Iterator[Callable[..., RqHarness]]:
    made: list[RqHarness] = []

    def make(handler_name: str, **kwargs: int) -> RqHarness:
        harness = RqHarness(redis_server, handler_name, **kwargs)
        made.append(harness)
        return harness

    yield make
    for harness in made:
        harness.close()


def _wait_for(condition: Callable[[], bool], timeout: float = TIMEOUT) -> bool:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.05)
    return True


def test_rq_a_task_queued_twice_runs_once_and_runs_again_once_done(rq_harness) -> None:
    harness = rq_harness("record", workers=0)
    task = Task(TaskKind.GENERATE_D_FILE, 42)

    harness.queue.enqueue(task)
    harness.queue.enqueue(task)  # still queued: nothing happens
    assert harness.queue.is_pending(task)
    assert harness.queue.queue.get_job_ids() == ["broker-generate_d_file-42"]

    job = Job.fetch(job_id_for(task), connection=harness.redis)
    assert (job.func_name, job.args) == (rq_handlers.task_function("record"), ("generate_d_file", 42))
    assert job.timeout == harness.queue.job_timeout
    assert (job.result_ttl, job.failure_ttl) == (harness.queue.result_ttl, harness.queue.failure_ttl)

    harness.start_worker()
    assert harness.join_idle(TIMEOUT)
    assert harness.handled() == [task]
    assert not harness.queue.is_pending(task)

    harness.queue.enqueue(task)  # finished: a new enqueue replaces the old job and runs again
    assert harness.join_idle(TIMEOUT)
    assert harness.handled() == [task, task]
    assert harness.queue.queue.finished_job_registry.get_job_ids() == [job_id_for(task)]


def test_rq_a_failing_task_is_retried(rq_harness) -> None:
    harness = rq_harness("fail_every_third", retries=2)
    harness.queue.enqueue(Task(TaskKind.GENERATE_D_FILE, 3))
    harness.queue.enqueue(Task(TaskKind.GENERATE_D_FILE, 4))
    assert harness.join_idle(TIMEOUT)
    assert Counter(t.ref_id for t in harness.handled()) == {3: 3, 4: 1}  # 1 run + 2 retries
    assert harness.failed() == [3]


def test_rq_the_task_of_a_killed_worker_stops_being_pending_and_runs_again(rq_harness) -> None:
    harness = rq_harness("slow_first_time")
    task = Task(TaskKind.GENERATE_A_FILE, 7)
    harness.queue.enqueue(task)
    assert _wait_for(lambda: len(harness.horse_pids()) == 1)  # the handler is running (and hangs)

    # A live worker keeps the task pending for longer than the heartbeat TTL.
    until = time.monotonic() + RQ_WORKER_TTL + 1.5
    while time.monotonic() < until:
        assert harness.queue.is_pending(task)
        time.sleep(0.1)

    harness.kill(harness.processes[0])
    killed_at = time.monotonic()
    assert _wait_for(lambda: not harness.queue.is_pending(task), RQ_WORKER_TTL + 5)
    assert time.monotonic() - killed_at <= RQ_WORKER_TTL + 2
    assert (
        Job.fetch(job_id_for(task), connection=harness.redis).get_status() == "started"
    )  # RQ has not noticed

    harness.queue.enqueue(task)  # replaces the orphaned job
    assert harness.queue.is_pending(task)
    harness.start_worker()
    assert harness.join_idle(TIMEOUT)
    assert harness.handled() == [task]  # the second attempt finished
    assert not harness.queue.is_pending(task)
    assert harness.queue.queue.started_job_registry.get_job_ids(cleanup=False) == []


def test_rq_enqueue_fails_fast_while_redis_is_down(rq_harness, redis_server: RedisServer) -> None:
    harness = rq_harness("record")
    task = Task(TaskKind.GENERATE_D_FILE, 1)
    redis_server.stop()
    try:
        started = time.monotonic()
        with pytest.raises(QueueUnavailable) as caught:
            harness.queue.enqueue(task)
        assert time.monotonic() - started < 10
        assert isinstance(caught.value, redis.exceptions.ConnectionError)
        started = time.monotonic()
        with pytest.raises(QueueUnavailable):
            harness.queue.is_pending(task)
        assert time.monotonic() - started < 10
    finally:
        redis_server.start()

    harness.queue.enqueue(task)  # the same queue object works again once Redis is back
    assert harness.queue.is_pending(task) or harness.handled() == [task]


# --------------------------------------------------------------------------- InProcessQueue specifics


@pytest.mark.parametrize("adapter", ["inprocess", "inline"])
def test_a_raising_handler_is_logged(adapter: str, caplog: pytest.LogCaptureFixture) -> None:
    harness = LocalHarness(adapter, "fail_every_third")
    try:
        with caplog.at_level(logging.ERROR, logger="broker_adapters.inprocess_queue"):
            for task in _tasks(10):
                harness.queue.enqueue(task)
            assert harness.join_idle(TIMEOUT)
    finally:
        harness.close()
    failures = [r for r in caplog.records if r.name == "broker_adapters.inprocess_queue"]
    assert len(failures) == 4  # tasks 0, 3, 6, 9
    assert all(r.exc_info and isinstance(r.exc_info[1], RuntimeError) for r in failures)


def test_inprocess_is_pending_while_queued_before_start() -> None:
    queue = InProcessQueue(lambda task: None)
    task = Task(TaskKind.GENERATE_D_FILE, 1)
    queue.enqueue(task)
    assert queue.is_pending(task)
    assert not queue.is_pending(Task(TaskKind.GENERATE_A_FILE, 1))
    queue.start()
    try:
        assert queue.join_idle(TIMEOUT)
        assert not queue.is_pending(task)
    finally:
        assert queue.stop(timeout=TIMEOUT)


def test_join_idle_waits_for_the_running_task() -> None:
    release = threading.Event()
    started = threading.Event()
    done: list[Task] = []

    def handler(task: Task) -> None:
        started.set()
        assert release.wait(TIMEOUT)
        done.append(task)

    queue = InProcessQueue(handler)
    queue.start()
    try:
        queue.enqueue(Task(TaskKind.GENERATE_D_FILE, 1))
        queue.enqueue(Task(TaskKind.GENERATE_D_FILE, 2))
        assert started.wait(TIMEOUT)
        assert not queue.join_idle(0.1)
        release.set()
        assert queue.join_idle(TIMEOUT)
        assert [t.ref_id for t in done] == [1, 2]
    finally:
        release.set()
        assert queue.stop(timeout=TIMEOUT)


def test_tasks_enqueued_before_start_wait_for_it() -> None:
    handled: list[Task] = []
    queue = InProcessQueue(handled.append)
    tasks = _tasks(5)
    for task in tasks:
        queue.enqueue(task)

    assert not queue.join_idle(0.1)
    assert handled == []

    queue.start()
    queue.start()  # idempotent
    try:
        assert queue.join_idle(TIMEOUT)
        assert handled == tasks
    finally:
        assert queue.stop(timeout=TIMEOUT)


def test_several_workers_handle_each_task_exactly_once() -> None:
    counts: Counter[int] = Counter()
    lock = threading.Lock()
    threads: set[str] = set()
    barrier = threading.Barrier(4, timeout=TIMEOUT)

    def handler(task: Task) -> None:
        if task.ref_id < 4:
            barrier.wait()  # the first four tasks run at the same time, one per worker
        with lock:
            counts[task.ref_id] += 1
            threads.add(threading.current_thread().name)

    queue = InProcessQueue(handler, workers=4)
    queue.start()
    try:
        for task in _tasks(500):
            queue.enqueue(task)
        assert queue.join_idle(TIMEOUT)
    finally:
        assert queue.stop(timeout=TIMEOUT)

    assert counts == Counter(range(500))
    assert len(threads) == 4


def test_workers_are_daemon_threads() -> None:
    names: list[tuple[str, bool]] = []

    def handler(task: Task) -> None:
        thread = threading.current_thread()
        names.append((thread.name, thread.daemon))

    queue = InProcessQueue(handler, workers=2)
    queue.start()
    try:
        queue.enqueue(Task(TaskKind.GENERATE_D_FILE, 1))
        assert queue.join_idle(TIMEOUT)
    finally:
        assert queue.stop(timeout=TIMEOUT)
    ((name, daemon),) = names
    assert daemon and name != threading.main_thread().name


def test_stop_drains_the_queue_then_refuses_new_tasks() -> None:
    handled: list[Task] = []
    queue = InProcessQueue(handled.append)
    queue.start()
    tasks = _tasks(50)
    for task in tasks:
        queue.enqueue(task)

    assert queue.stop(timeout=TIMEOUT)

    assert handled == tasks
    assert not queue.running
    assert queue.join_idle(0)
    with pytest.raises(RuntimeError):
        queue.enqueue(Task(TaskKind.GENERATE_D_FILE, 99))
    assert queue.stop(timeout=TIMEOUT)  # stopping twice is fine


def test_stop_without_draining_drops_queued_tasks() -> None:
    release = threading.Event()
    started = threading.Event()
    handled: list[int] = []

    def handler(task: Task) -> None:
        started.set()
        assert release.wait(TIMEOUT)
        handled.append(task.ref_id)

    queue = InProcessQueue(handler)
    queue.start()
    for task in _tasks(10):
        queue.enqueue(task)
    assert started.wait(TIMEOUT)

    stopper = threading.Thread(target=queue.stop, kwargs={"timeout": TIMEOUT, "drain": False})
    stopper.start()
    deadline = time.monotonic() + TIMEOUT
    while not queue.closed and time.monotonic() < deadline:
        time.sleep(0.005)
    release.set()
    stopper.join(TIMEOUT)

    assert handled == [0]  # the running task finishes, the queued ones are dropped
    assert not queue.running
    assert queue.join_idle(0)


def test_restart_after_stop() -> None:
    handled: list[int] = []
    queue = InProcessQueue(lambda task: handled.append(task.ref_id), workers=2)
    queue.start()
    assert queue.stop(timeout=TIMEOUT)
    assert queue.stop(timeout=TIMEOUT)

    queue.start()
    try:
        for task in _tasks(20):
            queue.enqueue(task)
        assert queue.join_idle(TIMEOUT)
    finally:
        assert queue.stop(timeout=TIMEOUT)
    assert sorted(handled) == list(range(20))


def test_stop_with_a_stuck_task_times_out() -> None:
    release = threading.Event()
    started = threading.Event()

    def handler(task: Task) -> None:
        started.set()
        release.wait(TIMEOUT)

    queue = InProcessQueue(handler)
    queue.start()
    queue.enqueue(Task(TaskKind.GENERATE_D_FILE, 1))
    assert started.wait(TIMEOUT)
    try:
        assert not queue.stop(timeout=0.1)
        assert queue.running
    finally:
        release.set()
    assert queue.stop(timeout=TIMEOUT)
    assert not queue.running


def test_workers_must_be_positive() -> None:
    with pytest.raises(ValueError):
        InProcessQueue(lambda task: None, workers=0)

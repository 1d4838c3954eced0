"""Contract of :class:`broker_core.ports.JobQueue`, run against every queue adapter.

To add an adapter, add its name to ``QUEUE_ADAPTERS`` and a branch to
:func:`_build` (start it there, and stop it in ``_shutdown``).
"""

from __future__ import annotations

import logging
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator

import pytest

from broker_adapters.inprocess_queue import InlineQueue, InProcessQueue
from broker_core.queueing import Task, TaskKind

QUEUE_ADAPTERS = ["inprocess", "inline"]
TIMEOUT = 10.0

Handler = Callable[[Task], None]
AnyQueue = InProcessQueue | InlineQueue
MakeQueue = Callable[[Handler], AnyQueue]


def _build(name: str, handler: Handler) -> AnyQueue:
    if name == "inprocess":
        queue = InProcessQueue(handler)
        queue.start()
        return queue
    if name == "inline":
        return InlineQueue(handler)
    raise ValueError(name)


def _shutdown(queue: AnyQueue) -> None:
    if isinstance(queue, InProcessQueue):
        assert queue.stop(timeout=TIMEOUT)


@pytest.fixture(params=QUEUE_ADAPTERS)
def make_queue(request: pytest.FixtureRequest) -> Iterator[MakeQueue]:
    made: list[AnyQueue] = []

    def make(handler: Handler) -> AnyQueue:
        queue = _build(request.param, handler)
        made.append(queue)
        return queue

    yield make
    for queue in made:
        _shutdown(queue)


def _tasks(n: int) -> list[Task]:
    kinds = [TaskKind.GENERATE_D_FILE, TaskKind.GENERATE_A_FILE]
    return [Task(kinds[i % 2], i) for i in range(n)]


# --------------------------------------------------------------------------- contract


def test_every_task_is_handled_once_in_order(make_queue: MakeQueue) -> None:
    handled: list[Task] = []
    queue = make_queue(handled.append)
    tasks = _tasks(200)

    for task in tasks:
        queue.enqueue(task)

    assert queue.join_idle(TIMEOUT)
    assert handled == tasks


def test_join_idle_on_an_empty_queue(make_queue: MakeQueue) -> None:
    queue = make_queue(lambda task: None)
    assert queue.join_idle(0.5)
    assert queue.join_idle(0)


def test_a_raising_handler_does_not_stop_the_work(
    make_queue: MakeQueue, caplog: pytest.LogCaptureFixture
) -> None:
    handled: list[int] = []

    def handler(task: Task) -> None:
        handled.append(task.ref_id)
        if task.ref_id % 3 == 0:
            raise RuntimeError(f"task {task.ref_id} blew up")

    queue = make_queue(handler)
    with caplog.at_level(logging.ERROR, logger="broker_adapters.inprocess_queue"):
        for task in _tasks(10):
            queue.enqueue(task)  # never raises the handler's error
        assert queue.join_idle(TIMEOUT)

    assert handled == list(range(10))
    failures = [r for r in caplog.records if r.name == "broker_adapters.inprocess_queue"]
    assert len(failures) == 4  # tasks 0, 3, 6, 9
    assert all(r.exc_info and isinstance(r.exc_info[1], RuntimeError) for r in failures)

    queue.enqueue(Task(TaskKind.GENERATE_A_FILE, 100))  # still serving
    assert queue.join_idle(TIMEOUT)
    assert handled[-1] == 100


def test_a_handler_may_enqueue_follow_up_tasks(make_queue: MakeQueue) -> None:
    handled: list[int] = []
    box: list[AnyQueue] = []

    def handler(task: Task) -> None:
        handled.append(task.ref_id)
        if task.ref_id < 5:
            box[0].enqueue(Task(TaskKind.GENERATE_D_FILE, task.ref_id + 1))

    box.append(make_queue(handler))
    box[0].enqueue(Task(TaskKind.GENERATE_D_FILE, 0))

    assert box[0].join_idle(TIMEOUT)  # idle only once the follow-ups are done too
    assert handled == [0, 1, 2, 3, 4, 5]


# --------------------------------------------------------------------------- InProcessQueue specifics


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

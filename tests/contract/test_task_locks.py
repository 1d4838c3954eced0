"""Contract of :class:`broker_core.ports.TaskLocks`: one runner per task, released when its holder dies."""

from __future__ import annotations

import signal
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from broker_adapters.sqlalchemy.engine import make_engine
from broker_adapters.sqlalchemy.task_locks import SqlAlchemyTaskLocks
from broker_core.queueing import Task, TaskKind, ThreadTaskLocks
from tests.contract.conftest import ADAPTERS, Adapter, fresh_database_url

D7 = Task(TaskKind.GENERATE_D_FILE, 7)
A7 = Task(TaskKind.GENERATE_A_FILE, 7)


@pytest.fixture(params=["thread", *ADAPTERS])
def locks(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[ThreadTaskLocks | SqlAlchemyTaskLocks]:
    if request.param == "thread":
        yield ThreadTaskLocks()
        return
    engine = make_engine(fresh_database_url(request.param, tmp_path, request))
    try:
        yield SqlAlchemyTaskLocks(engine)
    finally:
        engine.dispose()


def _held_elsewhere(locks: ThreadTaskLocks | SqlAlchemyTaskLocks, task: Task) -> bool:
    """Try the lock from another thread, as a second worker would."""
    result: list[bool] = []

    def attempt() -> None:
        with locks.hold(task) as held:
            result.append(held)

    thread = threading.Thread(target=attempt)
    thread.start()
    thread.join(10)
    return not result[0]


def test_one_holder_at_a_time(locks: ThreadTaskLocks | SqlAlchemyTaskLocks) -> None:
    with locks.hold(D7) as held:
        assert held
        assert _held_elsewhere(locks, D7)
    assert not _held_elsewhere(locks, D7)


def test_tasks_are_independent(locks: ThreadTaskLocks | SqlAlchemyTaskLocks) -> None:
    with locks.hold(D7) as held:
        assert held
        assert not _held_elsewhere(locks, A7)
        assert not _held_elsewhere(locks, Task(TaskKind.GENERATE_D_FILE, 8))


def test_released_when_the_block_raises(locks: ThreadTaskLocks | SqlAlchemyTaskLocks) -> None:
    with pytest.raises(RuntimeError), locks.hold(D7):
        raise RuntimeError("generation broke")
    with locks.hold(D7) as held:
        assert held


def test_a_killed_holder_releases_the_task(adapter: Adapter) -> None:
    holder = textwrap.dedent(
        f"""
        import sys, time
        from broker_adapters.sqlalchemy.engine import make_engine
        from broker_adapters.sqlalchemy.task_locks import SqlAlchemyTaskLocks
        from broker_core.queueing import Task, TaskKind
        locks = SqlAlchemyTaskLocks(make_engine({adapter.url!r}))
        with locks.hold(Task(TaskKind.GENERATE_D_FILE, 7)) as held:
            print("held" if held else "refused", flush=True)
            time.sleep(600)
        """
    )
    process = subprocess.Popen([sys.executable, "-c", holder], stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        assert process.stdout.readline().strip() == "held"
        locks = SqlAlchemyTaskLocks(adapter.engine)
        assert _held_elsewhere(locks, D7)
        process.send_signal(signal.SIGKILL)
        process.wait(10)
        deadline = time.monotonic() + 10  # the server notices the dropped connection
        while _held_elsewhere(locks, D7):
            assert time.monotonic() < deadline, "the killed holder's lock was never released"
            time.sleep(0.1)
    finally:
        process.kill()
        process.wait()

"""Functions the process batch runner's tests send to worker processes (they must be importable)."""

from __future__ import annotations

import os
import signal


def square(n: int) -> int:
    return n * n


def fail_on_three(n: int) -> int:
    if n == 3:
        raise ValueError("three is not allowed")
    return n


def die_on_three(n: int) -> int:
    if n == 3:
        os.kill(os.getpid(), signal.SIGKILL)
    return n


def worker_pid(_: int) -> int:
    return os.getpid()


def start_pool_and_die(pid_file: str) -> None:
    """Run in a child process: start a batch pool, record its workers' pids, then die without closing it."""
    from broker_adapters.process_batches import ProcessBatchRunner

    runner = ProcessBatchRunner(workers=2)
    pids = sorted(set(runner.map(worker_pid, range(8))))
    with open(pid_file, "w") as handle:
        handle.write(" ".join(map(str, pids)))
    os._exit(0)  # like an RQ work horse: no clean-up at all

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

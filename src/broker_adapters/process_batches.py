"""A :class:`~broker_core.validation.ports.BatchRunner` over a pool of worker processes.

Preparing a batch (cleaning, row checks, formatting the rows for ``COPY``) is pure Python and holds
the GIL, so threads cannot share it out; processes can. The calling process keeps the sequential
part (decoding and CSV parsing) and hands each parsed batch to a worker, which prepares and stages
it over its own database connection. Results come back in order, with a few batches in flight.

Workers are started with ``spawn``: the broker runs inside gunicorn, RQ and thread pools, and a
forked copy of a process with threads and open connections is not safe to use.
"""

from __future__ import annotations

import itertools
import multiprocessing
import os
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from typing import TypeVar

_PARENT_CHECK_SECONDS = 1.0

T = TypeVar("T")
R = TypeVar("R")


def default_workers() -> int:
    """One worker per core the process may use (the caller's own work fits around them)."""
    return max(len(os.sched_getaffinity(0)), 1)


class ProcessBatchRunner:
    """Runs batches in ``workers`` processes, at most ``workers + 1`` in flight.

    The pool starts with the first file of more than one batch and is kept for later files; a
    one-batch file runs in the calling process and never pays for starting workers.
    """

    #: Small batches: each worker holds one while it works on it, and the caller a few more.
    batch_size = 2_000

    def __init__(self, workers: int | None = None) -> None:
        self.workers = workers or default_workers()
        self._pool: ProcessPoolExecutor | None = None

    def map(self, fn: Callable[[T], R], items: Iterable[T]) -> Iterator[R]:
        iterator = iter(items)
        head = list(itertools.islice(iterator, 2))
        if len(head) < 2:
            for item in head:
                yield fn(item)
            return
        pool = self._get_pool()
        pending: deque[Future[R]] = deque()
        try:
            for item in itertools.chain(head, iterator):
                pending.append(pool.submit(fn, item))
                if len(pending) > self.workers:
                    yield pending.popleft().result()
            while pending:
                yield pending.popleft().result()
        except BrokenProcessPool:
            # A worker died (killed, out of memory). The pool stops its other workers; wait until
            # they are gone, so that none can still commit a batch after the caller's clean-up.
            pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None  # the next file gets a new pool
            raise
        finally:
            # Nothing may still be staging once the caller sees an error or stops reading: it
            # clears the staged rows next.
            for future in pending:
                future.cancel()
            wait(pending)

    def _get_pool(self) -> ProcessPoolExecutor:
        if self._pool is None:
            self._pool = ProcessPoolExecutor(
                self.workers,
                mp_context=multiprocessing.get_context("spawn"),
                initializer=_exit_with_parent,
                initargs=(os.getpid(),),
            )
        return self._pool

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None


def _exit_with_parent(parent_pid: int) -> None:
    """In each worker: leave as soon as the process that started the pool is gone.

    A worker waits for batches on a pipe whose writing end the other workers hold too, so it
    never sees the end of its input when the pool's owner dies without closing the pool (an RQ
    work horse ends with ``os._exit``; a killed process closes nothing). Without this, such
    workers would live on, idle, holding their memory.
    """

    def watch() -> None:
        while os.getppid() == parent_pid:
            time.sleep(_PARENT_CHECK_SECONDS)
        os._exit(0)

    threading.Thread(target=watch, name="exit-with-parent", daemon=True).start()

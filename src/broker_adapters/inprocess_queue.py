"""Local-mode :class:`~broker_core.ports.JobQueue` implementations.

:class:`InProcessQueue` hands tasks to worker threads of the current process;
:class:`InlineQueue` runs each task synchronously inside ``enqueue`` (for
``broker generate`` in the foreground and for tests).

Neither keeps tasks across restarts, and that is deliberate: a task only names
the work (``Task(kind, ref_id)``); its state lives in the database rows. When
the process stops, queued tasks are simply lost, and the recovery sweep run at
start-up (:meth:`broker_core.services.generation.GenerationService.recover`)
re-enqueues every generation the database still says is outstanding.

A handler that raises is logged (module :mod:`logging`) and the worker goes on
with the next task; recording the failure on the job is the handler's business.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections import Counter
from collections.abc import Callable

from broker_core.queueing import Task

log = logging.getLogger(__name__)

Handler = Callable[[Task], None]


class InProcessQueue:
    """A FIFO of tasks served by ``workers`` daemon threads (FIFO order holds for one worker).

    Tasks enqueued before :meth:`start` wait until it is called.
    """

    def __init__(self, handler: Handler, *, workers: int = 1) -> None:
        if workers < 1:
            raise ValueError("workers must be at least 1")
        self._handler = handler
        self._workers = workers
        # Items are tasks, or the number of the worker generation that must stop.
        self._queue: queue.SimpleQueue[Task | int] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._idle = threading.Condition(self._lock)
        self._unfinished = 0  # queued plus running
        self._pending: Counter[Task] = Counter()  # the same, per task
        self._threads: list[threading.Thread] = []
        self._closed = False
        self._discard = False
        self._generation = 0
        self._stop_sent = True

    @property
    def running(self) -> bool:
        with self._lock:
            return any(thread.is_alive() for thread in self._threads)

    @property
    def closed(self) -> bool:
        """True from :meth:`stop` until the next :meth:`start`: :meth:`enqueue` refuses tasks."""
        with self._lock:
            return self._closed

    def enqueue(self, task: Task) -> None:
        with self._lock:
            if self._closed:
                raise RuntimeError("the job queue has been stopped")
            self._unfinished += 1
            self._pending[task] += 1
            self._queue.put(task)

    def is_pending(self, task: Task) -> bool:
        """True while the task is queued here or running on one of the worker threads."""
        with self._lock:
            return self._pending[task] > 0

    def start(self) -> None:
        """Launch the worker threads (no-op if they are already running)."""
        with self._lock:
            if any(thread.is_alive() for thread in self._threads):
                return
            self._closed = False
            self._discard = False
            self._generation += 1
            self._stop_sent = False
            self._threads = [
                threading.Thread(
                    target=self._work,
                    args=(self._generation,),
                    name=f"broker-worker-{self._generation}.{number}",
                    daemon=True,
                )
                for number in range(1, self._workers + 1)
            ]
            threads = list(self._threads)
        for thread in threads:
            thread.start()

    def stop(self, timeout: float | None = 10.0, *, drain: bool = True) -> bool:
        """Refuse new tasks, let the workers finish and wait up to ``timeout`` seconds for them.

        With ``drain`` the tasks already queued are run first; without it they
        are dropped (the recovery sweep will find them again) and only the
        running ones are finished. Returns whether every worker has exited.
        """
        with self._lock:
            self._closed = True
            threads = list(self._threads)
            if not drain:
                self._discard = True
            if not self._stop_sent:
                self._stop_sent = True
                for _ in threads:
                    self._queue.put(self._generation)
        deadline = None if timeout is None else time.monotonic() + timeout
        for thread in threads:
            if thread is threading.current_thread():
                continue  # stopped from inside a task: this worker exits when the task returns
            thread.join(None if deadline is None else max(0.0, deadline - time.monotonic()))
        return not any(thread.is_alive() and thread is not threading.current_thread() for thread in threads)

    def join_idle(self, timeout: float | None = None) -> bool:
        """Wait until no task is queued or running; returns False if ``timeout`` passed first."""
        with self._idle:
            return self._idle.wait_for(lambda: self._unfinished == 0, timeout)

    def _work(self, generation: int) -> None:
        while True:
            task = self._queue.get()
            if isinstance(task, int):
                if task == generation:
                    return
                continue  # left over by an earlier generation of workers
            try:
                if self._discard:
                    log.info("dropping %s: the queue is stopping", task)
                else:
                    self._handler(task)
            except Exception:
                log.exception("task %s failed", task)
            finally:
                with self._idle:
                    self._unfinished -= 1
                    self._pending[task] -= 1
                    if self._pending[task] <= 0:
                        del self._pending[task]
                    if self._unfinished == 0:
                        self._idle.notify_all()


class InlineQueue:
    """Runs every task at once in the caller's thread, inside :meth:`enqueue`.

    Like a worker, it logs a handler's exception instead of passing it to the
    caller: enqueueing succeeded, the task did not.
    """

    def __init__(self, handler: Handler) -> None:
        self._handler = handler
        self._lock = threading.Lock()
        self._running: Counter[Task] = Counter()

    def enqueue(self, task: Task) -> None:
        with self._lock:
            self._running[task] += 1
        try:
            self._handler(task)
        except Exception:
            log.exception("task %s failed", task)
        finally:
            with self._lock:
                self._running[task] -= 1
                if self._running[task] <= 0:
                    del self._running[task]

    def is_pending(self, task: Task) -> bool:
        """Only while some caller is running the task inside :meth:`enqueue`; never queued."""
        with self._lock:
            return self._running[task] > 0

    def join_idle(self, timeout: float | None = None) -> bool:
        """Always idle: work is done by the time :meth:`enqueue` returns."""
        return True

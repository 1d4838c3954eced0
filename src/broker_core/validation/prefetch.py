"""Reading several result streams ahead of their consumer, in order, with bounded memory.

A validation runs its rule queries one after another and writes what each returns to a report, in
catalogue order. Most of a query's time is spent in the database before its first row arrives, so
starting the next queries while the current one is being read lets the database use more than
one core. Each stream is pumped by a worker thread into a small queue of chunks; the consumer
reads the streams strictly in order. At most ``workers`` streams are open at once, and each holds
at most ``depth`` chunks, so memory stays bounded whatever a query returns.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Generator, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Generic, TypeVar

T = TypeVar("T")

CHUNK = 500
DEPTH = 4
_POLL_SECONDS = 0.1


class _End:
    pass


class _Failed:
    def __init__(self, error: BaseException) -> None:
        self.error = error


class _Feed(Generic[T]):
    """One stream's queue, filled by a pump thread, drained by the consumer."""

    def __init__(self, open_stream: Callable[[], Iterator[T]], stop: threading.Event) -> None:
        self.open_stream = open_stream
        self.stop = stop
        self.chunks: queue.Queue[list[T] | _End | _Failed] = queue.Queue(DEPTH)

    def pump(self) -> None:
        try:
            if self.stop.is_set():
                return
            stream = self.open_stream()
            try:
                self._pump(stream)
            finally:
                close = getattr(stream, "close", None)  # a generator's cursor is released at once
                if close is not None:
                    close()
        except BaseException as error:  # handed to the consumer, raised there
            self._put(_Failed(error))

    def _pump(self, stream: Iterator[T]) -> None:
        chunk: list[T] = []
        for item in stream:
            chunk.append(item)
            if len(chunk) >= CHUNK:
                if not self._put(chunk):
                    return
                chunk = []
        if chunk and not self._put(chunk):
            return
        self._put(_End())

    def _put(self, item: list[T] | _End | _Failed) -> bool:
        """Wait for room; False when the consumer has gone away."""
        while not self.stop.is_set():
            try:
                self.chunks.put(item, timeout=_POLL_SECONDS)
                return True
            except queue.Full:
                continue
        return False

    def drain(self) -> Iterator[T]:
        while True:
            item = self.chunks.get()
            if isinstance(item, _End):
                return
            if isinstance(item, _Failed):
                raise item.error
            yield from item


def prefetched(
    streams: Sequence[Callable[[], Iterator[T]]], workers: int
) -> Generator[Iterator[T], None, None]:
    """One iterator per stream, in order; up to ``workers`` streams are read ahead in threads.

    Each stream's iterator must be exhausted before the next is taken. ``workers <= 1`` reads
    each stream only when its turn comes, in the caller's thread. Close the generator when
    stopping early (an error included): that stops and joins the threads.
    """
    if workers <= 1:
        for open_stream in streams:
            yield open_stream()
        return
    stop = threading.Event()
    feeds = [_Feed(open_stream, stop) for open_stream in streams]
    executor = ThreadPoolExecutor(workers, thread_name_prefix="prefetch")
    try:
        for feed in feeds:
            executor.submit(feed.pump)
        for feed in feeds:
            yield feed.drain()
    finally:
        stop.set()  # pumps still waiting for room give up; those not started return at once
        executor.shutdown(wait=True, cancel_futures=True)

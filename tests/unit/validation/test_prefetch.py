"""Reading result streams ahead in threads: order, errors, early stops and bounded read-ahead."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from broker_core.validation import prefetch
from broker_core.validation.prefetch import prefetched


def streams_of(data: list[list[int]]) -> list[Callable[[], Iterator[int]]]:
    return [lambda items=items: iter(items) for items in data]


@settings(max_examples=60, deadline=None)
@given(
    data=st.lists(st.lists(st.integers(), max_size=1200), max_size=6),
    workers=st.integers(min_value=1, max_value=3),
)
def test_every_stream_comes_back_whole_and_in_order(data: list[list[int]], workers: int) -> None:
    assert [list(results) for results in prefetched(streams_of(data), workers)] == data


def test_a_failing_stream_raises_at_its_turn_after_the_earlier_ones() -> None:
    def broken() -> Iterator[int]:
        yield 1
        raise RuntimeError("query failed")

    results = prefetched([lambda: iter([0, 0]), broken, lambda: iter([2])], workers=2)
    assert list(next(results)) == [0, 0]
    second = next(results)
    with pytest.raises(RuntimeError, match="query failed"):
        list(second)
    results.close()
    assert not prefetch_threads()


def prefetch_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name.startswith("prefetch")]


class CountingStream:
    """An endless stream that counts what was taken from it and whether it was closed."""

    def __init__(self) -> None:
        self.taken = 0
        self.closed = threading.Event()

    def __iter__(self) -> CountingStream:
        return self

    def __next__(self) -> int:
        self.taken += 1
        return self.taken

    def close(self) -> None:
        self.closed.set()


def test_read_ahead_is_bounded_and_stops_when_the_consumer_does() -> None:
    first, second = CountingStream(), CountingStream()
    results = prefetched([lambda: first, lambda: second], workers=2)
    current = next(results)
    assert next(current) == 1
    time.sleep(0.5)  # both pumps run until their queues are full, then wait
    bound = (prefetch.DEPTH + 2) * prefetch.CHUNK
    assert first.taken <= bound
    assert 0 < second.taken <= bound
    results.close()
    assert first.closed.wait(5) and second.closed.wait(5)
    assert not prefetch_threads()


def test_one_worker_opens_each_stream_only_at_its_turn() -> None:
    opened: list[int] = []

    def stream(n: int) -> Callable[[], Iterator[int]]:
        def open_it() -> Iterator[int]:
            opened.append(n)
            return iter([n])

        return open_it

    results = prefetched([stream(0), stream(1)], workers=1)
    assert list(next(results)) == [0]
    assert opened == [0]
    assert list(next(results)) == [1]

"""Iterables that break part-way, to show that a writer keeps nothing of them."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TypeVar

T = TypeVar("T")


class Boom(Exception):
    """The failure the tests provoke (never one an adapter raises itself)."""


def failing_after(items: Iterable[T], count: int) -> Iterator[T]:
    """The first ``count`` items, then :class:`Boom`."""
    for index, item in enumerate(items):
        if index == count:
            raise Boom
        yield item

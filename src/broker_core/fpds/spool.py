"""A disk spool for one load's changes: fetched first, applied in one short transaction afterwards.

Fetching a day of FPDS changes takes minutes of network waits. Holding a write
transaction open that long would lock out every other writer of a SQLite
database (local mode), so changes go to temporary files first, one record at
a time (never the whole load in memory), and are replayed into the store once
the fetch has succeeded. A fetch that fails leaves the database untouched.
"""

from __future__ import annotations

import pickle
import tempfile
from collections.abc import Iterator
from typing import IO, Generic, TypeVar

T = TypeVar("T")


class Spool(Generic[T]):
    """Append-only sequence of picklable items on a temporary file, replayed in order."""

    def __init__(self) -> None:
        self._file: IO[bytes] = tempfile.TemporaryFile(prefix="broker-spool-")  # noqa: SIM115 (closed by close())
        self._pickler = pickle.Pickler(self._file, protocol=pickle.HIGHEST_PROTOCOL)
        self.count = 0

    def append(self, item: T) -> None:
        self._pickler.dump(item)
        # The pickler memoises every object it wrote; forgetting keeps memory flat.
        self._pickler.clear_memo()
        self.count += 1

    def __iter__(self) -> Iterator[T]:
        self._file.flush()
        self._file.seek(0)
        unpickler = pickle.Unpickler(self._file)
        for _ in range(self.count):
            yield unpickler.load()
        self._file.seek(0, 2)  # appending may continue

    def close(self) -> None:
        self._file.close()

    def __enter__(self) -> Spool[T]:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

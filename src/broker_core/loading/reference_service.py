"""Loading the validator's reference lists (object classes, program activities, PARKs, DEFCs), all rows or none.

Each load replaces its whole list. A file with a header but no data row is refused rather than
emptying the list (the original's loaders also stop on a blank file).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import TextIO, TypeVar

import attrs

from broker_core.loading.defc import read_defc
from broker_core.loading.object_classes import read_object_classes
from broker_core.loading.program_activities import read_park, read_program_activities
from broker_core.loading.reference_ports import ReferenceDataStore
from broker_core.loading.service import Progress, load_file

R = TypeVar("R")

NO_ROWS = "The file has a header but no data rows; the list was left as it was"


def at_least_one_row(read: Callable[[TextIO], Iterable[R]]) -> Callable[[TextIO], Iterator[R]]:
    """``read``, whose rows then raise ``ValueError`` at the end if there were none."""

    def checked(stream: TextIO) -> Iterator[R]:
        items = iter(read(stream))  # the header is checked here, before any row

        def rows() -> Iterator[R]:
            seen = False
            for item in items:
                seen = True
                yield item
            if not seen:
                raise ValueError(NO_ROWS)

        return rows()

    return checked


@attrs.define
class ReferenceLoadService:
    """Loads each reference list into the store, replacing the list; all rows or none.

    Each method returns the number of rows loaded. A bad header or a file without data rows
    raises ``RequestInvalid``; bad rows raise ``LoadRejected`` (also a ``RequestInvalid``)
    listing them by line and column, and the stored list stays as it was.
    """

    store: ReferenceDataStore
    max_errors: int = 100

    def object_classes(self, stream: TextIO, progress: Progress | None = None) -> int:
        return load_file(
            at_least_one_row(read_object_classes), stream, self.store.replace_object_classes,
            max_errors=self.max_errors, progress=progress,
        )  # fmt: skip

    def program_activities(self, stream: TextIO, progress: Progress | None = None) -> int:
        return load_file(
            at_least_one_row(read_program_activities), stream, self.store.replace_program_activities,
            max_errors=self.max_errors, progress=progress,
        )  # fmt: skip

    def park(self, stream: TextIO, progress: Progress | None = None) -> int:
        return load_file(
            at_least_one_row(read_park), stream, self.store.replace_park,
            max_errors=self.max_errors, progress=progress,
        )  # fmt: skip

    def defc(self, stream: TextIO, progress: Progress | None = None) -> int:
        return load_file(
            at_least_one_row(read_defc), stream, self.store.replace_defc,
            max_errors=self.max_errors, progress=progress,
        )  # fmt: skip

"""Loading a source data file as one all-or-nothing transaction."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import TextIO, TypeVar

import attrs

from broker_core.errors import RequestInvalid
from broker_core.file_types import FileType
from broker_core.generation.award_rows import RowError, read_award_file
from broker_core.loading.agencies import read_agencies
from broker_core.loading.sf133 import read_sf133
from broker_core.loading.tas import read_tas
from broker_core.loading.windows import read_failed_edits, read_submission_windows
from broker_core.ports import AwardDataStore

R = TypeVar("R")

Progress = Callable[[int], None]

PROGRESS_EVERY = 10_000
MESSAGE_ERRORS = 10  # how many of the errors the message lists


class LoadRejected(RequestInvalid):
    """A file had bad rows, so none of it was loaded.

    ``errors`` holds the bad rows found (at most ``max_errors``); ``truncated``
    is true when reading stopped there and later rows were not checked.
    """

    def __init__(self, errors: list[RowError], truncated: bool = False) -> None:
        self.errors = list(errors)
        self.truncated = truncated
        count = f"more than {len(errors)}" if truncated else str(len(errors))
        noun = "bad row" if len(errors) == 1 and not truncated else "bad rows"
        lines = [f"{count} {noun}; nothing was loaded"]
        lines += [f"line {e.line_number}: {e.message}" for e in errors[:MESSAGE_ERRORS]]
        if len(errors) > MESSAGE_ERRORS:
            lines.append(f"... and {len(errors) - MESSAGE_ERRORS} more")
        super().__init__("\n".join(lines))


def load_rows(
    items: Iterable[R | RowError],
    store: Callable[[Iterable[R]], int],
    *,
    max_errors: int = 100,
    progress: Progress | None = None,
    progress_every: int = PROGRESS_EVERY,
) -> int:
    """Pass the good rows of ``items`` to ``store`` lazily and return the count it reports.

    ``store`` is expected to write what it consumes in one transaction that is
    rolled back if the iterable raises. Once a ``RowError`` has been seen no
    more rows are passed on; the rest is only checked, and at the end (or at
    error number ``max_errors + 1``, stopping early) the iterable raises
    ``LoadRejected`` with the errors, so nothing is kept. ``progress`` gets the
    number of rows passed on every ``progress_every`` rows.
    """
    if max_errors < 1:
        raise ValueError("max_errors must be at least 1")
    errors: list[RowError] = []
    rejected: list[LoadRejected] = []

    def reject(truncated: bool) -> LoadRejected:
        rejected.append(LoadRejected(errors, truncated=truncated))
        return rejected[0]

    def good_rows() -> Iterator[R]:
        count = 0
        for item in items:
            if isinstance(item, RowError):
                if len(errors) == max_errors:
                    raise reject(truncated=True)
                errors.append(item)
            elif not errors:
                yield item
                count += 1
                if progress is not None and count % progress_every == 0:
                    progress(count)
        if errors:
            raise reject(truncated=False)

    loaded = store(good_rows())
    if rejected:  # the store swallowed the rejection: still not a success
        raise rejected[0]
    if errors:  # the store stopped reading after a bad row
        raise LoadRejected(errors, truncated=True)
    return loaded


@attrs.define
class LoadService:
    """Loads each kind of source file into the store, all rows or none.

    Each method returns the number of rows loaded. A bad header raises
    ``RequestInvalid``; bad rows raise ``LoadRejected`` (also a
    ``RequestInvalid``) listing them.
    """

    store: AwardDataStore
    max_errors: int = 100

    def agencies(self, stream: TextIO, progress: Progress | None = None) -> int:
        return self._load(read_agencies, stream, self.store.replace_agencies, progress)

    def sf133(self, stream: TextIO, progress: Progress | None = None) -> int:
        """Replaces the rows of each (fiscal year, period) present in the file."""
        return self._load(read_sf133, stream, self.store.replace_sf133, progress)

    def tas(self, stream: TextIO, progress: Progress | None = None) -> int:
        return self._load(read_tas, stream, self.store.replace_tas, progress)

    def submission_windows(self, stream: TextIO, progress: Progress | None = None) -> int:
        return self._load(read_submission_windows, stream, self.store.replace_submission_windows, progress)

    def failed_edits(self, stream: TextIO, progress: Progress | None = None) -> int:
        return self._load(read_failed_edits, stream, self.store.replace_failed_edits, progress)

    def procurement(self, stream: TextIO, progress: Progress | None = None) -> int:
        """Inserts or replaces D1 rows by unique key (the store records the load date)."""
        return self._load(
            lambda s: read_award_file(FileType.D1, s),
            stream,
            lambda rows: self.store.upsert_award_rows(FileType.D1, rows),
            progress,
        )

    def fabs(self, stream: TextIO, progress: Progress | None = None) -> int:
        """Inserts or replaces D2 (financial assistance) rows by unique key."""
        return self._load(
            lambda s: read_award_file(FileType.D2, s),
            stream,
            lambda rows: self.store.upsert_award_rows(FileType.D2, rows),
            progress,
        )

    def _load(
        self,
        read: Callable[[TextIO], Iterable[R | RowError]],
        stream: TextIO,
        store: Callable[[Iterable[R]], int],
        progress: Progress | None,
    ) -> int:
        return load_file(read, stream, store, max_errors=self.max_errors, progress=progress)


def load_file(
    read: Callable[[TextIO], Iterable[R | RowError]],
    stream: TextIO,
    store: Callable[[Iterable[R]], int],
    *,
    max_errors: int = 100,
    progress: Progress | None = None,
) -> int:
    """:func:`load_rows` over what ``read`` makes of ``stream``; header and encoding problems raise ``RequestInvalid``."""
    try:
        items = read(stream)
    except ValueError as exc:  # the header, when the reader checks it before any row
        raise RequestInvalid(str(exc)) from exc
    return load_rows(_header_errors_invalid(items), store, max_errors=max_errors, progress=progress)


def _header_errors_invalid(items: Iterable[R]) -> Iterator[R]:
    """Re-raise a reader's ``ValueError`` (a header found lazily, undecodable text) as ``RequestInvalid``."""
    iterator = iter(items)
    while True:
        try:
            item = next(iterator)
        except StopIteration:
            return
        except ValueError as exc:
            raise RequestInvalid(str(exc)) from exc
        yield item

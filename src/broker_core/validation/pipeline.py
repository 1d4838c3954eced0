"""One submission file from bytes to loadable rows and report problems, a batch at a time (spec §2.2 to §2.6).

File-level failures are exceptions, each matching one file status of the reference (spec §1.3):
:class:`FileTypeError` (file_type_error), :class:`~broker_core.validation.reading.FileEncodingError`
(encoding_error) and :class:`~broker_core.validation.headers.HeaderError` (header_error). The first and
the last are raised when the validation is created; an encoding error can surface on any batch, after
earlier batches were handed out, so the caller must be ready to discard what it loaded.

Report order differs from the reference in one way: the reference scans the whole file first and writes
every formatting error before any row-check problem; here each batch carries its own formatting errors
ahead of its row-check problems, which is the same order for files of one batch.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import BinaryIO

import attrs

from broker_core.file_types import FileType
from broker_core.validation.cleaning import CleanedRow, clean_row
from broker_core.validation.headers import HeaderMap, map_headers
from broker_core.validation.problem import RowProblem, blank_file_warning
from broker_core.validation.reading import (
    DEFAULT_BATCH_SIZE,
    FileReader,
    RawBatch,
    ReadSummary,
    RowCounts,
    shape_batch,
)
from broker_core.validation.row_checks import check_rows
from broker_core.validation.schema import FileSchema, schema_for

VALID_EXTENSIONS = (".csv", ".txt")
FILE_TYPE_MESSAGE = "Invalid file type. Valid file types include .csv and .txt."
# Only the DABS files get the blank-file warning; an empty D1 or D2 is a legitimate generated file.
_BLANK_WARNING_TYPES = (FileType.A, FileType.B, FileType.C)


class FileTypeError(Exception):
    """The file name does not end in ``.csv`` or ``.txt`` (any case)."""

    def __init__(self, file_name: str) -> None:
        self.file_name = file_name
        super().__init__(FILE_TYPE_MESSAGE)


def check_extension(file_name: str) -> None:
    if not file_name.lower().endswith(VALID_EXTENSIONS):
        raise FileTypeError(file_name)


@attrs.frozen
class ValidatedBatch:
    """The rows of a batch that may be loaded, and every problem the batch produced, in report order."""

    rows: tuple[CleanedRow, ...]
    problems: tuple[RowProblem, ...]
    counts: RowCounts = attrs.field(factory=RowCounts)


@attrs.frozen
class BatchPreparer:
    """Turns a batch of parsed records into loadable rows and problems: shaping, cleaning, row checks.

    The CPU-heavy half of a validation, separate from reading so that batches can be prepared in
    other processes (it pickles small: the header map and the file type).
    """

    header_map: HeaderMap
    file_type: FileType

    def __call__(self, raw: RawBatch) -> ValidatedBatch:
        schema = schema_for(self.file_type)
        batch = shape_batch(raw, self.header_map)
        rows = [clean_row(row, schema) for row in batch.rows]
        if self.file_type.is_d_file:
            # D1 and D2 come from the broker's own generator and are trusted as they are.
            return ValidatedBatch(tuple(rows), batch.problems, batch.counts)
        result = check_rows(rows, schema)
        return ValidatedBatch(tuple(result.loadable(rows)), batch.problems + result.problems, batch.counts)


class FileValidation:
    """Validate one file: create it (checks extension and header), then iterate :meth:`batches` once.

    ``source`` is the file opened in binary mode, or any iterable of ``bytes`` chunks. Callers that
    prepare batches elsewhere iterate :meth:`raw_batches` instead, run :attr:`preparer` on each,
    hand each result to :meth:`record`, and finish with :meth:`trailing_problems`.
    """

    def __init__(
        self,
        source: BinaryIO | Iterable[bytes],
        file_name: str,
        file_type: FileType,
        batch_size: int = DEFAULT_BATCH_SIZE,
    ) -> None:
        check_extension(file_name)
        self.schema: FileSchema = schema_for(file_type)
        self.batch_size = batch_size
        self._reader = FileReader(source)
        self.header_map: HeaderMap = map_headers(self._reader.header, self.schema)
        self._reader.check_header_map(self.header_map)
        self.preparer = BatchPreparer(self.header_map, file_type)

    @property
    def delimiter(self) -> str:
        return self._reader.delimiter

    def summary(self) -> ReadSummary:
        """Counts over the file; complete once every batch has been recorded."""
        return self._reader.summary()

    def raw_batches(self) -> Iterator[RawBatch]:
        return self._reader.raw_batches(self.batch_size)

    def record(self, batch: ValidatedBatch) -> None:
        """Count a batch prepared from :meth:`raw_batches` into :meth:`summary`."""
        self._reader.add_counts(batch.counts)

    def trailing_problems(self) -> tuple[RowProblem, ...]:
        """What only the whole file shows: the blank-file warning of an A, B or C with no data."""
        if self.schema.file_type in _BLANK_WARNING_TYPES and self.summary().is_blank:
            return (blank_file_warning(),)
        return ()

    def batches(self) -> Iterator[ValidatedBatch]:
        """Loadable rows and problems per batch; a blank A, B or C file ends with the blank-file warning."""
        for raw in self.raw_batches():
            batch = self.preparer(raw)
            self.record(batch)
            yield batch
        trailing = self.trailing_problems()
        if trailing:
            yield ValidatedBatch((), trailing)

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
from broker_core.validation.reading import DEFAULT_BATCH_SIZE, FileReader, ReadSummary
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


class FileValidation:
    """Validate one file: create it (checks extension and header), then iterate :meth:`batches` once.

    ``source`` is the file opened in binary mode, or any iterable of ``bytes`` chunks.
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
        self.header_map.raise_for_errors()

    @property
    def delimiter(self) -> str:
        return self._reader.delimiter

    def summary(self) -> ReadSummary:
        """Counts over the file; complete once :meth:`batches` is exhausted."""
        return self._reader.summary()

    def batches(self) -> Iterator[ValidatedBatch]:
        """Loadable rows and problems per batch; a blank A, B or C file ends with the blank-file warning."""
        check = not self.schema.file_type.is_d_file
        for batch in self._reader.batches(self.header_map, self.batch_size):
            rows = [clean_row(row, self.schema) for row in batch.rows]
            if not check:
                # D1 and D2 come from the broker's own generator and are trusted as they are.
                yield ValidatedBatch(tuple(rows), batch.problems)
                continue
            result = check_rows(rows, self.schema)
            yield ValidatedBatch(tuple(result.loadable(rows)), batch.problems + result.problems)
        if self.schema.file_type in _BLANK_WARNING_TYPES and self.summary().is_blank:
            yield ValidatedBatch((), (blank_file_warning(),))

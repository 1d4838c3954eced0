"""Reading a submission file as a stream of cleaned rows, a batch at a time (spec §2.2, §2.3, §2.5).

The caller opens the file in binary mode and hands over its chunks (a binary file object or any iterable
of ``bytes``); nothing here holds more than one batch of rows. Decoding is strict UTF-8 and incremental,
so a file that is not UTF-8 fails with :class:`FileEncodingError` saying where, possibly after earlier
batches were already handed out: the caller must treat the whole file as failed (encoding_error) and
discard whatever it loaded. A UTF-8 byte order mark is not removed (as in the reference, it then spoils
the first header name).

Rows are numbered as records of the file: the header is row 1 and fully blank lines are neither counted
nor numbered. A record with more or fewer cells than the header is a formatting error and is not loaded.
"""

from __future__ import annotations

import codecs
import csv
import io
import itertools
from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from operator import itemgetter
from typing import BinaryIO

import attrs

from broker_core.validation.headers import HeaderMap
from broker_core.validation.problem import RowProblem, formatting_error

DEFAULT_BATCH_SIZE = 10_000
CHUNK_SIZE = 64 * 1024
ENCODING_MESSAGE = "File contains invalid characters that could not be validated."


class FileEncodingError(Exception):
    """The file is not valid UTF-8. ``byte_offset`` counts from 0; lines and rows count from 1."""

    def __init__(self, byte_offset: int, line_number: int, row_number: int | None = None) -> None:
        self.byte_offset = byte_offset
        self.line_number = line_number
        self.row_number = row_number
        where = f"byte {byte_offset}, line {line_number}"
        if row_number is not None:
            where += f", row {row_number}"
        super().__init__(f"{ENCODING_MESSAGE} Not UTF-8 at {where}.")

    def in_row(self, row_number: int) -> FileEncodingError:
        return FileEncodingError(self.byte_offset, self.line_number, row_number)


def clean_cell(value: str) -> str | None:
    """Trim; drop one pair of surrounding double quotes and trim again; empty → ``None``."""
    value = value.strip()
    if value.startswith('"') and value.endswith('"'):
        value = value[1:-1].strip()
    return value or None


def detect_delimiter(first_line: str) -> str:
    """``|`` when the first line has more pipes than commas, else ``,``."""
    return "|" if first_line.count("|") > first_line.count(",") else ","


def _chunks_of(source: BinaryIO | Iterable[bytes]) -> Iterator[bytes]:
    read = getattr(source, "read", None)
    if read is not None:
        return iter(lambda: read(CHUNK_SIZE), b"")
    return iter(source)


class _TextLines:
    """Strictly decoded text lines, line endings kept (what ``csv.reader`` wants), read lazily."""

    def __init__(self, source: BinaryIO | Iterable[bytes]) -> None:
        self._chunks: Iterator[bytes] | None = _chunks_of(source)
        self._decoder = codecs.getincrementaldecoder("utf-8")("strict")
        self._bytes_decoded = 0
        self._lines_returned = 0
        self._pending = ""
        self._ready: deque[str] = deque()
        self._error_at: int | None = None

    def __iter__(self) -> _TextLines:
        return self

    def __next__(self) -> str:
        while not self._ready:
            if self._error_at is not None:
                # Every complete line before the bad byte has been handed out; the bad one is next.
                raise FileEncodingError(self._error_at, self._lines_returned + 1)
            if self._chunks is None:
                raise StopIteration
            chunk = next(self._chunks, None)
            if chunk is None:
                self._chunks = None
                self._take(self._decode(b"", final=True), final=True)
            else:
                self._take(self._decode(chunk, final=False), final=False)
        self._lines_returned += 1
        return self._ready.popleft()

    def _decode(self, chunk: bytes, final: bool) -> str:
        held = len(self._decoder.getstate()[0])  # bytes of an unfinished character from the last chunk
        try:
            text = self._decoder.decode(chunk, final)
        except UnicodeDecodeError as error:
            # Keep what precedes the bad byte (it is valid) and stop there; the lines it completes are
            # still read, so the error surfaces at its own row rather than at the chunk's first one.
            self._error_at = self._bytes_decoded - held + error.start
            self._chunks = None
            return bytes(error.object[: error.start]).decode("utf-8")
        self._bytes_decoded += len(chunk)
        return text

    def _take(self, text: str, final: bool) -> None:
        buffer = self._pending + text
        keep = ""
        more = not final and self._error_at is None
        if more and buffer.endswith("\r"):
            # The "\n" of a "\r\n" may be in the next chunk.
            buffer, keep = buffer[:-1], "\r"
        # A StringIO with newline="" splits at "\n", "\r\n" and a lone "\r" only (not at the other
        # characters str.splitlines takes for line breaks), in C.
        pieces = io.StringIO(buffer, newline="").readlines()
        rest = pieces.pop() if pieces and not pieces[-1].endswith(("\n", "\r")) else ""
        self._ready.extend(pieces)
        if self._error_at is not None:
            self._pending = ""  # the start of the line with the bad byte is never read
        elif final:
            if rest:
                self._ready.append(rest)
            self._pending = ""
        else:
            self._pending = rest + keep


def _is_blank(cells: Sequence[str]) -> bool:
    # A fully blank line: the csv module gives no cells (or one blank cell for a line of spaces).
    return not cells or (len(cells) == 1 and not cells[0].strip())


@attrs.frozen
class DataRow:
    """One loadable-shaped record: every expected field by short name (cleaned), and the flex cells."""

    row_number: int
    values: dict[str, str | None]
    flex: tuple[tuple[str, str | None], ...]


@attrs.frozen
class RowCounts:
    """How the records of one batch (or of the whole file) were shaped; see :class:`ReadSummary`."""

    data_rows: int = 0
    blank_rows: int = 0
    populated_short_rows: int = 0
    null_short_rows: int = 0
    populated_long_rows: int = 0
    null_long_rows: int = 0

    def __add__(self, other: RowCounts) -> RowCounts:
        return RowCounts(*(a + b for a, b in zip(attrs.astuple(self), attrs.astuple(other), strict=True)))


@attrs.frozen
class Batch:
    """Up to ``batch_size`` records: the data rows, the formatting errors among them, and their shapes."""

    rows: tuple[DataRow, ...]
    problems: tuple[RowProblem, ...]
    counts: RowCounts = attrs.field(factory=RowCounts)


_CELL_SEP, _RECORD_SEP = "\x1f", "\x1e"


@attrs.frozen
class RawBatch:
    """Records as the CSV parser gave them, numbered from ``first_row`` (blank lines are not numbered).

    Batches cross process boundaries when rows are prepared in parallel, so they pickle as one string
    (cells and records joined by the ASCII unit and record separators), several times cheaper than a
    list of lists; a batch whose cells contain those separators pickles as it is.
    """

    first_row: int
    records: tuple[list[str], ...]

    def __reduce__(self) -> tuple[object, tuple[object, ...]]:
        packed = _RECORD_SEP.join(_CELL_SEP.join(cells) for cells in self.records)
        cell_seps = sum(len(cells) for cells in self.records) - len(self.records)
        if packed.count(_CELL_SEP) == cell_seps and packed.count(_RECORD_SEP) == len(self.records) - 1:
            return _unpack_raw_batch, (self.first_row, packed, len(self.records))
        return RawBatch, (self.first_row, self.records)


def _unpack_raw_batch(first_row: int, packed: str, count: int) -> RawBatch:
    records = tuple(record.split(_CELL_SEP) for record in packed.split(_RECORD_SEP)) if count else ()
    return RawBatch(first_row, records)


def shape_batch(raw: RawBatch, header_map: HeaderMap) -> Batch:
    """Clean the cells of a batch of records and sort them into data rows and formatting errors."""
    expected = header_map.expected
    width = header_map.width
    flex = header_map.flex
    names = [name for _, name in expected]
    indexes = [index for index, _ in expected]
    # One C-level call picks a row's expected cells (itemgetter of one index returns a bare value).
    pick = itemgetter(*indexes) if len(indexes) > 1 else (lambda cells: (cells[indexes[0]],))
    rows: list[DataRow] = []
    problems: list[RowProblem] = []
    counts = dict.fromkeys(attrs.fields_dict(RowCounts), 0)
    for row_number, cells in enumerate(raw.records, start=raw.first_row):
        # clean_cell, inlined for the common case (a cell with no spaces or quotes around it).
        cleaned = [
            (stripped if (stripped := cell.strip()) and stripped[0] != '"' else clean_cell(cell))
            if cell
            else None
            for cell in cells
        ]
        populated = cleaned.count(None) != len(cleaned)
        if len(cells) != width:
            shape = "short" if len(cells) < width else "long"
            counts[f"{'populated' if populated else 'null'}_{shape}_rows"] += 1
            problems.append(formatting_error(row_number))
        elif not populated:
            counts["blank_rows"] += 1
        else:
            counts["data_rows"] += 1
            rows.append(
                DataRow(
                    row_number=row_number,
                    values=dict(zip(names, pick(cleaned), strict=True)),
                    flex=tuple((name, cleaned[index]) for index, name in flex),
                )
            )
    return Batch(tuple(rows), tuple(problems), RowCounts(**counts))


@attrs.frozen
class ReadSummary:
    """Counts over the records read so far (all of them once the batches are exhausted).

    ``records`` counts non-blank records including the header (the reference's raw row count);
    ``data_rows`` the rows of the right width with some value; ``blank_rows`` those of the right width
    with none (dropped silently). Short and long rows are "populated" when some cell has a value.
    """

    records: int
    data_rows: int
    blank_rows: int
    populated_short_rows: int
    null_short_rows: int
    populated_long_rows: int
    null_long_rows: int

    @property
    def is_blank(self) -> bool:
        """No data at all: neither a data row nor a badly shaped row with a value (a header-only file)."""
        return self.data_rows == 0 and self.populated_short_rows == 0 and self.populated_long_rows == 0


class FileReader:
    """A submission file opened for reading: the header is read at once, the rows on demand.

    ``header`` is the raw header cells (empty for an empty file); ``delimiter`` is ``,`` or ``|``.
    Iterate :meth:`batches` (or :meth:`raw_batches`, shaping each with :func:`shape_batch` and
    handing its counts to :meth:`add_counts`) once; :meth:`summary` then describes the whole file.
    """

    def __init__(self, source: BinaryIO | Iterable[bytes]) -> None:
        lines = _TextLines(source)
        try:
            first = next(lines, "")
        except FileEncodingError as error:
            raise error.in_row(1) from None
        self.delimiter = detect_delimiter(first)
        self._records = csv.reader(itertools.chain([first], lines), delimiter=self.delimiter)
        self._last_row = 0
        header = self._next_record()
        self.header: list[str] = header if header is not None else []
        self._counts = RowCounts()
        self._record_count = 0 if header is None else 1

    def _next_record(self) -> list[str] | None:
        """The next non-blank record, numbered as ``_last_row``; None at the end."""
        while True:
            try:
                cells = next(self._records, None)
            except FileEncodingError as error:
                raise error.in_row(self._last_row + 1) from None
            if cells is None:
                return None
            if not _is_blank(cells):
                self._last_row += 1
                return cells

    def summary(self) -> ReadSummary:
        return ReadSummary(records=self._record_count, **attrs.asdict(self._counts))

    def add_counts(self, counts: RowCounts) -> None:
        """Record how a batch from :meth:`raw_batches` was shaped (for :meth:`summary`)."""
        self._counts = self._counts + counts

    def raw_batches(self, batch_size: int = DEFAULT_BATCH_SIZE) -> Iterator[RawBatch]:
        """The data records as parsed, ``batch_size`` at a time (only decoding and CSV parsing here)."""
        if batch_size < 1:
            raise ValueError("batch_size must be positive")
        while True:
            first_row = self._last_row + 1
            records: list[list[str]] = []
            while len(records) < batch_size:
                cells = self._next_record()
                if cells is None:
                    break
                records.append(cells)
            if not records:
                return
            self._record_count += len(records)
            yield RawBatch(first_row, tuple(records))

    def batches(self, header_map: HeaderMap, batch_size: int = DEFAULT_BATCH_SIZE) -> Iterator[Batch]:
        """Cleaned data rows and formatting errors, ``batch_size`` records at a time.

        The header map must come from :attr:`header` and be free of errors.
        """
        self.check_header_map(header_map)
        for raw in self.raw_batches(batch_size):
            batch = shape_batch(raw, header_map)
            self.add_counts(batch.counts)
            yield batch

    def check_header_map(self, header_map: HeaderMap) -> None:
        header_map.raise_for_errors()
        if header_map.width != len(self.header):
            raise ValueError("the header map does not describe this file's header")

"""Error and warning reports: the CSV layouts of spec §3.1, written as a stream of bytes.

A report can have millions of rows, so nothing here holds one: a writer renders rows into a small
buffer and hands the sink a chunk of UTF-8 bytes whenever the buffer passes ``chunk_bytes``.

Quoting follows the original, whose reports mixed two writers: the header row and rows of SQL rules
(``rule_failed``, and every cross-file row) use minimal quoting, while rows from row checks, the
reader's formatting errors and the blank-file warning have every field quoted. Lines end with
``\\n``. Either way a CSV parser reads back exactly the cells that were written.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Generic, Protocol, TypeVar

from broker_core.validation.cross_problem import CrossFileProblem
from broker_core.validation.problem import RowProblem, Severity

SINGLE_FILE_COLUMNS: tuple[str, ...] = (
    "Unique ID",
    "Field Name",
    "Rule Message",
    "Value Provided",
    "Expected Value",
    "Difference",
    "Flex Field",
    "Row Number",
    "Rule Label",
)
CROSS_FILE_COLUMNS: tuple[str, ...] = (
    "Unique ID",
    "Source File",
    "Source Field Name",
    "Target File",
    "Target Field Name",
    "Rule Message",
    "Source Value Provided",
    "Target Value Provided",
    "Difference",
    "Source Flex Field",
    "Source Row Number",
    "Rule Label",
)
HEADER_ERROR_COLUMNS: tuple[str, ...] = ("Error type", "Header name")
DUPLICATED_HEADER = "Duplicated header"
MISSING_HEADER = "Missing header"

DEFAULT_CHUNK_BYTES = 1 << 16

#: Error types whose rows come from SQL rules, written with minimal quoting.
SQL_RULE_ERROR_TYPES = frozenset({"rule_failed"})


class BinarySink(Protocol):
    """Where report bytes go: a file opened ``"wb"``, a socket wrapper, a list's ``append``..."""

    def write(self, data: bytes, /) -> object: ...


def _row_number(value: int | None) -> str:
    return "" if value is None else str(value)


def single_file_cells(problem: RowProblem) -> tuple[str, ...]:
    """The cells of one single-file report row, in :data:`SINGLE_FILE_COLUMNS` order."""
    return (
        problem.unique_id,
        problem.field_name,
        problem.rule_message,
        problem.value_provided,
        problem.expected_value,
        problem.difference,
        problem.flex_field,
        _row_number(problem.row_number),
        problem.rule_label,
    )


def cross_file_cells(problem: CrossFileProblem) -> tuple[str, ...]:
    """The cells of one cross-file report row, in :data:`CROSS_FILE_COLUMNS` order."""
    return (
        problem.unique_id,
        problem.source_file,
        problem.source_field_name,
        problem.target_file,
        problem.target_field_name,
        problem.rule_message,
        problem.source_value_provided,
        problem.target_value_provided,
        problem.difference,
        problem.source_flex_field,
        _row_number(problem.source_row_number),
        problem.rule_label,
    )


def _quoted(value: str) -> str:
    return '"' + value.replace('"', '""') + '"'


def _minimal(value: str) -> str:
    # Python's csv module (3.11) leaves a lone "\r" unquoted when lines end with "\n", and a
    # reader then splits the row there; quoting it ourselves keeps every cell intact.
    if "," in value or '"' in value or "\n" in value or "\r" in value:
        return _quoted(value)
    return value


def render_row(cells: Sequence[str], *, quote_all: bool = False) -> str:
    """One report line ending with a line feed: every cell quoted, or only those that need it."""
    quote = _quoted if quote_all else _minimal
    return ",".join([quote(cell) for cell in cells]) + "\n"


class CsvStream:
    """Rows rendered as CSV and pushed to a sink in chunks of about ``chunk_bytes``.

    Nothing reaches the sink until a chunk is full or :meth:`flush` is called, and every chunk
    ends at a line end, so the sink only ever sees whole rows.
    """

    def __init__(self, sink: BinarySink, chunk_bytes: int = DEFAULT_CHUNK_BYTES) -> None:
        self._sink = sink
        self._chunk_bytes = chunk_bytes
        self._lines: list[str] = []
        self._size = 0
        self.rows = 0  # data rows written (the header row is not counted)

    def _add(self, line: str) -> None:
        self._lines.append(line)
        # Counted in characters: UTF-8 can be longer, which only makes a chunk a little larger.
        self._size += len(line)
        if self._size >= self._chunk_bytes:
            self.flush()

    def header(self, cells: Sequence[str]) -> None:
        self._add(render_row(cells))

    def row(self, cells: Sequence[str], *, quote_all: bool = False) -> None:
        self.rows += 1
        self._add(render_row(cells, quote_all=quote_all))

    def flush(self) -> None:
        """Hand whatever is buffered to the sink (call once the last row is written)."""
        if self._lines:
            data = "".join(self._lines).encode()
            self._lines = []
            self._size = 0
            self._sink.write(data)


P = TypeVar("P", RowProblem, CrossFileProblem)


P_contra = TypeVar("P_contra", contravariant=True)


class _Report(Protocol[P_contra]):
    def write(self, problem: P_contra) -> None: ...

    def flush(self) -> None: ...


class SingleFileReport:
    """One single-file error or warning report. The header row is written at once (spec §2.3)."""

    def __init__(self, sink: BinarySink, chunk_bytes: int = DEFAULT_CHUNK_BYTES) -> None:
        self._stream = CsvStream(sink, chunk_bytes)
        self._stream.header(SINGLE_FILE_COLUMNS)

    @property
    def rows(self) -> int:
        return self._stream.rows

    def write(self, problem: RowProblem) -> None:
        quote_all = problem.error_type not in SQL_RULE_ERROR_TYPES
        self._stream.row(single_file_cells(problem), quote_all=quote_all)

    def flush(self) -> None:
        self._stream.flush()


class CrossFileReport:
    """One cross-file error or warning report; every row comes from a SQL rule (minimal quoting)."""

    def __init__(self, sink: BinarySink, chunk_bytes: int = DEFAULT_CHUNK_BYTES) -> None:
        self._stream = CsvStream(sink, chunk_bytes)
        self._stream.header(CROSS_FILE_COLUMNS)

    @property
    def rows(self) -> int:
        return self._stream.rows

    def write(self, problem: CrossFileProblem) -> None:
        self._stream.row(cross_file_cells(problem))

    def flush(self) -> None:
        self._stream.flush()


class _ReportPair(Generic[P]):
    """The error and warning report of one file or pair, fed one stream of problems split by severity."""

    def __init__(
        self,
        report: Callable[[BinarySink, int], _Report[P]],
        errors: BinarySink,
        warnings: BinarySink,
        chunk_bytes: int,
    ) -> None:
        self.errors: _Report[P] = report(errors, chunk_bytes)
        self.warnings: _Report[P] = report(warnings, chunk_bytes)

    def write(self, problem: P) -> None:
        (self.errors if problem.severity is Severity.FATAL else self.warnings).write(problem)

    def flush(self) -> None:
        self.errors.flush()
        self.warnings.flush()


class SingleFileReports(_ReportPair[RowProblem]):
    """The error and warning report of one file."""

    def __init__(
        self, errors: BinarySink, warnings: BinarySink, chunk_bytes: int = DEFAULT_CHUNK_BYTES
    ) -> None:
        super().__init__(SingleFileReport, errors, warnings, chunk_bytes)


class CrossFileReports(_ReportPair[CrossFileProblem]):
    """The error and warning report of one cross-file pair."""

    def __init__(
        self, errors: BinarySink, warnings: BinarySink, chunk_bytes: int = DEFAULT_CHUNK_BYTES
    ) -> None:
        super().__init__(CrossFileReport, errors, warnings, chunk_bytes)


class _Chunks:
    """A sink that keeps what it is given until the generator below yields it."""

    def __init__(self) -> None:
        self.ready: list[bytes] = []

    def write(self, data: bytes, /) -> None:
        self.ready.append(data)

    def drain(self) -> Iterator[bytes]:
        ready, self.ready = self.ready, []
        yield from ready


def single_file_report_chunks(
    problems: Iterable[RowProblem], chunk_bytes: int = DEFAULT_CHUNK_BYTES
) -> Iterator[bytes]:
    """One report (header + every problem given) as byte chunks, for ``FileStorage.write``.

    Lazy: ``problems`` is consumed as the chunks are, so at most one chunk is held at a time.
    Severity is not looked at; pass the problems that belong in this report.
    """
    return _report_chunks(SingleFileReport, problems, chunk_bytes)


def cross_file_report_chunks(
    problems: Iterable[CrossFileProblem], chunk_bytes: int = DEFAULT_CHUNK_BYTES
) -> Iterator[bytes]:
    """Like :func:`single_file_report_chunks`, for a cross-file report."""
    return _report_chunks(CrossFileReport, problems, chunk_bytes)


def _report_chunks(
    report_of: Callable[[BinarySink, int], _Report[P]], problems: Iterable[P], chunk_bytes: int
) -> Iterator[bytes]:
    chunks = _Chunks()
    report = report_of(chunks, chunk_bytes)
    yield from chunks.drain()
    for problem in problems:
        report.write(problem)
        yield from chunks.drain()
    report.flush()
    yield from chunks.drain()


def header_error_report(duplicated: Iterable[str], missing: Iterable[str]) -> bytes:
    """The report that replaces the error report when headers are wrong (spec §2.4, §3.1).

    One ``Duplicated header`` row per name of ``duplicated``, then one ``Missing header`` row per
    name of ``missing``, in the order given (the caller passes long names in schema order).
    Small by construction (at most two rows per schema column), so it is returned whole.
    """
    chunks = _Chunks()
    stream = CsvStream(chunks)
    stream.header(HEADER_ERROR_COLUMNS)
    for name in duplicated:
        stream.row((DUPLICATED_HEADER, name))
    for name in missing:
        stream.row((MISSING_HEADER, name))
    stream.flush()
    return b"".join(chunks.drain())

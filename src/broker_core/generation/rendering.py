"""Writing generated files: PostgreSQL's CSV rules, header rows, and the chunked byte stream.

The original wrote data rows with ``psql \\copy ... CSV``, so files follow
PostgreSQL's CSV dialect: a field is quoted only when it must be, NULL is an
empty unquoted field while an empty string is ``""``, and lines end with ``\\n``.
Award rows are stored already rendered in the comma form; a ``txt`` file is
the same dialect with ``|`` as the delimiter.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Iterator, Sequence

from broker_core.file_types import FileType
from broker_core.generation.columns import columns_for
from broker_core.generation.model import FileFormat


def _field(value: str | None, delimiter: str) -> str:
    if value is None:
        return ""
    if value == "":
        return '""'
    # "\." alone on a line would end a COPY stream, so PostgreSQL quotes it too.
    if delimiter in value or '"' in value or "\n" in value or "\r" in value or value == "\\.":
        return '"' + value.replace('"', '""') + '"'
    return value


def render_line(values: Sequence[str | None], delimiter: str = ",") -> str:
    """One CSV record in PostgreSQL's form, ending with ``\\n``."""
    return delimiter.join([_field(value, delimiter) for value in values]) + "\n"


def csv_line_to_txt(line: str) -> str:
    """Re-render a comma line (from :func:`render_line`) with ``|`` as the delimiter."""
    if '"' not in line and "|" not in line:
        # Nothing is quoted and no value holds a pipe: only the delimiters change.
        return line.replace(",", "|")
    record = next(csv.reader(io.StringIO(line, newline="")))
    # Stored rows hold blanks as NULL, never as empty strings, so "" parses back to None.
    return render_line([value or None for value in record], "|")


def header_line(file_type: FileType, file_format: FileFormat, element_numbers: bool = False) -> str:
    """The header row of a generated file, rendered like the data rows.

    ``element_numbers`` gives D1 the ``"<name> (<FPDS element>)"`` headers (``"<name> ()"``
    where a column has no element); other types ignore it. A files are always comma CSV.
    """
    columns = columns_for(file_type)
    if element_numbers and file_type is FileType.D1:
        headers = [f"{column.header} ({column.element or ''})" for column in columns]
    else:
        headers = [column.header for column in columns]
    delimiter = "," if file_type is FileType.A else file_format.delimiter
    return render_line(headers, delimiter)


def file_chunks(
    header: str,
    lines: Iterable[str],
    file_format: FileFormat,
    chunk_bytes: int = 1 << 20,
    progress: Callable[[int], None] | None = None,
) -> Iterator[bytes]:
    """The file as UTF-8 chunks of about ``chunk_bytes``: ``header`` as given, then every line.

    ``lines`` are in the comma form and converted for ``txt``. ``progress`` hears
    the number of rows written so far after each chunk and once at the end.
    """
    # Hot loop of large generations: collect str, join and encode once per chunk.
    convert = csv_line_to_txt if file_format is FileFormat.TXT else None
    buffer = [header]
    size = len(header)
    rows = 0
    for line in lines:
        if convert is not None:
            line = convert(line)
        buffer.append(line)
        size += len(line)
        rows += 1
        if size >= chunk_bytes:
            yield "".join(buffer).encode()
            buffer = []
            size = 0
            if progress is not None:
                progress(rows)
    if buffer:
        yield "".join(buffer).encode()
    if progress is not None:
        progress(rows)

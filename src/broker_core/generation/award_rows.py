"""Award rows (D1 procurement, D2 assistance) in and out of the generated-file layout.

Rows are loaded from files laid out exactly like a generated D1/D2 file, and
stored already rendered (see :class:`~broker_core.records.RenderedAwardRow`), so
values are normalised here once: blanks become NULL, dates ``YYYYMMDD``, flags
``t``/``f``, amounts plain decimals. Generating a file then only copies lines.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from collections.abc import Iterator, Sequence
from decimal import Decimal
from typing import TextIO

import attrs

from broker_core.file_types import FileType
from broker_core.generation.columns import Column, ColumnKind, columns_for
from broker_core.generation.rendering import render_line
from broker_core.records import RenderedAwardRow

# YYYYMMDD or YYYY-MM-DD (the separator, if any, must be used twice).
_DATE_RE = re.compile(r"([0-9]{4})(-?)([0-9]{2})\2([0-9]{2})", re.ASCII)
# Last-modified stamps come from FPDS/FABS as timestamps; the file shows the date only.
_STAMP_RE = re.compile(_DATE_RE.pattern + r"(?:[ T][0-9]{2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]+)?)?)?", re.ASCII)
_STAMP_COLUMNS = frozenset({"last_modified", "modified_at"})
_DECIMAL_RE = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]{1,2})?", re.ASCII)
_INTEGER_RE = re.compile(r"[+-]?[0-9]+", re.ASCII)
_TRUE = frozenset({"t", "true", "y", "yes", "1"})
_FALSE = frozenset({"f", "false", "n", "no", "0"})


@attrs.frozen
class RowError:
    """A data row of an award file that could not be loaded (``line_number`` counts the header as 1)."""

    line_number: int
    message: str


@attrs.frozen
class _Layout:
    """What loading needs to know about one file type's columns, computed once."""

    columns: tuple[Column, ...]
    typed: tuple[tuple[int, Column], ...]  # the columns that are not plain text
    key_index: int
    date_index: int
    awarding_index: int
    funding_index: int
    award_key_index: int


def _layout(file_type: FileType) -> _Layout:
    columns = columns_for(file_type)
    names = [column.name for column in columns]
    return _Layout(
        columns=columns,
        typed=tuple((i, c) for i, c in enumerate(columns) if c.kind is not ColumnKind.TEXT),
        key_index=0,
        date_index=names.index("action_date"),
        awarding_index=names.index("awarding_agency_code"),
        funding_index=names.index("funding_agency_code"),
        award_key_index=names.index("unique_award_key"),
    )


_LAYOUTS = {file_type: _layout(file_type) for file_type in (FileType.D1, FileType.D2)}


def _layout_for(file_type: FileType) -> _Layout:
    try:
        return _LAYOUTS[file_type]
    except KeyError:
        raise ValueError(f"{file_type.letter} is not an award file type (D1 or D2)") from None


def _date(column: Column, text: str) -> str:
    pattern = _STAMP_RE if column.name in _STAMP_COLUMNS else _DATE_RE
    match = pattern.fullmatch(text)
    if match is not None:
        year, month, day = int(match[1]), int(match[3]), int(match[4])
        try:
            dt.date(year, month, day)
        except ValueError:
            pass
        else:
            return f"{year:04d}{month:02d}{day:02d}"
    raise ValueError(f"{column.header}: {text!r} is not a valid date (expected YYYYMMDD or YYYY-MM-DD)")


def _boolean(column: Column, text: str) -> str:
    lowered = text.lower()
    if lowered in _TRUE:
        return "t"
    if lowered in _FALSE:
        return "f"
    raise ValueError(
        f"{column.header}: {text!r} is not a valid boolean (expected t/f, true/false, y/n or 1/0)"
    )


def _decimal(column: Column, text: str) -> str:
    if not _DECIMAL_RE.fullmatch(text):
        raise ValueError(f"{column.header}: {text!r} is not a valid decimal number")
    return format(Decimal(text), "f")


def _integer(column: Column, text: str) -> str:
    if not _INTEGER_RE.fullmatch(text):
        raise ValueError(f"{column.header}: {text!r} is not a valid integer")
    return str(int(text))


_NORMALISERS = {
    ColumnKind.DATE: _date,
    ColumnKind.BOOLEAN: _boolean,
    ColumnKind.DECIMAL: _decimal,
    ColumnKind.INTEGER: _integer,
}


def render_award_values(file_type: FileType, values: Sequence[str | None]) -> RenderedAwardRow:
    """Normalise one row's values (in file column order) and render it for storage.

    Raises ValueError naming the column header when a value is not acceptable.
    """
    layout = _layout_for(file_type)
    if len(values) != len(layout.columns):
        raise ValueError(f"Expected {len(layout.columns)} values, found {len(values)}")
    # Blank or whitespace-only text is stored as NULL, never as an empty string.
    normal: list[str | None] = [value if value and not value.isspace() else None for value in values]
    for index, column in layout.typed:
        value = normal[index]
        if value is not None:
            normal[index] = _NORMALISERS[column.kind](column, value.strip())

    key = normal[layout.key_index]
    if key is None:
        raise ValueError(f"{layout.columns[layout.key_index].header}: Missing data for required field.")
    action_date = normal[layout.date_index]
    if action_date is None:
        raise ValueError(f"{layout.columns[layout.date_index].header}: Missing data for required field.")
    return RenderedAwardRow(
        unique_key=key,
        action_date=dt.date(int(action_date[:4]), int(action_date[4:6]), int(action_date[6:])),
        awarding_agency_code=normal[layout.awarding_index],
        funding_agency_code=normal[layout.funding_index],
        line=render_line(normal),
        unique_award_key=normal[layout.award_key_index],
        is_active=True,
    )


def _header_positions(layout: _Layout, file_type: FileType, headers: list[str]) -> list[int]:
    """For each file column, the index of the layout column it holds; ValueError if they differ."""
    accepted: dict[str, int] = {}
    for index, column in enumerate(layout.columns):
        accepted[column.header.lower()] = index
        if file_type is FileType.D1:
            accepted[f"{column.header} ({column.element or ''})".lower()] = index
    positions: list[int] = []
    unknown: list[str] = []
    seen: dict[int, int] = {}
    duplicated: list[str] = []
    for header in headers:
        found = accepted.get(header.strip().lower())
        if found is None:
            unknown.append(header)
            continue
        seen[found] = seen.get(found, 0) + 1
        if seen[found] == 2:
            duplicated.append(layout.columns[found].header)
        positions.append(found)
    missing = [column.header for i, column in enumerate(layout.columns) if i not in seen]
    if unknown or missing or duplicated:
        problems = [
            f"{label}: {', '.join(names)}"
            for label, names in (("missing", missing), ("unknown", unknown), ("duplicated", duplicated))
            if names
        ]
        raise ValueError(f"The header row is not a {file_type.letter} file header ({'; '.join(problems)})")
    return positions


def read_award_file(file_type: FileType, stream: TextIO) -> Iterator[RenderedAwardRow | RowError]:
    """Read a D1/D2 file (comma csv or pipe txt, plain or element-number headers) row by row.

    The header row is checked at once: ValueError if it does not name exactly the
    file's columns. Rows are then read lazily; each row that cannot be loaded
    yields a :class:`RowError` and reading goes on. Line numbers count records,
    the header being line 1. Open the stream with ``newline=""`` so that line
    breaks inside quoted values survive.
    """
    layout = _layout_for(file_type)
    header = stream.readline()
    if header.startswith("\ufeff"):
        header = header[1:]
    if not header.strip():
        raise ValueError(f"The file is empty: expected a {file_type.letter} header row")
    # A comma may appear inside a quoted header, a pipe never does.
    delimiter = "|" if header.count("|") > header.count(",") else ","
    try:
        headers = next(csv.reader([header], delimiter=delimiter))
    except csv.Error as exc:
        raise ValueError(f"Line 1: the header row cannot be read as CSV ({exc})") from exc
    positions = _header_positions(layout, file_type, headers)
    return _rows(file_type, csv.reader(stream, delimiter=delimiter), positions, len(layout.columns))


def _rows(
    file_type: FileType, reader: Iterator[list[str]], positions: list[int], width: int
) -> Iterator[RenderedAwardRow | RowError]:
    identity = positions == list(range(width))
    line_number = 1
    try:
        for record in reader:
            line_number += 1
            if not record:
                continue  # a blank line
            if len(record) != width:
                yield RowError(line_number, f"Expected {width} fields, found {len(record)}")
                continue
            if identity:
                values: list[str | None] = [value or None for value in record]
            else:
                values = [None] * width
                for position, value in zip(positions, record, strict=True):
                    values[position] = value or None
            try:
                yield render_award_values(file_type, values)
            except ValueError as exc:
                yield RowError(line_number, str(exc))
    except csv.Error as exc:
        raise ValueError(f"Line {line_number + 1}: the file cannot be read as CSV ({exc})") from exc

"""Reading the source data files ``broker load ...`` takes, and loading them all-or-nothing.

Each ``read_*`` function (in the modules of this package) takes a text stream
and returns an iterator of records, with a ``RowError`` in place of each bad
row. The header is checked when the function is called (a missing column
raises ``ValueError``); the rows are read lazily, one at a time.
``broker_core.loading.service`` turns such an iterator into one transaction.

This module holds what the readers share: header matching, physical line
numbers and the field converters. Converters never raise for bad values; they
note a ``"<Column>: <problem>"`` on the row and the reader yields a
``RowError`` for it.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from decimal import Decimal, InvalidOperation
from typing import TextIO, TypeVar

import attrs

from broker_core.generation.award_rows import RowError
from broker_core.tas import concat_tas

R = TypeVar("R")

_BOM = "\ufeff"
_SPACES = re.compile(r"\s+")


def normalise_header(name: str) -> str:
    """How headers are compared: BOM and outer spaces dropped, inner runs of spaces single, lower case."""
    return _SPACES.sub(" ", name.replace(_BOM, "").strip()).lower()


@attrs.frozen
class Field:
    """A column a reader uses: its name in messages, other header spellings, and whether it must exist."""

    name: str
    aliases: tuple[str, ...] = ()
    required: bool = True

    def spellings(self) -> tuple[str, ...]:
        return tuple(normalise_header(n) for n in (self.name, *self.aliases))


@attrs.frozen
class RawRow:
    """One data row: its first physical line and the raw values of the fields found in the header."""

    line_number: int
    values: dict[str, str | None]  # Field.name -> raw text (None: column absent from the file)
    problem: str | None = None  # set when the row itself is malformed (too short, too long)


def _without_bom(stream: Iterable[str]) -> Iterator[str]:
    first = True
    for line in stream:
        if first:
            line = line.removeprefix(_BOM)
            first = False
        yield line


def read_rows(stream: TextIO | Iterable[str], fields: Sequence[Field]) -> Iterator[RawRow]:
    """Check the header against ``fields`` now, then return an iterator of the data rows.

    Raises ``ValueError("Missing column(s): ...")`` when a required field has
    no column. Blank lines are skipped. A ``csv.Error`` (or an empty file)
    becomes a ``ValueError`` naming the line.
    """
    reader = csv.reader(_without_bom(stream))
    try:
        header = next(reader, None)
    except csv.Error as exc:
        raise ValueError(f"Line 1: {exc}") from exc
    if header is None:
        raise ValueError("The file is empty: no header row")
    positions: dict[str, int] = {}
    for index, name in enumerate(header):
        positions.setdefault(normalise_header(name), index)
    columns: dict[str, int] = {}
    missing: list[str] = []
    for field in fields:
        found = next((positions[s] for s in field.spellings() if s in positions), None)
        if found is not None:
            columns[field.name] = found
        elif field.required:
            missing.append(field.name)
    if missing:
        raise ValueError("Missing column(s): " + ", ".join(missing))
    return _data_rows(reader, columns, len(header))


def _data_rows(reader: Iterator[list[str]], columns: dict[str, int], width: int) -> Iterator[RawRow]:
    # csv.reader.line_num counts physical lines read so far, so a row starts
    # one line after where the previous one ended (quoted fields may span lines).
    line_num = getattr(reader, "line_num", 0)
    while True:
        start = line_num + 1
        try:
            row = next(reader, None)
        except csv.Error as exc:
            raise ValueError(f"Line {start}: {exc}") from exc
        if row is None:
            return
        line_num = getattr(reader, "line_num", line_num + 1)
        if not row or (len(row) == 1 and not row[0].strip()):
            continue  # blank line
        values: dict[str, str | None] = {
            name: (row[index] if index < len(row) else None) for name, index in columns.items()
        }
        problem = None
        if len(row) < width:
            absent = [name for name, index in columns.items() if index >= len(row)]
            if absent:
                problem = f"{absent[0]}: missing (the row has {len(row)} fields, the header {width})"
        elif len(row) > width and any(value.strip() for value in row[width:]):
            problem = f"Row: has {len(row)} fields, the header {width}"
        yield RawRow(start, values, problem)


def read_records(
    stream: TextIO | Iterable[str], fields: Sequence[Field], build: Callable[[RowReader], R]
) -> Iterator[R | RowError]:
    """Check the header now; then, lazily, ``build`` a record from each row or yield its ``RowError``."""
    return _records(read_rows(stream, fields), build)


def _records(rows: Iterator[RawRow], build: Callable[[RowReader], R]) -> Iterator[R | RowError]:
    for raw in rows:
        if raw.problem:
            yield RowError(raw.line_number, raw.problem)
            continue
        row = RowReader(raw)
        record = build(row)
        yield RowError(raw.line_number, row.message) if row.problems else record


# --------------------------------------------------------------------------- field converters


class RowReader:
    """Converts the fields of one row, collecting a ``"<Column>: <problem>"`` for each bad one.

    Each converter returns a usable placeholder for a bad value, so a reader
    can convert every field and then look at ``problems``.
    """

    def __init__(self, row: RawRow) -> None:
        self.row = row
        self.problems: list[str] = []

    @property
    def message(self) -> str:
        return "; ".join(self.problems)

    def fail(self, column: str, problem: str) -> None:
        self.problems.append(f"{column}: {problem}")

    def text(self, column: str) -> str | None:
        """The stripped value, None when blank or when the column is absent."""
        raw = self.row.values.get(column)
        if raw is None:
            return None
        value = raw.strip()
        return value or None

    def required_text(self, column: str) -> str:
        value = self.text(column)
        if value is None:
            self.fail(column, "required")
            return ""
        return value

    def code(self, column: str, width: int, *, default: str | None = None, pad: bool = True) -> str | None:
        """A code of exactly ``width`` characters; all-digit values are zero-padded (``20`` -> ``020``)."""
        value = self.text(column)
        if value is None:
            return default
        if pad and value.isdigit() and len(value) < width:
            value = value.zfill(width)
        if len(value) != width:
            self.fail(column, f"must be {width} characters, got {value!r}")
            return None
        return value

    def required_code(self, column: str, width: int) -> str:
        if self.text(column) is None:
            self.fail(column, "required")
            return ""
        return self.code(column, width) or ""

    def integer(self, column: str, *, low: int | None = None, high: int | None = None) -> int:
        value = self.text(column)
        if value is None:
            self.fail(column, "required")
            return 0
        try:
            number = int(value)
        except ValueError:
            self.fail(column, f"not a whole number ({value!r})")
            return 0
        if (low is not None and number < low) or (high is not None and number > high):
            self.fail(column, f"must be between {low} and {high}, got {number}")
        return number

    def fiscal_year(self, column: str) -> int:
        value = self.text(column)
        if value is None or not (len(value) == 4 and value.isdigit()):
            self.fail(column, f"must be a 4-digit year, got {value!r}" if value else "required")
            return 0
        return int(value)

    def period(self, column: str) -> int:
        return self.integer(column, low=1, high=12)

    def decimal(self, column: str) -> Decimal:
        value = self.text(column)
        if value is None:
            self.fail(column, "required")
            return Decimal(0)
        try:
            number = Decimal(value)
        except InvalidOperation:
            number = None
        if number is None or not number.is_finite():
            self.fail(column, f"not a number ({value!r})")
            return Decimal(0)
        return number

    def boolean(self, column: str) -> bool:
        """TRUE/FALSE, Y/N, YES/NO, T/F or 1/0 in any case; blank is False."""
        value = self.text(column)
        if value is None:
            return False
        flag = _BOOLEANS.get(value.upper())
        if flag is None:
            self.fail(column, f"not TRUE/FALSE or Y/N ({value!r})")
            return False
        return flag

    def date(self, column: str) -> dt.date | None:
        value = self.text(column)
        if value is None:
            return None
        parsed = parse_date(value)
        if parsed is None:
            self.fail(column, f"not a date ({value!r})")
        return parsed

    def required_date(self, column: str) -> dt.date:
        if self.text(column) is None:
            self.fail(column, "required")
            return dt.date.min
        return self.date(column) or dt.date.min


_BOOLEANS = {
    "TRUE": True,
    "FALSE": False,
    "T": True,
    "F": False,
    "Y": True,
    "N": False,
    "YES": True,
    "NO": False,
    "1": True,
    "0": False,
}

_SLASH_DATE = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4}|\d{2})")
_TIME = re.compile(r"\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?(\s*[AaPp][Mm])?")


def parse_date(value: str) -> dt.date | None:
    """A date in ISO form (``2016-01-05``, ``20160105``), US form (``01/05/2016``, ``1/5/16``),

    optionally followed by a time (``2016-01-05 00:00:00``, ``1/5/2016 12:00 AM``),
    which is dropped. None if the value is none of those.
    """
    value = value.strip()
    if "/" in value:
        date_part, _, time_part = value.partition(" ")
        match = _SLASH_DATE.fullmatch(date_part)
        if match is None or (time_part and not _TIME.fullmatch(time_part.strip())):
            return None
        month, day, year = (int(g) for g in match.groups())
        if len(match.group(3)) == 2:
            year += 2000 if year < 69 else 1900  # the pivot of strptime's %y
        try:
            return dt.date(year, month, day)
        except ValueError:
            return None
    try:
        return dt.datetime.fromisoformat(value).date()
    except ValueError:
        return None


@attrs.frozen
class TasParts:
    """The components of a Treasury Account Symbol as stored, and its concatenated form."""

    allocation_transfer_agency: str | None
    agency_identifier: str
    beginning_period_of_availa: str | None
    ending_period_of_availabil: str | None
    availability_type_code: str | None
    main_account_code: str
    sub_account_code: str

    @property
    def tas(self) -> str:
        return concat_tas(
            self.allocation_transfer_agency,
            self.agency_identifier,
            self.beginning_period_of_availa,
            self.ending_period_of_availabil,
            self.availability_type_code,
            self.main_account_code,
            self.sub_account_code,
        )


def tas_parts(
    row: RowReader, ata: str, aid: str, bpoa: str, epoa: str, atc: str, main: str, sub: str
) -> TasParts:
    """Read the TAS components from the named columns.

    ATA and AID are padded to 3 characters, main account to 4 and sub account
    to 3; AID and main account are required, a blank sub account is ``000``.
    BPOA and EPOA are 4 characters, the availability type code one.
    """
    return TasParts(
        allocation_transfer_agency=row.code(ata, 3),
        agency_identifier=row.required_code(aid, 3),
        beginning_period_of_availa=row.code(bpoa, 4, pad=False),
        ending_period_of_availabil=row.code(epoa, 4, pad=False),
        availability_type_code=row.code(atc, 1, pad=False),
        main_account_code=row.required_code(main, 4),
        sub_account_code=row.code(sub, 3, default="000") or "000",
    )

"""OMB program activities per account: the Program Activity list (B9) and the PARK list (B28).

Neither original file (``DATA Act Program Activity List for Treas.csv``,
``PARK_PROGRAM_ACTIVITY.csv``) is available here; the readers define the formats below, keeping
the original files' column names. Headers match in any case and order, the stored table's column
names are accepted too, and other columns (bureau and account titles, update stamps) are ignored.
Codes are zero-padded when all digits (``97`` is agency ``097``).

Program activity list (``program_activity``)::

    FYQ,AGENCY_CODE,ALLOCATION_ID,ACCOUNT_CODE,PA_CODE,PA_TITLE
    FY17P06,019,,0306,0001,Program direction
    FY17Q2,019,,0306,0002,Grants

``FYQ`` (or ``fiscal_year_period``) is the reporting period: ``FYyyPpp`` (period 1-12) or the
older quarter form ``FYyyQq``, read as the quarter's last period (``FY17Q2`` is ``FY17P06``); a
4-digit year is accepted too. ``AGENCY_CODE`` (3 characters), ``ACCOUNT_CODE`` (the main account,
4), ``PA_CODE`` (4) and ``PA_TITLE`` are required; ``ALLOCATION_ID`` (3) may be blank. The same
row may appear more than once (the original's file repeats rows that differ only in columns not
loaded).

PARK list (``program_activity_park``)::

    FY,PD,ALLOC_XFER_AGENCY,AID,MAIN_ACCT,SUB_ACCT,PARK,PARK_NAME
    2025,7,,019,0306,,A1B2C3D4E5,Program direction

``FY`` (4-digit fiscal year), ``PD`` (period 1-12), ``AID`` (3), ``MAIN_ACCT`` (4), ``PARK`` (at
most 15 characters) and ``PARK_NAME`` are required; ``ALLOC_XFER_AGENCY`` (3) and ``SUB_ACCT`` (3)
may be blank. A blank ``SUB_ACCT`` makes the PARK valid for every sub account of the account.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import TextIO

import attrs

from broker_core.generation.award_rows import RowError
from broker_core.loading import Field, RowReader, read_records

# --------------------------------------------------------------------------- program activity list

FYQ = "FYQ"
AGENCY_CODE = "AGENCY_CODE"
ALLOCATION_ID = "ALLOCATION_ID"
ACCOUNT_CODE = "ACCOUNT_CODE"
PA_CODE = "PA_CODE"
PA_TITLE = "PA_TITLE"

PROGRAM_ACTIVITY_FIELDS = (
    Field(FYQ, aliases=("fiscal_year_period",)),
    Field(AGENCY_CODE, aliases=("agency_id",)),
    Field(ALLOCATION_ID, aliases=("allocation_transfer_id",)),
    Field(ACCOUNT_CODE, aliases=("account_number",)),
    Field(PA_CODE, aliases=("program_activity_code",)),
    Field(PA_TITLE, aliases=("program_activity_name",)),
)

_FISCAL_PERIOD = re.compile(r"FY(\d{2}|\d{4})([PQ])(\d{1,2})", re.IGNORECASE)


@attrs.frozen
class ProgramActivityRecord:
    """A program activity (code and name) of an account (agency + main account) in one period."""

    fiscal_year: int
    period: int
    agency_id: str
    allocation_transfer_id: str | None
    account_number: str
    program_activity_code: str
    program_activity_name: str

    @property
    def fiscal_year_period(self) -> str:
        """The original's form of the period, e.g. ``FY17P06``."""
        return f"FY{self.fiscal_year % 100:02d}P{self.period:02d}"


def parse_fiscal_period(value: str) -> tuple[int, int] | None:
    """``(fiscal year, period)`` of ``FY17P06``, ``FY2017P6`` or ``FY17Q2`` (→ period 6); else None."""
    match = _FISCAL_PERIOD.fullmatch(value.strip())
    if match is None:
        return None
    year_text, kind, number_text = match.groups()
    year = int(year_text) + (2000 if len(year_text) == 2 else 0)
    number = int(number_text)
    if kind.upper() == "Q":
        return (year, number * 3) if 1 <= number <= 4 else None
    return (year, number) if 1 <= number <= 12 else None


def _fiscal_period(row: RowReader, column: str) -> tuple[int, int]:
    value = row.text(column)
    if value is None:
        row.fail(column, "required")
        return (0, 0)
    parsed = parse_fiscal_period(value)
    if parsed is None:
        row.fail(column, f"must be FYyyPpp or FYyyQq (e.g. FY17P06, FY17Q2), got {value!r}")
        return (0, 0)
    return parsed


def read_program_activities(stream: TextIO | Iterable[str]) -> Iterator[ProgramActivityRecord | RowError]:
    """Program activities of the list; the header is checked now, rows are read lazily."""
    return read_records(stream, PROGRAM_ACTIVITY_FIELDS, _program_activity)


def _program_activity(row: RowReader) -> ProgramActivityRecord:
    fiscal_year, period = _fiscal_period(row, FYQ)
    return ProgramActivityRecord(
        fiscal_year=fiscal_year,
        period=period,
        agency_id=row.required_code(AGENCY_CODE, 3),
        allocation_transfer_id=row.code(ALLOCATION_ID, 3),
        account_number=row.required_code(ACCOUNT_CODE, 4),
        program_activity_code=row.required_code(PA_CODE, 4),
        program_activity_name=row.required_text(PA_TITLE),
    )


# --------------------------------------------------------------------------- PARK list

FY = "FY"
PD = "PD"
ALLOC_XFER_AGENCY = "ALLOC_XFER_AGENCY"
AID = "AID"
MAIN_ACCT = "MAIN_ACCT"
SUB_ACCT = "SUB_ACCT"
PARK = "PARK"
PARK_NAME = "PARK_NAME"

#: The longest PARK a file B or C can hold.
PARK_LENGTH = 15

PARK_FIELDS = (
    Field(FY, aliases=("fiscal_year",)),
    Field(PD, aliases=("period",)),
    Field(ALLOC_XFER_AGENCY, aliases=("allocation_transfer_id",)),
    Field(AID, aliases=("agency_id",)),
    Field(MAIN_ACCT, aliases=("main_account_number",)),
    Field(SUB_ACCT, aliases=("sub_account_number",)),
    Field(PARK, aliases=("park_code",)),
    Field(PARK_NAME, aliases=("park_name",)),
)


@attrs.frozen
class ParkRecord:
    """A Program Activity Reporting Key of an account (all its sub accounts when ``sub_account_number`` is None)."""

    fiscal_year: int
    period: int
    agency_id: str
    allocation_transfer_id: str | None
    main_account_number: str
    sub_account_number: str | None
    park_code: str
    park_name: str


def read_park(stream: TextIO | Iterable[str]) -> Iterator[ParkRecord | RowError]:
    """PARKs of the list; the header is checked now, rows are read lazily."""
    return read_records(stream, PARK_FIELDS, _park)


def _park_code(row: RowReader) -> str:
    value = row.required_text(PARK)
    if len(value) > PARK_LENGTH:
        row.fail(PARK, f"at most {PARK_LENGTH} characters, got {value!r}")
    return value


def _park(row: RowReader) -> ParkRecord:
    return ParkRecord(
        fiscal_year=row.fiscal_year(FY),
        period=row.period(PD),
        agency_id=row.required_code(AID, 3),
        allocation_transfer_id=row.code(ALLOC_XFER_AGENCY, 3),
        main_account_number=row.required_code(MAIN_ACCT, 4),
        sub_account_number=row.code(SUB_ACCT, 3),
        park_code=_park_code(row),
        park_name=row.required_text(PARK_NAME),
    )

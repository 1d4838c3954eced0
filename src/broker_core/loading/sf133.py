"""GTAS SF-133 extracts (``sf_133.csv``): one amount per TAS, line, fiscal year and period."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TextIO

from broker_core.generation.award_rows import RowError
from broker_core.loading import Field, RowReader, read_records, tas_parts
from broker_core.records import SF133Record

ATA = "ATA"
AID = "AID"
ATC = "Availability Type Code"
BPOA = "BPOA"
EPOA = "EPOA"
MAIN = "Main Account"
SUB = "Sub Account"
FISCAL_YEAR = "Fiscal Year"
PERIOD = "Period"
LINE = "Line Num"
AMOUNT = "Amount Summed"

FIELDS = (
    Field(ATA),
    Field(AID),
    Field(ATC, aliases=("Availability,Type Code",)),
    Field(BPOA),
    Field(EPOA),
    Field(MAIN),
    Field(SUB),
    Field(FISCAL_YEAR),
    Field(PERIOD),
    Field(LINE),
    Field(AMOUNT),
)


def read_sf133(stream: TextIO | Iterable[str]) -> Iterator[SF133Record | RowError]:
    """SF-133 records of a GTAS extract; the header is checked now, rows are read lazily.

    Blank components may be spaces. The amount is an exact ``Decimal`` (no
    thousands separators), the period 1 to 12, the line a whole number.
    """
    return read_records(stream, FIELDS, _sf133)


def _sf133(row: RowReader) -> SF133Record:
    parts = tas_parts(row, ATA, AID, BPOA, EPOA, ATC, MAIN, SUB)
    return SF133Record(
        fiscal_year=row.fiscal_year(FISCAL_YEAR),
        period=row.period(PERIOD),
        allocation_transfer_agency=parts.allocation_transfer_agency,
        agency_identifier=parts.agency_identifier,
        beginning_period_of_availa=parts.beginning_period_of_availa,
        ending_period_of_availabil=parts.ending_period_of_availabil,
        availability_type_code=parts.availability_type_code,
        main_account_code=parts.main_account_code,
        sub_account_code=parts.sub_account_code,
        line=row.integer(LINE),
        amount=row.decimal(AMOUNT),
        tas=parts.tas,
    )

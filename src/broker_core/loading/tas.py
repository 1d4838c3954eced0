"""The CARS TAS extract: one row per Treasury Account Symbol, keyed by ``acct_num``."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TextIO

from broker_core.generation.award_rows import RowError
from broker_core.loading import Field, RowReader, read_records, tas_parts
from broker_core.records import TasRecord

ACCOUNT_NUM = "acct_num"
ATC = "a"
ATA = "ata"
AID = "aid"
BPOA = "bpoa"
EPOA = "epoa"
MAIN = "main"
SUB = "sub"
FINANCIAL_INDICATOR2 = "financial_indicator_type2"
FR_ENTITY_TYPE = "fr_entity_type"
FR_ENTITY_DESCRIPTION = "fr_entity_description"
ACCOUNT_TITLE = "gwa_tas_name"
START_DATE = "dt_tm_estab"
END_DATE = "dt_end"

# Older extracts spell four of the columns differently; both are accepted.
FIELDS = (
    Field(ATC),
    Field(ACCOUNT_NUM),
    Field(AID),
    Field(ATA),
    Field(BPOA),
    Field(EPOA),
    Field(MAIN),
    Field(SUB),
    Field(FINANCIAL_INDICATOR2, aliases=("financial_indicator_type_2",)),
    Field(FR_ENTITY_TYPE, aliases=("fr_entity_type_code",)),
    Field(START_DATE, aliases=("date/time_established",)),
    Field(END_DATE, aliases=("end_date",)),
    Field(FR_ENTITY_DESCRIPTION, required=False),
    Field(ACCOUNT_TITLE, required=False),
)


def read_tas(stream: TextIO | Iterable[str]) -> Iterator[TasRecord | RowError]:
    """TAS records of a CARS extract; the header is checked now, rows are read lazily.

    ``fr_entity_description`` and ``gwa_tas_name`` may be absent; the dates may
    be ``2016-01-05``, ``01/05/2016`` or ``2016-01-05 00:00:00`` (blank: none).
    """
    return read_records(stream, FIELDS, _tas)


def _tas(row: RowReader) -> TasRecord:
    parts = tas_parts(row, ATA, AID, BPOA, EPOA, ATC, MAIN, SUB)
    return TasRecord(
        account_num=row.integer(ACCOUNT_NUM),
        allocation_transfer_agency=parts.allocation_transfer_agency,
        agency_identifier=parts.agency_identifier,
        beginning_period_of_availa=parts.beginning_period_of_availa,
        ending_period_of_availabil=parts.ending_period_of_availabil,
        availability_type_code=parts.availability_type_code,
        main_account_code=parts.main_account_code,
        sub_account_code=parts.sub_account_code,
        tas=parts.tas,
        financial_indicator2=row.text(FINANCIAL_INDICATOR2),
        fr_entity_type=row.text(FR_ENTITY_TYPE),
        fr_entity_description=row.text(FR_ENTITY_DESCRIPTION),
        account_title=row.text(ACCOUNT_TITLE),
        internal_start_date=row.date(START_DATE),
        internal_end_date=row.date(END_DATE),
    )

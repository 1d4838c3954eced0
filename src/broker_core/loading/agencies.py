"""The agency codes list (``agency_codes.csv``): one row per sub-tier, with its CGAC and FREC."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TextIO

from broker_core.generation.award_rows import RowError
from broker_core.loading import Field, RowReader, read_records
from broker_core.records import AgencyRecord

CGAC = "CGAC AGENCY CODE"
AGENCY_NAME = "AGENCY NAME"
FREC = "FREC"
FREC_NAME = "FREC Entity Description"
SUB_TIER = "SUBTIER CODE"
SUB_TIER_NAME = "SUBTIER NAME"
IS_FREC = "IS_FREC"
FREC_CGAC = "FREC CGAC ASSOCIATION"

FIELDS = tuple(
    Field(name) for name in (CGAC, AGENCY_NAME, FREC, FREC_NAME, SUB_TIER, SUB_TIER_NAME, IS_FREC, FREC_CGAC)
)


def read_agencies(stream: TextIO | Iterable[str]) -> Iterator[AgencyRecord | RowError]:
    """Agency records of an agency codes CSV; the header is checked now, rows are read lazily.

    CGAC codes are 3 characters, FREC and sub-tier codes 4 (all-digit codes a
    spreadsheet shortened are zero-padded back: ``20`` -> ``020``). FREC and
    sub-tier may be blank; the flags are TRUE/FALSE (blank is FALSE).
    """
    return read_records(stream, FIELDS, _agency)


def _agency(row: RowReader) -> AgencyRecord:
    return AgencyRecord(
        cgac_code=row.required_code(CGAC, 3),
        agency_name=row.required_text(AGENCY_NAME),
        frec_code=row.code(FREC, 4),
        frec_name=row.text(FREC_NAME),
        sub_tier_code=row.code(SUB_TIER, 4),
        sub_tier_name=row.text(SUB_TIER_NAME),
        is_frec=row.boolean(IS_FREC),
        frec_cgac_association=row.boolean(FREC_CGAC),
    )

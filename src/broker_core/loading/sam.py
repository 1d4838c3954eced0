"""SAM entity extracts (the ``sam_recipient`` rows behind file E): one registration per UEI.

The header may use the ``sam_recipient`` column names (``uei``,
``high_comp_officer1_full_na``, ...) or, where one exists, the file-header name
of E or the award files (``AwardeeOrRecipientUEI``, ``HighCompOfficer1FullName``,
``LegalEntityCityName``, ...), in any case and order. Only ``uei`` must be present;
an absent column loads as blank. Messages name the column by its ``sam_recipient``
name.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator
from typing import Any, TextIO

from broker_core.generation.award_rows import RowError
from broker_core.loading import Field, RowReader, read_records
from broker_core.loading.source_fields import amount, uei
from broker_core.loading.source_records import SamRecipientRecord

UEI = "uei"


def _text(row: RowReader, column: str) -> str | None:
    return row.text(column)


def _date(row: RowReader, column: str) -> dt.date | None:
    return row.date(column)


def _required_uei(row: RowReader, column: str) -> str | None:
    return uei(row, column, required=True)


Convert = Callable[[RowReader, str], Any]

#: (column, other header spellings, converter), in ``SamRecipientRecord`` order. The other
#: spellings are the headers of E and of the award files (D1, D2) for the same value.
_COLUMNS: tuple[tuple[str, tuple[str, ...], Convert], ...] = (
    (UEI, ("AwardeeOrRecipientUEI", "awardee_or_recipient_uei"), _required_uei),
    ("awardee_or_recipient_uniqu", ("AwardeeOrRecipientUniqueIdentifier",), _text),
    ("legal_business_name", ("AwardeeOrRecipientLegalEntityName", "awardee_or_recipient_legal"), _text),
    ("dba_name", ("VendorDoingAsBusinessName", "Vendor Doing As Business Name"), _text),
    ("ultimate_parent_uei", ("UltimateParentUEI",), uei),
    ("ultimate_parent_unique_ide", ("UltimateParentUniqueIdentifier",), _text),
    ("ultimate_parent_legal_enti", ("UltimateParentLegalEntityName",), _text),
    ("address_line_1", ("LegalEntityAddressLine1",), _text),
    ("address_line_2", ("LegalEntityAddressLine2",), _text),
    ("city", ("LegalEntityCityName",), _text),
    ("state", ("LegalEntityStateCode",), _text),
    ("zip", ("LegalEntityZIP5",), _text),
    ("zip4", ("LegalEntityZIPLast4",), _text),
    ("country_code", ("LegalEntityCountryCode",), _text),
    ("congressional_district", ("LegalEntityCongressionalDistrict",), _text),
    ("entity_structure", (), _text),
    ("business_types_codes", (), _text),
    ("business_types", (), _text),
    ("registration_date", (), _date),
    ("expiration_date", (), _date),
    ("last_sam_mod_date", (), _date),
    ("last_exec_comp_mod_date", (), _date),
    *(
        column
        for n in range(1, 6)
        for column in (
            (f"high_comp_officer{n}_full_na", (f"HighCompOfficer{n}FullName",), _text),
            (f"high_comp_officer{n}_amount", (f"HighCompOfficer{n}Amount",), amount),
        )
    ),
)

FIELDS = tuple(Field(name, aliases=aliases, required=name == UEI) for name, aliases, _ in _COLUMNS)


def read_sam_recipients(stream: TextIO | Iterable[str]) -> Iterator[SamRecipientRecord | RowError]:
    """SAM recipient records of a CSV extract; the header is checked now, rows are read lazily.

    ``uei`` is required, and it and ``ultimate_parent_uei`` must be 12 letters
    or digits (upper-cased). Officer amounts are decimal numbers with at most
    two places (blank: none); the dates are ``2016-01-05``, ``01/05/2016`` or
    either with a time (blank: none). Everything else is text.
    """
    return read_records(stream, FIELDS, _sam_recipient)


def _sam_recipient(row: RowReader) -> SamRecipientRecord:
    values = {name: convert(row, name) for name, _, convert in _COLUMNS}
    # A missing UEI has been reported on the row, which becomes a RowError: "" only fills the record.
    values[UEI] = values[UEI] or ""
    return SamRecipientRecord(**values)

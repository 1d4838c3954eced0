"""Disaster Emergency Fund Codes (``defc``): the values rule B24 accepts.

The original loads ``DEFC_LIST_FOR_USAS.csv`` / ``def_codes.csv``, which is not available here;
this reader defines the format, keeping the original's column names::

    DEFC,Public Law,Public Law Short Title,Group Name,Is Valid
    L,Emergency P.L. 116-136,"Coronavirus Aid, Relief, and Economic Security Act",covid_19,TRUE
    9,Non-emergency,,,TRUE

``DEFC`` (or ``code``) is required: 1 to 3 letters or digits, stored in upper case, each once.
``Public Law`` (``public_law``), ``Public Law Short Title`` (``public_law_short_title``) and
``Group Name`` (``group_name``, ``group``) are optional text; the whole columns may be absent.
``Is Valid`` (``is_valid``) is TRUE/FALSE (also Y/N, YES/NO, 1/0), TRUE when blank or absent: a
code that is not valid stays in the table (as in the original's list, kept for display) but is
not accepted in a submission. Other columns (URLs, dates) are ignored.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TextIO

import attrs

from broker_core.generation.award_rows import RowError
from broker_core.loading import Field, RowReader, read_records

CODE = "DEFC"
PUBLIC_LAW = "Public Law"
SHORT_TITLE = "Public Law Short Title"
GROUP = "Group Name"
IS_VALID = "Is Valid"

#: The longest code a file B or C can hold.
CODE_LENGTH = 3

FIELDS = (
    Field(CODE, aliases=("code",)),
    Field(PUBLIC_LAW, aliases=("public_law",), required=False),
    Field(SHORT_TITLE, aliases=("public_law_short_title",), required=False),
    Field(GROUP, aliases=("group_name", "group"), required=False),
    Field(IS_VALID, aliases=("is_valid",), required=False),
)


@attrs.frozen
class DefcRecord:
    """One Disaster Emergency Fund Code; only codes with ``is_valid`` may be reported."""

    code: str
    public_law: str | None = None
    public_law_short_title: str | None = None
    group_name: str | None = None
    is_valid: bool = True


def _code(row: RowReader) -> str:
    value = row.text(CODE)
    if value is None:
        row.fail(CODE, "required")
        return ""
    if not (value.isascii() and value.isalnum() and len(value) <= CODE_LENGTH):
        row.fail(CODE, f"must be 1 to {CODE_LENGTH} letters or digits, got {value!r}")
        return ""
    return value.upper()


def read_defc(stream: TextIO | Iterable[str]) -> Iterator[DefcRecord | RowError]:
    """DEFC records of the list; the header is checked now, rows are read lazily.

    A code given twice (in any case) is an error on its second line, naming the first.
    """
    first_seen: dict[str, int] = {}

    def build(row: RowReader) -> DefcRecord:
        record = DefcRecord(
            code=_code(row),
            public_law=row.text(PUBLIC_LAW),
            public_law_short_title=row.text(SHORT_TITLE),
            group_name=row.text(GROUP),
            is_valid=row.boolean(IS_VALID) if row.text(IS_VALID) is not None else True,
        )
        if not row.problems:  # a bad row claims no code
            earlier = first_seen.setdefault(record.code, row.row.line_number)
            if earlier != row.row.line_number:
                row.fail(CODE, f"{record.code} is already on line {earlier}")
        return record

    return read_records(stream, FIELDS, build)

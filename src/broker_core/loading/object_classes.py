"""The OMB object class list (``object_class``): the codes rules B11.1 to B11.4 accept.

The original loads ``example_object_class.csv`` / ``object_class.csv``; that file is not available
here, so this reader defines the format, keeping the original's column names::

    MAX_OC_CODE,MAX_OBJECT_CLASS_NAME
    111,Full-time permanent
    252,Other services from non-Federal sources

``MAX_OC_CODE`` (or ``object_class_code``) is the object class of OMB Circular A-11 section 83
without its decimal point: 3 digits (``25.2`` is ``252``), or 4 digits when the list gives them;
1 or 2 digits are zero-padded to 3 (``11`` is ``011``). ``MAX_OBJECT_CLASS_NAME`` (or
``object_class_name``) is required. A code may appear once. Headers match in any case and order;
other columns are ignored.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TextIO

import attrs

from broker_core.generation.award_rows import RowError
from broker_core.loading import Field, RowReader, read_records

CODE = "MAX_OC_CODE"
NAME = "MAX_OBJECT_CLASS_NAME"

FIELDS = (
    Field(CODE, aliases=("object_class_code",)),
    Field(NAME, aliases=("object_class_name",)),
)


@attrs.frozen
class ObjectClassRecord:
    """One object class: ``object_class_code`` is 3 (or 4) digits."""

    object_class_code: str
    object_class_name: str


def object_class_code(row: RowReader, column: str) -> str:
    """A required code of digits only: 1-2 digits padded to 3, 3 or 4 kept as they are."""
    value = row.text(column)
    if value is None:
        row.fail(column, "required")
        return ""
    if not (value.isascii() and value.isdigit() and len(value) <= 4):
        row.fail(column, f"must be 3 or 4 digits without a decimal point, got {value!r}")
        return ""
    return value.zfill(3)


def read_object_classes(stream: TextIO | Iterable[str]) -> Iterator[ObjectClassRecord | RowError]:
    """Object classes of the list; the header is checked now, rows are read lazily.

    A code given twice is an error on its second line, naming the first.
    """
    first_seen: dict[str, int] = {}

    def build(row: RowReader) -> ObjectClassRecord:
        code = object_class_code(row, CODE)
        name = row.required_text(NAME)
        if not row.problems:  # a bad row claims no code
            earlier = first_seen.setdefault(code, row.row.line_number)
            if earlier != row.row.line_number:
                row.fail(CODE, f"{code} is already on line {earlier}")
        return ObjectClassRecord(object_class_code=code, object_class_name=name)

    return read_records(stream, FIELDS, build)

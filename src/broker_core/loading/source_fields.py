"""Field converters shared by the SAM recipient and subaward readers.

Like ``RowReader``'s own converters they never raise: a bad value is noted as
``"<column>: <problem>"`` on the row and a placeholder is returned.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from broker_core.loading import RowReader, parse_date

UEI_LENGTH = 12
CENT = Decimal("0.01")
#: Amounts are stored as NUMERIC(23, 2): at most 21 digits before the point.
MAX_AMOUNT_DIGITS = 21

_TIMESTAMP_FORMATS = (
    "%m/%d/%Y %H:%M:%S",
    "%m/%d/%Y %H:%M",
    "%m/%d/%Y %I:%M:%S %p",
    "%m/%d/%Y %I:%M %p",
)


def uei(row: RowReader, column: str, *, required: bool = False) -> str | None:
    """A Unique Entity ID: 12 letters or digits, upper-cased.

    SAM issues UEIs in upper case and E and F match them exactly against the
    award files, so a lower-case spelling is made to match rather than lost.
    """
    value = row.text(column)
    if value is None:
        if required:
            row.fail(column, "required")
        return None
    value = value.upper()
    if len(value) != UEI_LENGTH or not (value.isascii() and value.isalnum()):
        row.fail(column, f"must be {UEI_LENGTH} letters or digits, got {value!r}")
        return None
    return value


def amount(row: RowReader, column: str) -> Decimal | None:
    """An optional dollar amount with at most two decimal places, as an exact ``Decimal`` of two places.

    Normalising to two places here makes a record read back equal on SQLite
    (amounts kept as text) and PostgreSQL (NUMERIC(23, 2) pads to two places);
    more places are refused rather than silently rounded by the database.
    """
    value = row.text(column)
    if value is None:
        return None
    try:
        number = Decimal(value)
    except InvalidOperation:
        number = None
    if number is None or not number.is_finite():
        row.fail(column, f"not a number ({value!r})")
        return None
    if number and number.adjusted() >= MAX_AMOUNT_DIGITS:
        row.fail(column, f"too large ({value!r})")
        return None
    cents = number.quantize(CENT)
    if cents != number:
        row.fail(column, f"more than 2 decimal places ({value!r})")
        return None
    return cents


def timestamp(row: RowReader, column: str) -> dt.datetime | None:
    """An optional date and time (ISO or US form; a date alone is midnight), naive UTC."""
    value = row.text(column)
    if value is None:
        return None
    parsed = parse_timestamp(value)
    if parsed is None:
        row.fail(column, f"not a date and time ({value!r})")
    return parsed


def parse_timestamp(value: str) -> dt.datetime | None:
    """``2019-03-04 15:20:01``, ``2019-03-04T15:20:01Z``, ``03/04/2019 3:20 PM``, ``2019-03-04``...

    An offset is converted to UTC and dropped, as the broker keeps naive UTC
    times. None if the value is none of those forms.
    """
    value = value.strip()
    try:
        parsed = dt.datetime.fromisoformat(value)
    except ValueError:
        parsed = None
    if parsed is None:
        for form in _TIMESTAMP_FORMATS:
            try:
                parsed = dt.datetime.strptime(value, form)
                break
            except ValueError:
                continue
    if parsed is None:
        day = parse_date(value)
        return None if day is None else dt.datetime.combine(day, dt.time())
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(dt.UTC).replace(tzinfo=None)
    return parsed

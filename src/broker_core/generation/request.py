"""Validation of ``generate_detached_file`` and ``check_detached_generation_status`` inputs.

Messages follow the original's two layers, which existing clients display verbatim:
field-level problems first (``"<field>: <message>"``, fields sorted by name and
joined by a space, in the wording of the original's argument parser), then the
handler's checks one at a time, in the original order.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping

from broker_core.errors import RequestInvalid
from broker_core.file_types import FileType
from broker_core.generation.model import AgencyType, DetachedGenerationRequest, FileFormat
from broker_core.generation.periods import PERIOD_MESSAGE, parse_date, period_to_dates

MISSING = "Missing data for required field."
NULL = "Field may not be null."
NOT_STRING = "Not a valid string."
NOT_INTEGER = "Not a valid integer."
NOT_BOOLEAN = "Not a valid boolean."

FILE_TYPE_CHOICES = "Must be one of: A, D1, D2."
AGENCY_TYPE_CHOICES = "Must be either awarding or funding if provided"
FILE_FORMAT_CHOICES = "Must be either csv or txt if provided"

NO_AGENCY = "Detached file generation requires CGAC or FR Entity Code"
NO_D_DATES = "Must have a start and end date for D file generation."
BAD_D_DATES = "Start or end date cannot be parsed into a date"
START_AFTER_END = "start: Start date must not be after the end date"
NO_YEAR_PERIOD = "Must have a year and period for A or BOC file generation."

_DETACHED_TYPES = {"A": FileType.A, "D1": FileType.D1, "D2": FileType.D2}

# Integer fields also take their decimal text, as form and query values arrive as strings.
_INT_TEXT = re.compile(r"\s*[+-]?[0-9]+\s*", re.ASCII)

# The spellings the original's boolean field understands; anything else is an error.
_TRUTHY = frozenset(
    {"t", "T", "true", "True", "TRUE", "on", "On", "ON", "y", "Y", "yes", "Yes", "YES", "1", 1}
)
_FALSY = frozenset(
    {"f", "F", "false", "False", "FALSE", "off", "Off", "OFF", "n", "N", "no", "No", "NO", "0", 0}
)


class _FieldError(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _string(value: object) -> str:
    if not isinstance(value, str):
        raise _FieldError(NOT_STRING)
    return value


def _integer(value: object) -> int:
    if isinstance(value, bool):
        raise _FieldError(NOT_INTEGER)
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and _INT_TEXT.fullmatch(value):
        return int(value)
    raise _FieldError(NOT_INTEGER)


def _boolean(value: object) -> bool:
    try:
        if value in _TRUTHY:
            return True
        if value in _FALSY:
            return False
    except TypeError:  # unhashable (a list or an object)
        pass
    raise _FieldError(NOT_BOOLEAN)


def _choice(
    convert: Callable[[object], str], choices: Mapping[str, object], message: str
) -> Callable[[object], object]:
    def check(value: object) -> object:
        text = convert(value)
        if text not in choices:
            raise _FieldError(message)
        return choices[text]

    return check


def _period(value: object) -> int:
    number = _integer(value)
    if not 2 <= number <= 12:
        raise _FieldError(PERIOD_MESSAGE)
    return number


_FIELDS: dict[str, Callable[[object], object]] = {
    "file_type": _choice(_string, _DETACHED_TYPES, FILE_TYPE_CHOICES),
    "cgac_code": _string,
    "frec_code": _string,
    "start": _string,
    "end": _string,
    "year": _integer,
    "period": _period,
    "agency_type": _choice(_string, {t.value: t for t in AgencyType}, AGENCY_TYPE_CHOICES),
    "file_format": _choice(_string, {f.value: f for f in FileFormat}, FILE_FORMAT_CHOICES),
    "element_numbers": _boolean,
}
_REQUIRED = frozenset({"file_type"})


def field_error_message(errors: Mapping[str, list[str]]) -> str:
    """``"<field>: <msg>[; <msg>]"`` per field, sorted by field name, joined by a space."""
    return " ".join(f"{field}: {'; '.join(errors[field])}" for field in sorted(errors))


def _load_fields(payload: Mapping[str, object]) -> dict[str, object]:
    values: dict[str, object] = {}
    errors: dict[str, list[str]] = {}
    for field, convert in _FIELDS.items():
        if field not in payload:
            if field in _REQUIRED:
                errors[field] = [MISSING]
            continue
        raw = payload[field]
        if raw is None:
            errors[field] = [NULL]
            continue
        try:
            values[field] = convert(raw)
        except _FieldError as exc:
            errors[field] = [exc.message]
    if errors:
        raise RequestInvalid(field_error_message(errors))
    return values


def parse_detached_request(payload: Mapping[str, object]) -> DetachedGenerationRequest:
    """Validate a ``generate_detached_file`` body; raise :class:`RequestInvalid` with the user's message.

    Unknown keys are ignored, as the original accepted them. A body that is not a
    JSON object is treated as an empty one.
    """
    fields = _load_fields(payload if isinstance(payload, Mapping) else {})
    file_type = fields["file_type"]
    assert isinstance(file_type, FileType)
    cgac_code = fields.get("cgac_code") or ""
    frec_code = fields.get("frec_code") or ""
    assert isinstance(cgac_code, str) and isinstance(frec_code, str)
    if not cgac_code and not frec_code:
        raise RequestInvalid(NO_AGENCY)
    agency_code = frec_code or cgac_code

    year: int | None = None
    period: int | None = None
    if file_type.is_d_file:
        start, end = _d_dates(fields.get("start"), fields.get("end"))
    else:
        raw_year, raw_period = fields.get("year"), fields.get("period")
        if not (raw_year and raw_period):
            raise RequestInvalid(NO_YEAR_PERIOD)
        start, end = period_to_dates(raw_year, raw_period)
        assert isinstance(raw_year, int) and isinstance(raw_period, int)
        year, period = raw_year, raw_period

    agency_type = fields.get("agency_type", AgencyType.AWARDING)
    file_format = fields.get("file_format", FileFormat.CSV)
    element_numbers = fields.get("element_numbers", False)
    assert isinstance(agency_type, AgencyType) and isinstance(file_format, FileFormat)
    assert isinstance(element_numbers, bool)
    return DetachedGenerationRequest(
        file_type=file_type,
        agency_code=agency_code,
        start=start,
        end=end,
        agency_type=agency_type,
        file_format=file_format,
        element_numbers=element_numbers,
        year=year,
        period=period,
    )


def _d_dates(start: object, end: object) -> tuple[dt.date, dt.date]:
    if not start or not end:
        raise RequestInvalid(NO_D_DATES)
    assert isinstance(start, str) and isinstance(end, str)
    try:
        start_date, end_date = parse_date(start), parse_date(end)
    except ValueError:
        raise RequestInvalid(BAD_D_DATES) from None
    # Project fix: the original accepted an inverted range and cached an empty file for it.
    if start_date > end_date:
        raise RequestInvalid(START_AFTER_END)
    return start_date, end_date


def parse_job_id(value: object) -> int:
    """The ``job_id`` of a status or download-link request."""
    if value is None or value == "":
        raise RequestInvalid(f"job_id: {MISSING}")
    try:
        return _integer(value)
    except _FieldError as exc:
        raise RequestInvalid(f"job_id: {exc.message}") from None

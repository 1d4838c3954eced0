"""Validation of ``generate_file`` and ``check_generation_status`` inputs (generation inside a submission).

Field problems come first, as ``"<field>: <message>"`` sorted by field and joined by a space (the
original's argument parser), then the handler's checks one at a time in the original order
(generation spec §1.1, §1.2).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping

import attrs

from broker_core.errors import RequestInvalid
from broker_core.file_types import FileType
from broker_core.generation.model import AgencyType, FileFormat
from broker_core.generation.periods import parse_date
from broker_core.generation.request import (
    AGENCY_TYPE_CHOICES,
    FILE_FORMAT_CHOICES,
    MISSING,
    NO_D_DATES,
    NOT_STRING,
    NULL,
    START_AFTER_END,
    field_error_message,
)

FILE_TYPE_CHOICES = "Must be either D1, D2, E or F"
DATE_FORMAT = "Must be in the format MM/DD/YYYY"
#: The original answered an impossible date (02/30/2016) with a 500 and a failed job; a 400 here.
BAD_DATES = "Start or end date cannot be parsed into a date of format MM/DD/YYYY"
FABS_REFUSED = "Cannot generate files for FABS submissions."

SUBMISSION_GENERATED = {"D1": FileType.D1, "D2": FileType.D2, "E": FileType.E, "F": FileType.F}
_DATE = re.compile(r"\d{2}/\d{2}/\d{4}", re.ASCII)


@attrs.frozen
class SubmissionGenerationRequest:
    """A validated ``generate_file`` body; dates only for D1 and D2."""

    file_type: FileType
    start: dt.date | None = None
    end: dt.date | None = None
    agency_type: AgencyType = AgencyType.AWARDING
    file_format: FileFormat = FileFormat.CSV


def parse_file_type(params: Mapping[str, object]) -> FileType:
    """The ``file_type`` of a status check: required, D1, D2, E or F."""
    errors: dict[str, list[str]] = {}
    file_type = _field(params, "file_type", errors, required=True)
    if errors:
        raise RequestInvalid(field_error_message(errors))
    result = SUBMISSION_GENERATED.get(str(file_type))
    assert result is not None
    return result


def parse_generation_request(params: Mapping[str, object]) -> SubmissionGenerationRequest:
    errors: dict[str, list[str]] = {}
    file_type = _field(params, "file_type", errors, required=True)
    start = _field(params, "start", errors)
    end = _field(params, "end", errors)
    agency_type = _field(params, "agency_type", errors)
    file_format = _field(params, "file_format", errors)
    if errors:
        raise RequestInvalid(field_error_message(errors))
    chosen = SUBMISSION_GENERATED[str(file_type)]
    request = SubmissionGenerationRequest(
        file_type=chosen,
        agency_type=AgencyType(agency_type) if agency_type else AgencyType.AWARDING,
        file_format=FileFormat(file_format) if file_format else FileFormat.CSV,
    )
    if not chosen.is_d_file:
        return request  # E and F are built from the submission's own files; dates do not apply
    if not start or not end:
        raise RequestInvalid(NO_D_DATES)
    try:
        start_date, end_date = parse_date(str(start)), parse_date(str(end))
    except ValueError:
        raise RequestInvalid(BAD_DATES) from None
    if start_date > end_date:
        raise RequestInvalid(START_AFTER_END)
    return attrs.evolve(request, start=start_date, end=end_date)


_CHOICES: dict[str, tuple[frozenset[str], str]] = {
    "file_type": (frozenset(SUBMISSION_GENERATED), FILE_TYPE_CHOICES),
    "agency_type": (frozenset(t.value for t in AgencyType), AGENCY_TYPE_CHOICES),
    "file_format": (frozenset(f.value for f in FileFormat), FILE_FORMAT_CHOICES),
}


def _field(
    params: Mapping[str, object], name: str, errors: dict[str, list[str]], *, required: bool = False
) -> str | None:
    if name not in params:
        if required:
            errors[name] = [MISSING]
        return None
    value = params[name]
    if value is None:
        errors[name] = [NULL]
        return None
    if not isinstance(value, str):
        errors[name] = [NOT_STRING]
        return None
    choices = _CHOICES.get(name)
    if choices is not None and value not in choices[0]:
        errors[name] = [choices[1]]
        return None
    if name in ("start", "end") and value and not _DATE.fullmatch(value):
        errors[name] = [DATE_FORMAT]
        return None
    return value

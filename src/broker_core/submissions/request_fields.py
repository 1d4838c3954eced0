"""Reading the fields of submit_files and finalize_job requests, with the original's messages."""

from __future__ import annotations

import re
from collections.abc import Mapping

from broker_core.errors import RequestInvalid
from broker_core.submissions.model import CGAC_REQUIRED, ONE_AGENCY_ONLY

_INTEGER = re.compile(r"\s*[+-]?[0-9]+\s*")


def is_blank(value: object) -> bool:
    """Whether a text field counts as not given: absent, null, or only white space."""
    return value is None or (isinstance(value, str) and not value.strip())


def text_field(body: Mapping[str, object], field: str) -> str | None:
    """The field's text without surrounding white space; None when it is blank."""
    value = body.get(field)
    if is_blank(value):
        return None
    if not isinstance(value, str):
        raise RequestInvalid(f"{field}: Not a valid string.")
    return value.strip()


def agency_fields(body: Mapping[str, object], *, required: bool) -> tuple[str | None, str | None]:
    """(cgac_code, frec_code): exactly one of them for a new submission, at most one for a correction."""
    cgac_code, frec_code = text_field(body, "cgac_code"), text_field(body, "frec_code")
    if cgac_code and frec_code:
        raise RequestInvalid(ONE_AGENCY_ONLY)
    if required and not (cgac_code or frec_code):
        raise RequestInvalid(CGAC_REQUIRED)
    return cgac_code, frec_code


def integer_field(body: Mapping[str, object], field: str, *, required: bool) -> int | None:
    """An integer field, with the messages the original's webargs gave."""
    value = body.get(field)
    if value is None or value == "":
        if required:
            raise RequestInvalid(f"{field}: Missing data for required field.")
        return None
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and _INTEGER.fullmatch(value):
        return int(value)
    raise RequestInvalid(f"{field}: Not a valid integer.")

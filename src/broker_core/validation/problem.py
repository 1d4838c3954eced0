"""One problem found in a submission file: a row of the error or warning report (spec §3.1).

Row checks, the reader (formatting errors, the blank-file warning) and, later, SQL rules all speak this
one type, so the report writer needs to know nothing about where a problem came from.
"""

from __future__ import annotations

import enum

import attrs


class Severity(enum.Enum):
    """Fatal problems go to the error report and block publication; warnings go to the warning report."""

    FATAL = "fatal"
    WARNING = "warning"


@attrs.frozen
class RowProblem:
    """The report columns of one problem plus what error metadata aggregation needs (spec §4).

    ``error_type`` is the name of the ``error_type`` row it is counted under (``type_error``,
    ``required_error``, ``length_error``, ``field_format_error``, ``read_error``, ``blank_file_error``,
    ``rule_failed``). ``row_number`` counts the header as row 1; ``None`` for file-level problems.
    """

    unique_id: str
    field_name: str
    rule_message: str
    value_provided: str
    expected_value: str
    difference: str
    flex_field: str
    row_number: int | None
    rule_label: str
    error_type: str
    severity: Severity


# The problems the reader itself reports (spec §2.3 and §2.5); row checks live in row_checks.py.

FORMATTING_FIELD = "Formatting Error"
FORMATTING_MESSAGE = "Could not parse this record correctly."
BLANK_FILE_FIELD = "Blank File"
BLANK_FILE_MESSAGE = (
    "File does not contain data. For files A and B, this must be addressed prior to "
    "publication/certification. Blank file C does not prevent publication/certification."
)
BLANK_FILE_LABEL = "DABSBLANK"


def formatting_error(row_number: int) -> RowProblem:
    """A record with more or fewer cells than the header: fatal, and the row is not loaded."""
    return RowProblem(
        unique_id="",
        field_name=FORMATTING_FIELD,
        rule_message=FORMATTING_MESSAGE,
        value_provided="",
        expected_value="",
        difference="",
        flex_field="",
        row_number=row_number,
        rule_label="",
        error_type="read_error",
        severity=Severity.FATAL,
    )


def blank_file_warning() -> RowProblem:
    """The one warning of an A, B or C file without data rows (a header-only file, for instance)."""
    return RowProblem(
        unique_id="",
        field_name=BLANK_FILE_FIELD,
        rule_message=BLANK_FILE_MESSAGE,
        value_provided="",
        expected_value="",
        difference="",
        flex_field="",
        row_number=None,
        rule_label=BLANK_FILE_LABEL,
        error_type="blank_file_error",
        severity=Severity.WARNING,
    )

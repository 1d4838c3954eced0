"""The four row checks of the single-file validation: required, type, length and date format (spec §2.6).

Every problem found here is **fatal**. Length errors included: that is the reference's current behaviour
(and what users see today), although its README and the 2017 version called them warnings.

Rows with a type or date-format error are not loaded, so the SQL rules never see them; rows with only
required or length errors are loaded (and may fail SQL rules as well). Length is only checked on rows
without type errors. Problems come out grouped by check (required, type, length, format), and within a
check field by field in schema order, rows in file order, as in the reference's reports.
"""

from __future__ import annotations

import datetime as dt
import decimal
from collections.abc import Iterable, Sequence

import attrs

from broker_core.validation.cleaning import CleanedRow
from broker_core.validation.problem import RowProblem, Severity
from broker_core.validation.schema import FieldSpec, FieldType, FileSchema

REQUIRED_MESSAGE = "This field is required for all submissions but was not provided in this row."
TYPE_MESSAGE = (
    "The value provided was of the wrong type. Note that all type errors in a line must be fixed before "
    "the rest of the validation logic is applied to that line."
)
LENGTH_MESSAGE = "Value was longer than maximum length for this field."
DATE_MESSAGE = "Date should follow the YYYYMMDD format."

REQUIRED_EXPECTED = "(not blank)"
DATE_EXPECTED = "A date in the YYYYMMDD format."
DATE_LABEL = "DABSDATETIME"

REQUIRED_ERROR = "required_error"
TYPE_ERROR = "type_error"
LENGTH_ERROR = "length_error"
FORMAT_ERROR = "field_format_error"

_BOOLEANS = frozenset({"true", "false", "yes", "no", "1", "0"})
_DIGITS = frozenset("0123456789")


def is_valid_type(value: str | None, field_type: FieldType) -> bool:
    """Whether ``value`` parses as ``field_type``; blank is valid for every type.

    INT and LONG: Python's ``int`` (``01234`` yes, ``1234.0`` no). DECIMAL: Python's ``Decimal``, which
    also takes ``1e5``, ``NaN`` and ``Infinity``. BOOLEAN: true/false/yes/no/1/0 in any case. STRING and
    DATE always pass here (dates have their own format check).
    """
    if value is None:
        return True
    if field_type in (FieldType.INT, FieldType.LONG):
        try:
            int(value)
        except ValueError:
            return False
        return True
    if field_type is FieldType.DECIMAL:
        try:
            decimal.Decimal(value)
        except (decimal.InvalidOperation, ValueError):
            return False
        return True
    if field_type is FieldType.BOOLEAN:
        return value.lower() in _BOOLEANS
    return True


def is_valid_date(value: str | None) -> bool:
    """Blank, or exactly eight digits forming a real ``YYYYMMDD`` date."""
    if value is None:
        return True
    if len(value) != 8 or not set(value) <= _DIGITS:
        return False
    try:
        dt.date(int(value[:4]), int(value[4:6]), int(value[6:]))
    except ValueError:
        return False
    return True


def expected_type_text(field_type: FieldType) -> str:
    """``This field must be a decimal`` (``… a int``, ``… a boolean``, ``… a long``)."""
    return f"This field must be a {field_type.value}"


def expected_length_text(length: int) -> str:
    return f"Max length: {length}"


def _problem(
    row: CleanedRow,
    field: FieldSpec,
    message: str,
    value_provided: str,
    expected: str,
    error_type: str,
    label: str = "",
) -> RowProblem:
    return RowProblem(
        unique_id=row.unique_id,
        field_name=field.long_name,
        rule_message=message,
        value_provided=value_provided,
        expected_value=expected,
        difference="",
        flex_field=row.flex_field,
        row_number=row.row_number,
        rule_label=label,
        error_type=error_type,
        severity=Severity.FATAL,
    )


def _provided(field: FieldSpec, value: str | None) -> str:
    return f"{field.long_name}: {value or ''}"


@attrs.frozen
class CheckResult:
    """The problems of a batch and the row numbers that must not be loaded (type or date errors)."""

    problems: tuple[RowProblem, ...]
    rejected: frozenset[int]

    def loadable(self, rows: Iterable[CleanedRow]) -> list[CleanedRow]:
        return [row for row in rows if row.row_number not in self.rejected]


def check_rows(rows: Sequence[CleanedRow], schema: FileSchema) -> CheckResult:
    """Run the four checks on a batch of cleaned rows (A, B and C; D1 and D2 are not checked).

    Problems come out in the reference's order: all required errors, then type, then length, then
    date format, each column by column (schema order) and, within a column, row by row.
    """
    # Row by row over the cells that have a value (most of a submission's cells are empty), with
    # each problem put in its (check, column) bucket; the buckets are emitted in order at the end.
    position = {field.short_name: index for index, field in enumerate(schema.fields)}
    typed = {f.short_name for f in schema.fields if f.type.is_number or f.type is FieldType.BOOLEAN}
    dates = {f.short_name for f in schema.dates}
    checked = {
        f.short_name: (f, f.short_name in typed, f.length, f.short_name in dates)
        for f in schema.fields
        if f.short_name in typed or f.length is not None or f.short_name in dates
    }
    required = [(position[f.short_name], f) for f in schema.required]
    buckets: dict[tuple[int, int], list[RowProblem]] = {}
    type_failures: set[int] = set()
    date_failures: set[int] = set()

    def report(check: int, field: FieldSpec, problem: RowProblem) -> None:
        buckets.setdefault((check, position[field.short_name]), []).append(problem)

    for row in rows:
        values = row.values
        for _, field in required:
            if values.get(field.short_name) is None:
                report(
                    0, field, _problem(row, field, REQUIRED_MESSAGE, "", REQUIRED_EXPECTED, REQUIRED_ERROR)
                )
        too_long: list[tuple[FieldSpec, str]] = []
        wrong_type = False
        for name, value in values.items():
            if value is None:
                continue
            spec = checked.get(name)
            if spec is None:
                continue
            field, is_typed, length, is_date = spec
            if is_typed and not is_valid_type(value, field.type):
                wrong_type = True
                provided = _provided(field, value)
                report(
                    1,
                    field,
                    _problem(row, field, TYPE_MESSAGE, provided, expected_type_text(field.type), TYPE_ERROR),
                )
            if length is not None and len(value) > length:
                too_long.append((field, value))
            if is_date and not is_valid_date(value):
                date_failures.add(row.row_number)
                provided = _provided(field, value)
                report(
                    3,
                    field,
                    _problem(row, field, DATE_MESSAGE, provided, DATE_EXPECTED, FORMAT_ERROR, DATE_LABEL),
                )
        if wrong_type:
            type_failures.add(row.row_number)
        else:  # length is checked only on rows without type errors
            for field, value in too_long:
                expected = expected_length_text(field.length or 0)
                report(
                    2,
                    field,
                    _problem(row, field, LENGTH_MESSAGE, _provided(field, value), expected, LENGTH_ERROR),
                )

    problems = [problem for key in sorted(buckets) for problem in buckets[key]]
    return CheckResult(problems=tuple(problems), rejected=frozenset(type_failures | date_failures))

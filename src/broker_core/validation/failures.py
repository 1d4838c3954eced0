"""Failing SQL-rule rows → report rows: the result-column protocol of spec §2.7 and §5.

A rule's query returns one row per failure, and the *names* of its columns say what each value is:

single-file (§2.7)
    ``row_number`` the failing row (None for aggregate rules); ``difference``; ``expected_value_<Label>``
    (Expected Value ``<Label>: <value>``, else the rule's own expected value); ``uniqueid_<Label>``
    (Unique ID ``<Label>: <value>``, joined in column order); any other column is a field.
cross-file (§5)
    ``source_row_number``; ``source_value_<col>`` / ``target_value_<col>`` (fields of either file);
    ``difference`` or ``difference_<Label>``; ``uniqueid_<Label>``; any other column is ignored.

Fields are reported under their lowercased long (GSDM) names when ``long_names`` knows the column's
short name, else under the column name as it is (``GTAS SF133 Line 1902``,
``gross_outlay_amount_by_pro_cpe_sum``). Field names are sorted and joined with ``", "``, and the
values column lists ``name: value`` in the same order. Every None becomes an empty string; other
values are written with ``str`` (so a ``Decimal('-1.00')`` difference stays ``-1.00``).

The functions are pure: the caller runs the query, fetches the flex-field text of the failing row
(see :func:`row_number_of`) and passes a plain ``short name -> long name`` dict.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from broker_core.validation.catalogue import Rule
from broker_core.validation.cross_problem import CrossFileProblem
from broker_core.validation.problem import RowProblem

ROW_NUMBER = "row_number"
SOURCE_ROW_NUMBER = "source_row_number"
DIFFERENCE = "difference"
DIFFERENCE_PREFIX = "difference_"
EXPECTED_VALUE_PREFIX = "expected_value_"
UNIQUE_ID_PREFIX = "uniqueid_"
SOURCE_VALUE_PREFIX = "source_value_"
TARGET_VALUE_PREFIX = "target_value_"

RULE_FAILED = "rule_failed"


def text(value: object) -> str:
    """A result value as report text: None → ``""``, anything else through ``str``."""
    if value is None:
        return ""
    return value if isinstance(value, str) else str(value)


def _as_row_number(value: object) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool):  # an int subclass, but never a row number
        raise TypeError("a row number cannot be a boolean")
    if isinstance(value, int):
        return value
    return int(str(value))


def row_number_of(columns: Mapping[str, object], *, cross_file: bool = False) -> int | None:
    """The failing (source) row of a result row, so the caller can fetch its flex fields first."""
    return _as_row_number(columns.get(SOURCE_ROW_NUMBER if cross_file else ROW_NUMBER))


def field_name(column: str, long_names: Mapping[str, str]) -> str:
    """The report name of a result column: its lowercased long name, or the column as it is."""
    long_name = long_names.get(column)
    return column if long_name is None else long_name.lower()


def _labelled(label: str, value: object) -> str:
    return f"{label}: {text(value)}"


def _fields(pairs: Iterable[tuple[str, str]]) -> tuple[str, str]:
    """(Field Name, Value Provided): names sorted and joined; ``name: value`` in the same order."""
    # Sorting the (name, value) pairs keeps the two columns in step: sorting the joined
    # "name: value" strings instead would order "a1" after "a10" (":" sorts after digits).
    ordered = sorted(pairs)
    return (
        ", ".join(name for name, _ in ordered),
        ", ".join(f"{name}: {value}" for name, value in ordered),
    )


def single_file_problem(
    rule: Rule,
    columns: Mapping[str, object],
    long_names: Mapping[str, str],
    flex_field: str = "",
) -> RowProblem:
    """The report row for one failing row of a single-file rule (spec §2.7).

    ``columns`` maps result column names to values in the query's column order (a dict keeps it).
    ``flex_field`` is the failing row's flex text (``header: value, ...``); it is dropped when the
    row number is None, since an aggregate failure points at no row.
    """
    if rule.is_cross_file:
        raise ValueError(f"{rule.label} is a cross-file rule")
    row_number: int | None = None
    difference = ""
    expected: list[str] = []
    unique_ids: list[str] = []
    fields: list[tuple[str, str]] = []
    for column, value in columns.items():
        if column == ROW_NUMBER:
            row_number = _as_row_number(value)
        elif column == DIFFERENCE:
            difference = text(value)
        elif column.startswith(EXPECTED_VALUE_PREFIX):
            expected.append(_labelled(column.removeprefix(EXPECTED_VALUE_PREFIX), value))
        elif column.startswith(UNIQUE_ID_PREFIX):
            unique_ids.append(_labelled(column.removeprefix(UNIQUE_ID_PREFIX), value))
        else:
            fields.append((field_name(column, long_names), text(value)))
    names, values = _fields(fields)
    return RowProblem(
        unique_id=", ".join(unique_ids),
        field_name=names,
        rule_message=rule.message,
        value_provided=values,
        # No rule returns two expected values; if one did, both are shown, in column order.
        expected_value=", ".join(expected) if expected else rule.expected_value,
        difference=difference,
        flex_field=flex_field if row_number is not None else "",
        row_number=row_number,
        rule_label=rule.label,
        error_type=RULE_FAILED,
        severity=rule.severity,
    )


def cross_file_problem(
    rule: Rule,
    columns: Mapping[str, object],
    long_names: Mapping[str, str],
    source_flex_field: str = "",
) -> CrossFileProblem:
    """The report row for one failing row of a cross-file rule (spec §5).

    ``long_names`` should cover both files' columns (the union of their short → long maps).
    ``source_flex_field`` is the source row's flex text, dropped when the source row number is None.
    """
    if rule.target is None:
        raise ValueError(f"{rule.label} is a single-file rule")
    row_number: int | None = None
    plain_difference: list[str] = []
    labelled_differences: list[str] = []
    unique_ids: list[str] = []
    source: list[tuple[str, str]] = []
    target: list[tuple[str, str]] = []
    for column, value in columns.items():
        if column == SOURCE_ROW_NUMBER:
            row_number = _as_row_number(value)
        elif column == DIFFERENCE:
            plain_difference.append(text(value))
        elif column.startswith(DIFFERENCE_PREFIX):
            labelled_differences.append(_labelled(column.removeprefix(DIFFERENCE_PREFIX), value))
        elif column.startswith(UNIQUE_ID_PREFIX):
            unique_ids.append(_labelled(column.removeprefix(UNIQUE_ID_PREFIX), value))
        elif column.startswith(SOURCE_VALUE_PREFIX):
            source.append((field_name(column.removeprefix(SOURCE_VALUE_PREFIX), long_names), text(value)))
        elif column.startswith(TARGET_VALUE_PREFIX):
            target.append((field_name(column.removeprefix(TARGET_VALUE_PREFIX), long_names), text(value)))
        # Anything else is a helper column of the query, not part of the report.
    source_names, source_values = _fields(source)
    target_names, target_values = _fields(target)
    return CrossFileProblem(
        unique_id=", ".join(unique_ids),
        source_file=rule.file,
        source_field_name=source_names,
        target_file=rule.target,
        target_field_name=target_names,
        rule_message=rule.message,
        source_value_provided=source_values,
        target_value_provided=target_values,
        # Rules return either one plain difference or labelled ones; a mix would list the plain first.
        difference=", ".join(plain_difference + sorted(labelled_differences)),
        source_flex_field=source_flex_field if row_number is not None else "",
        source_row_number=row_number,
        rule_label=rule.label,
        severity=rule.severity,
    )

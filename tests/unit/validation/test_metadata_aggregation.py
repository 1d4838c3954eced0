"""Error metadata (spec §4) and the file status table (§1.3)."""

from __future__ import annotations

import attrs
import pytest

from broker_core.file_types import FileType
from broker_core.validation.cross_problem import CrossFileProblem
from broker_core.validation.metadata import (
    CROSS_FILE_NAME,
    ErrorMetadata,
    ErrorType,
    FileStatus,
    MetadataAggregator,
    Totals,
    api_data,
    file_level_error,
    severity_totals,
)
from broker_core.validation.problem import RowProblem, Severity

FORMAT_MESSAGE = "Could not parse this record correctly."
TYPE_MESSAGE = (
    "The value provided was of the wrong type. Note that all type errors in a line must be fixed before "
    "the rest of the validation logic is applied to that line."
)


def formatting_error(row: int) -> RowProblem:
    return RowProblem(
        "", "Formatting Error", FORMAT_MESSAGE, "", "", "", "", row, "", "read_error", Severity.FATAL
    )


def type_error(field: str, row: int) -> RowProblem:
    return RowProblem(
        "TAS: x", field, TYPE_MESSAGE, f"{field}: A", "This field must be a decimal", "", "", row, "",
        "type_error", Severity.FATAL,
    )  # fmt: skip


def rule_failure(label: str, field: str, message: str, row: int | None, severity: Severity) -> RowProblem:
    return RowProblem("TAS: x", field, message, "", "", "", "", row, label, "rule_failed", severity)


def cross_failure(label: str, row: int | None, severity: Severity = Severity.WARNING) -> CrossFileProblem:
    return CrossFileProblem(
        "TAS: x", "appropriations", "f", "program_activity", "g", f"{label} message", "", "", "", "", row, label,
        severity,
    )  # fmt: skip


def test_four_formatting_errors_are_one_entry() -> None:
    aggregator = MetadataAggregator("appropValid.csv", FileType.A)
    for row in (2, 3, 5, 7):
        aggregator.add(formatting_error(row))
    assert aggregator.entries(11) == [
        ErrorMetadata(
            filename="appropValid.csv",
            field_name="Formatting Error",
            error_type=ErrorType.READ_ERROR,
            rule_failed=FORMAT_MESSAGE,
            original_label="",
            occurrences=4,
            first_row=2,
            file_type="appropriations",
            target_file_type=None,
            severity=Severity.FATAL,
        )
    ]
    assert aggregator.totals() == Totals(number_of_errors=4, number_of_warnings=0)
    (entry,) = aggregator.entries()
    assert entry.severity_id == 2
    assert entry.api_dict() == {
        "field_name": "Formatting Error",
        "error_name": "read_error",
        "error_description": "Could not parse this record correctly.",
        "occurrences": 4,
        "rule_failed": FORMAT_MESSAGE,
        "original_label": "",
    }


def test_row_checks_are_counted_per_field_and_error_type() -> None:
    aggregator = MetadataAggregator("a.csv", "appropriations")
    aggregator.add_all([type_error("a", 4), type_error("b", 5), type_error("a", 6)])
    entries = aggregator.entries()
    assert [(entry.field_name, entry.occurrences, entry.first_row) for entry in entries] == [
        ("a", 2, 4),
        ("b", 1, 5),
    ]
    assert entries[0].error_type is ErrorType.TYPE_ERROR
    assert entries[0].api_dict()["error_description"] == TYPE_MESSAGE


def test_sql_failures_record_the_file_row_count_as_first_row() -> None:
    aggregator = MetadataAggregator("a.csv", FileType.A)
    for row in (3, 4, 9):
        aggregator.add(rule_failure("A4", "x, y", "A4 message", row, Severity.FATAL))
    aggregator.add(rule_failure("A33.1", "tas", "A33.1 message", None, Severity.WARNING))
    aggregator.add(rule_failure("A4", "x, z", "A4 message", 5, Severity.FATAL))  # another field list
    entries = aggregator.entries(file_row_count=11)
    assert [(e.original_label, e.field_name, e.occurrences, e.first_row) for e in entries] == [
        ("A4", "x, y", 3, 11),
        ("A33.1", "tas", 1, 11),
        ("A4", "x, z", 1, 11),
    ]
    assert all(entry.error_type is ErrorType.RULE_FAILED for entry in entries)
    assert entries[0].rule_failed == "A4 message"
    assert aggregator.totals() == Totals(4, 1)
    errors, warnings = api_data(entries)
    assert [entry["original_label"] for entry in errors] == ["A4", "A4"]
    assert warnings == [
        {
            "field_name": "tas",
            "error_name": "rule_failed",
            "error_description": "A rule failed for this value.",
            "occurrences": 1,
            "rule_failed": "A33.1 message",
            "original_label": "A33.1",
        }
    ]


def test_the_legacy_length_message_counts_as_a_length_error() -> None:
    aggregator = MetadataAggregator("a.csv", FileType.A)
    aggregator.add(
        rule_failure("X1", "f", "Field must be no longer than specified limit (5)", 2, Severity.FATAL)
    )
    (entry,) = aggregator.entries(3)
    assert entry.error_type is ErrorType.LENGTH_ERROR
    assert entry.first_row == 3


def test_cross_file_entries_are_per_rule_with_the_source_file_as_field() -> None:
    aggregator = MetadataAggregator(CROSS_FILE_NAME)
    for label in ("A18", "A19", "A35"):
        for row in (2, 7, 12):
            aggregator.add_cross_file(cross_failure(label, row))
    entries = aggregator.entries(99)
    assert [(e.original_label, e.occurrences, e.first_row) for e in entries] == [
        ("A18", 3, 2),
        ("A19", 3, 2),
        ("A35", 3, 2),
    ]
    assert entries[0].filename == "cross_file"
    assert entries[0].field_name == "appropriations"
    assert entries[0].api_dict() == {
        "field_name": "appropriations",
        "error_name": "rule_failed",
        "error_description": "A rule failed for this value.",
        "occurrences": 3,
        "rule_failed": "A18 message",
        "original_label": "A18",
        "source_file": "appropriations",
        "target_file": "program_activity",
    }
    assert aggregator.totals() == Totals(number_of_errors=0, number_of_warnings=9)


def test_add_all_takes_both_kinds() -> None:
    aggregator = MetadataAggregator(CROSS_FILE_NAME)
    aggregator.add_all(
        [cross_failure("A30.1", 2, Severity.FATAL), cross_failure("A30.1", None, Severity.FATAL)]
    )
    (entry,) = aggregator.entries()
    assert (entry.occurrences, entry.first_row, entry.is_cross_file) == (2, 2, True)


def test_memory_is_bounded_by_distinct_keys() -> None:
    aggregator = MetadataAggregator("big.csv", FileType.C)
    problems = (type_error(f"field{row % 3}", row) for row in range(2, 100_002))
    aggregator.add_all(problems)
    assert len(aggregator) == 3
    assert aggregator.totals().number_of_errors == 100_000


def test_totals_add_up_over_entries_and_jobs() -> None:
    entry = ErrorMetadata(
        "f", "x", ErrorType.RULE_FAILED, "m", "A1", 5, 1, "appropriations", None, Severity.WARNING
    )
    fatal = attrs.evolve(entry, occurrences=2, severity=Severity.FATAL)
    assert severity_totals([entry, fatal, fatal]) == Totals(number_of_errors=4, number_of_warnings=5)
    assert Totals(1, 2) + Totals(3, 4) == Totals(4, 6)


def test_error_types() -> None:
    assert [(t.id, t.type_name) for t in ErrorType] == [
        (1, "type_error"),
        (2, "required_error"),
        (3, "value_error"),
        (4, "read_error"),
        (5, "write_error"),
        (6, "rule_failed"),
        (7, "length_error"),
        (8, "field_format_error"),
        (9, "blank_file_error"),
    ]
    assert ErrorType.REQUIRED_ERROR.description == (
        "This field is required for all submissions but was not provided in this row."
    )
    assert ErrorType.LENGTH_ERROR.description == "Value was longer than allowed length."
    assert ErrorType.FIELD_FORMAT_ERROR.description == "Date should follow the YYYYMMDD format."
    assert ErrorType.BLANK_FILE_ERROR.description.startswith("File does not contain data. For files A and B")
    assert (
        ErrorType.from_name("write_error").description
        == "Could not write this record into the staging table."
    )
    with pytest.raises(KeyError):
        ErrorType.from_name("header_error")


def test_file_statuses() -> None:
    assert [(s.id, s.status_name) for s in FileStatus] == [
        (1, "complete"),
        (2, "header_error"),
        (3, "unknown_error"),
        (4, "single_row_error"),
        (5, "job_error"),
        (6, "incomplete"),
        (7, "encoding_error"),
        (8, "row_count_error"),
        (9, "file_type_error"),
    ]
    assert FileStatus.SINGLE_ROW_ERROR.description == "Error occurred in job manager"
    assert (
        FileStatus.from_id(8).description == "Raw file row count does not match the number of rows validated"
    )
    assert FileStatus.from_name("file_type_error").description == (
        "Invalid file type. Valid file types include .csv and .txt"
    )
    with pytest.raises(KeyError):
        FileStatus.from_id(10)


def test_file_level_error_entry() -> None:
    assert file_level_error(FileStatus.ENCODING_ERROR) == {
        "field_name": "File Level Error",
        "error_name": "encoding_error",
        "error_description": "File contains invalid characters that could not be validated",
        "occurrences": 1,
        "rule_failed": "",
    }

"""Error metadata (spec §4): the per-job summary of a report, and the lookup tables it names.

A report lists every failing row; its metadata counts them: one entry per distinct (rule label,
field name, error type or rule message) with the number of occurrences. The aggregator keeps only
those entries, so its memory grows with the number of distinct problems, never with the rows.
The API shows the entries as ``error_data`` / ``warning_data`` and sums them into the job's
``number_of_errors`` / ``number_of_warnings``.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable

import attrs

from broker_core.file_types import FileType
from broker_core.validation.cross_problem import CrossFileProblem
from broker_core.validation.problem import RowProblem, Severity

TYPE_ERROR_MESSAGE = (
    "The value provided was of the wrong type. Note that all type errors in a line must be fixed before "
    "the rest of the validation logic is applied to that line."
)
REQUIRED_ERROR_MESSAGE = "This field is required for all submissions but was not provided in this row."
BLANK_FILE_MESSAGE = (
    "File does not contain data. For files A and B, this must be addressed prior to "
    "publication/certification. Blank file C does not prevent publication/certification."
)

#: ``filename`` of every entry of the cross-file job.
CROSS_FILE_NAME = "cross_file"

#: Severity ids of the original's ``rule_severity`` table.
SEVERITY_IDS: dict[Severity, int] = {Severity.WARNING: 1, Severity.FATAL: 2}

# The original counted a rule failure as a length error when its message said so. No rule of
# the catalogue says it any more; kept so that a rule list that does is still counted the same.
_LEGACY_LENGTH_RULE_TEXT = "Field must be no longer than specified limit"


class ErrorType(enum.Enum):
    """The ``error_type`` lookup: (id, name, description shown as ``error_description``)."""

    TYPE_ERROR = (1, "type_error", TYPE_ERROR_MESSAGE)
    REQUIRED_ERROR = (2, "required_error", REQUIRED_ERROR_MESSAGE)
    VALUE_ERROR = (3, "value_error", "The value provided was invalid.")
    READ_ERROR = (4, "read_error", "Could not parse this record correctly.")
    WRITE_ERROR = (5, "write_error", "Could not write this record into the staging table.")
    RULE_FAILED = (6, "rule_failed", "A rule failed for this value.")
    LENGTH_ERROR = (7, "length_error", "Value was longer than allowed length.")
    FIELD_FORMAT_ERROR = (8, "field_format_error", "Date should follow the YYYYMMDD format.")
    BLANK_FILE_ERROR = (9, "blank_file_error", BLANK_FILE_MESSAGE)

    def __init__(self, type_id: int, type_name: str, description: str) -> None:
        self.id = type_id
        self.type_name = type_name
        self.description = description

    @classmethod
    def from_name(cls, type_name: str) -> ErrorType:
        for member in cls:
            if member.type_name == type_name:
                return member
        raise KeyError(type_name)


class FileStatus(enum.Enum):
    """The ``file_status`` lookup (spec §1.3): (id, name, description), descriptions as the original has them."""

    COMPLETE = (1, "complete", "File has been processed")
    HEADER_ERROR = (2, "header_error", "The file has errors in the header row")
    UNKNOWN_ERROR = (3, "unknown_error", "An unknown error has occurred with this file")
    # Never produced (spec §1.3); its description really is the job manager's.
    SINGLE_ROW_ERROR = (4, "single_row_error", "Error occurred in job manager")
    JOB_ERROR = (5, "job_error", "File has not yet been validated")
    INCOMPLETE = (6, "incomplete", "File has not yet been validated")
    ENCODING_ERROR = (7, "encoding_error", "File contains invalid characters that could not be validated")
    ROW_COUNT_ERROR = (8, "row_count_error", "Raw file row count does not match the number of rows validated")
    FILE_TYPE_ERROR = (9, "file_type_error", "Invalid file type. Valid file types include .csv and .txt")

    def __init__(self, status_id: int, status_name: str, description: str) -> None:
        self.id = status_id
        self.status_name = status_name
        self.description = description

    @classmethod
    def from_id(cls, status_id: int) -> FileStatus:
        for member in cls:
            if member.id == status_id:
                return member
        raise KeyError(status_id)

    @classmethod
    def from_name(cls, status_name: str) -> FileStatus:
        for member in cls:
            if member.status_name == status_name:
                return member
        raise KeyError(status_name)


def file_level_error(status: FileStatus) -> dict[str, object]:
    """The one ``error_data`` entry the API shows for a file whose status is not ``complete`` (§3.2)."""
    return {
        "field_name": "File Level Error",
        "error_name": status.status_name,
        "error_description": status.description,
        "occurrences": 1,
        "rule_failed": "",
    }


@attrs.frozen
class ErrorMetadata:
    """One ``error_metadata`` row (without its job id, which the caller knows).

    ``file_type`` / ``target_file_type`` are file type names (``appropriations``...); the target is
    set only for cross-file entries. ``first_row`` is where the problem was first seen; for
    single-file SQL rules it is the file's row count instead (a quirk of the original, kept).
    """

    filename: str
    field_name: str
    error_type: ErrorType
    rule_failed: str
    original_label: str
    occurrences: int
    first_row: int | None
    file_type: str | None
    target_file_type: str | None
    severity: Severity

    @property
    def severity_id(self) -> int:
        return SEVERITY_IDS[self.severity]

    @property
    def is_cross_file(self) -> bool:
        return self.target_file_type is not None

    def api_dict(self) -> dict[str, object]:
        """The entry as ``error_data`` / ``warning_data`` show it (plus source/target for cross-file)."""
        entry: dict[str, object] = {
            "field_name": self.field_name,
            "error_name": self.error_type.type_name,
            "error_description": self.error_type.description,
            "occurrences": self.occurrences,
            "rule_failed": self.rule_failed,
            "original_label": self.original_label,
        }
        if self.is_cross_file:
            entry["source_file"] = self.file_type
            entry["target_file"] = self.target_file_type
        return entry


@attrs.define
class _Entry:
    field_name: str
    error_type: ErrorType
    rule_failed: str
    original_label: str
    first_row: int | None
    from_sql: bool
    source: str | None
    target: str | None
    severity: Severity
    occurrences: int = 1


def _sql_error_type(message: str) -> ErrorType:
    return ErrorType.LENGTH_ERROR if _LEGACY_LENGTH_RULE_TEXT in message else ErrorType.RULE_FAILED


class MetadataAggregator:
    """Counts the problems of one job into :class:`ErrorMetadata` entries, in first-seen order.

    ``filename`` is the uploaded file's name (``cross_file`` for the cross-file job) and
    ``file_type`` the name of the job's file type (None for the cross-file job, whose entries
    carry each rule's own source and target).
    """

    def __init__(self, filename: str, file_type: FileType | str | None = None) -> None:
        self.filename = filename
        self.file_type = file_type.type_name if isinstance(file_type, FileType) else file_type
        self._entries: dict[tuple[str, str, str, str], _Entry] = {}

    def __len__(self) -> int:
        return len(self._entries)

    def add(self, problem: RowProblem) -> None:
        """Count one single-file problem (row check, formatting error, blank file or SQL rule)."""
        from_sql = problem.error_type == ErrorType.RULE_FAILED.type_name
        # Row checks are told apart by their error type, rules by their message (spec §4).
        kind = problem.rule_message if from_sql else problem.error_type
        key = ("", problem.rule_label, problem.field_name, kind)
        entry = self._entries.get(key)
        if entry is not None:
            entry.occurrences += 1
            return
        self._entries[key] = _Entry(
            field_name=problem.field_name,
            error_type=_sql_error_type(problem.rule_message) if from_sql else ErrorType.from_name(kind),
            rule_failed=problem.rule_message,
            original_label=problem.rule_label,
            first_row=problem.row_number,
            from_sql=from_sql,
            source=self.file_type,
            target=None,
            severity=problem.severity,
        )

    def add_cross_file(self, problem: CrossFileProblem) -> None:
        """Count one cross-file failure: entries are per rule and source file (field name = source file)."""
        key = (problem.target_file, problem.rule_label, problem.source_file, problem.rule_message)
        entry = self._entries.get(key)
        if entry is not None:
            entry.occurrences += 1
            return
        self._entries[key] = _Entry(
            field_name=problem.source_file,
            error_type=ErrorType.RULE_FAILED,
            rule_failed=problem.rule_message,
            original_label=problem.rule_label,
            first_row=problem.source_row_number,
            from_sql=False,  # the cross-file job records the source row itself
            source=problem.source_file,
            target=problem.target_file,
            severity=problem.severity,
        )

    def add_all(self, problems: Iterable[RowProblem | CrossFileProblem]) -> None:
        for problem in problems:
            if isinstance(problem, CrossFileProblem):
                self.add_cross_file(problem)
            else:
                self.add(problem)

    def entries(self, file_row_count: int | None = None) -> list[ErrorMetadata]:
        """The entries so far, in first-seen order.

        ``file_row_count`` becomes the ``first_row`` of every single-file SQL rule entry: the
        original stored the file's row count there (header included, as ``job.number_of_rows``),
        not a row number (spec §4, §11.3). Kept for fidelity; nothing should read it as a row.
        Row checks keep the row they were first seen on; cross-file entries the first source row.
        """
        return [
            ErrorMetadata(
                filename=self.filename,
                field_name=entry.field_name,
                error_type=entry.error_type,
                rule_failed=entry.rule_failed,
                original_label=entry.original_label,
                occurrences=entry.occurrences,
                first_row=file_row_count if entry.from_sql else entry.first_row,
                file_type=entry.source,
                target_file_type=entry.target,
                severity=entry.severity,
            )
            for entry in self._entries.values()
        ]

    def totals(self) -> Totals:
        """The job's ``number_of_errors`` / ``number_of_warnings`` so far."""
        return _totals((entry.severity, entry.occurrences) for entry in self._entries.values())


@attrs.frozen
class Totals:
    """Occurrences summed by severity: a job's (or a submission's) errors and warnings."""

    number_of_errors: int = 0
    number_of_warnings: int = 0

    def __add__(self, other: Totals) -> Totals:
        return Totals(
            self.number_of_errors + other.number_of_errors,
            self.number_of_warnings + other.number_of_warnings,
        )


def _totals(counts: Iterable[tuple[Severity, int]]) -> Totals:
    errors = warnings = 0
    for severity, occurrences in counts:
        if severity is Severity.FATAL:
            errors += occurrences
        else:
            warnings += occurrences
    return Totals(errors, warnings)


def api_data(entries: Iterable[ErrorMetadata]) -> tuple[list[dict[str, object]], list[dict[str, object]]]:
    """``(error_data, warning_data)`` of ``submission_data``: the entries' API dicts by severity."""
    errors: list[dict[str, object]] = []
    warnings: list[dict[str, object]] = []
    for entry in entries:
        (errors if entry.severity is Severity.FATAL else warnings).append(entry.api_dict())
    return errors, warnings


def severity_totals(entries: Iterable[ErrorMetadata]) -> Totals:
    """Totals of stored entries, e.g. to sum a submission's jobs (spec §4)."""
    return _totals((entry.severity, entry.occurrences) for entry in entries)

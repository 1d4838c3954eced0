"""DABS/FABS submissions, their narratives, and what validating their files found (migration 0007)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Boolean, Column, Date, ForeignKey, Integer, Table, Text, UniqueConstraint

from broker_adapters.sqlalchemy.column_types import IntEnumColumn, member_id, member_value, timestamps
from broker_adapters.sqlalchemy.schema_metadata import metadata
from broker_core.submissions.model import PublishStatus
from broker_core.validation.metadata import SEVERITY_IDS, ErrorType, FileStatus
from broker_core.validation.problem import Severity

submission = Table(
    "submission",
    metadata,
    Column("submission_id", Integer, primary_key=True),
    # The creator; deleting the user keeps the submission, without an owner.
    Column("user_id", Integer, ForeignKey("users.user_id", ondelete="SET NULL")),
    Column("cgac_code", Text, index=True),
    Column("frec_code", Text),
    # Both null for FABS submissions.
    Column("reporting_start_date", Date),
    Column("reporting_end_date", Date),
    Column("reporting_fiscal_year", Integer, nullable=False, default=0),
    Column("reporting_fiscal_period", Integer, nullable=False, default=0),
    Column("is_quarter_format", Boolean, nullable=False, default=False),
    Column("publishable", Boolean, nullable=False, default=False),
    Column("publish_status_id", IntEnumColumn(PublishStatus, member_value), nullable=False),
    Column("number_of_errors", Integer, nullable=False, default=0),
    Column("number_of_warnings", Integer, nullable=False, default=0),
    Column("is_fabs", Boolean, nullable=False, default=False),
    *timestamps(),
    sqlite_autoincrement=True,  # ids are shown to users: never reuse one
)

submission_narrative = Table(
    "submission_narrative",
    metadata,
    Column("narrative_id", Integer, primary_key=True),
    Column(
        "submission_id",
        Integer,
        ForeignKey("submission.submission_id", ondelete="CASCADE"),
        nullable=False,
    ),
    Column("file_type", Text, nullable=False),  # the file letter: A, B, C, D1, D2, E, F
    Column("narrative", Text, nullable=False),
    UniqueConstraint("submission_id", "file_type"),
)

# --------------------------------------------------------------------------- validation results

#: The ``file`` row of a validation job (the original's name): how the file fared as a whole.
file = Table(
    "file",
    metadata,
    Column("file_id", Integer, primary_key=True),
    Column("job_id", Integer, ForeignKey("job.job_id", ondelete="CASCADE"), nullable=False, unique=True),
    Column("filename", Text, nullable=False),
    Column("file_status_id", IntEnumColumn(FileStatus, member_id), nullable=False),
    # Comma-joined header names.
    Column("headers_missing", Text),
    Column("headers_duplicated", Text),
)


def _severity_id(severity: Any) -> int:
    return SEVERITY_IDS[severity]


error_metadata = Table(
    "error_metadata",
    metadata,
    Column("error_metadata_id", Integer, primary_key=True),
    Column("job_id", Integer, ForeignKey("job.job_id", ondelete="CASCADE"), nullable=False, index=True),
    Column("filename", Text, nullable=False),
    Column("field_name", Text, nullable=False),
    Column("error_type_id", IntEnumColumn(ErrorType, member_id), nullable=False),
    Column("occurrences", Integer, nullable=False),
    Column("first_row", Integer),
    Column("rule_failed", Text, nullable=False),
    # File type names ("appropriations"...), as ErrorMetadata carries them; the target only for
    # cross-file entries. The original stored file type ids.
    Column("file_type", Text),
    Column("target_file_type", Text),
    Column("original_rule_label", Text, nullable=False),
    Column("severity_id", IntEnumColumn(Severity, _severity_id), nullable=False),
)

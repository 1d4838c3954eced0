"""Jobs (file uploads and validations), the jobs each one waits for, and file generations (D1, D2...)."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    Table,
    Text,
)

from broker_adapters.sqlalchemy.column_types import (
    IntEnumColumn,
    TextEnumColumn,
    file_type_id,
    file_type_letter,
    member_value,
    timestamps,
)
from broker_adapters.sqlalchemy.schema_metadata import metadata
from broker_core.generation.model import AgencyType, FileFormat
from broker_core.jobs import JobStatus, JobType

file_generation = Table(
    "file_generation",
    metadata,
    Column("file_generation_id", Integer, primary_key=True),
    Column("request_date", Date, nullable=False),
    Column("start_date", Date, nullable=False),
    Column("end_date", Date, nullable=False),
    Column("agency_code", Text, nullable=False),
    Column("agency_type", TextEnumColumn(AgencyType, member_value), nullable=False),
    Column("file_type", file_type_letter(), nullable=False),
    Column("file_format", TextEnumColumn(FileFormat, member_value), nullable=False),
    Column("element_numbers", Boolean, nullable=False, default=False),
    Column("is_cached_file", Boolean, nullable=False, default=False),
    Column("file_path", Text),
    Column("file_size", BigInteger),
    *timestamps(),
    Index(
        "ix_file_generation_key",
        "file_type",
        "agency_code",
        "start_date",
        "end_date",
    ),
    sqlite_autoincrement=True,  # ids are shown to users: never reuse one
)

job = Table(
    "job",
    metadata,
    Column("job_id", Integer, primary_key=True),
    Column("job_type_id", IntEnumColumn(JobType, member_value), nullable=False),
    Column("file_type_id", file_type_id()),
    Column("job_status_id", IntEnumColumn(JobStatus, member_value), nullable=False),
    Column(
        "submission_id",
        Integer,
        ForeignKey("submission.submission_id", ondelete="CASCADE"),
        index=True,
    ),
    Column("user_id", Integer, ForeignKey("users.user_id")),
    Column("start_date", Date),
    Column("end_date", Date),
    Column("filename", Text),
    Column("original_filename", Text),
    Column("file_size", BigInteger),
    Column("number_of_rows", Integer),
    Column("number_of_rows_valid", Integer),
    Column("number_of_errors", Integer, nullable=False, default=0),
    Column("number_of_warnings", Integer, nullable=False, default=0),
    Column("error_message", Text),
    Column(
        "file_generation_id",
        Integer,
        ForeignKey("file_generation.file_generation_id", ondelete="SET NULL"),
        index=True,
    ),
    Column("agency_code", Text),
    Column("progress", Float, nullable=False, default=0.0),
    *timestamps(),
    Column("last_validated", DateTime),
    Index("ix_job_job_status_id", "job_status_id"),
    sqlite_autoincrement=True,
)

# Migration 0007, with the submissions.
job_dependency = Table(
    "job_dependency",
    metadata,
    Column("dependency_id", Integer, primary_key=True),
    # The dependent job, and the job it waits for.
    Column("job_id", Integer, ForeignKey("job.job_id", ondelete="CASCADE"), nullable=False, index=True),
    Column(
        "prerequisite_id", Integer, ForeignKey("job.job_id", ondelete="CASCADE"), nullable=False, index=True
    ),
)

"""The schema as SQLAlchemy Core tables: the one description the adapter queries against.

Column names follow the original Broker where a table exists there. The
schema itself is created by the Alembic migrations (``migrations/versions``);
``tests/contract`` checks that the two agree.

Enumerations are stored as the ids/values the original used, through small
``TypeDecorator`` types, so the rows read back as domain enums.
"""

from __future__ import annotations

import decimal
import enum
from collections.abc import Callable
from typing import Any, Generic, TypeVar

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
    Numeric,
    Table,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator, TypeEngine

from broker_adapters.sqlalchemy.schema_metadata import metadata
from broker_core.file_types import FileType
from broker_core.generation.model import AgencyType, FileFormat
from broker_core.jobs import JobStatus, JobType
from broker_core.submissions.model import PublishStatus
from broker_core.users import PermissionLevel
from broker_core.validation.metadata import SEVERITY_IDS, ErrorType, FileStatus
from broker_core.validation.problem import Severity

E = TypeVar("E", bound=enum.Enum)

# --------------------------------------------------------------------------- column types


class _EnumColumn(TypeDecorator[E], Generic[E]):
    """An enum stored as one of its members' plain values (an id or a code)."""

    cache_ok = True

    def __init__(self, enum_class: type[E], encode: Callable[[E], Any]) -> None:
        super().__init__()
        self.enum_class = enum_class
        self.encode = encode
        self._decode = {encode(member): member for member in enum_class}

    def process_bind_param(self, value: E | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        if not isinstance(value, self.enum_class):
            raise TypeError(f"expected {self.enum_class.__name__}, got {value!r}")
        return self.encode(value)

    def process_result_value(self, value: Any, dialect: Dialect) -> E | None:
        return None if value is None else self._decode[value]


def _member_id(member: Any) -> int:
    return int(member.id)


def _member_value(member: Any) -> Any:
    return member.value


def _member_letter(member: Any) -> str:
    return str(member.letter)


class IntEnumColumn(_EnumColumn[E]):
    impl = Integer
    cache_ok = True


class TextEnumColumn(_EnumColumn[E]):
    impl = Text
    cache_ok = True


def file_type_id() -> IntEnumColumn[FileType]:
    """FileType by its numeric id (the original's ``file_type_id``)."""
    return IntEnumColumn(FileType, _member_id)


def file_type_letter() -> TextEnumColumn[FileType]:
    """FileType by its letter ('D1', 'D2', ...), as ``file_generation.file_type``."""
    return TextEnumColumn(FileType, _member_letter)


class ExactDecimal(TypeDecorator[decimal.Decimal]):
    """NUMERIC(23, 2) that never passes through float.

    PostgreSQL stores it natively; SQLite has no decimal type (NUMERIC affinity
    would turn it into a REAL), so there it is stored as TEXT and parsed back.
    """

    impl = Numeric(23, 2, asdecimal=True)
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "sqlite":
            return dialect.type_descriptor(Text())
        return dialect.type_descriptor(Numeric(23, 2, asdecimal=True))

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        if value is None:
            return None
        exact = decimal.Decimal(value)
        return str(exact) if dialect.name == "sqlite" else exact

    def process_result_value(self, value: Any, dialect: Dialect) -> decimal.Decimal | None:
        if value is None:
            return None
        return value if isinstance(value, decimal.Decimal) else decimal.Decimal(str(value))


# --------------------------------------------------------------------------- tables


def _timestamps() -> list[Column[Any]]:
    return [Column("created_at", DateTime), Column("updated_at", DateTime)]


users = Table(
    "users",
    metadata,
    Column("user_id", Integer, primary_key=True),
    Column("email", Text, nullable=False),
    Column("name", Text, nullable=False),
    Column("title", Text),
    Column("password_hash", Text),
    Column("skip_guide", Boolean, nullable=False, default=False),
    Column("website_admin", Boolean, nullable=False, default=False),
)
# Case-insensitive uniqueness; lookups compare lower(email).
Index("ix_users_email_lower", func.lower(users.c.email), unique=True)

user_affiliation = Table(
    "user_affiliation",
    metadata,
    Column("user_id", Integer, ForeignKey("users.user_id", ondelete="CASCADE"), primary_key=True),
    Column("agency_code", Text, primary_key=True),
    Column("permission_type_id", IntEnumColumn(PermissionLevel, _member_value), nullable=False),
)

session_map = Table(
    "session_map",
    metadata,
    Column("session_id", Integer, primary_key=True),
    Column("uid", Text, nullable=False, unique=True),
    Column("user_id", Integer, ForeignKey("users.user_id", ondelete="CASCADE"), nullable=True),
    Column("expiration", DateTime, nullable=False),
)

#: Failed logins (login rate limiting): one row per failure and subject (``account:…``/``address:…``).
login_attempt = Table(
    "login_attempt",
    metadata,
    Column("login_attempt_id", Integer, primary_key=True),
    Column("subject", Text, nullable=False),
    Column("attempted_at", DateTime, nullable=False),
    Index("ix_login_attempt_subject_attempted_at", "subject", "attempted_at"),
    Index("ix_login_attempt_attempted_at", "attempted_at"),
)

file_generation = Table(
    "file_generation",
    metadata,
    Column("file_generation_id", Integer, primary_key=True),
    Column("request_date", Date, nullable=False),
    Column("start_date", Date, nullable=False),
    Column("end_date", Date, nullable=False),
    Column("agency_code", Text, nullable=False),
    Column("agency_type", TextEnumColumn(AgencyType, _member_value), nullable=False),
    Column("file_type", file_type_letter(), nullable=False),
    Column("file_format", TextEnumColumn(FileFormat, _member_value), nullable=False),
    Column("element_numbers", Boolean, nullable=False, default=False),
    Column("is_cached_file", Boolean, nullable=False, default=False),
    Column("file_path", Text),
    Column("file_size", BigInteger),
    *_timestamps(),
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
    Column("job_type_id", IntEnumColumn(JobType, _member_value), nullable=False),
    Column("file_type_id", file_type_id()),
    Column("job_status_id", IntEnumColumn(JobStatus, _member_value), nullable=False),
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
    *_timestamps(),
    Column("last_validated", DateTime),
    Index("ix_job_job_status_id", "job_status_id"),
    sqlite_autoincrement=True,
)

# --------------------------------------------------------------------------- submissions (migration 0007)

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
    Column("publish_status_id", IntEnumColumn(PublishStatus, _member_value), nullable=False),
    Column("number_of_errors", Integer, nullable=False, default=0),
    Column("number_of_warnings", Integer, nullable=False, default=0),
    Column("is_fabs", Boolean, nullable=False, default=False),
    *_timestamps(),
    sqlite_autoincrement=True,  # ids are shown to users: never reuse one
)

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

#: The ``file`` row of a validation job (the original's name): how the file fared as a whole.
file = Table(
    "file",
    metadata,
    Column("file_id", Integer, primary_key=True),
    Column("job_id", Integer, ForeignKey("job.job_id", ondelete="CASCADE"), nullable=False, unique=True),
    Column("filename", Text, nullable=False),
    Column("file_status_id", IntEnumColumn(FileStatus, _member_id), nullable=False),
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
    Column("error_type_id", IntEnumColumn(ErrorType, _member_id), nullable=False),
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

# --------------------------------------------------------------------------- agencies

cgac = Table(
    "cgac",
    metadata,
    Column("cgac_id", Integer, primary_key=True),
    Column("cgac_code", Text, nullable=False, unique=True),
    Column("agency_name", Text),
)

frec = Table(
    "frec",
    metadata,
    Column("frec_id", Integer, primary_key=True),
    Column("frec_code", Text, nullable=False, unique=True),
    Column("agency_name", Text),
    Column("cgac_code", Text, index=True),
)

sub_tier_agency = Table(
    "sub_tier_agency",
    metadata,
    Column("sub_tier_agency_id", Integer, primary_key=True),
    Column("sub_tier_agency_code", Text, nullable=False, unique=True),
    Column("sub_tier_agency_name", Text),
    Column("cgac_code", Text),
    Column("frec_code", Text),
    Column("is_frec", Boolean, nullable=False, default=False),
)

# --------------------------------------------------------------------------- award source data


def _award_table(name: str, id_column: str, unique_column: str, *extra: Column[Any]) -> Table:
    return Table(
        name,
        metadata,
        Column(id_column, Integer, primary_key=True),
        Column(unique_column, Text, nullable=False),
        Column("unique_award_key", Text),
        Column("action_date", Date, nullable=False),
        Column("awarding_agency_code", Text),
        Column("funding_agency_code", Text),
        *extra,
        Column("row_csv", Text, nullable=False),
        Column("updated_at", DateTime),
        UniqueConstraint(unique_column),
        Index(f"ix_{name}_awarding", "awarding_agency_code", "action_date"),
        Index(f"ix_{name}_funding", "funding_agency_code", "action_date"),
    )


detached_award_procurement = _award_table(
    "detached_award_procurement",
    "detached_award_procurement_id",
    "detached_award_proc_unique",
    Column("last_modified", Text),  # FPDS stamp YYYY-MM-DD HH:MM:SS, compared with deletions
)

published_fabs = _award_table(
    "published_fabs",
    "published_fabs_id",
    "afa_generated_unique",
    Column("is_active", Boolean, nullable=False, default=True),
)

#: The key columns of the award tables, by file type.
AWARD_TABLES: dict[FileType, tuple[Table, Column[Any], Column[Any]]] = {
    FileType.D1: (
        detached_award_procurement,
        detached_award_procurement.c.detached_award_procurement_id,
        detached_award_procurement.c.detached_award_proc_unique,
    ),
    FileType.D2: (
        published_fabs,
        published_fabs.c.published_fabs_id,
        published_fabs.c.afa_generated_unique,
    ),
}

# --------------------------------------------------------------------------- File A sources

_TAS_COMPONENTS = (
    "allocation_transfer_agency",
    "agency_identifier",
    "beginning_period_of_availa",
    "ending_period_of_availabil",
    "availability_type_code",
    "main_account_code",
    "sub_account_code",
)


def _tas_components() -> list[Column[Any]]:
    return [Column(name, Text) for name in _TAS_COMPONENTS]


sf_133 = Table(
    "sf_133",
    metadata,
    Column("sf133_id", Integer, primary_key=True),
    Column("fiscal_year", Integer, nullable=False),
    Column("period", Integer, nullable=False),
    *_tas_components(),
    Column("line", Integer, nullable=False),
    Column("amount", ExactDecimal(), nullable=False),
    Column("tas", Text, nullable=False, index=True),
    Index("ix_sf_133_fiscal_year_period", "fiscal_year", "period"),
)

tas_lookup = Table(
    "tas_lookup",
    metadata,
    Column("tas_lookup_id", Integer, primary_key=True),
    Column("account_num", Integer),
    *_tas_components(),
    Column("tas", Text, nullable=False, index=True),
    Column("financial_indicator2", Text),
    Column("fr_entity_type", Text),
    Column("fr_entity_description", Text),
    Column("account_title", Text),
    Column("internal_start_date", Date),
    Column("internal_end_date", Date),
)

submission_window_schedule = Table(
    "submission_window_schedule",
    metadata,
    Column("submission_window_schedule_id", Integer, primary_key=True),
    Column("fiscal_year", Integer, nullable=False),
    Column("period", Integer, nullable=False),
    Column("period_start", Date, nullable=False),
    UniqueConstraint("fiscal_year", "period"),
)

gtas_failed_edits = Table(
    "gtas_failed_edits",
    metadata,
    Column("gtas_failed_edits_id", Integer, primary_key=True),
    Column("fiscal_year", Integer, nullable=False),
    Column("period", Integer, nullable=False),
    Column("tas", Text, nullable=False),
    Column("severity", Text, nullable=False),
    Column("atb_submission_status", Text),
    Column("approved_override_exists", Boolean, nullable=False, default=False),
    Index("ix_gtas_failed_edits_fiscal_year_period", "fiscal_year", "period"),
)

external_data_load_date = Table(
    "external_data_load_date",
    metadata,
    Column("external_data_type", Text, primary_key=True),
    Column("last_load_date_start", DateTime),
)

# --------------------------------------------------------------------------- Files E and F sources

# The columns are the fields of the core's records, in order, so a record and its row cannot
# drift apart (the migration spells them out, and tests/contract compares the two).
from broker_core.loading.source_records import SAM_RECIPIENT_COLUMNS, SUBAWARD_COLUMNS  # noqa: E402

_SOURCE_DATES = frozenset(
    {
        "registration_date",
        "expiration_date",
        "last_sam_mod_date",
        "last_exec_comp_mod_date",
        "action_date",
        "sub_action_date",
    }
)
_SOURCE_TIMESTAMPS = frozenset({"date_submitted"})
_SUBAWARD_KEY_COLUMNS = ("unique_award_key", "subaward_type", "internal_id", "subaward_number")


def _source_column(name: str, *, nullable: bool = True) -> Column[Any]:
    kind: Any
    if name.endswith("_amount"):
        kind = ExactDecimal()
    elif name in _SOURCE_DATES:
        kind = Date
    elif name in _SOURCE_TIMESTAMPS:
        kind = DateTime
    else:
        kind = Text
    return Column(name, kind, nullable=nullable)


sam_recipient = Table(
    "sam_recipient",
    metadata,
    Column("sam_recipient_id", Integer, primary_key=True),
    *(_source_column(name, nullable=name != "uei") for name in SAM_RECIPIENT_COLUMNS),
    Column("updated_at", DateTime),
    UniqueConstraint("uei"),
)

subaward = Table(
    "subaward",
    metadata,
    Column("subaward_id", Integer, primary_key=True),
    # The natural key (award key, type, report id, subaward number) encoded as one value, so the
    # upsert (and PostgreSQL's COPY upsert) has a single conflict column.
    Column("subaward_key", Text, nullable=False),
    *(_source_column(name, nullable=name not in _SUBAWARD_KEY_COLUMNS) for name in SUBAWARD_COLUMNS),
    Column("updated_at", DateTime),
    UniqueConstraint("subaward_key"),
    # F looks subawards up by prime award key and type.
    Index("ix_subaward_unique_award_key_subaward_type", "unique_award_key", "subaward_type"),
)

# --------------------------------------------------------------------------- the validator's tables

# Staging tables and the reference lists of the File B and C rules, defined in their own module on
# this metadata; imported here so that every table is known wherever this module is.
from broker_adapters.sqlalchemy.validation.validation_tables import (  # noqa: E402,F401 - re-exported
    appropriation,
    award_financial,
    award_financial_assistance,
    award_procurement,
    defc,
    object_class,
    object_class_program_activity,
    program_activity,
    program_activity_park,
)

"""The validator's tables: staging for files A, B, C, D1 and D2, and the reference lists of its rules.

Defined on the shared metadata (:mod:`broker_adapters.sqlalchemy.schema_metadata`); the
:mod:`broker_adapters.sqlalchemy.tables` package imports this module with its own table modules, so
Alembic and the contract tests see them with every other table.
"""

from __future__ import annotations

from sqlalchemy import Boolean, Column, Index, Integer, Table, Text, UniqueConstraint

from broker_adapters.sqlalchemy.schema_metadata import metadata
from broker_core.file_types import FileType

from .staging_tables import staging_table

# --------------------------------------------------------------------------- validation staging

appropriation = staging_table(metadata, FileType.A)
object_class_program_activity = staging_table(metadata, FileType.B)
award_financial = staging_table(metadata, FileType.C)
award_procurement = staging_table(metadata, FileType.D1)
award_financial_assistance = staging_table(metadata, FileType.D2)

# --------------------------------------------------------------------------- validation reference lists

# What rules B9, B11, B24 and B28 check File B and C values against (migration 0005). Each list
# is replaced whole by its ``broker load`` command; 0005 seeds object_class and defc.

object_class = Table(
    "object_class",
    metadata,
    Column("object_class_id", Integer, primary_key=True),
    Column("object_class_code", Text, nullable=False),
    Column("object_class_name", Text, nullable=False),
    UniqueConstraint("object_class_code"),
)

program_activity = Table(
    "program_activity",
    metadata,
    Column("program_activity_id", Integer, primary_key=True),
    Column("fiscal_year", Integer, nullable=False),
    Column("period", Integer, nullable=False),
    Column("agency_id", Text, nullable=False),
    Column("allocation_transfer_id", Text),
    Column("account_number", Text, nullable=False),
    Column("program_activity_code", Text, nullable=False),
    Column("program_activity_name", Text, nullable=False),
    # B9 looks activities up by period and account.
    Index("ix_program_activity_fiscal_year_period_agency_id_account_number",
          "fiscal_year", "period", "agency_id", "account_number"),
)  # fmt: skip

program_activity_park = Table(
    "program_activity_park",
    metadata,
    Column("program_activity_park_id", Integer, primary_key=True),
    Column("fiscal_year", Integer, nullable=False),
    Column("period", Integer, nullable=False),
    Column("agency_id", Text, nullable=False),
    Column("allocation_transfer_id", Text),
    Column("main_account_number", Text, nullable=False),
    Column("sub_account_number", Text),
    Column("park_code", Text, nullable=False),
    Column("park_name", Text, nullable=False),
    # B28 looks PARKs up by account.
    Index("ix_program_activity_park_agency_id_main_account_number", "agency_id", "main_account_number"),
)

defc = Table(
    "defc",
    metadata,
    Column("defc_id", Integer, primary_key=True),
    Column("code", Text, nullable=False),
    Column("public_law", Text),
    Column("public_law_short_title", Text),
    Column("group_name", Text),
    Column("is_valid", Boolean, nullable=False),
    UniqueConstraint("code"),
)

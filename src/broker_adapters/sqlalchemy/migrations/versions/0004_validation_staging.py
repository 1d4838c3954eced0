"""Staging tables of the validator: ``appropriation`` (A), ``object_class_program_activity`` (B), ``award_financial`` (C).

The columns come from the packaged file schemas through
:func:`broker_adapters.sqlalchemy.validation.staging_tables.staging_columns`; a later change to a
schema needs its own migration.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23
"""

from __future__ import annotations

from alembic import op

from broker_adapters.sqlalchemy.validation.staging_tables import (
    ABC_FILE_TYPES,
    STAGING_TABLE_NAMES,
    staging_columns,
    staging_index_specs,
)

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Only A, B and C: migration 0006 adds the D1 and D2 tables (and an index on all five).
    for file_type in ABC_FILE_TYPES:
        name = STAGING_TABLE_NAMES[file_type]
        op.create_table(name, *staging_columns(file_type))
        for index_name, columns in staging_index_specs(file_type):
            op.create_index(index_name, name, columns)


def downgrade() -> None:
    for file_type in reversed(ABC_FILE_TYPES):
        op.drop_table(STAGING_TABLE_NAMES[file_type])

"""Staging tables of the generated files: ``award_procurement`` (D1), ``award_financial_assistance`` (D2).

The cross-file rules compare them with File C. Every staging table (A, B and C from 0004 too)
gains an index on ``(submission_id, row_number)``: cross-file failures fetch the source row's
flex fields by submission and row number.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-27
"""

from __future__ import annotations

from alembic import op

from broker_adapters.sqlalchemy.validation.staging_tables import (
    ABC_FILE_TYPES,
    D_FILE_TYPES,
    STAGING_TABLE_NAMES,
    cross_index_specs,
    staging_columns,
    staging_index_specs,
)

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    for file_type in D_FILE_TYPES:
        name = STAGING_TABLE_NAMES[file_type]
        op.create_table(name, *staging_columns(file_type))
        for index_name, columns in staging_index_specs(file_type):
            op.create_index(index_name, name, columns)
    for file_type in (*ABC_FILE_TYPES, *D_FILE_TYPES):
        for index_name, columns in cross_index_specs(file_type):
            op.create_index(index_name, STAGING_TABLE_NAMES[file_type], columns)


def downgrade() -> None:
    for file_type in ABC_FILE_TYPES:
        for index_name, _ in cross_index_specs(file_type):
            op.drop_index(index_name, STAGING_TABLE_NAMES[file_type])
    for file_type in reversed(D_FILE_TYPES):
        op.drop_table(STAGING_TABLE_NAMES[file_type])

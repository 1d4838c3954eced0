"""Reference lists of the File B and C rules: ``object_class``, ``program_activity``, ``program_activity_park``, ``defc``.

``object_class`` (B11) and ``defc`` (B24) are seeded with the closed domains they come from, so a
new install validates object classes and DEFCs before anyone loads a list: the reportable object
classes of OMB Circular A-11 section 83 (without the subtotal and total lines) and the DEFC domain
values rule B24 names (A to T, and 9). ``broker load object-classes`` / ``broker load defc``
replace them. The program activity and PARK lists are per account and start empty.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

OBJECT_CLASSES = (
    ("111", "Full-time permanent"),
    ("113", "Other than full-time permanent"),
    ("115", "Other personnel compensation"),
    ("116", "Military personnel - basic allowance for housing"),
    ("117", "Military personnel"),
    ("118", "Special personal services payments"),
    ("121", "Civilian personnel benefits"),
    ("122", "Military personnel benefits"),
    ("130", "Benefits for former personnel"),
    ("210", "Travel and transportation of persons"),
    ("220", "Transportation of things"),
    ("231", "Rental payments to GSA"),
    ("232", "Rental payments to others"),
    ("233", "Communications, utilities, and miscellaneous charges"),
    ("240", "Printing and reproduction"),
    ("251", "Advisory and assistance services"),
    ("252", "Other services from non-Federal sources"),
    ("253", "Other goods and services from Federal sources"),
    ("254", "Operation and maintenance of facilities"),
    ("255", "Research and development contracts"),
    ("256", "Medical care"),
    ("257", "Operation and maintenance of equipment"),
    ("258", "Subsistence and support of persons"),
    ("260", "Supplies and materials"),
    ("310", "Equipment"),
    ("320", "Land and structures"),
    ("330", "Investments and loans"),
    ("410", "Grants, subsidies, and contributions"),
    ("420", "Insurance claims and indemnities"),
    ("430", "Interest and dividends"),
    ("440", "Refunds"),
    ("910", "Unvouchered"),
    ("920", "Undistributed"),
    ("930", "Limitation on expenses"),
    ("940", "Financial transfers"),
)

DEFC_CODES = (*"ABCDEFGHIJKLMNOPQRST", "9")


def upgrade() -> None:
    object_class = op.create_table(
        "object_class",
        sa.Column("object_class_id", sa.Integer(), nullable=False),
        sa.Column("object_class_code", sa.Text(), nullable=False),
        sa.Column("object_class_name", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("object_class_id", name="pk_object_class"),
        sa.UniqueConstraint("object_class_code", name="uq_object_class_object_class_code"),
    )
    op.create_table(
        "program_activity",
        sa.Column("program_activity_id", sa.Integer(), nullable=False),
        sa.Column("fiscal_year", sa.Integer(), nullable=False),
        sa.Column("period", sa.Integer(), nullable=False),
        sa.Column("agency_id", sa.Text(), nullable=False),
        sa.Column("allocation_transfer_id", sa.Text(), nullable=True),
        sa.Column("account_number", sa.Text(), nullable=False),
        sa.Column("program_activity_code", sa.Text(), nullable=False),
        sa.Column("program_activity_name", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("program_activity_id", name="pk_program_activity"),
    )
    op.create_index(
        "ix_program_activity_fiscal_year_period_agency_id_account_number",
        "program_activity",
        ["fiscal_year", "period", "agency_id", "account_number"],
    )
    op.create_table(
        "program_activity_park",
        sa.Column("program_activity_park_id", sa.Integer(), nullable=False),
        sa.Column("fiscal_year", sa.Integer(), nullable=False),
        sa.Column("period", sa.Integer(), nullable=False),
        sa.Column("agency_id", sa.Text(), nullable=False),
        sa.Column("allocation_transfer_id", sa.Text(), nullable=True),
        sa.Column("main_account_number", sa.Text(), nullable=False),
        sa.Column("sub_account_number", sa.Text(), nullable=True),
        sa.Column("park_code", sa.Text(), nullable=False),
        sa.Column("park_name", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("program_activity_park_id", name="pk_program_activity_park"),
    )
    op.create_index(
        "ix_program_activity_park_agency_id_main_account_number",
        "program_activity_park",
        ["agency_id", "main_account_number"],
    )
    defc = op.create_table(
        "defc",
        sa.Column("defc_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.Text(), nullable=False),
        sa.Column("public_law", sa.Text(), nullable=True),
        sa.Column("public_law_short_title", sa.Text(), nullable=True),
        sa.Column("group_name", sa.Text(), nullable=True),
        sa.Column("is_valid", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("defc_id", name="pk_defc"),
        sa.UniqueConstraint("code", name="uq_defc_code"),
    )
    op.bulk_insert(
        object_class,
        [{"object_class_code": code, "object_class_name": name} for code, name in OBJECT_CLASSES],
    )
    op.bulk_insert(defc, [{"code": code, "is_valid": True} for code in DEFC_CODES])


def downgrade() -> None:
    for name in ("defc", "program_activity_park", "program_activity", "object_class"):
        op.drop_table(name)

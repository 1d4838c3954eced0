"""Login rate limiting: ``login_attempt`` holds recent failed logins per account and per address.

Rows older than the configured window are deleted as new failures are recorded.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "login_attempt",
        sa.Column("login_attempt_id", sa.Integer(), nullable=False),
        sa.Column("subject", sa.Text(), nullable=False),
        sa.Column("attempted_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("login_attempt_id", name="pk_login_attempt"),
    )
    op.create_index("ix_login_attempt_subject_attempted_at", "login_attempt", ["subject", "attempted_at"])
    op.create_index("ix_login_attempt_attempted_at", "login_attempt", ["attempted_at"])


def downgrade() -> None:
    op.drop_index("ix_login_attempt_attempted_at", table_name="login_attempt")
    op.drop_index("ix_login_attempt_subject_attempted_at", table_name="login_attempt")
    op.drop_table("login_attempt")

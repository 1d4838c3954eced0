"""FPDS loads: keep each procurement row's raw last-modified stamp.

The DELETED feed removes a row only when its deletion is newer than the row
(``YYYY-MM-DD HH:MM:SS`` strings compare in time order), so a row re-created
after its deletion survives. The rendered D1 line keeps only the date.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("detached_award_procurement") as batch:
        batch.add_column(sa.Column("last_modified", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("detached_award_procurement") as batch:
        batch.drop_column("last_modified")

"""DABS submissions: ``submission``, ``job_dependency``, ``file``, ``error_metadata``, ``submission_narrative``.

``job`` gains ``number_of_rows_valid``, ``last_validated``, an index on ``submission_id`` and
its foreign key to ``submission`` (ON DELETE CASCADE). Until now ``job.submission_id`` named no
row (the ``validate-submission`` command used a job's own id), so existing values are cleared
before the key is added. On SQLite the job table is rebuilt (batch mode); its AUTOINCREMENT and
the highest id it ever gave are kept, so no job id is reused.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-28
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as sa
from alembic import op
from alembic.operations import BatchOperations

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

JOB_SUBMISSION_FK = "fk_job_submission_id_submission"


def upgrade() -> None:
    op.create_table(
        "submission",
        sa.Column("submission_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("cgac_code", sa.Text(), nullable=True),
        sa.Column("frec_code", sa.Text(), nullable=True),
        sa.Column("reporting_start_date", sa.Date(), nullable=True),
        sa.Column("reporting_end_date", sa.Date(), nullable=True),
        sa.Column("reporting_fiscal_year", sa.Integer(), nullable=False),
        sa.Column("reporting_fiscal_period", sa.Integer(), nullable=False),
        sa.Column("is_quarter_format", sa.Boolean(), nullable=False),
        sa.Column("publishable", sa.Boolean(), nullable=False),
        sa.Column("publish_status_id", sa.Integer(), nullable=False),
        sa.Column("number_of_errors", sa.Integer(), nullable=False),
        sa.Column("number_of_warnings", sa.Integer(), nullable=False),
        sa.Column("is_fabs", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.user_id"], name="fk_submission_user_id_users", ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("submission_id", name="pk_submission"),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_submission_cgac_code", "submission", ["cgac_code"])

    op.execute("UPDATE job SET submission_id = NULL WHERE submission_id IS NOT NULL")
    with _job_batch() as batch:
        batch.add_column(sa.Column("number_of_rows_valid", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("last_validated", sa.DateTime(), nullable=True))
        batch.create_foreign_key(
            JOB_SUBMISSION_FK, "submission", ["submission_id"], ["submission_id"], ondelete="CASCADE"
        )
        batch.create_index("ix_job_submission_id", ["submission_id"])

    op.create_table(
        "job_dependency",
        sa.Column("dependency_id", sa.Integer(), nullable=False),
        sa.Column("job_id", sa.Integer(), nullable=False),
        sa.Column("prerequisite_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["job_id"], ["job.job_id"], name="fk_job_dependency_job_id_job", ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["prerequisite_id"],
            ["job.job_id"],
            name="fk_job_dependency_prerequisite_id_job",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("dependency_id", name="pk_job_dependency"),
    )
    op.create_index("ix_job_dependency_job_id", "job_dependency", ["job_id"])
    op.create_index("ix_job_dependency_prerequisite_id", "job_dependency", ["prerequisite_id"])

    op.create_table(
        "file",
        sa.Column("file_id", sa.Integer(), nullable=False),
        sa.Column("job_id", sa.Integer(), nullable=False),
        sa.Column("filename", sa.Text(), nullable=False),
        sa.Column("file_status_id", sa.Integer(), nullable=False),
        sa.Column("headers_missing", sa.Text(), nullable=True),
        sa.Column("headers_duplicated", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["job_id"], ["job.job_id"], name="fk_file_job_id_job", ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("file_id", name="pk_file"),
        sa.UniqueConstraint("job_id", name="uq_file_job_id"),
    )

    op.create_table(
        "error_metadata",
        sa.Column("error_metadata_id", sa.Integer(), nullable=False),
        sa.Column("job_id", sa.Integer(), nullable=False),
        sa.Column("filename", sa.Text(), nullable=False),
        sa.Column("field_name", sa.Text(), nullable=False),
        sa.Column("error_type_id", sa.Integer(), nullable=False),
        sa.Column("occurrences", sa.Integer(), nullable=False),
        sa.Column("first_row", sa.Integer(), nullable=True),
        sa.Column("rule_failed", sa.Text(), nullable=False),
        sa.Column("file_type", sa.Text(), nullable=True),
        sa.Column("target_file_type", sa.Text(), nullable=True),
        sa.Column("original_rule_label", sa.Text(), nullable=False),
        sa.Column("severity_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["job_id"], ["job.job_id"], name="fk_error_metadata_job_id_job", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("error_metadata_id", name="pk_error_metadata"),
    )
    op.create_index("ix_error_metadata_job_id", "error_metadata", ["job_id"])

    op.create_table(
        "submission_narrative",
        sa.Column("narrative_id", sa.Integer(), nullable=False),
        sa.Column("submission_id", sa.Integer(), nullable=False),
        sa.Column("file_type", sa.Text(), nullable=False),
        sa.Column("narrative", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["submission_id"],
            ["submission.submission_id"],
            name="fk_submission_narrative_submission_id_submission",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("narrative_id", name="pk_submission_narrative"),
        sa.UniqueConstraint(
            "submission_id", "file_type", name="uq_submission_narrative_submission_id_file_type"
        ),
    )


def downgrade() -> None:
    op.drop_table("submission_narrative")
    op.drop_table("error_metadata")
    op.drop_table("file")
    op.drop_table("job_dependency")
    with _job_batch() as batch:
        batch.drop_index("ix_job_submission_id")
        batch.drop_constraint(JOB_SUBMISSION_FK, type_="foreignkey")
        batch.drop_column("last_validated")
        batch.drop_column("number_of_rows_valid")
    op.drop_table("submission")


@contextmanager
def _job_batch() -> Iterator[BatchOperations]:
    """Alter ``job``; on SQLite that rebuilds the table, keeping AUTOINCREMENT and its counter.

    Batch mode reflects the table, and reflection does not see AUTOINCREMENT, so it is
    restated. The ``sqlite_sequence`` entry (the highest id ever given, which may be above
    the highest id left) goes with the old table, so it is carried over.
    """
    bind = op.get_bind()
    highest = None
    if bind.dialect.name == "sqlite":
        highest = bind.execute(sa.text("SELECT seq FROM sqlite_sequence WHERE name = 'job'")).scalar()
    with op.batch_alter_table("job", table_kwargs={"sqlite_autoincrement": True}) as batch:
        yield batch
    if highest is not None:
        updated = bind.execute(
            sa.text("UPDATE sqlite_sequence SET seq = max(seq, :seq) WHERE name = 'job'"), {"seq": highest}
        )
        if updated.rowcount == 0:
            bind.execute(
                sa.text("INSERT INTO sqlite_sequence (name, seq) VALUES ('job', :seq)"), {"seq": highest}
            )

"""Initial schema: jobs, file generations, users and sessions, agencies, and the source data.

Revision ID: 0001
Revises:
Create Date: 2024-05-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

# SQLite has no exact decimal type: NUMERIC affinity would store a REAL, so amounts are TEXT there.
AMOUNT = sa.Numeric(23, 2).with_variant(sa.Text(), "sqlite")

TAS_COMPONENTS = (
    "allocation_transfer_agency",
    "agency_identifier",
    "beginning_period_of_availa",
    "ending_period_of_availabil",
    "availability_type_code",
    "main_account_code",
    "sub_account_code",
)


def _tas_components() -> list[sa.Column]:
    return [sa.Column(name, sa.Text(), nullable=True) for name in TAS_COMPONENTS]


def upgrade() -> None:
    # ----------------------------------------------------------------- users and sessions
    op.create_table(
        "users",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("email", sa.Text(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("title", sa.Text(), nullable=True),
        sa.Column("password_hash", sa.Text(), nullable=True),
        sa.Column("skip_guide", sa.Boolean(), nullable=False),
        sa.Column("website_admin", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("user_id", name="pk_users"),
    )
    op.create_index("ix_users_email_lower", "users", [sa.text("lower(email)")], unique=True)

    op.create_table(
        "user_affiliation",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("agency_code", sa.Text(), nullable=False),
        sa.Column("permission_type_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.user_id"],
            name="fk_user_affiliation_user_id_users",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", "agency_code", name="pk_user_affiliation"),
    )

    op.create_table(
        "session_map",
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("uid", sa.Text(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("expiration", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.user_id"], name="fk_session_map_user_id_users", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("session_id", name="pk_session_map"),
        sa.UniqueConstraint("uid", name="uq_session_map_uid"),
    )

    # ----------------------------------------------------------------- generation
    op.create_table(
        "file_generation",
        sa.Column("file_generation_id", sa.Integer(), nullable=False),
        sa.Column("request_date", sa.Date(), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=False),
        sa.Column("agency_code", sa.Text(), nullable=False),
        sa.Column("agency_type", sa.Text(), nullable=False),
        sa.Column("file_type", sa.Text(), nullable=False),
        sa.Column("file_format", sa.Text(), nullable=False),
        sa.Column("element_numbers", sa.Boolean(), nullable=False),
        sa.Column("is_cached_file", sa.Boolean(), nullable=False),
        sa.Column("file_path", sa.Text(), nullable=True),
        sa.Column("file_size", sa.BigInteger(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("file_generation_id", name="pk_file_generation"),
        sqlite_autoincrement=True,
    )
    op.create_index(
        "ix_file_generation_key",
        "file_generation",
        ["file_type", "agency_code", "start_date", "end_date"],
    )

    op.create_table(
        "job",
        sa.Column("job_id", sa.Integer(), nullable=False),
        sa.Column("job_type_id", sa.Integer(), nullable=False),
        sa.Column("file_type_id", sa.Integer(), nullable=True),
        sa.Column("job_status_id", sa.Integer(), nullable=False),
        sa.Column("submission_id", sa.Integer(), nullable=True),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("start_date", sa.Date(), nullable=True),
        sa.Column("end_date", sa.Date(), nullable=True),
        sa.Column("filename", sa.Text(), nullable=True),
        sa.Column("original_filename", sa.Text(), nullable=True),
        sa.Column("file_size", sa.BigInteger(), nullable=True),
        sa.Column("number_of_rows", sa.Integer(), nullable=True),
        sa.Column("number_of_errors", sa.Integer(), nullable=False),
        sa.Column("number_of_warnings", sa.Integer(), nullable=False),
        sa.Column("error_message", sa.Text(), nullable=True),
        sa.Column("file_generation_id", sa.Integer(), nullable=True),
        sa.Column("agency_code", sa.Text(), nullable=True),
        sa.Column("progress", sa.Float(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["users.user_id"], name="fk_job_user_id_users"),
        sa.ForeignKeyConstraint(
            ["file_generation_id"],
            ["file_generation.file_generation_id"],
            name="fk_job_file_generation_id_file_generation",
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("job_id", name="pk_job"),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_job_file_generation_id", "job", ["file_generation_id"])
    op.create_index("ix_job_job_status_id", "job", ["job_status_id"])

    # ----------------------------------------------------------------- agencies
    op.create_table(
        "cgac",
        sa.Column("cgac_id", sa.Integer(), nullable=False),
        sa.Column("cgac_code", sa.Text(), nullable=False),
        sa.Column("agency_name", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("cgac_id", name="pk_cgac"),
        sa.UniqueConstraint("cgac_code", name="uq_cgac_cgac_code"),
    )
    op.create_table(
        "frec",
        sa.Column("frec_id", sa.Integer(), nullable=False),
        sa.Column("frec_code", sa.Text(), nullable=False),
        sa.Column("agency_name", sa.Text(), nullable=True),
        sa.Column("cgac_code", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("frec_id", name="pk_frec"),
        sa.UniqueConstraint("frec_code", name="uq_frec_frec_code"),
    )
    op.create_index("ix_frec_cgac_code", "frec", ["cgac_code"])
    op.create_table(
        "sub_tier_agency",
        sa.Column("sub_tier_agency_id", sa.Integer(), nullable=False),
        sa.Column("sub_tier_agency_code", sa.Text(), nullable=False),
        sa.Column("sub_tier_agency_name", sa.Text(), nullable=True),
        sa.Column("cgac_code", sa.Text(), nullable=True),
        sa.Column("frec_code", sa.Text(), nullable=True),
        sa.Column("is_frec", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("sub_tier_agency_id", name="pk_sub_tier_agency"),
        sa.UniqueConstraint("sub_tier_agency_code", name="uq_sub_tier_agency_sub_tier_agency_code"),
    )

    # ----------------------------------------------------------------- D1 / D2 source rows
    op.create_table(
        "detached_award_procurement",
        sa.Column("detached_award_procurement_id", sa.Integer(), nullable=False),
        sa.Column("detached_award_proc_unique", sa.Text(), nullable=False),
        sa.Column("unique_award_key", sa.Text(), nullable=True),
        sa.Column("action_date", sa.Date(), nullable=False),
        sa.Column("awarding_agency_code", sa.Text(), nullable=True),
        sa.Column("funding_agency_code", sa.Text(), nullable=True),
        sa.Column("row_csv", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("detached_award_procurement_id", name="pk_detached_award_procurement"),
        sa.UniqueConstraint(
            "detached_award_proc_unique", name="uq_detached_award_procurement_detached_award_proc_unique"
        ),
    )
    op.create_index(
        "ix_detached_award_procurement_awarding",
        "detached_award_procurement",
        ["awarding_agency_code", "action_date"],
    )
    op.create_index(
        "ix_detached_award_procurement_funding",
        "detached_award_procurement",
        ["funding_agency_code", "action_date"],
    )

    op.create_table(
        "published_fabs",
        sa.Column("published_fabs_id", sa.Integer(), nullable=False),
        sa.Column("afa_generated_unique", sa.Text(), nullable=False),
        sa.Column("unique_award_key", sa.Text(), nullable=True),
        sa.Column("action_date", sa.Date(), nullable=False),
        sa.Column("awarding_agency_code", sa.Text(), nullable=True),
        sa.Column("funding_agency_code", sa.Text(), nullable=True),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("row_csv", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("published_fabs_id", name="pk_published_fabs"),
        sa.UniqueConstraint("afa_generated_unique", name="uq_published_fabs_afa_generated_unique"),
    )
    op.create_index("ix_published_fabs_awarding", "published_fabs", ["awarding_agency_code", "action_date"])
    op.create_index("ix_published_fabs_funding", "published_fabs", ["funding_agency_code", "action_date"])

    # ----------------------------------------------------------------- File A sources
    op.create_table(
        "sf_133",
        sa.Column("sf133_id", sa.Integer(), nullable=False),
        sa.Column("fiscal_year", sa.Integer(), nullable=False),
        sa.Column("period", sa.Integer(), nullable=False),
        *_tas_components(),
        sa.Column("line", sa.Integer(), nullable=False),
        sa.Column("amount", AMOUNT, nullable=False),
        sa.Column("tas", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("sf133_id", name="pk_sf_133"),
    )
    op.create_index("ix_sf_133_fiscal_year_period", "sf_133", ["fiscal_year", "period"])
    op.create_index("ix_sf_133_tas", "sf_133", ["tas"])

    op.create_table(
        "tas_lookup",
        sa.Column("tas_lookup_id", sa.Integer(), nullable=False),
        sa.Column("account_num", sa.Integer(), nullable=True),
        *_tas_components(),
        sa.Column("tas", sa.Text(), nullable=False),
        sa.Column("financial_indicator2", sa.Text(), nullable=True),
        sa.Column("fr_entity_type", sa.Text(), nullable=True),
        sa.Column("fr_entity_description", sa.Text(), nullable=True),
        sa.Column("account_title", sa.Text(), nullable=True),
        sa.Column("internal_start_date", sa.Date(), nullable=True),
        sa.Column("internal_end_date", sa.Date(), nullable=True),
        sa.PrimaryKeyConstraint("tas_lookup_id", name="pk_tas_lookup"),
    )
    op.create_index("ix_tas_lookup_tas", "tas_lookup", ["tas"])

    op.create_table(
        "submission_window_schedule",
        sa.Column("submission_window_schedule_id", sa.Integer(), nullable=False),
        sa.Column("fiscal_year", sa.Integer(), nullable=False),
        sa.Column("period", sa.Integer(), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.PrimaryKeyConstraint("submission_window_schedule_id", name="pk_submission_window_schedule"),
        sa.UniqueConstraint("fiscal_year", "period", name="uq_submission_window_schedule_fiscal_year_period"),
    )

    op.create_table(
        "gtas_failed_edits",
        sa.Column("gtas_failed_edits_id", sa.Integer(), nullable=False),
        sa.Column("fiscal_year", sa.Integer(), nullable=False),
        sa.Column("period", sa.Integer(), nullable=False),
        sa.Column("tas", sa.Text(), nullable=False),
        sa.Column("severity", sa.Text(), nullable=False),
        sa.Column("atb_submission_status", sa.Text(), nullable=True),
        sa.Column("approved_override_exists", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("gtas_failed_edits_id", name="pk_gtas_failed_edits"),
    )
    op.create_index("ix_gtas_failed_edits_fiscal_year_period", "gtas_failed_edits", ["fiscal_year", "period"])

    op.create_table(
        "external_data_load_date",
        sa.Column("external_data_type", sa.Text(), nullable=False),
        sa.Column("last_load_date_start", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("external_data_type", name="pk_external_data_load_date"),
    )


def downgrade() -> None:
    for table in (
        "external_data_load_date",
        "gtas_failed_edits",
        "submission_window_schedule",
        "tas_lookup",
        "sf_133",
        "published_fabs",
        "detached_award_procurement",
        "sub_tier_agency",
        "frec",
        "cgac",
        "job",
        "file_generation",
        "session_map",
        "user_affiliation",
        "users",
    ):
        op.drop_table(table)

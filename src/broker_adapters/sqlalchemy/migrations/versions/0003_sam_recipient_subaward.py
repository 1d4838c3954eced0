"""The source data of files E and F: SAM recipients (``sam_recipient``) and subawards (``subaward``).

One row per UEI in ``sam_recipient`` and one per natural key in ``subaward``
(``subaward_key`` encodes unique_award_key, subaward_type, internal_id and
subaward_number as one value, so loads upsert on a single column). The columns
are written out here, not taken from the records, so this revision stays what
it was when later ones change them.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

# SQLite has no exact decimal type: NUMERIC affinity would store a REAL, so amounts are TEXT there.
AMOUNT = sa.Numeric(23, 2).with_variant(sa.Text(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "sam_recipient",
        sa.Column("sam_recipient_id", sa.Integer(), nullable=False),
        sa.Column("uei", sa.Text(), nullable=False),
        sa.Column("awardee_or_recipient_uniqu", sa.Text(), nullable=True),
        sa.Column("legal_business_name", sa.Text(), nullable=True),
        sa.Column("dba_name", sa.Text(), nullable=True),
        sa.Column("ultimate_parent_uei", sa.Text(), nullable=True),
        sa.Column("ultimate_parent_unique_ide", sa.Text(), nullable=True),
        sa.Column("ultimate_parent_legal_enti", sa.Text(), nullable=True),
        sa.Column("address_line_1", sa.Text(), nullable=True),
        sa.Column("address_line_2", sa.Text(), nullable=True),
        sa.Column("city", sa.Text(), nullable=True),
        sa.Column("state", sa.Text(), nullable=True),
        sa.Column("zip", sa.Text(), nullable=True),
        sa.Column("zip4", sa.Text(), nullable=True),
        sa.Column("country_code", sa.Text(), nullable=True),
        sa.Column("congressional_district", sa.Text(), nullable=True),
        sa.Column("entity_structure", sa.Text(), nullable=True),
        sa.Column("business_types_codes", sa.Text(), nullable=True),
        sa.Column("business_types", sa.Text(), nullable=True),
        sa.Column("registration_date", sa.Date(), nullable=True),
        sa.Column("expiration_date", sa.Date(), nullable=True),
        sa.Column("last_sam_mod_date", sa.Date(), nullable=True),
        sa.Column("last_exec_comp_mod_date", sa.Date(), nullable=True),
        sa.Column("high_comp_officer1_full_na", sa.Text(), nullable=True),
        sa.Column("high_comp_officer1_amount", AMOUNT, nullable=True),
        sa.Column("high_comp_officer2_full_na", sa.Text(), nullable=True),
        sa.Column("high_comp_officer2_amount", AMOUNT, nullable=True),
        sa.Column("high_comp_officer3_full_na", sa.Text(), nullable=True),
        sa.Column("high_comp_officer3_amount", AMOUNT, nullable=True),
        sa.Column("high_comp_officer4_full_na", sa.Text(), nullable=True),
        sa.Column("high_comp_officer4_amount", AMOUNT, nullable=True),
        sa.Column("high_comp_officer5_full_na", sa.Text(), nullable=True),
        sa.Column("high_comp_officer5_amount", AMOUNT, nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("sam_recipient_id", name="pk_sam_recipient"),
        sa.UniqueConstraint("uei", name="uq_sam_recipient_uei"),
    )

    op.create_table(
        "subaward",
        sa.Column("subaward_id", sa.Integer(), nullable=False),
        sa.Column("subaward_key", sa.Text(), nullable=False),
        sa.Column("unique_award_key", sa.Text(), nullable=False),
        sa.Column("award_id", sa.Text(), nullable=True),
        sa.Column("parent_award_id", sa.Text(), nullable=True),
        sa.Column("award_amount", AMOUNT, nullable=True),
        sa.Column("action_date", sa.Date(), nullable=True),
        sa.Column("fy", sa.Text(), nullable=True),
        sa.Column("awarding_agency_code", sa.Text(), nullable=True),
        sa.Column("awarding_agency_name", sa.Text(), nullable=True),
        sa.Column("awarding_sub_tier_agency_c", sa.Text(), nullable=True),
        sa.Column("awarding_sub_tier_agency_n", sa.Text(), nullable=True),
        sa.Column("awarding_office_code", sa.Text(), nullable=True),
        sa.Column("awarding_office_name", sa.Text(), nullable=True),
        sa.Column("funding_agency_code", sa.Text(), nullable=True),
        sa.Column("funding_agency_name", sa.Text(), nullable=True),
        sa.Column("funding_sub_tier_agency_co", sa.Text(), nullable=True),
        sa.Column("funding_sub_tier_agency_na", sa.Text(), nullable=True),
        sa.Column("funding_office_code", sa.Text(), nullable=True),
        sa.Column("funding_office_name", sa.Text(), nullable=True),
        sa.Column("awardee_or_recipient_uei", sa.Text(), nullable=True),
        sa.Column("awardee_or_recipient_legal", sa.Text(), nullable=True),
        sa.Column("dba_name", sa.Text(), nullable=True),
        sa.Column("ultimate_parent_uei", sa.Text(), nullable=True),
        sa.Column("ultimate_parent_legal_enti", sa.Text(), nullable=True),
        sa.Column("legal_entity_country_code", sa.Text(), nullable=True),
        sa.Column("legal_entity_country_name", sa.Text(), nullable=True),
        sa.Column("legal_entity_address_line1", sa.Text(), nullable=True),
        sa.Column("legal_entity_city_name", sa.Text(), nullable=True),
        sa.Column("legal_entity_state_code", sa.Text(), nullable=True),
        sa.Column("legal_entity_state_name", sa.Text(), nullable=True),
        sa.Column("legal_entity_zip", sa.Text(), nullable=True),
        sa.Column("legal_entity_congressional", sa.Text(), nullable=True),
        sa.Column("legal_entity_foreign_posta", sa.Text(), nullable=True),
        sa.Column("business_types", sa.Text(), nullable=True),
        sa.Column("place_of_perform_city_name", sa.Text(), nullable=True),
        sa.Column("place_of_perform_state_code", sa.Text(), nullable=True),
        sa.Column("place_of_perform_state_name", sa.Text(), nullable=True),
        sa.Column("place_of_performance_zip", sa.Text(), nullable=True),
        sa.Column("place_of_perform_congressio", sa.Text(), nullable=True),
        sa.Column("place_of_perform_country_co", sa.Text(), nullable=True),
        sa.Column("place_of_perform_country_na", sa.Text(), nullable=True),
        sa.Column("award_description", sa.Text(), nullable=True),
        sa.Column("program_title", sa.Text(), nullable=True),
        sa.Column("naics", sa.Text(), nullable=True),
        sa.Column("naics_description", sa.Text(), nullable=True),
        sa.Column("assistance_listing_numbers", sa.Text(), nullable=True),
        sa.Column("assistance_listing_titles", sa.Text(), nullable=True),
        sa.Column("subaward_type", sa.Text(), nullable=False),
        sa.Column("internal_id", sa.Text(), nullable=False),
        sa.Column("subaward_report_year", sa.Text(), nullable=True),
        sa.Column("subaward_report_month", sa.Text(), nullable=True),
        sa.Column("subaward_number", sa.Text(), nullable=False),
        sa.Column("subaward_amount", AMOUNT, nullable=True),
        sa.Column("sub_action_date", sa.Date(), nullable=True),
        sa.Column("sub_awardee_or_recipient_uei", sa.Text(), nullable=True),
        sa.Column("sub_awardee_or_recipient_legal", sa.Text(), nullable=True),
        sa.Column("sub_dba_name", sa.Text(), nullable=True),
        sa.Column("sub_ultimate_parent_uei", sa.Text(), nullable=True),
        sa.Column("sub_ultimate_parent_legal_enti", sa.Text(), nullable=True),
        sa.Column("sub_legal_entity_country_code", sa.Text(), nullable=True),
        sa.Column("sub_legal_entity_country_name", sa.Text(), nullable=True),
        sa.Column("sub_legal_entity_address_line1", sa.Text(), nullable=True),
        sa.Column("sub_legal_entity_city_name", sa.Text(), nullable=True),
        sa.Column("sub_legal_entity_state_code", sa.Text(), nullable=True),
        sa.Column("sub_legal_entity_state_name", sa.Text(), nullable=True),
        sa.Column("sub_legal_entity_zip", sa.Text(), nullable=True),
        sa.Column("sub_legal_entity_congressional", sa.Text(), nullable=True),
        sa.Column("sub_legal_entity_foreign_posta", sa.Text(), nullable=True),
        sa.Column("sub_business_types", sa.Text(), nullable=True),
        sa.Column("sub_place_of_perform_city_name", sa.Text(), nullable=True),
        sa.Column("sub_place_of_perform_state_code", sa.Text(), nullable=True),
        sa.Column("sub_place_of_perform_state_name", sa.Text(), nullable=True),
        sa.Column("sub_place_of_performance_zip", sa.Text(), nullable=True),
        sa.Column("sub_place_of_perform_congressio", sa.Text(), nullable=True),
        sa.Column("sub_place_of_perform_country_co", sa.Text(), nullable=True),
        sa.Column("sub_place_of_perform_country_na", sa.Text(), nullable=True),
        sa.Column("subaward_description", sa.Text(), nullable=True),
        sa.Column("sub_high_comp_officer1_full_na", sa.Text(), nullable=True),
        sa.Column("sub_high_comp_officer1_amount", AMOUNT, nullable=True),
        sa.Column("sub_high_comp_officer2_full_na", sa.Text(), nullable=True),
        sa.Column("sub_high_comp_officer2_amount", AMOUNT, nullable=True),
        sa.Column("sub_high_comp_officer3_full_na", sa.Text(), nullable=True),
        sa.Column("sub_high_comp_officer3_amount", AMOUNT, nullable=True),
        sa.Column("sub_high_comp_officer4_full_na", sa.Text(), nullable=True),
        sa.Column("sub_high_comp_officer4_amount", AMOUNT, nullable=True),
        sa.Column("sub_high_comp_officer5_full_na", sa.Text(), nullable=True),
        sa.Column("sub_high_comp_officer5_amount", AMOUNT, nullable=True),
        sa.Column("date_submitted", sa.DateTime(), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("subaward_id", name="pk_subaward"),
        sa.UniqueConstraint("subaward_key", name="uq_subaward_subaward_key"),
    )
    op.create_index(
        "ix_subaward_unique_award_key_subaward_type", "subaward", ["unique_award_key", "subaward_type"]
    )


def downgrade() -> None:
    op.drop_table("subaward")
    op.drop_table("sam_recipient")

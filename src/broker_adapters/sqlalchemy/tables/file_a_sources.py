"""What File A is generated and checked from: SF 133 balances, the TAS list, GTAS edits, the windows."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Boolean, Column, Date, Index, Integer, Table, Text, UniqueConstraint

from broker_adapters.sqlalchemy.column_types import ExactDecimal
from broker_adapters.sqlalchemy.schema_metadata import metadata

#: The seven TAS parts, in display order: the column names of ``sf_133``, ``tas_lookup`` and the
#: staged Files A and B.
TAS_COMPONENTS = (
    "allocation_transfer_agency",
    "agency_identifier",
    "beginning_period_of_availa",
    "ending_period_of_availabil",
    "availability_type_code",
    "main_account_code",
    "sub_account_code",
)


def _tas_components() -> list[Column[Any]]:
    return [Column(name, Text) for name in TAS_COMPONENTS]


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

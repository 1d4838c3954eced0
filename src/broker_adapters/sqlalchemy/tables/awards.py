"""The award source data of files D1 and D2 (FPDS procurement, published FABS), and when FPDS was loaded."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Boolean, Column, Date, DateTime, Index, Integer, Table, Text, UniqueConstraint

from broker_adapters.sqlalchemy.schema_metadata import metadata
from broker_core.file_types import FileType


def _award_table(name: str, id_column: str, unique_column: str, *extra: Column[Any]) -> Table:
    return Table(
        name,
        metadata,
        Column(id_column, Integer, primary_key=True),
        Column(unique_column, Text, nullable=False),
        Column("unique_award_key", Text),
        Column("action_date", Date, nullable=False),
        Column("awarding_agency_code", Text),
        Column("funding_agency_code", Text),
        *extra,
        Column("row_csv", Text, nullable=False),
        Column("updated_at", DateTime),
        UniqueConstraint(unique_column),
        Index(f"ix_{name}_awarding", "awarding_agency_code", "action_date"),
        Index(f"ix_{name}_funding", "funding_agency_code", "action_date"),
    )


detached_award_procurement = _award_table(
    "detached_award_procurement",
    "detached_award_procurement_id",
    "detached_award_proc_unique",
    Column("last_modified", Text),  # FPDS stamp YYYY-MM-DD HH:MM:SS, compared with deletions
)

published_fabs = _award_table(
    "published_fabs",
    "published_fabs_id",
    "afa_generated_unique",
    Column("is_active", Boolean, nullable=False, default=True),
)

#: The key columns of the award tables, by file type.
AWARD_TABLES: dict[FileType, tuple[Table, Column[Any], Column[Any]]] = {
    FileType.D1: (
        detached_award_procurement,
        detached_award_procurement.c.detached_award_procurement_id,
        detached_award_procurement.c.detached_award_proc_unique,
    ),
    FileType.D2: (
        published_fabs,
        published_fabs.c.published_fabs_id,
        published_fabs.c.afa_generated_unique,
    ),
}

#: When each external source was last loaded, by type; ``fpds`` dates the D1 source (cached D1 files older
#: than it are stale).
external_data_load_date = Table(
    "external_data_load_date",
    metadata,
    Column("external_data_type", Text, primary_key=True),
    Column("last_load_date_start", DateTime),
)

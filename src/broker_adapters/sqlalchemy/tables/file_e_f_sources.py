"""What files E and F are generated from: SAM recipients and subawards.

The columns are the fields of the core's records, in order, so a record and its row cannot drift
apart (the migration spells them out, and tests/contract compares the two).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Column, Date, DateTime, Index, Integer, Table, Text, UniqueConstraint

from broker_adapters.sqlalchemy.column_types import ExactDecimal
from broker_adapters.sqlalchemy.schema_metadata import metadata
from broker_core.loading.source_records import SAM_RECIPIENT_COLUMNS, SUBAWARD_COLUMNS

_SOURCE_DATES = frozenset(
    {
        "registration_date",
        "expiration_date",
        "last_sam_mod_date",
        "last_exec_comp_mod_date",
        "action_date",
        "sub_action_date",
    }
)
_SOURCE_TIMESTAMPS = frozenset({"date_submitted"})
_SUBAWARD_KEY_COLUMNS = ("unique_award_key", "subaward_type", "internal_id", "subaward_number")


def _source_column(name: str, *, nullable: bool = True) -> Column[Any]:
    kind: Any
    if name.endswith("_amount"):
        kind = ExactDecimal()
    elif name in _SOURCE_DATES:
        kind = Date
    elif name in _SOURCE_TIMESTAMPS:
        kind = DateTime
    else:
        kind = Text
    return Column(name, kind, nullable=nullable)


sam_recipient = Table(
    "sam_recipient",
    metadata,
    Column("sam_recipient_id", Integer, primary_key=True),
    *(_source_column(name, nullable=name != "uei") for name in SAM_RECIPIENT_COLUMNS),
    Column("updated_at", DateTime),
    UniqueConstraint("uei"),
)

subaward = Table(
    "subaward",
    metadata,
    Column("subaward_id", Integer, primary_key=True),
    # The natural key (award key, type, report id, subaward number) encoded as one value, so the
    # upsert (and PostgreSQL's COPY upsert) has a single conflict column.
    Column("subaward_key", Text, nullable=False),
    *(_source_column(name, nullable=name not in _SUBAWARD_KEY_COLUMNS) for name in SUBAWARD_COLUMNS),
    Column("updated_at", DateTime),
    UniqueConstraint("subaward_key"),
    # F looks subawards up by prime award key and type.
    Index("ix_subaward_unique_award_key_subaward_type", "unique_award_key", "subaward_type"),
)

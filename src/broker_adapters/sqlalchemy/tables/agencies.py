"""The agency lists: CGAC and FREC codes, and the sub-tier agencies under them."""

from __future__ import annotations

from sqlalchemy import Boolean, Column, Integer, Table, Text

from broker_adapters.sqlalchemy.schema_metadata import metadata

cgac = Table(
    "cgac",
    metadata,
    Column("cgac_id", Integer, primary_key=True),
    Column("cgac_code", Text, nullable=False, unique=True),
    Column("agency_name", Text),
)

frec = Table(
    "frec",
    metadata,
    Column("frec_id", Integer, primary_key=True),
    Column("frec_code", Text, nullable=False, unique=True),
    Column("agency_name", Text),
    Column("cgac_code", Text, index=True),
)

sub_tier_agency = Table(
    "sub_tier_agency",
    metadata,
    Column("sub_tier_agency_id", Integer, primary_key=True),
    Column("sub_tier_agency_code", Text, nullable=False, unique=True),
    Column("sub_tier_agency_name", Text),
    Column("cgac_code", Text),
    Column("frec_code", Text),
    Column("is_frec", Boolean, nullable=False, default=False),
)

"""Staging tables for files A, B, C, D1 and D2: one column per schema field, plus what the rules need.

Built from the core's packaged file schemas, so a field and its column cannot drift apart. Besides
the fields each table has the run (``job_id``, ``submission_id``), the file's ``row_number``, the
derived ``tas`` / ``display_tas``, the CARS ``account_num`` set by TAS linking, and the row's flex
fields as the report shows them (``flex_field``). Amounts are :class:`StagedDecimal` (exact on both
databases), dates stay the ``YYYYMMDD`` text the row checks accepted, booleans and integers are typed.

Migration 0004 creates the A, B and C tables from the same functions, migration 0006 the D1 and D2
tables and the cross-file index (:func:`cross_index_specs`) of all five; changing a packaged schema
therefore needs a new migration that alters the table.

D1 and D2 are loaded as read (no row checks): their amounts go in through :func:`staged_number`,
which stores what is not a number as NULL, so a hand-made D file cannot break the typed columns.
D1's schema types every field as text; its ``federal_action_obligation`` is staged as an amount
all the same, because the C↔D1 rules sum and compare it exactly.
"""

from __future__ import annotations

import decimal
from typing import Any

from sqlalchemy import BigInteger, Boolean, Column, Index, Integer, MetaData, Table, Text
from sqlalchemy.types import TypeEngine

from broker_core.file_types import FileType
from broker_core.validation.schema import FieldType, schema_for

from .exact import StagedDecimal

#: The staging table of each validated file type (the original's names).
STAGING_TABLE_NAMES: dict[FileType, str] = {
    FileType.A: "appropriation",
    FileType.B: "object_class_program_activity",
    FileType.C: "award_financial",
    FileType.D1: "award_procurement",
    FileType.D2: "award_financial_assistance",
}

#: The tables migration 0004 created (0006 adds the D files).
ABC_FILE_TYPES = (FileType.A, FileType.B, FileType.C)
D_FILE_TYPES = (FileType.D1, FileType.D2)

#: Text fields of a schema staged as amounts all the same (the cross-file rules compute with them).
_AMOUNT_OVERRIDES: dict[FileType, frozenset[str]] = {FileType.D1: frozenset({"federal_action_obligation"})}


def staged_type(file_type: FileType, short_name: str) -> FieldType:
    """The type a field is staged as: its schema type, or DECIMAL for the overridden amounts."""
    if short_name in _AMOUNT_OVERRIDES.get(file_type, frozenset()):
        return FieldType.DECIMAL
    return schema_for(file_type).by_short_name[short_name].type


def _column_type(field_type: FieldType) -> TypeEngine[Any]:
    if field_type is FieldType.DECIMAL:
        return StagedDecimal()
    if field_type is FieldType.INT:
        return Integer()
    if field_type is FieldType.LONG:
        return BigInteger()
    if field_type is FieldType.BOOLEAN:
        return Boolean()
    return Text()


def staging_columns(file_type: FileType) -> list[Column[Any]]:
    """Every column of the staging table of ``file_type``, in table order."""
    name = STAGING_TABLE_NAMES[file_type]
    fields = [
        Column(f.short_name, _column_type(staged_type(file_type, f.short_name)))
        for f in schema_for(file_type).fields
    ]
    return [
        Column(f"{name}_id", Integer, primary_key=True),
        Column("job_id", Integer, nullable=False),
        Column("submission_id", Integer),
        Column("row_number", Integer, nullable=False),
        *fields,
        Column("tas", Text),
        Column("display_tas", Text),
        Column("account_num", Integer),
        Column("flex_field", Text),
    ]


# Rules find a run's rows by job, a row by its number, and TAS groups within a run.
_INDEXED = (("job_id", "row_number"), ("job_id", "tas"), ("submission_id",))


def staging_index_specs(file_type: FileType) -> list[tuple[str, list[str]]]:
    """(index name, columns) of each index of the staging table of ``file_type``."""
    name = STAGING_TABLE_NAMES[file_type]
    return [(f"ix_{name}_{'_'.join(columns)}", list(columns)) for columns in _INDEXED]


#: Cross-file rules fetch a source row's flex fields by submission and row number (migration 0006).
_CROSS_INDEXED = (("submission_id", "row_number"),)


def cross_index_specs(file_type: FileType) -> list[tuple[str, list[str]]]:
    """(index name, columns) of the cross-file indexes of the staging table of ``file_type``."""
    name = STAGING_TABLE_NAMES[file_type]
    return [(f"ix_{name}_{'_'.join(columns)}", list(columns)) for columns in _CROSS_INDEXED]


def staging_table(metadata: MetaData, file_type: FileType) -> Table:
    specs = staging_index_specs(file_type) + cross_index_specs(file_type)
    indexes = [Index(name, *columns) for name, columns in specs]
    return Table(STAGING_TABLE_NAMES[file_type], metadata, *staging_columns(file_type), *indexes)


#: The fields that are loaded as given, i.e. every schema field (for inserts).
def field_names(file_type: FileType) -> list[str]:
    return [f.short_name for f in schema_for(file_type).fields]


#: Booleans arrive as the file's text; the row checks accepted these spellings (spec §2.6).
TRUE_WORDS = frozenset({"true", "yes", "1"})


def to_boolean(value: str | None) -> bool | None:
    return None if value is None else value.strip().lower() in TRUE_WORDS


def staged_number(value: str | None, field_type: FieldType) -> str | int | None:
    """A D-file number as staged: blank or not a number → NULL; integers as ``int``; amounts as text."""
    text = (value or "").strip().replace(",", "")
    if not text:
        return None
    try:
        number = decimal.Decimal(text)
    except decimal.InvalidOperation:
        return None
    if not number.is_finite():
        return None
    if field_type is FieldType.DECIMAL:
        return text
    return int(number) if number == number.to_integral_value() else None

"""Staging tables for files A, B and C: one column per schema field, plus what the rules need.

Built from the core's packaged file schemas, so a field and its column cannot drift apart. Besides
the fields each table has the run (``job_id``, ``submission_id``), the file's ``row_number``, the
derived ``tas`` / ``display_tas``, the CARS ``account_num`` set by TAS linking, and the row's flex
fields as the report shows them (``flex_field``). Amounts are :class:`StagedDecimal` (exact on both
databases), dates stay the ``YYYYMMDD`` text the row checks accepted, booleans and integers are typed.

Migration 0004 creates these tables from the same function; changing a packaged schema therefore
needs a new migration that alters the table.
"""

from __future__ import annotations

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
}


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
    fields = [Column(f.short_name, _column_type(f.type)) for f in schema_for(file_type).fields]
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


def staging_table(metadata: MetaData, file_type: FileType) -> Table:
    indexes = [Index(name, *columns) for name, columns in staging_index_specs(file_type)]
    return Table(STAGING_TABLE_NAMES[file_type], metadata, *staging_columns(file_type), *indexes)


#: The fields that are loaded as given, i.e. every schema field (for inserts).
def field_names(file_type: FileType) -> list[str]:
    return [f.short_name for f in schema_for(file_type).fields]


#: Booleans arrive as the file's text; the row checks accepted these spellings (spec §2.6).
TRUE_WORDS = frozenset({"true", "yes", "1"})


def to_boolean(value: str | None) -> bool | None:
    return None if value is None else value.strip().lower() in TRUE_WORDS

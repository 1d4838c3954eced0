"""The field schema of each submission file type (spec §6), loaded from the packaged ``schemas/*.json``.

The JSON files are derived from the reference broker's schema CSVs by
``scripts/derive_validation_schemas.py``; keys holding their default are left out there, so the
defaults below are part of the format.
"""

from __future__ import annotations

import enum
import functools
import json
from collections.abc import Iterable, Mapping
from importlib import resources
from typing import Any

import attrs

from broker_core.file_types import FileType


class FieldType(enum.Enum):
    """The reference's ``field_type`` lookup; the value is the word used in "This field must be a …"."""

    INT = "int"
    DECIMAL = "decimal"
    BOOLEAN = "boolean"
    STRING = "string"
    LONG = "long"
    DATE = "date"

    @property
    def is_number(self) -> bool:
        return self in (FieldType.INT, FieldType.DECIMAL, FieldType.LONG)


@attrs.frozen
class FieldSpec:
    """One column of a file type.

    ``name`` is the GSDM (DAIMS) display name shown in header-error reports; ``long_name`` is the
    lowercased name used in error reports (for D1 it is not always the lowercased GSDM name);
    ``short_name`` is the column in the staging table and the key of a cleaned row.
    """

    name: str
    short_name: str
    long_name: str
    type: FieldType = FieldType.STRING
    length: int | None = None
    required: bool = False
    padded: bool = False


def _schema_order(field: FieldSpec) -> tuple[str, str]:
    # "Alphabetical by GSDM name": case-insensitive, as a person (and the reference's database collation)
    # reads it, so ParentAwardId comes before PIID; the exact name breaks ties deterministically.
    return (field.name.casefold(), field.name)


@attrs.frozen
class FileSchema:
    """The fields of one file type in schema order, with the lookups and subsets validation needs.

    Build it with :meth:`of`; the subsets are computed once because every batch of every file uses them.
    """

    file_type: FileType
    fields: tuple[FieldSpec, ...]
    by_short_name: Mapping[str, FieldSpec]
    # Lowercased GSDM name → short name: how a long-header file's columns are recognised (spec §2.4).
    gsdm_to_short: Mapping[str, str]
    required: tuple[FieldSpec, ...]
    numbers: tuple[FieldSpec, ...]
    booleans: tuple[FieldSpec, ...]
    dates: tuple[FieldSpec, ...]
    with_length: tuple[FieldSpec, ...]
    padded: tuple[FieldSpec, ...]
    # The same subsets as plain names, for the per-row loops of cleaning.
    padding: tuple[tuple[str, int], ...] = ()
    number_names: tuple[str, ...] = ()

    @classmethod
    def of(cls, file_type: FileType, fields: Iterable[FieldSpec]) -> FileSchema:
        ordered = tuple(sorted(fields, key=_schema_order))
        by_short = {field.short_name: field for field in ordered}
        if len(by_short) != len(ordered):
            raise ValueError(f"{file_type.name}: duplicate short names in the schema")
        gsdm = {field.name.lower(): field.short_name for field in ordered}
        if len(gsdm) != len(ordered):
            raise ValueError(f"{file_type.name}: duplicate GSDM names in the schema")
        return cls(
            file_type=file_type,
            fields=ordered,
            by_short_name=by_short,
            gsdm_to_short=gsdm,
            required=tuple(f for f in ordered if f.required),
            numbers=tuple(f for f in ordered if f.type.is_number),
            booleans=tuple(f for f in ordered if f.type is FieldType.BOOLEAN),
            dates=tuple(f for f in ordered if f.type is FieldType.DATE),
            with_length=tuple(f for f in ordered if f.length is not None),
            padded=tuple(f for f in ordered if f.padded),
            padding=tuple((f.short_name, f.length) for f in ordered if f.padded and f.length is not None),
            number_names=tuple(f.short_name for f in ordered if f.type.is_number),
        )

    @property
    def short_names(self) -> tuple[str, ...]:
        return tuple(field.short_name for field in self.fields)

    def field(self, short_name: str) -> FieldSpec:
        return self.by_short_name[short_name]

    def long_to_short(self, long_name: str) -> str | None:
        """The short name of a lowercased GSDM name, or ``None``."""
        return self.gsdm_to_short.get(long_name)


def field_from_json(item: Mapping[str, Any]) -> FieldSpec:
    """One entry of a ``schemas/*.json`` file (absent keys take their defaults)."""
    name = str(item["name"])
    length = item.get("length")
    return FieldSpec(
        name=name,
        short_name=str(item["short_name"]),
        long_name=str(item.get("long_name", name.lower())),
        type=FieldType[str(item.get("type", "STRING"))],
        length=None if length is None else int(length),
        required=bool(item.get("required", False)),
        padded=bool(item.get("padded", False)),
    )


VALIDATED_TYPES = (FileType.A, FileType.B, FileType.C, FileType.D1, FileType.D2)


@functools.cache
def schema_for(file_type: FileType) -> FileSchema:
    """The packaged schema of ``file_type`` (A, B, C, D1 or D2); read once per process."""
    if file_type not in VALIDATED_TYPES:
        raise KeyError(f"no validation schema for file {file_type.letter}")
    text = (resources.files("broker_core.validation") / "schemas" / f"{file_type.type_name}.json").read_text(
        encoding="utf-8"
    )
    return FileSchema.of(file_type, (field_from_json(item) for item in json.loads(text)))

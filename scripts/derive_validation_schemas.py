"""Derive the validator's field schemas from the reference broker's schema CSVs.

    .venv/bin/python scripts/derive_validation_schemas.py [REFERENCE_DIR]

Reads ``appropFields.csv``, ``programActivityFields.csv``, ``awardFinancialFields.csv``, ``awardFields.csv``
and ``awardProcurementFields.csv`` (default directory: /work/shared/reference/broker-config) and writes one
JSON file per file type into ``src/broker_core/validation/schemas/``, named after the file type
(``appropriations.json``, ...). The JSON is the product's own format: a list of fields in the reference
file's order, each ``{"name", "short_name", "long_name", "type", "length", "required", "padded"}`` with
the type already mapped to the validator's ``FieldType`` names. To keep the files small, keys holding
the default are left out: ``long_name`` when it is the lowercased ``name``, ``type`` when ``STRING``,
``length`` when there is none, ``required`` and ``padded`` when false.
Re-run it when the reference schemas change and commit the result.
"""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path

DEFAULT_REFERENCE = Path("/work/shared/reference/broker-config")
OUTPUT = Path(__file__).resolve().parent.parent / "src" / "broker_core" / "validation" / "schemas"

# Reference CSV → output name (the FileType's type_name, which broker_core.validation.schema looks up).
SOURCES = {
    "appropFields.csv": "appropriations",
    "programActivityFields.csv": "program_activity",
    "awardFinancialFields.csv": "award_financial",
    "awardFields.csv": "award",
    "awardProcurementFields.csv": "award_procurement",
}

# The reference's data_type words (spec §2.6); blank means a string.
TYPES = {
    "float": "DECIMAL",
    "numeric": "DECIMAL",
    "int": "INT",
    "integer": "INT",
    "str": "STRING",
    "string": "STRING",
    "alphanumeric": "STRING",
    "": "STRING",
    "bool": "BOOLEAN",
    "boolean": "BOOLEAN",
    "long": "LONG",
    "date": "DATE",
}

COLUMNS = ("gsdmname", "fieldname", "fieldname_short", "required", "data_type", "field_length", "padded_flag")


def _flag(text: str, where: str) -> bool:
    word = text.strip().upper()
    if word in ("TRUE", "FALSE", ""):
        return word == "TRUE"
    raise ValueError(f"{where}: not TRUE/FALSE: {text!r}")


def _length(text: str, where: str) -> int | None:
    text = text.strip()
    if not text:
        return None
    length = int(text)
    if length <= 0:
        raise ValueError(f"{where}: length must be positive: {text!r}")
    return length


def derive(path: Path) -> list[dict[str, object]]:
    """The fields of one reference schema CSV, in the file's order."""
    with path.open(newline="", encoding="utf-8") as stream:
        reader = csv.DictReader(stream)
        if tuple(reader.fieldnames or ()) != COLUMNS:
            raise ValueError(f"{path}: unexpected columns {reader.fieldnames}")
        fields: list[dict[str, object]] = []
        for line, row in enumerate(reader, start=2):
            where = f"{path.name}:{line}"
            data_type = row["data_type"].strip().lower()
            if data_type not in TYPES:
                raise ValueError(f"{where}: unknown data_type {row['data_type']!r}")
            name = row["gsdmname"].strip()
            long_name = row["fieldname"].strip().lower()
            length = _length(row["field_length"], where)
            field: dict[str, object] = {"name": name, "short_name": row["fieldname_short"].strip().lower()}
            if long_name != name.lower():
                field["long_name"] = long_name
            if TYPES[data_type] != "STRING":
                field["type"] = TYPES[data_type]
            if length is not None:
                field["length"] = length
            if _flag(row["required"], where):
                field["required"] = True
            if _flag(row["padded_flag"], where):
                field["padded"] = True
            fields.append(field)
    return fields


def render(fields: list[dict[str, object]]) -> str:
    """One field per line: small diffs when the reference changes, still valid JSON."""
    lines = ",\n".join("  " + json.dumps(field, ensure_ascii=False) for field in fields)
    return "[\n" + lines + "\n]\n"


def main(argv: list[str]) -> int:
    reference = Path(argv[1]) if len(argv) > 1 else DEFAULT_REFERENCE
    OUTPUT.mkdir(parents=True, exist_ok=True)
    for source, name in SOURCES.items():
        fields = derive(reference / source)
        target = OUTPUT / f"{name}.json"
        target.write_text(render(fields), encoding="utf-8")
        print(f"{target}: {len(fields)} fields")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

#!/usr/bin/env python3
"""Derive the validator's rule catalogue (``broker_core/validation/catalogue_data/rules.json``).

The original broker keeps its SQL rule list in ``sqlRules.csv``. Reference data is never copied into
the project, so this script reads that CSV from the shared reference directory and writes the rules
in the project's own format: one JSON object per rule, in the CSV's order (which is the order the
rules run in), with booleans for the y/n flags and ``null`` for the target of single-file rules.

    .venv/bin/python scripts/derive_rule_catalogue.py [--source PATH] [--output PATH]

Run it again whenever the reference CSV changes; ``tests/unit/validation/test_catalogue.py``
fails while the packaged file and the CSV disagree. Standard library only, so it runs anywhere.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DEFAULT_OUTPUT = REPO / "src" / "broker_core" / "validation" / "catalogue_data" / "rules.json"

COLUMNS = (
    "rule_label",
    "rule_error_message",
    "rule_cross_file_flag",
    "file_type",
    "severity_name",
    "target_file",
    "query_name",
    "expected_value",
    "category",
    "sensitive",
)
FILE_NAMES = frozenset(
    {"appropriations", "program_activity", "award_financial", "award", "award_procurement", "fabs"}
)
SEVERITIES = frozenset({"fatal", "warning"})
CATEGORIES = frozenset({"accuracy", "existence", "completeness"})
FLAGS = {"y": True, "n": False}

ABOUT = (
    "Validation rules of the DATA Act Broker, in the order they run. Derived from the original "
    "broker's sqlRules.csv by scripts/derive_rule_catalogue.py; do not edit by hand."
)


def default_source() -> Path:
    """``sqlRules.csv`` in the shared reference directory (``BROKER_REFERENCE_DIR`` overrides)."""
    override = os.environ.get("BROKER_REFERENCE_DIR")
    if override:
        return Path(override) / "broker-config" / "sqlRules.csv"
    for ancestor in REPO.parents:
        candidate = ancestor / "shared" / "reference" / "broker-config" / "sqlRules.csv"
        if candidate.is_file():
            return candidate
    return Path("/work/shared/reference/broker-config/sqlRules.csv")


def _flag(row: dict[str, str], column: str, line: int) -> bool:
    value = row[column].strip().lower()
    if value not in FLAGS:
        raise ValueError(f"line {line}: {column} must be y or n, not {row[column]!r}")
    return FLAGS[value]


def _choice(row: dict[str, str], column: str, allowed: frozenset[str], line: int) -> str:
    value = row[column].strip()
    if value not in allowed:
        raise ValueError(f"line {line}: unknown {column} {row[column]!r}")
    return value


def convert_row(row: dict[str, str], line: int) -> dict[str, object]:
    """One CSV row as a catalogue entry; ValueError if the row breaks the catalogue's invariants."""
    cross_file = _flag(row, "rule_cross_file_flag", line)
    target_text = row["target_file"].strip()
    target = _choice(row, "target_file", FILE_NAMES, line) if target_text else None
    # The catalogue has no separate cross-file flag: a rule is cross-file exactly when it has a target.
    if cross_file != (target is not None):
        raise ValueError(f"line {line}: the cross-file flag and the target file disagree")
    label = row["rule_label"].strip()
    query_name = row["query_name"].strip()
    if not label or not query_name:
        raise ValueError(f"line {line}: a rule needs a label and a query name")
    return {
        "label": label,
        "file": _choice(row, "file_type", FILE_NAMES, line),
        "target": target,
        "severity": _choice(row, "severity_name", SEVERITIES, line),
        "category": _choice(row, "category", CATEGORIES, line),
        "sensitive": _flag(row, "sensitive", line),
        "query_name": query_name,
        # Messages and expected values are user-facing text: kept exactly as written.
        "message": row["rule_error_message"],
        "expected_value": row["expected_value"],
    }


def derive(source: Path) -> list[dict[str, object]]:
    """The catalogue entries for the CSV at ``source``, in its order."""
    with source.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        if tuple(reader.fieldnames or ()) != COLUMNS:
            raise ValueError(f"{source}: unexpected columns {reader.fieldnames}")
        # Line numbers count the header as line 1, as an editor shows them.
        rules = [convert_row(row, line) for line, row in enumerate(reader, start=2)]
    identities = [(rule["label"], rule["file"], rule["target"]) for rule in rules]
    if len(set(identities)) != len(identities):
        raise ValueError(f"{source}: two rules share a (label, file, target) identity")
    return rules


def render(rules: list[dict[str, object]]) -> str:
    """The JSON text exactly as it is packaged (stable, so a re-derivation changes no byte)."""
    return json.dumps({"about": ABOUT, "rules": rules}, indent=2, ensure_ascii=False) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--source", type=Path, default=None, help="sqlRules.csv to read")
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT, help="rules.json to write")
    args = parser.parse_args(argv)
    source = args.source or default_source()
    rules = derive(source)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(render(rules), encoding="utf-8")
    print(f"wrote {len(rules)} rules to {args.output}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

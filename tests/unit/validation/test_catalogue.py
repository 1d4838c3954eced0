"""The rule catalogue (spec §7): counts, pairs, identities, and agreement with the reference CSV."""

from __future__ import annotations

import csv
import importlib.util
from collections import Counter
from importlib import resources
from pathlib import Path
from types import ModuleType

import pytest

from broker_core.file_types import FileType
from broker_core.validation.catalogue import (
    CROSS_FILE_PAIRS,
    FABS,
    Catalogue,
    Category,
    CrossFilePair,
    Rule,
    load_catalogue,
    parse_catalogue,
)
from broker_core.validation.problem import Severity
from tests.reference import BROKER_CONFIG

SQL_RULES_CSV = BROKER_CONFIG / "sqlRules.csv"
SCRIPT = Path(__file__).resolve().parents[3] / "scripts" / "derive_rule_catalogue.py"
FATAL, WARNING = Severity.FATAL, Severity.WARNING


def _script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("derive_rule_catalogue", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _severities(rules: tuple[Rule, ...]) -> tuple[int, int]:
    counts = Counter(rule.severity for rule in rules)
    return counts[FATAL], counts[WARNING]


def test_the_catalogue_is_loaded_once() -> None:
    catalogue = load_catalogue()
    assert len(catalogue) == 235
    assert load_catalogue() is catalogue


@pytest.mark.parametrize(
    ("file_type", "fatal", "warning"),
    [
        (FileType.A, 19, 3),
        (FileType.B, 12, 19),
        (FileType.C, 18, 15),
        (FileType.D1, 0, 0),
        (FileType.D2, 0, 0),
    ],
)
def test_single_file_counts(file_type: FileType, fatal: int, warning: int) -> None:
    rules = load_catalogue().single_file(file_type)
    assert _severities(rules) == (fatal, warning)
    assert all(rule.file_type is file_type and not rule.is_cross_file for rule in rules)


def test_fabs_rules_are_kept_but_only_reachable_by_name() -> None:
    catalogue = load_catalogue()
    fabs = catalogue.single_file_named(FABS)
    assert _severities(fabs) == (101, 23)
    assert all(rule.file_type is None for rule in fabs)
    # No typed lookup returns them.
    typed = {rule for file_type in FileType for rule in catalogue.single_file(file_type)}
    assert typed.isdisjoint(fabs)


def test_totals_categories_and_sensitive_rules() -> None:
    rules = load_catalogue().rules
    single = tuple(rule for rule in rules if not rule.is_cross_file)
    cross = tuple(rule for rule in rules if rule.is_cross_file)
    assert _severities(single) == (150, 60)
    assert _severities(cross) == (6, 19)
    assert Counter(rule.category for rule in rules) == {
        Category.ACCURACY: 125,
        Category.EXISTENCE: 61,
        Category.COMPLETENESS: 49,
    }
    sensitive = [rule for rule in rules if rule.sensitive]
    assert len(sensitive) == 26
    assert {rule.file for rule in sensitive} == {FABS}


def test_sensitive_rules_can_be_left_out() -> None:
    catalogue = load_catalogue()
    assert len(catalogue.single_file_named(FABS, include_sensitive=False)) == 124 - 26
    assert catalogue.single_file(FileType.A, include_sensitive=False) == catalogue.single_file(FileType.A)


def test_single_file_rules_keep_the_csv_order() -> None:
    labels = [rule.label for rule in load_catalogue().single_file(FileType.A)]
    assert labels[:3] == ["A1.1", "A2", "A3"]
    with SQL_RULES_CSV.open(newline="", encoding="utf-8") as handle:
        expected = [
            row["rule_label"]
            for row in csv.DictReader(handle)
            if row["file_type"] == "appropriations" and row["rule_cross_file_flag"] == "n"
        ]
    assert labels == expected


def test_cross_file_pairs_in_run_order() -> None:
    assert (
        CrossFilePair(FileType.A, FileType.B),
        CrossFilePair(FileType.B, FileType.C),
        CrossFilePair(FileType.C, FileType.D1),
        CrossFilePair(FileType.C, FileType.D2),
    ) == CROSS_FILE_PAIRS
    assert FileType.D1 in CROSS_FILE_PAIRS[2]
    assert FileType.A not in CROSS_FILE_PAIRS[2]


def _directions(rules: tuple[Rule, ...]) -> Counter[tuple[str, str | None, Severity]]:
    return Counter(
        (
            rule.file_type.letter if rule.file_type else rule.file,
            rule.target_type.letter if rule.target_type else None,
            rule.severity,
        )
        for rule in rules
    )


def test_rules_per_cross_file_pair() -> None:
    catalogue = load_catalogue()
    a_b, b_c, c_d1, c_d2 = (catalogue.cross_file(pair) for pair in CROSS_FILE_PAIRS)

    assert sorted(rule.label for rule in a_b) == ["A18", "A19", "A30.1", "A30.2", "A35"]
    assert _directions(a_b) == {("A", "B", WARNING): 3, ("A", "B", FATAL): 1, ("B", "A", FATAL): 1}
    assert catalogue.get("A30.1", FileType.A, FileType.B).severity is FATAL
    assert catalogue.get("A30.2", FileType.B, FileType.A).severity is FATAL

    assert len(b_c) == 12
    assert _directions(b_c) == {("C", "B", FATAL): 4, ("C", "B", WARNING): 8}
    assert {rule.label for rule in b_c if rule.severity is FATAL} == {
        "B20.1.1",
        "B20.1.2",
        "B20.2.1",
        "B20.2.2",
    }

    assert sorted(rule.label for rule in c_d1) == ["C11", "C12", "C23.1", "C23.2"]
    assert _directions(c_d1) == {("C", "D1", WARNING): 3, ("D1", "C", WARNING): 1}
    assert sorted(rule.label for rule in c_d2) == ["C23.3", "C23.4", "C8", "C9"]
    assert _directions(c_d2) == {("C", "D2", WARNING): 3, ("D2", "C", WARNING): 1}

    assert len(a_b) + len(b_c) + len(c_d1) + len(c_d2) == 25


def test_a_pair_is_the_same_in_either_direction() -> None:
    catalogue = load_catalogue()
    assert catalogue.cross_file(FileType.B, FileType.A) == catalogue.cross_file(FileType.A, FileType.B)
    assert catalogue.cross_file(FileType.C, FileType.D2) == catalogue.cross_file(CROSS_FILE_PAIRS[3])
    assert catalogue.cross_file(FileType.A, FileType.C) == ()
    with pytest.raises(TypeError):
        catalogue.cross_file(FileType.A)


def test_labels_are_not_identities() -> None:
    catalogue = load_catalogue()
    for label in ("B9", "B24"):
        in_b = catalogue.get(label, FileType.B)
        in_c = catalogue.get(label, "award_financial")
        assert in_b != in_c
        assert in_b.query_name != in_c.query_name
        assert in_b.identity == (label, "program_activity", None)
    assert catalogue.find("B9", FileType.A) is None
    assert catalogue.find("A18", FileType.A) is None  # a cross-file rule needs its target
    with pytest.raises(KeyError):
        catalogue.get("A99", FileType.A)


def test_a_catalogue_refuses_two_rules_with_one_identity() -> None:
    rule = load_catalogue().get("A2", FileType.A)
    with pytest.raises(ValueError, match="A2"):
        Catalogue([rule, rule])


def test_packaged_json_matches_the_reference_csv_row_for_row() -> None:
    with SQL_RULES_CSV.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    rules = load_catalogue().rules
    assert len(rules) == len(rows)
    for rule, row in zip(rules, rows, strict=True):
        assert rule.label == row["rule_label"]
        assert rule.message == row["rule_error_message"]
        assert rule.is_cross_file == (row["rule_cross_file_flag"] == "y")
        assert rule.file == row["file_type"]
        assert rule.severity.value == row["severity_name"]
        assert rule.target == (row["target_file"] or None)
        assert rule.query_name == row["query_name"]
        assert rule.expected_value == row["expected_value"]
        assert rule.category.value == row["category"]
        assert rule.sensitive == (row["sensitive"] == "y")


def test_the_script_reproduces_the_packaged_file_exactly() -> None:
    script = _script()
    packaged = (
        resources.files("broker_core.validation").joinpath("catalogue_data", "rules.json").read_text("utf-8")
    )
    assert script.render(script.derive(SQL_RULES_CSV)) == packaged
    assert len(parse_catalogue(packaged)) == 235


def test_the_script_rejects_inconsistent_rows(tmp_path: Path) -> None:
    script = _script()
    header = ",".join(script.COLUMNS)
    bad = tmp_path / "sqlRules.csv"
    bad.write_text(f"{header}\nA1,msg,y,appropriations,fatal,,a1,exp,accuracy,n\n", encoding="utf-8")
    with pytest.raises(ValueError, match="line 2"):
        script.derive(bad)
    bad.write_text(f"{header}\nA1,msg,n,appropriations,severe,,a1,exp,accuracy,n\n", encoding="utf-8")
    with pytest.raises(ValueError, match="severity_name"):
        script.derive(bad)
    good = tmp_path / "ok.csv"
    good.write_text(f"{header}\nA1,msg,n,appropriations,fatal,,a1,exp,accuracy,n\n", encoding="utf-8")
    out = tmp_path / "rules.json"
    assert script.main(["--source", str(good), "--output", str(out)]) == 0
    (rule,) = parse_catalogue(out.read_text("utf-8"))
    assert rule.identity == ("A1", "appropriations", None)

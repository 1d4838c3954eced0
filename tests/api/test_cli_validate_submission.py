"""``broker validate-submission``, run as a user would: every file, then the cross-file rules, exit status."""

from __future__ import annotations

import csv
import json
from collections.abc import Mapping
from pathlib import Path

from broker_core.file_types import FileType
from broker_core.validation.schema import schema_for

from .conftest import run_cli

TAS = {"agency_identifier": "097", "availability_type_code": "X", "main_account_code": "0100",
       "sub_account_code": "000"}  # fmt: skip
CARS = (
    "a,acct_num,aid,ata,bpoa,epoa,main,sub,fr_entity_description,gwa_tas_name,agency_aid,agency_name,admin_org,"
    "admin_org_name,function_code,function_description,sub_function_code,sub_function_description,"
    "financial_indicator_type2,dt_tm_estab,dt_end,fr_entity_type\n"
    "X,1000,097,,,,0100,000,Dept,Account 0100,097,Dept,,,,,,,,2010-10-01,,\n"
)
COMBINATION = {"object_class": "111", "by_direct_reimbursable_fun": "D", "program_activity_code": "0001",
               "program_activity_name": "PA", "disaster_emergency_fund_code": "Q", "prior_year_adjustment": "X"}  # fmt: skip


def zeros(file_type: FileType) -> dict[str, str]:
    return {f.short_name: "0" for f in schema_for(file_type).fields if f.type.is_number}


def write(path: Path, file_type: FileType, *rows: Mapping[str, str]) -> Path:
    names = [f.short_name for f in schema_for(file_type).fields]
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, names)
        writer.writeheader()
        writer.writerows(rows)
    return path


def submission(tmp_path: Path, *, outlay: str = "0") -> list[str]:
    """Options naming five files without fatal errors; A's outlay differs from B's (0) unless 0."""
    a = write(
        tmp_path / "a.csv", FileType.A, {**zeros(FileType.A), **TAS, "gross_outlay_amount_by_tas_cpe": outlay}
    )
    b = write(tmp_path / "b.csv", FileType.B, {**zeros(FileType.B), **TAS, **COMBINATION})
    c = write(
        tmp_path / "c.csv",
        FileType.C,
        {**TAS, **COMBINATION, "piid": "P1", "transaction_obligated_amou": "5"},
    )
    d1 = write(tmp_path / "d1.csv", FileType.D1, {"piid": "P1", "federal_action_obligation": "-5"})
    d2 = write(tmp_path / "d2.csv", FileType.D2,
               {"fain": "F1", "record_type": "2", "assistance_type": "02", "federal_action_obligation": "3"})  # fmt: skip
    return ["--a", str(a), "--b", str(b), "--c", str(c), "--d1", str(d1), "--d2", str(d2)]


def validate(tmp_path: Path, *options: str) -> tuple[int, dict[str, object]]:
    out = tmp_path / "out"
    done = run_cli(tmp_path / "data", "validate-submission", *options, "--year", "2017", "--period", "6",
                   "--out", str(out), "--format", "json")  # fmt: skip
    assert done.stdout, done.stderr
    return done.returncode, json.loads(done.stdout)


def load_cars(tmp_path: Path) -> None:
    cars = tmp_path / "cars.csv"
    cars.write_text(CARS)
    assert run_cli(tmp_path / "data", "load", "tas", str(cars)).returncode == 0


def rows(path: object) -> list[dict[str, str]]:
    with Path(str(path)).open(newline="") as f:
        return list(csv.DictReader(f))


def test_a_clean_submission_runs_the_cross_file_rules_and_writes_every_report(tmp_path: Path) -> None:
    load_cars(tmp_path)
    status, outcome = validate(tmp_path, *submission(tmp_path, outlay="10"))
    assert status == 0
    files = outcome["files"]
    assert isinstance(files, dict)
    assert list(files) == ["A", "B", "C", "D1", "D2"]
    assert {letter: (f["file_status"], f["number_of_errors"]) for letter, f in files.items()} == {
        letter: ("complete", 0) for letter in files
    }
    sub = outcome["submission_id"]
    assert isinstance(sub, int)
    cross = outcome["cross_file"]
    assert isinstance(cross, dict)
    pairs = cross["pairs"]
    assert list(pairs) == ["A-B", "B-C", "C-D1", "C-D2"]
    assert (
        Path(pairs["A-B"]["warning_report"]).name
        == f"SubID-{sub}_File-A-to-B-crossfile-warning-report_FY17P06.csv"
    )
    (a18,) = rows(pairs["A-B"]["warning_report"])
    assert (a18["Rule Label"], a18["Source Row Number"], a18["Difference"]) == ("A18", "2", "10")
    assert a18["Source Value Provided"] == "grossoutlayamountbytas_cpe: 10"
    assert rows(pairs["C-D1"]["warning_report"]) == []  # P1 is in D1 and the amounts offset
    (c9,) = rows(pairs["C-D2"]["warning_report"])  # F1 of D2 is not in C
    assert (c9["Rule Label"], c9["Source File"], c9["Source Row Number"]) == ("C9", "award", "2")
    assert cross["number_of_warnings"] >= 2  # (the B-C rules may add their own)
    labels = {entry["original_label"] for entry in cross["error_metadata"]}
    assert {"A18", "C9"} <= labels
    written = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert len(written) == 5 * 2 + 4 * 2
    assert f"SubID-{sub}_File-D2-warning-report_FY17P06.csv" in written


def test_a_fatal_error_in_a_file_skips_the_cross_file_rules(tmp_path: Path) -> None:
    # No CARS loaded: every TAS fails A1 (fatal), so the cross-file job never runs.
    status, outcome = validate(tmp_path, *submission(tmp_path))
    assert status == 1
    files = outcome["files"]
    assert isinstance(files, dict)
    assert files["A"]["number_of_errors"] > 0
    assert outcome["cross_file"] is None
    assert "fatal errors" in str(outcome["cross_file_message"])
    assert not [p for p in (tmp_path / "out").iterdir() if "crossfile" in p.name]


def test_d_files_are_optional_and_the_table_output_lists_the_pairs(tmp_path: Path) -> None:
    load_cars(tmp_path)
    options = submission(tmp_path)[:6]  # A, B and C only
    done = run_cli(tmp_path / "data", "validate-submission", *options, "--year", "2017", "--period", "6")
    assert done.returncode == 0, done.stderr
    assert "File D1" not in done.stderr
    for text in ("File A: a.csv", "File C: c.csv", "Cross-file", "A-B", "C-D2"):
        assert text in done.stderr
    # Reports default to the folder of the A file.
    assert [p.name for p in tmp_path.glob("SubID-*_File-C-to-D1-crossfile-warning-report_FY17P06.csv")]

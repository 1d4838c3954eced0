"""``broker validate``, run as a user would: outcome printed, reports written, exit status."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from broker_core.file_types import FileType
from broker_core.validation.schema import schema_for

from .conftest import run_cli

FIELDS = schema_for(FileType.A).fields
GOOD = {
    **{f.short_name: "0" for f in FIELDS if f.type.is_number},
    "agency_identifier": "97",  # padded to 097
    "availability_type_code": "X",
    "main_account_code": "100",  # padded to 0100
    "sub_account_code": "0",
}


def write_a(path: Path, *rows: dict[str, str], long_headers: bool = False, delimiter: str = ",") -> Path:
    header = [f.name if long_headers else f.short_name for f in FIELDS]
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f, delimiter=delimiter)
        writer.writerow(header)
        for row in rows:
            writer.writerow([row.get(f.short_name, "") for f in FIELDS])
    return path


def validate(tmp_path: Path, file: Path, *extra: str) -> tuple[int, dict[str, object]]:
    done = run_cli(tmp_path / "data", "validate", str(file), "--type", "A", "--year", "2017", "--period", "6",
                   "--format", "json", *extra)  # fmt: skip
    assert done.stdout, done.stderr
    return done.returncode, json.loads(done.stdout)


def test_a_clean_file_exits_0_with_empty_reports(tmp_path: Path) -> None:
    # No SF-133 or CARS data loaded: A1.1 (TAS not in CARS) is the only possible failure, so load CARS.
    assert run_cli(tmp_path / "data", "load", "sample").returncode == 0  # CARS TAS 097-X-0100-000 and SF-133
    file = write_a(tmp_path / "a.csv", GOOD, long_headers=True)
    status, outcome = validate(tmp_path, file)
    assert outcome["file_status"] == "complete"
    assert outcome["number_of_rows"] == 1
    failing = {entry["original_label"] for entry in outcome["error_metadata"]}  # type: ignore[union-attr]
    # The sample's SF-133 has real amounts for this TAS, so the zero file disagrees with GTAS.
    assert failing and failing <= {"A6", "A7", "A8", "A9", "A10", "A11", "A14", "A15", "A22", "A23", "A29",
                                   "A2", "A12", "A34"}  # fmt: skip
    assert status == 1
    assert Path(str(outcome["error_report"])).name == "File-A-error-report.csv"
    assert Path(str(outcome["error_report"])).parent == tmp_path


def test_type_errors_are_reported_with_row_numbers_and_exit_1(tmp_path: Path) -> None:
    file = write_a(tmp_path / "a.txt", GOOD, {**GOOD, "unobligated_balance_cpe": "lots"}, delimiter="|")
    out = tmp_path / "reports"
    status, outcome = validate(tmp_path, file, "--out", str(out))
    assert status == 1
    with (out / "File-A-error-report.csv").open(newline="") as f:
        rows = list(csv.DictReader(f))
    type_errors = [
        r for r in rows if r["Rule Message"].startswith("The value provided was of the wrong type")
    ]
    assert [(r["Field Name"], r["Row Number"]) for r in type_errors] == [("unobligatedbalance_cpe", "3")]
    assert outcome["number_of_rows"] == 2


def test_a_header_error_lists_the_missing_headers(tmp_path: Path) -> None:
    file = tmp_path / "a.csv"
    file.write_text("AgencyIdentifier,agencyidentifier\n097,097\n")
    status, outcome = validate(tmp_path, file)
    assert status == 1
    assert outcome["file_status"] == "header_error"
    assert outcome["duplicated_headers"] == ["AgencyIdentifier"]
    assert "MainAccountCode" in outcome["missing_headers"]  # type: ignore[operator]


def test_a_file_that_is_not_utf8_is_an_encoding_error(tmp_path: Path) -> None:
    file = write_a(tmp_path / "a.csv", GOOD)
    file.write_bytes(file.read_bytes() + b"\xff\xfe,broken\n")
    status, outcome = validate(tmp_path, file)
    assert status == 1
    assert outcome["file_status"] == "encoding_error"
    assert "invalid characters" in str(outcome["message"])


def test_table_output_names_the_reports(tmp_path: Path) -> None:
    file = write_a(tmp_path / "a.csv", GOOD)
    done = run_cli(tmp_path / "data", "validate", str(file), "--type", "a", "--year", "2017", "--period", "6")
    assert "File status: complete" in done.stderr
    assert "File-A-warning-report.csv" in done.stderr

"""``broker load object-classes|program-activities|park|defc``, run as a user would."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path

import pytest

from broker_adapters.sqlalchemy.engine import make_engine
from broker_adapters.sqlalchemy.reference_data import SqlAlchemyReferenceData
from broker_core.loading.defc import DefcRecord
from broker_core.loading.object_classes import ObjectClassRecord
from broker_core.loading.program_activities import ParkRecord, ProgramActivityRecord

from .conftest import run_cli


def write_csv(path: Path, header: list[str], *rows: list[str]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows([header, *rows])
    return path


@pytest.fixture
def reference(tmp_path: Path) -> Iterator[SqlAlchemyReferenceData]:
    """The data folder's database, as the commands left it (migrated by the first command)."""
    engine = make_engine(f"sqlite:///{tmp_path / 'broker.sqlite3'}")
    try:
        yield SqlAlchemyReferenceData(engine)
    finally:
        engine.dispose()


def test_the_commands_are_on_the_load_group_of_the_broker_script() -> None:
    from broker_entrypoints.cli import main

    load = main.commands["load"]
    assert {"object-classes", "program-activities", "park", "defc"} <= set(load.commands)  # type: ignore[attr-defined]


def test_load_each_list(tmp_path: Path, reference: SqlAlchemyReferenceData) -> None:
    files = {
        "object-classes": write_csv(
            tmp_path / "oc.csv",
            ["MAX_OC_CODE", "MAX_OBJECT_CLASS_NAME"],
            ["252", "Other services"],
            ["11", "X"],
        ),
        "program-activities": write_csv(
            tmp_path / "pa.csv",
            ["FYQ", "AGENCY_CODE", "ALLOCATION_ID", "ACCOUNT_CODE", "PA_CODE", "PA_TITLE"],
            ["FY17Q2", "19", "", "306", "1", "Program direction"],
        ),
        "park": write_csv(
            tmp_path / "park.csv",
            ["FY", "PD", "ALLOC_XFER_AGENCY", "AID", "MAIN_ACCT", "SUB_ACCT", "PARK", "PARK_NAME"],
            ["2025", "7", "", "019", "0306", "", "AB12", "Direction"],
        ),
        "defc": write_csv(
            tmp_path / "defc.csv", ["DEFC", "Is Valid"], ["l", "TRUE"], ["A", "FALSE"], ["9", ""]
        ),
    }
    for command, file in files.items():
        done = run_cli(tmp_path, "load", command, str(file))
        assert done.returncode == 0, done.stderr
        assert f"Loaded {len(file.read_text().splitlines()) - 1} {command} rows" in done.stderr
    assert reference.object_classes() == [
        ObjectClassRecord("011", "X"),
        ObjectClassRecord("252", "Other services"),
    ]
    assert reference.program_activities() == [
        ProgramActivityRecord(2017, 6, "019", None, "0306", "0001", "Program direction")
    ]
    assert reference.park() == [ParkRecord(2025, 7, "019", None, "0306", None, "AB12", "Direction")]
    assert reference.defc() == [DefcRecord("9"), DefcRecord("A", is_valid=False), DefcRecord("L")]


def test_a_file_with_a_bad_row_loads_nothing_and_names_row_and_column(
    tmp_path: Path, reference: SqlAlchemyReferenceData
) -> None:
    good = write_csv(tmp_path / "good.csv", ["DEFC"], ["Q"])
    assert run_cli(tmp_path, "load", "defc", str(good)).returncode == 0
    bad = write_csv(tmp_path / "bad.csv", ["DEFC", "Public Law"], ["A", "x"], ["A-1", ""], ["a", ""])
    done = run_cli(tmp_path, "load", "defc", str(bad))
    assert done.returncode == 1
    assert "Nothing was loaded" in done.stderr
    assert "line 3: DEFC: must be 1 to 3 letters or digits, got 'A-1'" in done.stderr
    assert "line 4: DEFC: A is already on line 2" in done.stderr
    assert reference.defc() == [DefcRecord("Q")]


def test_a_missing_column_and_an_empty_list_are_refused(
    tmp_path: Path, reference: SqlAlchemyReferenceData
) -> None:
    headless = write_csv(tmp_path / "headless.csv", ["FY", "PD", "AID"], ["2025", "7", "019"])
    done = run_cli(tmp_path, "load", "park", str(headless))
    assert done.returncode == 1
    # The console wraps long lines.
    assert "Missing column(s): ALLOC_XFER_AGENCY, MAIN_ACCT, SUB_ACCT, PARK, PARK_NAME" in " ".join(
        done.stderr.split()
    )
    empty = write_csv(tmp_path / "empty.csv", ["MAX_OC_CODE", "MAX_OBJECT_CLASS_NAME"])
    done = run_cli(tmp_path, "load", "object-classes", str(empty))
    assert done.returncode == 1
    assert "no data rows" in " ".join(done.stderr.split())
    assert len(reference.object_classes()) > 30  # the seeded list, untouched

"""``broker load sam-recipients`` and ``broker load subawards``, run as a user would."""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest

from broker_adapters.sqlalchemy.engine import make_engine
from broker_adapters.sqlalchemy.source_data import SqlAlchemySourceData
from broker_core.loading.source_records import SUB_CONTRACT, SUB_GRANT, SamRecipientRecord
from broker_core.loading.subawards import COLUMNS

from .conftest import run_cli

UEI_A, UEI_B = "AAAA11112222", "BBBB33334444"
F_HEADERS = [header for _, header, _ in COLUMNS]


def write_csv(path: Path, header: list[str], *rows: list[str]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows([header, *rows])
    return path


@pytest.fixture
def source_data(tmp_path: Path) -> Iterator[SqlAlchemySourceData]:
    """The data folder's database, as the commands left it (migrated by the first command)."""
    engine = make_engine(f"sqlite:///{tmp_path / 'broker.sqlite3'}")
    try:
        yield SqlAlchemySourceData(engine)
    finally:
        engine.dispose()


def subaward_row(award_key: str, kind: str, number: str, amount: str = "") -> list[str]:
    values = {
        "PrimeAwardUniqueKey": award_key,
        "SubAwardType": kind,
        "SubAwardReportID": "77",
        "SubAwardNumber": number,
        "SubAwardAmount": amount,
        "SubAwardActionDate": "2020-02-29",
        "SubAwardeeOrRecipientUEI": UEI_B,
        "Vendor Doing As Business Name": "Prime DBA",
        "SubAwardReportLastModifiedDate": "2020-03-01 08:30:00",
    }
    return [values.get(header, "") for header in F_HEADERS]


def test_the_commands_are_on_the_load_group_of_the_broker_script() -> None:
    from broker_entrypoints.cli import main

    load = main.commands["load"]
    assert {"sam-recipients", "subawards"} <= set(load.commands)  # type: ignore[attr-defined]


def test_load_sam_recipients_with_e_headers(tmp_path: Path, source_data: SqlAlchemySourceData) -> None:
    file = write_csv(
        tmp_path / "sam.csv",
        [
            "AwardeeOrRecipientUEI",
            "AwardeeOrRecipientLegalEntityName",
            "HighCompOfficer1FullName",
            "HighCompOfficer1Amount",
        ],
        [UEI_A, "Acme", "Jane Roe", "250000"],
        [UEI_B.lower(), "Beta", "", ""],
        [UEI_A, "Acme Renamed", "Jane Roe", "260000.5"],
    )
    done = run_cli(tmp_path, "load", "sam-recipients", str(file))
    assert done.returncode == 0, done.stderr
    assert "Loaded 3 sam-recipients rows" in done.stderr
    assert list(source_data.sam_recipients([UEI_B, UEI_A])) == [
        SamRecipientRecord(
            uei=UEI_A,
            legal_business_name="Acme Renamed",
            high_comp_officer1_full_na="Jane Roe",
            high_comp_officer1_amount=Decimal("260000.50"),
        ),
        SamRecipientRecord(uei=UEI_B, legal_business_name="Beta"),
    ]


def test_load_subawards_with_f_headers(tmp_path: Path, source_data: SqlAlchemySourceData) -> None:
    file = write_csv(
        tmp_path / "f.csv",
        F_HEADERS,
        subaward_row("CONT_AWD_1", "sub-contract", "S1", "100"),
        subaward_row("CONT_AWD_1", "Sub-Grant", "S1", "200"),
        subaward_row("CONT_AWD_2", "sub-contract", "S9"),
    )
    done = run_cli(tmp_path, "load", "subawards", str(file))
    assert done.returncode == 0, done.stderr
    assert "Loaded 3 subawards rows" in done.stderr
    contracts = list(source_data.subawards_for(["CONT_AWD_1", "CONT_AWD_2"], SUB_CONTRACT))
    assert [(r.unique_award_key, r.subaward_number, r.subaward_amount) for r in contracts] == [
        ("CONT_AWD_1", "S1", Decimal("100.00")),
        ("CONT_AWD_2", "S9", None),
    ]
    first = contracts[0]
    assert (first.internal_id, first.sub_action_date, first.dba_name) == (
        "77",
        dt.date(2020, 2, 29),
        "Prime DBA",
    )
    assert first.date_submitted == dt.datetime(2020, 3, 1, 8, 30)
    assert first.sub_awardee_or_recipient_uei == UEI_B
    (grant,) = source_data.subawards_for(["CONT_AWD_1"], SUB_GRANT)
    assert grant.subaward_amount == Decimal("200.00")


def test_a_file_with_a_bad_row_loads_nothing_and_names_row_and_column(
    tmp_path: Path, source_data: SqlAlchemySourceData
) -> None:
    good = write_csv(tmp_path / "good.csv", F_HEADERS, subaward_row("K", "sub-contract", "1", "5"))
    assert run_cli(tmp_path, "load", "subawards", str(good)).returncode == 0
    bad = write_csv(
        tmp_path / "bad.csv",
        F_HEADERS,
        subaward_row("K", "sub-contract", "1", "999"),  # would replace the loaded row
        subaward_row("K", "sub-contract", "2", "6"),
        subaward_row("K", "sub-loan", "3", "7"),
        subaward_row("K", "sub-grant", "4", "1.234"),
    )
    done = run_cli(tmp_path, "load", "subawards", str(bad))
    assert done.returncode == 1
    assert "Nothing was loaded" in done.stderr
    assert "line 4: subaward_type: must be sub-contract or sub-grant, got 'sub-loan'" in done.stderr
    assert "line 5: subaward_amount: more than 2 decimal places ('1.234')" in done.stderr
    (kept,) = source_data.subawards_for(["K"], SUB_CONTRACT)
    assert (kept.subaward_number, kept.subaward_amount) == ("1", Decimal("5.00"))
    assert list(source_data.subawards_for(["K"], SUB_GRANT)) == []


def test_a_bad_uei_and_a_missing_column_are_refused(
    tmp_path: Path, source_data: SqlAlchemySourceData
) -> None:
    bad = write_csv(tmp_path / "bad.csv", ["uei", "legal_business_name"], [UEI_A, "Acme"], ["ACME-1", "X"])
    done = run_cli(tmp_path, "load", "sam-recipients", str(bad))
    assert done.returncode == 1
    assert "line 3: uei: must be 12 letters or digits, got 'ACME-1'" in done.stderr
    assert list(source_data.sam_recipients([UEI_A])) == []
    headless = write_csv(tmp_path / "headless.csv", ["legal_business_name"], ["Acme"])
    done = run_cli(tmp_path, "load", "sam-recipients", str(headless))
    assert done.returncode == 1
    assert "Missing column(s): uei" in done.stderr

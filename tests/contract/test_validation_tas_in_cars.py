"""A1.1, A1.2 and A1.3: the TAS of every row of files A, B and C must be in CARS for the period.

The CARS account is found when a row is staged; a TAS whose CARS window does not meet the
reporting period counts as missing.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from broker_core.file_types import FileType
from broker_core.records import TasRecord

from .conftest import Adapter
from .validation_helpers import TAS_PARTS, cars, failures, make_run, make_service, tas_of, tas_parts, validate

LABELS = {FileType.A: "A1.1", FileType.B: "A1.2", FileType.C: "A1.3"}


@pytest.mark.parametrize("file_type", list(LABELS))
def test_a_row_whose_tas_is_not_in_cars_fails(adapter: Adapter, tmp_path: Path, file_type: FileType) -> None:
    cars(adapter)
    service = make_service(adapter, tmp_path)
    outcome = validate(service, make_run(file_type), dict(TAS_PARTS), tas_parts(main_account_code="0999"))
    [found] = failures(service, outcome, LABELS[file_type])
    assert found["Row Number"] == "3"
    assert found["Unique ID"].startswith("TAS: 019-X-0999-000")
    assert "mainaccountcode: 0999" in found["Value Provided"]


@pytest.mark.parametrize("file_type", list(LABELS))
def test_rows_whose_tas_is_in_cars_pass(adapter: Adapter, tmp_path: Path, file_type: FileType) -> None:
    cars(adapter)
    service = make_service(adapter, tmp_path)
    outcome = validate(service, make_run(file_type), dict(TAS_PARTS), dict(TAS_PARTS))
    assert failures(service, outcome, LABELS[file_type]) == []


def test_a_cars_tas_outside_the_reporting_period_does_not_count(adapter: Adapter, tmp_path: Path) -> None:
    expired = TasRecord(
        account_num=1, allocation_transfer_agency=None, agency_identifier="019", beginning_period_of_availa=None,
        ending_period_of_availabil=None, availability_type_code="X", main_account_code="0306",
        sub_account_code="000", tas=tas_of(TAS_PARTS), financial_indicator2=None, fr_entity_type=None,
        internal_start_date=dt.date(2010, 1, 1), internal_end_date=dt.date(2012, 12, 31),
    )  # fmt: skip
    adapter.award_data.replace_tas([expired])
    service = make_service(adapter, tmp_path)
    outcome = validate(service, make_run(FileType.A), dict(TAS_PARTS))
    assert [f["Row Number"] for f in failures(service, outcome, "A1.1")] == ["2"]

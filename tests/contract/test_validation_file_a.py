"""File A validated end to end through the staging area, on SQLite and PostgreSQL alike.

Each rule gets a minimal failing example (reported with its label, severity, fields and row)
and a minimal passing one (nothing reported), in the spirit of the original's one test per rule.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest

from broker_adapters.local_storage import LocalFileStorage
from broker_adapters.sqlalchemy.validation.staging import SqlAlchemyStagingArea
from broker_core.file_types import FileType
from broker_core.records import SF133Record, TasRecord
from broker_core.tas import concat_tas
from broker_core.validation.metadata import FileStatus
from broker_core.validation.run import ValidationRun
from broker_core.validation.schema import schema_for
from broker_core.validation.service import FileValidationService, ValidationOutcome

from .conftest import Adapter

RUN = ValidationRun(
    job_id=7,
    file_type=FileType.A,
    fiscal_year=2017,
    period=6,
    reporting_start=dt.date(2017, 1, 1),
    reporting_end=dt.date(2017, 3, 31),
)
TAS_PARTS = {"agency_identifier": "019", "availability_type_code": "X", "main_account_code": "0306",
             "sub_account_code": "000"}  # fmt: skip
TAS = concat_tas(None, "019", None, None, "X", "0306", "000")
AMOUNTS = [f.short_name for f in schema_for(FileType.A).fields if f.type.is_number]


@pytest.fixture
def service(adapter: Adapter, tmp_path: Path) -> FileValidationService:
    storage = LocalFileStorage(tmp_path / "reports", public_base_url="http://test/", secret_key=b"k")
    return FileValidationService(staging=SqlAlchemyStagingArea(adapter.engine), storage=storage)


@pytest.fixture(autouse=True)
def cars(adapter: Adapter) -> None:
    record = TasRecord(
        account_num=1, allocation_transfer_agency=None, agency_identifier="019", beginning_period_of_availa=None,
        ending_period_of_availabil=None, availability_type_code="X", main_account_code="0306",
        sub_account_code="000", tas=TAS, financial_indicator2=None, fr_entity_type=None,
    )  # fmt: skip
    adapter.award_data.replace_tas([record])


def sf133(adapter: Adapter, **lines: str) -> None:
    adapter.award_data.replace_sf133(
        SF133Record(fiscal_year=2017, period=6, allocation_transfer_agency=None, agency_identifier="019",
                    beginning_period_of_availa=None, ending_period_of_availabil=None, availability_type_code="X",
                    main_account_code="0306", sub_account_code="000", line=int(line[1:]), amount=Decimal(amount),
                    tas=TAS)
        for line, amount in lines.items()
    )  # fmt: skip


def row(**values: str) -> dict[str, str]:
    """A File A row whose amounts are all 0 (so every sum rule holds) unless given."""
    return {**dict.fromkeys(AMOUNTS, "0"), **TAS_PARTS, **values}


def file_a(*rows: dict[str, str]) -> bytes:
    names = [f.short_name for f in schema_for(FileType.A).fields]
    out = io.StringIO()
    writer = csv.DictWriter(out, names, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode()


def report(service: FileValidationService, key: str | None) -> list[dict[str, str]]:
    assert key is not None
    text = b"".join(service.storage.read(key)).decode()
    return list(csv.DictReader(io.StringIO(text)))


def validate(service: FileValidationService, *rows: dict[str, str]) -> ValidationOutcome:
    return service.validate(iter([file_a(*rows)]), "file_a.csv", RUN)


def failures(
    service: FileValidationService, outcome: ValidationOutcome, label: str
) -> Iterator[dict[str, str]]:
    for key in (outcome.error_report, outcome.warning_report):
        for line in report(service, key):
            if line["Rule Label"] == label:
                yield line


def test_a_valid_file_has_empty_reports_and_every_row_valid(service: FileValidationService) -> None:
    outcome = validate(service, row(), row(sub_account_code="000"))
    # Two rows of the same TAS: A32 (uniqueness) is the only failure.
    assert outcome.file_status is FileStatus.COMPLETE
    assert {m.original_label for m in outcome.metadata} == {"A32"}

    outcome = validate(service, row())
    assert outcome.metadata == ()
    assert outcome.number_of_rows == 1 and outcome.number_of_rows_valid == 1
    assert report(service, outcome.error_report) == [] and report(service, outcome.warning_report) == []


def test_a1_tas_missing_from_cars(service: FileValidationService) -> None:
    outcome = validate(service, row(), row(main_account_code="0999"))
    [found] = failures(service, outcome, "A1.1")
    assert found["Row Number"] == "3"
    assert found["Unique ID"] == "TAS: 019-X-0999-000"
    assert "mainaccountcode: 0999" in found["Value Provided"]


def test_a24_status_must_equal_total_budgetary_resources(service: FileValidationService) -> None:
    outcome = validate(
        service,
        row(status_of_budgetary_resour_cpe="100.23", total_budgetary_resources_cpe="100.23",
            obligations_incurred_total_cpe="100.23"),
    )  # fmt: skip
    assert not list(failures(service, outcome, "A24"))

    outcome = validate(
        service,
        row(status_of_budgetary_resour_cpe="", total_budgetary_resources_cpe="13.08",
            adjustments_to_unobligated_cpe="13.08"),
    )  # fmt: skip
    [found] = failures(service, outcome, "A24")
    assert found["Field Name"] == "statusofbudgetaryresourcestotal_cpe, totalbudgetaryresources_cpe"
    assert found["Value Provided"] == (
        "statusofbudgetaryresourcestotal_cpe: , totalbudgetaryresources_cpe: 13.08"
    )
    assert found["Difference"] == "-13.08"
    assert found["Row Number"] == "2"
    assert next(m for m in outcome.metadata if m.original_label == "A24").severity_id == 2


def test_a8_compares_with_the_sum_of_four_sf133_lines(
    adapter: Adapter, service: FileValidationService
) -> None:
    sf133(adapter, L1160="0.25", L1180="0.25", L1260="0.25", L1280="0.26")
    outcome = validate(service, row(budget_authority_appropria_cpe="1.01", total_budgetary_resources_cpe="1.01",
                                    status_of_budgetary_resour_cpe="1.01", obligations_incurred_total_cpe="1.01"))  # fmt: skip
    assert not list(failures(service, outcome, "A8"))

    outcome = validate(service, row(budget_authority_appropria_cpe="0.01", total_budgetary_resources_cpe="0.01",
                                    status_of_budgetary_resour_cpe="0.01", obligations_incurred_total_cpe="0.01"))  # fmt: skip
    [found] = failures(service, outcome, "A8")
    assert found["Expected Value"] == "SUM of GTAS SF133 Lines 1160, 1180, 1260, 1280: 1.01"
    assert found["Difference"] == "-1.00"


def test_type_errors_keep_the_row_out_of_the_rules(service: FileValidationService) -> None:
    outcome = validate(service, row(status_of_budgetary_resour_cpe="A"), row())
    errors = report(service, outcome.error_report)
    assert [(e["Field Name"], e["Row Number"]) for e in errors] == [
        ("statusofbudgetaryresourcestotal_cpe", "2")
    ]
    assert outcome.number_of_rows == 2 and outcome.number_of_rows_valid == 1


def test_a_header_error_writes_the_header_report_and_stages_nothing(service: FileValidationService) -> None:
    outcome = service.validate(iter([b"agency_identifier,agency_identifier\n019,019\n"]), "a.csv", RUN)
    assert outcome.file_status is FileStatus.HEADER_ERROR
    assert "AgencyIdentifier" in outcome.duplicated_headers
    text = b"".join(service.storage.read(outcome.error_report or "")).decode()
    assert text.startswith("Error type,Header name\n")

"""Rules B9, B11, B24 and B28 (values against reference lists), Files B and C end to end, on SQLite and PostgreSQL.

Each rule gets a minimal failing example (reported with its label, severity, fields and row) and a
minimal passing one (nothing reported for that label). The service runs only these rules, so the
examples do not depend on the other rules of the files.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterator
from pathlib import Path

import pytest

from broker_adapters.local_storage import LocalFileStorage
from broker_adapters.sqlalchemy.reference_data import SqlAlchemyReferenceData
from broker_adapters.sqlalchemy.validation.staging import SqlAlchemyStagingArea
from broker_core.file_types import FileType
from broker_core.loading.defc import DefcRecord
from broker_core.loading.object_classes import ObjectClassRecord
from broker_core.loading.program_activities import ParkRecord, ProgramActivityRecord
from broker_core.validation.catalogue import Catalogue, load_catalogue
from broker_core.validation.metadata import FileStatus
from broker_core.validation.run import ValidationRun
from broker_core.validation.schema import schema_for
from broker_core.validation.service import FileValidationService, ValidationOutcome

from .conftest import Adapter

B, C = FileType.B, FileType.C
LABELS = {"B9", "B11.1", "B11.2", "B11.3", "B11.4", "B24", "B28.1", "B28.2"}
TAS_PARTS = {"agency_identifier": "019", "availability_type_code": "X", "main_account_code": "0306",
             "sub_account_code": "000"}  # fmt: skip
# Values that satisfy every rule here: a listed object class and DEFC, no program activity or PARK.
VALID = {"object_class": "252", "disaster_emergency_fund_code": "Q", "by_direct_reimbursable_fun": "D",
         "prior_year_adjustment": "X"}  # fmt: skip
LISTED = {"program_activity_code": "0001", "program_activity_name": "Program direction"}
UNKNOWN = {"program_activity_code": "0000", "program_activity_name": "Unknown/Other"}


def amounts(file_type: FileType) -> list[str]:
    return [f.short_name for f in schema_for(file_type).fields if f.type.is_number]


def a_balance(file_type: FileType) -> str:
    """An amount field of the file, to make a row's balances non-zero."""
    return "gross_outlay_amount_by_pro_cpe" if file_type is B else "gross_outlay_amount_by_awa_cpe"


def run(file_type: FileType) -> ValidationRun:
    return ValidationRun(
        job_id=7,
        file_type=file_type,
        fiscal_year=2017,
        period=6,
        reporting_start=dt.date(2017, 3, 1),
        reporting_end=dt.date(2017, 3, 31),
    )


@pytest.fixture
def service(adapter: Adapter, tmp_path: Path) -> FileValidationService:
    storage = LocalFileStorage(tmp_path / "reports", public_base_url="http://test/", secret_key=b"k")
    catalogue = Catalogue(r for r in load_catalogue() if r.label in LABELS and not r.is_cross_file)
    return FileValidationService(
        staging=SqlAlchemyStagingArea(adapter.engine), storage=storage, catalogue=catalogue
    )


@pytest.fixture
def reference(adapter: Adapter) -> SqlAlchemyReferenceData:
    return SqlAlchemyReferenceData(adapter.engine)


def row(file_type: FileType, **values: str) -> dict[str, str]:
    """A row whose amounts are all 0 unless given; ``""`` is blank."""
    return {**dict.fromkeys(amounts(file_type), "0"), **TAS_PARTS, **VALID, **values}


def file_of(file_type: FileType, *rows: dict[str, str]) -> bytes:
    names = [f.short_name for f in schema_for(file_type).fields]
    out = io.StringIO()
    writer = csv.DictWriter(out, names, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode()


def report(service: FileValidationService, key: str | None) -> list[dict[str, str]]:
    assert key is not None
    text = b"".join(service.storage.read(key)).decode()
    return list(csv.DictReader(io.StringIO(text)))


def validate(service: FileValidationService, file_type: FileType, *rows: dict[str, str]) -> ValidationOutcome:
    outcome = service.validate(
        iter([file_of(file_type, *rows)]), f"file_{file_type.letter}.csv", run(file_type)
    )
    assert outcome.file_status is FileStatus.COMPLETE
    assert outcome.rules_not_run == ()
    return outcome


def failures(
    service: FileValidationService, outcome: ValidationOutcome, label: str, *, warning: bool = False
) -> Iterator[dict[str, str]]:
    """The label's rows, from the report of its severity (and none in the other report)."""
    wanted, other = (
        (outcome.warning_report, outcome.error_report)
        if warning
        else (outcome.error_report, outcome.warning_report)
    )
    assert not [line for line in report(service, other) if line["Rule Label"] == label]
    for line in report(service, wanted):
        if line["Rule Label"] == label:
            yield line


def rows_failing(
    service: FileValidationService,
    file_type: FileType,
    label: str,
    *rows: dict[str, str],
    warning: bool = False,
) -> list[str]:
    outcome = validate(service, file_type, *rows)
    return [line["Row Number"] for line in failures(service, outcome, label, warning=warning)]


def test_a_valid_file_has_empty_reports(service: FileValidationService) -> None:
    for file_type in (B, C):
        outcome = validate(service, file_type, row(file_type))
        assert outcome.metadata == ()
        assert report(service, outcome.error_report) == [] and report(service, outcome.warning_report) == []


# ----------------------------------------------------------------------------- B9


@pytest.fixture
def activities(reference: SqlAlchemyReferenceData) -> None:
    reference.replace_program_activities(
        [
            ProgramActivityRecord(2017, 6, "019", None, "0306", "0001", "Program direction"),
            ProgramActivityRecord(2017, 9, "019", None, "0306", "0002", "Next quarter only"),
            ProgramActivityRecord(2017, 6, "020", None, "0306", "0003", "Other agency"),
        ]
    )


@pytest.mark.usefixtures("activities")
def test_b9_program_activity_must_be_listed_for_the_account_and_period(
    service: FileValidationService,
) -> None:
    outcome = validate(
        service, B,
        row(B, **LISTED),
        row(B, program_activity_code="0001", program_activity_name="PROGRAM DIRECTION"),  # any case
        row(B),  # neither given: not checked (PARK instead)
        row(B, program_activity_code="0001", program_activity_name="Grants"),
        row(B, program_activity_code="0002", program_activity_name="Next quarter only"),  # another period
        row(B, program_activity_code="0003", program_activity_name="Other agency"),  # another account
        row(B, program_activity_name="Program direction"),  # a name without its code
    )  # fmt: skip
    found = list(failures(service, outcome, "B9", warning=True))
    assert [f["Row Number"] for f in found] == ["5", "6", "7", "8"]
    first = found[0]
    assert (
        first["Field Name"] == "agencyidentifier, mainaccountcode, programactivitycode, programactivityname"
    )
    assert first["Value Provided"] == (
        "agencyidentifier: 019, mainaccountcode: 0306, programactivitycode: 0001, programactivityname: Grants"
    )
    assert first["Unique ID"] == "TAS: 019-X-0306-000, ProgramActivityCode: 0001"
    assert first["Expected Value"] == "A valid program activity code"
    assert next(m for m in outcome.metadata if m.original_label == "B9").severity_id == 1


@pytest.mark.usefixtures("activities")
def test_b9_unknown_activity_only_on_a_zero_row_of_file_b(service: FileValidationService) -> None:
    assert rows_failing(service, B, "B9", row(B, **UNKNOWN), warning=True) == []
    assert rows_failing(service, B, "B9", row(B, **UNKNOWN, **{a_balance(B): "5"}), warning=True) == ["2"]


@pytest.mark.usefixtures("activities")
def test_b9_award_financial_refuses_unknown_activity(service: FileValidationService) -> None:
    assert rows_failing(service, C, "B9", row(C, **LISTED), row(C), warning=True) == []
    found = rows_failing(
        service, C, "B9",
        row(C, **UNKNOWN),
        row(C, program_activity_code="0001", program_activity_name="Unknown/Other"),
        row(C, program_activity_code="0009", program_activity_name="Not listed"),
        warning=True,
    )  # fmt: skip
    assert found == ["2", "3", "4"]


# ----------------------------------------------------------------------------- B11


@pytest.mark.parametrize(("file_type", "label"), [(B, "B11.3"), (C, "B11.1")])
def test_b11_object_class_must_be_listed(
    service: FileValidationService, file_type: FileType, label: str
) -> None:
    passing = [row(file_type, object_class=code) for code in ("252", "2520", "2529", "111", "000", "0")]
    assert rows_failing(service, file_type, label, *passing) == []

    outcome = validate(
        service, file_type,
        row(file_type, object_class="999"), row(file_type, object_class="252X"), row(file_type, object_class="9990"),
    )  # fmt: skip
    found = list(failures(service, outcome, label))
    assert [f["Row Number"] for f in found] == ["2", "3", "4"]
    assert found[0]["Field Name"] == "objectclass"
    assert found[0]["Value Provided"] == "objectclass: 999"
    assert found[0]["Unique ID"] == "TAS: 019-X-0306-000, ObjectClass: 999"
    assert found[0]["Expected Value"] == "A valid object class code"


def test_b11_follows_the_loaded_list(
    service: FileValidationService, reference: SqlAlchemyReferenceData
) -> None:
    reference.replace_object_classes([ObjectClassRecord("999", "Made up"), ObjectClassRecord("1234", "Four")])
    found = rows_failing(
        service, B, "B11.3",
        row(B, object_class="999"), row(B, object_class="1234"), row(B, object_class="252"),
    )  # fmt: skip
    assert found == ["4"]


@pytest.mark.parametrize(("file_type", "label"), [(B, "B11.4"), (C, "B11.2")])
def test_b11_unallocated_object_class_warns_unless_the_row_is_zero(
    service: FileValidationService, file_type: FileType, label: str
) -> None:
    balance = a_balance(file_type)
    assert rows_failing(service, file_type, label, row(file_type, object_class="000"), warning=True) == []
    outcome = validate(
        service, file_type,
        row(file_type, object_class="000", **{balance: "-0.01"}),
        row(file_type, object_class="0000", **{balance: "3"}),
        row(file_type, object_class="252", **{balance: "3"}),
    )  # fmt: skip
    found = list(failures(service, outcome, label, warning=True))
    assert [f["Row Number"] for f in found] == ["2", "3"]
    assert found[0]["Field Name"] == "objectclass"
    assert found[0]["Unique ID"] == "TAS: 019-X-0306-000, ObjectClass: 000"
    assert next(m for m in outcome.metadata if m.original_label == label).severity_id == 1


# ----------------------------------------------------------------------------- B24


@pytest.mark.parametrize("file_type", [B, C])
def test_b24_defc_must_be_a_valid_listed_code(
    service: FileValidationService, reference: SqlAlchemyReferenceData, file_type: FileType
) -> None:
    # The seeded domain (A to T, and 9), in any case.
    passing = [row(file_type, disaster_emergency_fund_code=code) for code in ("A", "q", "T", "9")]
    assert rows_failing(service, file_type, "B24", *passing) == []

    outcome = validate(
        service, file_type,
        row(file_type, disaster_emergency_fund_code="Z"),
        row(file_type, disaster_emergency_fund_code=""),
        row(file_type, disaster_emergency_fund_code="AA"),
    )  # fmt: skip
    found = list(failures(service, outcome, "B24"))
    assert [f["Row Number"] for f in found] == ["2", "3", "4"]
    assert found[0]["Field Name"] == "disasteremergencyfundcode"
    assert found[0]["Value Provided"] == "disasteremergencyfundcode: Z"
    assert found[0]["Unique ID"] == "TAS: 019-X-0306-000, DisasterEmergencyFundCode: Z"
    assert found[0]["Expected Value"].startswith("A, B, C")
    assert next(m for m in outcome.metadata if m.original_label == "B24").severity_id == 2

    # A loaded list replaces the seed; a code marked not valid is refused.
    reference.replace_defc([DefcRecord("Z"), DefcRecord("A", is_valid=False)])
    found_rows = rows_failing(
        service, file_type, "B24",
        row(file_type, disaster_emergency_fund_code="z"), row(file_type, disaster_emergency_fund_code="A"),
    )  # fmt: skip
    assert found_rows == ["3"]


# ----------------------------------------------------------------------------- B28


@pytest.fixture
def parks(reference: SqlAlchemyReferenceData) -> None:
    reference.replace_park(
        [
            ParkRecord(2025, 7, "019", None, "0306", None, "AB12", "Any sub account"),
            ParkRecord(2025, 7, "019", None, "0306", "001", "SUB1", "Sub account 001 only"),
            ParkRecord(2025, 7, "019", "011", "0306", None, "ATA1", "Transfer from 011 only"),
        ]
    )


@pytest.mark.usefixtures("parks")
@pytest.mark.parametrize(("file_type", "label"), [(B, "B28.1"), (C, "B28.2")])
def test_b28_park_must_be_listed_for_the_tas(
    service: FileValidationService, file_type: FileType, label: str
) -> None:
    balance = {a_balance(file_type): "10"}
    passing = [
        row(file_type, program_activity_reporting_key="AB12", **balance),
        row(file_type, program_activity_reporting_key="ab12", **balance),  # any case
        row(file_type, program_activity_reporting_key="SUB1", sub_account_code="001", **balance),
        row(file_type, program_activity_reporting_key="ATA1", allocation_transfer_agency="011", **balance),
        row(file_type, **balance),  # none given: not checked
    ]
    assert rows_failing(service, file_type, label, *passing) == []

    outcome = validate(
        service, file_type,
        row(file_type, program_activity_reporting_key="NOPE", **balance),
        row(file_type, program_activity_reporting_key="SUB1", **balance),  # sub account 000
        row(file_type, program_activity_reporting_key="ATA1", **balance),  # no ATA
        row(file_type, program_activity_reporting_key="AB12", main_account_code="0307", **balance),
    )  # fmt: skip
    found = list(failures(service, outcome, label))
    assert [f["Row Number"] for f in found] == ["2", "3", "4", "5"]
    assert found[0]["Field Name"] == "programactivityreportingkey"
    assert found[0]["Value Provided"] == "programactivityreportingkey: NOPE"
    assert found[0]["Unique ID"] == "TAS: 019-X-0306-000, ObjectClass: 252"
    assert found[0]["Expected Value"] == "A valid PARK."
    assert next(m for m in outcome.metadata if m.original_label == label).severity_id == 2


@pytest.mark.usefixtures("parks")
def test_b28_zero_park_only_on_a_zero_row_of_file_b(service: FileValidationService) -> None:
    zero_park = {"program_activity_reporting_key": "0000"}
    assert rows_failing(service, B, "B28.1", row(B, **zero_park)) == []
    assert rows_failing(service, B, "B28.1", row(B, **zero_park, **{a_balance(B): "1"})) == ["2"]
    # An invalid PARK other than 0000 is refused even on a $0 row; File C never takes 0000.
    assert rows_failing(service, B, "B28.1", row(B, program_activity_reporting_key="NOPE")) == ["2"]
    assert rows_failing(service, C, "B28.2", row(C, **zero_park)) == ["2"]

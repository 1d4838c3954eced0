"""File A rules A12, A33.1, A33.2, A33.3 and A34, end to end on SQLite and PostgreSQL.

Each rule gets a minimal failing example (label, severity, fields and row) and a passing one.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from broker_core.file_types import FileType
from broker_core.validation.problem import Severity
from broker_core.validation.schema import schema_for
from broker_core.validation.service import FileValidationService

from .conftest import Adapter
from .validation_helpers import (
    TAS_PARTS,
    amount_fields,
    cars,
    catalogue_severity,
    failures,
    make_run,
    make_service,
    sf133,
    sf133_records,
    tas_parts,
    validate,
)

RUN = make_run(FileType.A)
AGENCY_RUN = make_run(FileType.A, cgac_code="019")
LONG = {f.short_name: f.long_name.lower() for f in schema_for(FileType.A).fields}
TAS_FIELDS = ", ".join(sorted(LONG[name] for name in TAS_PARTS))


@pytest.fixture
def service(adapter: Adapter, tmp_path: Path) -> FileValidationService:
    cars(adapter)
    return make_service(adapter, tmp_path)


def row(**values: str | None) -> dict[str, str | None]:
    """A File A row of the default TAS whose amounts are all 0 unless given."""
    return {**dict.fromkeys(amount_fields(FileType.A), "0"), **TAS_PARTS, **values}


def test_severities_follow_the_catalogue() -> None:
    assert catalogue_severity("A12", FileType.A) is Severity.FATAL
    assert catalogue_severity("A34", FileType.A) is Severity.FATAL
    for label in ("A33.1", "A33.2", "A33.3"):
        assert catalogue_severity(label, FileType.A) is Severity.WARNING


def test_a12_adjustments_equal_sf133_lines_1010_through_1067(
    adapter: Adapter, service: FileValidationService
) -> None:
    run_2021 = make_run(FileType.A, fiscal_year=2021)
    sf133(adapter, {1010: "1.00", 1042: "2.00", 1067: "4.00", 1068: "8.00"}, fiscal_year=2021)
    assert not failures(
        service, validate(service, run_2021, row(adjustments_to_unobligated_cpe="7.00")), "A12"
    )

    outcome = validate(service, run_2021, row(adjustments_to_unobligated_cpe="3.00"))
    [found] = failures(service, outcome, "A12")
    assert found["Field Name"] == "adjustmentstounobligatedbalancebroughtforward_cpe"
    assert found["Value Provided"] == "adjustmentstounobligatedbalancebroughtforward_cpe: 3.00"
    assert found["Expected Value"] == "SUM of GTAS SF133 Lines 1010 through 1067: 7.00"
    assert found["Difference"] == "-4.00"
    assert found["Row Number"] == "2"
    assert found["Unique ID"] == "TAS: 019-X-0306-000"
    assert outcome.has_fatal_errors


def test_a12_before_fy21_sums_lines_1010_through_1042(
    adapter: Adapter, service: FileValidationService
) -> None:
    sf133(adapter, {1010: "1.00", 1042: "2.00", 1067: "4.00"})
    assert not failures(service, validate(service, RUN, row(adjustments_to_unobligated_cpe="3.00")), "A12")

    [found] = failures(service, validate(service, RUN, row(adjustments_to_unobligated_cpe="7.00")), "A12")
    assert found["Expected Value"] == "SUM of GTAS SF133 Lines 1010 through 1042: 3.00"
    assert found["Difference"] == "4.00"


def test_a34_brought_forward_equals_line_2490_of_the_prior_year_end(
    adapter: Adapter, service: FileValidationService
) -> None:
    # Line 2490 of the run's own period (4.00) is A15's; A34 compares with FY 2016 period 12 (5.00).
    adapter.award_data.replace_sf133(
        sf133_records({2490: "5.00"}, fiscal_year=2016, period=12)
        + sf133_records({2490: "9.00"}, fiscal_year=2016, period=11)
        + sf133_records({2490: "4.00"})
    )
    assert not failures(service, validate(service, RUN, row(budget_authority_unobligat_fyb="5.00")), "A34")

    outcome = validate(service, RUN, row(budget_authority_unobligat_fyb="4.00"))
    [found] = failures(service, outcome, "A34")
    assert found["Field Name"] == "budgetauthorityunobligatedbalancebroughtforward_fyb"
    assert found["Expected Value"] == "GTAS SF133 Line 2490: 5.00"
    assert found["Difference"] == "-1.00"
    assert found["Row Number"] == "2"


def test_a33_1_tas_in_gtas_missing_from_file_a(adapter: Adapter, service: FileValidationService) -> None:
    missing = tas_parts(main_account_code="0400")
    missing_allocation = tas_parts(
        allocation_transfer_agency="019", agency_identifier="020", main_account_code="0800"
    )
    missing_annual = tas_parts(
        availability_type_code=None, beginning_period_of_availa="2016", ending_period_of_availabil="2017",
        main_account_code="0900",
    )  # fmt: skip
    all_zero = tas_parts(main_account_code="0500")
    financing = tas_parts(main_account_code="4600")
    other_agency = tas_parts(agency_identifier="020", main_account_code="0700")
    parent_of_allocation = tas_parts(allocation_transfer_agency="020", main_account_code="0701")
    cars(adapter, TAS_PARTS, financing=[financing])
    adapter.award_data.replace_sf133(
        sf133_records({1910: "1.00"})
        + sf133_records({1910: "0", 2490: "2.00"}, parts=missing)
        + sf133_records({1910: "3.00"}, parts=missing_allocation)
        + sf133_records({1910: "3.00"}, parts=missing_annual)
        + sf133_records({1910: "0.00", 2490: "0"}, parts=all_zero)
        + sf133_records({1910: "3.00"}, parts=financing)
        + sf133_records({1910: "3.00"}, parts=other_agency)
        + sf133_records({1910: "3.00"}, parts=parent_of_allocation)
        + sf133_records({1910: "3.00"}, parts=tas_parts(main_account_code="0401"), period=5)
    )
    outcome = validate(service, AGENCY_RUN, row(total_budgetary_resources_cpe="1.00"))
    found = failures(service, outcome, "A33.1")
    assert sorted(f["Unique ID"] for f in found) == [
        "TAS: 019-020-X-0800-000",
        "TAS: 019-2016/2017-0900-000",
        "TAS: 019-X-0400-000",
    ]
    assert {f["Row Number"] for f in found} == {""}
    assert {f["Field Name"] for f in found} == {TAS_FIELDS}
    [annual] = (f for f in found if "0900" in f["Unique ID"])
    assert "beginningperiodofavailability: 2016" in annual["Value Provided"]
    assert "endingperiodofavailability: 2017" in annual["Value Provided"]

    # Reported in File A: nothing missing. Without an agency the rule cannot say whose TAS they are.
    outcome = validate(
        service, AGENCY_RUN, row(), row(**missing), row(**missing_allocation), row(**missing_annual)
    )
    assert not failures(service, outcome, "A33.1")
    assert not failures(service, validate(service, RUN, row()), "A33.1")


def test_a33_1_frec_agency_reports_the_tas_cars_files_under_its_frec(
    adapter: Adapter, service: FileValidationService
) -> None:
    cars(adapter, TAS_PARTS, tas_parts(main_account_code="0400"), fr_entity_type="1125")
    adapter.award_data.replace_sf133(
        sf133_records({1910: "1.00"})
        + sf133_records({1910: "2.00"}, parts=tas_parts(main_account_code="0400"))
    )
    frec_run = make_run(FileType.A, frec_code="1125")
    [found] = failures(
        service, validate(service, frec_run, row(total_budgetary_resources_cpe="1.00")), "A33.1"
    )
    assert found["Unique ID"] == "TAS: 019-X-0400-000"
    assert not failures(service, validate(service, make_run(FileType.A, frec_code="9999"), row()), "A33.1")


def test_a33_2_tas_in_file_a_missing_from_gtas(adapter: Adapter, service: FileValidationService) -> None:
    financing = tas_parts(main_account_code="4600")
    cars(adapter, TAS_PARTS, financing=[financing])
    sf133(adapter, {1910: "1.00"})
    outcome = validate(
        service,
        RUN,
        row(total_budgetary_resources_cpe="1.00"),
        row(main_account_code="0999", unobligated_balance_cpe="-2.50"),
        row(main_account_code="0998"),  # all amounts zero
        row(**{**financing, "unobligated_balance_cpe": "2.50"}),
    )
    [found] = failures(service, outcome, "A33.2")
    assert found["Row Number"] == "3"
    assert found["Field Name"] == TAS_FIELDS
    assert "mainaccountcode: 0999" in found["Value Provided"]
    assert found["Unique ID"] == "TAS: 019-X-0999-000"

    assert not failures(service, validate(service, RUN, row(total_budgetary_resources_cpe="1.00")), "A33.2")


def test_a33_3_allocation_accounts_are_reported_by_the_child_agency(service: FileValidationService) -> None:
    outcome = validate(
        service,
        AGENCY_RUN,
        row(allocation_transfer_agency="020"),
        row(allocation_transfer_agency="019", agency_identifier="020"),
        row(),
    )
    [found] = failures(service, outcome, "A33.3")
    assert found["Row Number"] == "2"
    assert found["Field Name"] == "agencyidentifier, allocationtransferagencyidentifier"
    assert found["Value Provided"] == "agencyidentifier: 019, allocationtransferagencyidentifier: 020"
    assert found["Expected Value"] == "AllocationTransferAgencyIdentifier: 019"
    assert found["Unique ID"] == "TAS: 020-019-X-0306-000"

    assert not failures(
        service, validate(service, AGENCY_RUN, row(allocation_transfer_agency="019")), "A33.3"
    )
    # A run without an agency (a standalone validation) has nothing to compare with.
    assert not failures(service, validate(service, RUN, row(allocation_transfer_agency="020")), "A33.3")

"""File B single-file rules that need only the file and GTAS, end to end on SQLite and PostgreSQL.

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

RUN = make_run(FileType.B)
AGENCY_RUN = make_run(FileType.B, cgac_code="019")
FY26_RUN = make_run(FileType.B, fiscal_year=2026, period=2)
LONG = {f.short_name: f.long_name.lower() for f in schema_for(FileType.B).fields}
TAS_ID = "TAS: 019-X-0306-000"
COMBINATION_ID = (
    "TAS: 019-X-0306-000, ObjectClass: 251, ProgramActivityCode: 0001, ProgramActivityName: PA, "
    "ProgramActivityReportingKey: , ByDirectReimbursableFundingSource: D, DisasterEmergencyFundCode: Q"
)


@pytest.fixture
def service(adapter: Adapter, tmp_path: Path) -> FileValidationService:
    cars(adapter)
    return make_service(adapter, tmp_path)


def row(**values: str | None) -> dict[str, str | None]:
    """A File B row of the default TAS, direct, PYA X, amounts all 0 unless given."""
    return {
        **dict.fromkeys(amount_fields(FileType.B), "0"),
        **TAS_PARTS,
        "object_class": "251",
        "program_activity_code": "0001",
        "program_activity_name": "PA",
        "by_direct_reimbursable_fun": "D",
        "disaster_emergency_fund_code": "Q",
        "prior_year_adjustment": "X",
        **values,
    }


def fields(*names: str) -> str:
    return ", ".join(sorted(LONG.get(name, name) for name in names))


WARNINGS = ("B3.1", "B3.2", "B4.1", "B4.2", "B5.1", "B5.2", "B6.1", "B6.2", "B7.1", "B7.2", "B13", "B14", "B15",
            "B21", "B22", "B25", "B26")  # fmt: skip
FATALS = ("B12.3", "B12.4", "B19.1", "B19.2", "B27.1", "B27.3", "B27.5", "B29")


def test_severities_follow_the_catalogue() -> None:
    assert {catalogue_severity(label, FileType.B) for label in WARNINGS} == {Severity.WARNING}
    assert {catalogue_severity(label, FileType.B) for label in FATALS} == {Severity.FATAL}


def test_a_consistent_file_passes_every_rule_here(service: FileValidationService) -> None:
    outcome = validate(
        service,
        RUN,
        row(obligations_undelivered_or_cpe="3.00", ussgl480100_undelivered_or_cpe="1.00",
            ussgl488100_upward_adjustm_cpe="2.00", obligations_undelivered_or_fyb="1.00",
            ussgl480100_undelivered_or_fyb="1.00"),
        row(object_class="252"),
    )  # fmt: skip
    assert not {m.original_label for m in outcome.metadata} & {*WARNINGS, *FATALS}


# ----------------------------------------------------------------------------- per-row balance sums

#: (label, total, operands): PYA = X rows must have total = the sum of the operands.
SUM_RULES = [
    ("B3.1", "obligations_undelivered_or_fyb", ("ussgl480100_undelivered_or_fyb",)),
    ("B3.2", "obligations_undelivered_or_cpe", ("ussgl480100_undelivered_or_cpe", "ussgl480110_rein_undel_ord_cpe",
                                                "ussgl483100_undelivered_or_cpe", "ussgl488100_upward_adjustm_cpe")),
    ("B4.1", "obligations_delivered_orde_fyb", ("ussgl490100_delivered_orde_fyb",)),
    ("B4.2", "obligations_delivered_orde_cpe", ("ussgl490100_delivered_orde_cpe", "ussgl490110_rein_deliv_ord_cpe",
                                                "ussgl493100_delivered_orde_cpe", "ussgl498100_upward_adjustm_cpe")),
    ("B5.1", "gross_outlay_amount_by_pro_fyb", ("gross_outlays_undelivered_fyb", "gross_outlays_delivered_or_fyb")),
    ("B6.1", "gross_outlays_undelivered_fyb", ("ussgl480200_undelivered_or_fyb",)),
    ("B6.2", "gross_outlays_undelivered_cpe", ("ussgl480200_undelivered_or_cpe", "ussgl480210_rein_undel_obs_cpe",
                                               "ussgl483200_undelivered_or_cpe", "ussgl488200_upward_adjustm_cpe")),
    ("B7.1", "gross_outlays_delivered_or_fyb", ("ussgl490800_authority_outl_fyb",)),
    ("B7.2", "gross_outlays_delivered_or_cpe", ("ussgl490200_delivered_orde_cpe", "ussgl490800_authority_outl_cpe",
                                                "ussgl498200_upward_adjustm_cpe")),
    ("B13", "deobligations_recov_by_pro_cpe", ("ussgl487100_downward_adjus_cpe", "ussgl487200_downward_adjus_cpe",
                                               "ussgl497100_downward_adjus_cpe", "ussgl497200_downward_adjus_cpe",
                                               "ussgl497210_down_adj_refun_cpe")),
]  # fmt: skip


@pytest.mark.parametrize(("label", "total", "operands"), SUM_RULES, ids=[case[0] for case in SUM_RULES])
def test_total_equals_the_sum_of_its_ussgl_accounts(
    service: FileValidationService, label: str, total: str, operands: tuple[str, ...]
) -> None:
    # Operands 1.10, 2.10, ... sum to the total; the failing row leaves the last one out (NULL is 0).
    amounts = {name: f"{number}.10" for number, name in enumerate(operands, start=1)}
    expected = sum(number + 0.1 for number in range(1, len(operands) + 1))
    good = row(**{total: f"{expected:.2f}"}, **amounts)
    bad = row(**{total: f"{expected:.2f}"}, **{**amounts, operands[-1]: None}, object_class="252")
    not_pya_x = row(**{total: "99.00"}, prior_year_adjustment="B")
    outcome = validate(service, RUN, good, bad, not_pya_x)
    [found] = failures(service, outcome, label)
    assert found["Row Number"] == "3"
    assert found["Field Name"] == fields(total, *operands)
    assert f"{LONG[operands[-1]]}: ," in found["Value Provided"] + ","
    assert found["Difference"] == f"{len(operands)}.10"
    assert found["Unique ID"] == COMBINATION_ID.replace("ObjectClass: 251", "ObjectClass: 252")

    assert not failures(service, validate(service, RUN, good, not_pya_x), label)


def test_b5_2_outlays_cpe_are_the_year_to_date_activity(service: FileValidationService) -> None:
    amounts = {
        "gross_outlays_undelivered_cpe": "10.00",
        "gross_outlays_undelivered_fyb": "4.00",
        "gross_outlays_delivered_or_cpe": "7.50",
        "gross_outlays_delivered_or_fyb": "0.50",
    }
    good = row(gross_outlay_amount_by_pro_cpe="13.00", **amounts)
    assert not failures(service, validate(service, RUN, good), "B5.2")

    outcome = validate(
        service, RUN, good, row(gross_outlay_amount_by_pro_cpe="17.50", object_class="252", **amounts)
    )
    [found] = failures(service, outcome, "B5.2")
    assert found["Row Number"] == "3"
    assert found["Field Name"] == fields("gross_outlay_amount_by_pro_cpe", *amounts)
    assert found["Difference"] == "4.50"


# ----------------------------------------------------------------------------- row values


def test_b12_3_direct_reimbursable_flag_required_with_balances(service: FileValidationService) -> None:
    outcome = validate(
        service,
        RUN,
        row(by_direct_reimbursable_fun=None, ussgl490200_delivered_orde_cpe="5.00"),
        row(by_direct_reimbursable_fun=None, object_class="252"),  # no balance: no flag needed
        row(by_direct_reimbursable_fun="R", ussgl490200_delivered_orde_cpe="5.00", object_class="253"),
    )
    [found] = failures(service, outcome, "B12.3")
    assert found["Row Number"] == "2"
    assert "bydirectreimbursablefundingsource: ," in found["Value Provided"]
    assert "ussgl490200_deliveredordersobligationspaid_cpe: 5.00" in found["Value Provided"]
    assert found["Field Name"].startswith("bydirectreimbursablefundingsource, ussgl480100_")
    assert found["Unique ID"] == TAS_ID

    assert not failures(service, validate(service, RUN, row(ussgl490200_delivered_orde_cpe="5.00")), "B12.3")


def test_b12_4_direct_reimbursable_flag_is_blank_d_or_r(service: FileValidationService) -> None:
    outcome = validate(service, RUN, row(by_direct_reimbursable_fun="X"))
    [found] = failures(service, outcome, "B12.4")
    assert found["Row Number"] == "2"
    assert found["Field Name"] == "bydirectreimbursablefundingsource"
    assert found["Value Provided"] == "bydirectreimbursablefundingsource: X"

    outcome = validate(
        service, RUN, row(), row(by_direct_reimbursable_fun="r", object_class="252"),
        row(by_direct_reimbursable_fun=None, object_class="253"),
    )  # fmt: skip
    assert not failures(service, outcome, "B12.4")


def test_b29_prior_year_adjustment_is_x_b_or_p(service: FileValidationService) -> None:
    outcome = validate(service, RUN, row(prior_year_adjustment="Z"), row(prior_year_adjustment=None))
    found = failures(service, outcome, "B29")
    assert [f["Row Number"] for f in found] == ["2", "3"]
    assert found[0]["Field Name"] == "prioryearadjustment"
    assert found[0]["Value Provided"] == "prioryearadjustment: Z"
    assert found[0]["Unique ID"] == TAS_ID

    outcome = validate(service, RUN, row(), row(prior_year_adjustment="b"), row(prior_year_adjustment="P"))
    assert not failures(service, outcome, "B29")


PROGRAM_ACTIVITY = fields("program_activity_code", "program_activity_name", "program_activity_reporting_key")
NO_PAC_PAN = {"program_activity_code": None, "program_activity_name": None}


def test_b27_3_until_fy25_pac_pan_or_park(service: FileValidationService) -> None:
    outcome = validate(
        service, RUN, row(**NO_PAC_PAN), row(**NO_PAC_PAN, program_activity_reporting_key="A1")
    )
    [found] = failures(service, outcome, "B27.3")
    assert found["Row Number"] == "2"
    assert found["Field Name"] == PROGRAM_ACTIVITY
    assert found["Unique ID"] == TAS_ID

    fy25 = make_run(FileType.B, fiscal_year=2025, period=9)
    outcome = validate(service, fy25, row(), row(program_activity_reporting_key="A1"))
    assert not failures(service, outcome, "B27.3")
    # From FY 2026 the row goes to B27.1 instead.
    assert not failures(service, validate(service, FY26_RUN, row(**NO_PAC_PAN)), "B27.3")


def test_b27_1_from_fy26_park_required(service: FileValidationService) -> None:
    outcome = validate(
        service, FY26_RUN, row(**NO_PAC_PAN, program_activity_reporting_key="A1"), row(**NO_PAC_PAN)
    )
    [found] = failures(service, outcome, "B27.1")
    assert found["Row Number"] == "3"
    assert found["Field Name"] == PROGRAM_ACTIVITY

    assert not failures(
        service, validate(service, FY26_RUN, row(program_activity_reporting_key="A1")), "B27.1"
    )
    assert not failures(service, validate(service, RUN, row(**NO_PAC_PAN)), "B27.1")


def test_b27_5_from_fy26_pac_pan_alone_is_not_accepted(service: FileValidationService) -> None:
    outcome = validate(
        service, FY26_RUN, row(program_activity_reporting_key="A1"), row(program_activity_code=None)
    )
    [found] = failures(service, outcome, "B27.5")
    assert found["Row Number"] == "3"
    assert found["Value Provided"] == (
        "programactivitycode: , programactivityname: PA, programactivityreportingkey: "
    )
    assert not failures(service, outcome, "B27.1")

    assert not failures(
        service, validate(service, FY26_RUN, row(program_activity_reporting_key="A1")), "B27.5"
    )
    assert not failures(service, validate(service, RUN, row()), "B27.5")


# ----------------------------------------------------------------------------- uniqueness


def test_b19_1_unique_pac_pan_combination(service: FileValidationService) -> None:
    outcome = validate(
        service,
        RUN,
        row(object_class="251"),
        row(object_class="252"),
        row(object_class="2510", program_activity_name="pa", disaster_emergency_fund_code="q"),
    )
    found = failures(service, outcome, "B19.1")
    assert [f["Row Number"] for f in found] == ["2", "4"]
    assert found[0]["Field Name"] == fields(
        "object_class", "program_activity_code", "program_activity_name", "by_direct_reimbursable_fun",
        "disaster_emergency_fund_code", "prior_year_adjustment",
    )  # fmt: skip
    assert found[1]["Unique ID"] == TAS_ID

    outcome = validate(
        service,
        RUN,
        row(),
        row(program_activity_code="0002"),
        row(prior_year_adjustment="B"),
        row(by_direct_reimbursable_fun="R"),
        row(disaster_emergency_fund_code="L"),
        row(object_class="2511"),
        # PARK-only rows have no PAC/PAN combination.
        row(**NO_PAC_PAN, program_activity_reporting_key="A1"),
        row(**NO_PAC_PAN, program_activity_reporting_key="A2"),
    )
    assert not failures(service, outcome, "B19.1")


def test_b19_2_unique_park_combination(service: FileValidationService) -> None:
    outcome = validate(
        service,
        RUN,
        row(**NO_PAC_PAN, program_activity_reporting_key="A1"),
        row(program_activity_reporting_key="a1", object_class="2510"),
    )
    found = failures(service, outcome, "B19.2")
    assert [f["Row Number"] for f in found] == ["2", "3"]
    assert found[0]["Field Name"] == fields(
        "object_class", "program_activity_reporting_key", "by_direct_reimbursable_fun",
        "disaster_emergency_fund_code", "prior_year_adjustment",
    )  # fmt: skip

    outcome = validate(
        service,
        RUN,
        row(program_activity_reporting_key="A1"),
        row(program_activity_reporting_key="A1", by_direct_reimbursable_fun="R"),
        row(program_activity_reporting_key="A2"),
        row(),  # PAC/PAN only rows have no PARK combination
        row(program_activity_code="0002"),
    )
    assert not failures(service, outcome, "B19.2")


# ----------------------------------------------------------------------------- per TAS against SF-133


def test_b22_outlays_per_tas_equal_line_3020(adapter: Adapter, service: FileValidationService) -> None:
    rows = (
        row(gross_outlay_amount_by_pro_cpe="3.00"),
        row(gross_outlay_amount_by_pro_cpe="4.00", object_class="252", disaster_emergency_fund_code="L"),
        row(gross_outlay_amount_by_pro_cpe="100.00", prior_year_adjustment="B"),
    )
    sf133(adapter, {3020: "7.00"})
    assert not failures(service, validate(service, RUN, *rows), "B22")

    sf133(adapter, {3020: "8.00"})
    [found] = failures(service, validate(service, RUN, *rows), "B22")
    assert found["Row Number"] == ""
    assert found["Field Name"] == "gross_outlay_amount_by_pro_cpe_sum"
    assert found["Value Provided"] == "gross_outlay_amount_by_pro_cpe_sum: 7.00"
    assert found["Expected Value"] == "GTAS SF133 Line 3020: 8.00"
    assert found["Difference"] == "-1.00"
    assert found["Unique ID"] == TAS_ID
    assert found["Flex Field"] == ""


def test_b22_a_tas_without_pya_x_rows_sums_to_zero(adapter: Adapter, service: FileValidationService) -> None:
    sf133(adapter, {3020: "8.00"})
    [found] = failures(service, validate(service, RUN, row(prior_year_adjustment="B")), "B22")
    assert found["Difference"] == "-8.00"
    # A TAS GTAS did not report on line 3020 is not compared.
    sf133(adapter, {2190: "8.00"})
    assert not failures(service, validate(service, RUN, row(gross_outlay_amount_by_pro_cpe="3.00")), "B22")


def test_b25_obligations_per_tas_equal_minus_line_2190(
    adapter: Adapter, service: FileValidationService
) -> None:
    sf133(adapter, {2190: "7.00"})
    rows = (
        row(obligations_incurred_by_pr_cpe="-3.00"),
        row(obligations_incurred_by_pr_cpe="-4.00", object_class="252"),
    )
    assert not failures(service, validate(service, RUN, *rows), "B25")

    [found] = failures(service, validate(service, RUN, row(obligations_incurred_by_pr_cpe="7.00")), "B25")
    assert found["Row Number"] == ""
    assert found["Field Name"] == "obligations_incurred_by_pr_cpe_sum"
    assert found["Expected Value"] == "Negative of GTAS SF133 Line 2190: -7.00"
    assert found["Difference"] == "14.00"


def test_b26_deobligations_per_tas_equal_lines_1021_and_1033(
    adapter: Adapter, service: FileValidationService
) -> None:
    sf133(adapter, {1021: "1.00", 1033: "2.00"})
    assert not failures(service, validate(service, RUN, row(deobligations_recov_by_pro_cpe="3.00")), "B26")

    [found] = failures(service, validate(service, RUN, row(deobligations_recov_by_pro_cpe="2.00")), "B26")
    assert found["Row Number"] == ""
    assert found["Field Name"] == "deobligations_recov_by_pro_cpe_sum"
    assert found["Expected Value"] == "SUM of GTAS SF133 Lines 1021, 1033: 3.00"
    assert found["Difference"] == "-1.00"


ACTIVITY = {
    "ussgl480100_undelivered_or_cpe": "12.00",
    "ussgl480100_undelivered_or_fyb": "2.00",  # subtracted: 10.00
    "ussgl490200_delivered_orde_cpe": "1.50",
    "ussgl490800_authority_outl_cpe": "1.00",
    "ussgl490800_authority_outl_fyb": "0.50",  # subtracted: 0.50
    "ussgl498200_upward_adjustm_cpe": "0.25",
    "ussgl487100_downward_adjus_cpe": "50.00",  # not part of the activity
}  # activity 12.25


@pytest.mark.parametrize(("label", "flag", "line"), [("B14", "D", 2004), ("B15", "R", 2104)])
def test_b14_b15_activity_per_tas_is_the_opposite_of_line(
    adapter: Adapter, service: FileValidationService, label: str, flag: str, line: int
) -> None:
    other = "R" if flag == "D" else "D"
    rows = (
        row(by_direct_reimbursable_fun=flag, **ACTIVITY),
        row(by_direct_reimbursable_fun=other, object_class="252", ussgl490200_delivered_orde_cpe="100.00"),
        row(by_direct_reimbursable_fun=flag, object_class="253", prior_year_adjustment="B",
            ussgl490200_delivered_orde_cpe="100.00"),
    )  # fmt: skip
    sf133(adapter, {line: "-12.25"})
    assert not failures(service, validate(service, RUN, *rows), label)

    sf133(adapter, {line: "-13.00"})
    [found] = failures(service, validate(service, RUN, *rows), label)
    assert found["Row Number"] == ""
    assert found["Expected Value"] == f"Opposite sign of GTAS SF133 Line {line}: 13.00"
    assert found["Difference"] == "-0.75"
    assert "ussgl480100_undelivered_or_fyb_sum: 2.00" in found["Value Provided"]
    assert "ussgl490200_delivered_orde_cpe_sum: 1.50" in found["Value Provided"]
    assert "ussgl487100" not in found["Field Name"]
    assert found["Unique ID"] == TAS_ID


def test_b21_tas_in_gtas_with_activity_missing_from_file_b(
    adapter: Adapter, service: FileValidationService
) -> None:
    missing = tas_parts(main_account_code="0400")
    only_pya_b = tas_parts(main_account_code="0401")
    no_activity = tas_parts(main_account_code="0402")
    financing = tas_parts(main_account_code="4600")
    other_agency = tas_parts(agency_identifier="020")
    cars(adapter, TAS_PARTS, financing=[financing])
    adapter.award_data.replace_sf133(
        sf133_records({2190: "1.00"})
        + sf133_records({2190: "0", 3020: "-2.00"}, parts=missing)
        + sf133_records({2190: "5.00"}, parts=only_pya_b)
        + sf133_records({2190: "0", 3020: "0", 1910: "9.00"}, parts=no_activity)
        + sf133_records({2190: "5.00"}, parts=financing)
        + sf133_records({2190: "5.00"}, parts=other_agency)
    )
    outcome = validate(service, AGENCY_RUN, row(), row(**only_pya_b, prior_year_adjustment="B"))
    found = failures(service, outcome, "B21")
    assert sorted(f["Unique ID"] for f in found) == ["TAS: 019-X-0400-000", "TAS: 019-X-0401-000"]
    assert {f["Row Number"] for f in found} == {""}
    assert {f["Field Name"] for f in found} == {fields(*TAS_PARTS)}

    outcome = validate(service, AGENCY_RUN, row(), row(**missing), row(**only_pya_b))
    assert not failures(service, outcome, "B21")
    # Without an agency the rule cannot say whose TAS they are.
    assert not failures(service, validate(service, RUN, row()), "B21")

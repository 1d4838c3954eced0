"""Failing SQL-rule rows → report rows (spec §2.7, §5), with the examples the original's tests assert."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from broker_core.file_types import FileType
from broker_core.validation.catalogue import Rule, load_catalogue
from broker_core.validation.cross_problem import CrossFileProblem
from broker_core.validation.failures import (
    cross_file_problem,
    field_name,
    row_number_of,
    single_file_problem,
    text,
)
from broker_core.validation.problem import RowProblem, Severity

# Short → long names as a schema would give them (GSDM spelling; the protocol lowercases them).
LONG_NAMES = {
    "status_of_budgetary_resour_cpe": "StatusOfBudgetaryResourcesTotal_CPE",
    "total_budgetary_resources_cpe": "TotalBudgetaryResources_CPE",
    "budget_authority_appropria_cpe": "BudgetAuthorityAppropriatedAmount_CPE",
    "gross_outlay_amount_by_tas_cpe": "GrossOutlayAmountByTAS_CPE",
    "gross_outlay_amount_by_pro_cpe": "GrossOutlayAmountByProgramObjectClass_CPE",
    "obligations_incurred_by_pr_cpe": "ObligationsIncurredByProgramObjectClass_CPE",
}
FLEX = "flex_field_a: FLEX_A, flex_field_b: FLEX_B"


def rule(label: str, file_type: FileType, target: FileType | None = None) -> Rule:
    return load_catalogue().get(label, file_type, target)


def test_a24_row() -> None:
    a24 = rule("A24", FileType.A)
    columns = {
        "row_number": 3,
        "status_of_budgetary_resour_cpe": None,
        "total_budgetary_resources_cpe": Decimal("13.08"),
        "difference": Decimal("-13.08"),
        "uniqueid_TAS": "069-013-X-2050-005",
    }
    assert single_file_problem(a24, columns, LONG_NAMES, "flex_a: 1") == RowProblem(
        unique_id="TAS: 069-013-X-2050-005",
        field_name="statusofbudgetaryresourcestotal_cpe, totalbudgetaryresources_cpe",
        rule_message=a24.message,
        value_provided="statusofbudgetaryresourcestotal_cpe: , totalbudgetaryresources_cpe: 13.08",
        expected_value=a24.expected_value,
        difference="-13.08",
        flex_field="flex_a: 1",
        row_number=3,
        rule_label="A24",
        error_type="rule_failed",
        severity=Severity.FATAL,
    )
    assert a24.expected_value.startswith("StatusOfBudgetaryResourcesTotal_CPE")


def test_a8_row_takes_its_expected_value_from_the_result() -> None:
    columns = {
        "row_number": 10,
        "budget_authority_appropria_cpe": Decimal("0.01"),
        "expected_value_SUM of GTAS SF133 Lines 1160, 1180, 1260, 1280": Decimal("1.01"),
        "difference": Decimal("-1.00"),
        "uniqueid_TAS": "049-2014/2015-0100-000",
    }
    problem = single_file_problem(rule("A8", FileType.A), columns, LONG_NAMES)
    assert problem.expected_value == "SUM of GTAS SF133 Lines 1160, 1180, 1260, 1280: 1.01"
    assert problem.difference == "-1.00"
    assert problem.field_name == "budgetauthorityappropriatedamount_cpe"
    assert problem.value_provided == "budgetauthorityappropriatedamount_cpe: 0.01"
    assert problem.unique_id == "TAS: 049-2014/2015-0100-000"


def test_a14_row_with_a_long_difference() -> None:
    columns = {
        "row_number": 5,
        "gross_outlay_amount_by_tas_cpe": Decimal("35000000000000000000000000"),
        "expected_value_GTAS SF133 Line 3020": Decimal("5"),
        "difference": Decimal("34999999999999999999999995"),
        "uniqueid_TAS": "019-072-X-0306-000",
    }
    problem = single_file_problem(rule("A14", FileType.A), columns, LONG_NAMES)
    assert problem.expected_value == "GTAS SF133 Line 3020: 5"
    assert problem.difference == "34999999999999999999999995"


def test_unknown_columns_keep_their_names_and_fields_are_sorted() -> None:
    columns = {
        "row_number": 4,
        "tas": "0190720000X0306000",
        "total_budgetary_resources_cpe": "7",
        "GTAS SF133 Line 1902": 12,
        "uniqueid_TAS": "019-072-X-0306-000",
        "uniqueid_PIID": "P1",
        "uniqueid_FAIN": None,
    }
    problem = single_file_problem(rule("A2", FileType.A), columns, LONG_NAMES)
    assert problem.field_name == "GTAS SF133 Line 1902, tas, totalbudgetaryresources_cpe"
    assert (
        problem.value_provided
        == "GTAS SF133 Line 1902: 12, tas: 0190720000X0306000, totalbudgetaryresources_cpe: 7"
    )
    # Unique IDs keep the query's column order.
    assert problem.unique_id == "TAS: 019-072-X-0306-000, PIID: P1, FAIN: "


def test_names_and_values_stay_in_step_when_a_name_prefixes_another() -> None:
    columns = {"row_number": 2, "a10": "x", "a1": "y"}
    problem = single_file_problem(rule("A2", FileType.A), columns, {})
    assert problem.field_name == "a1, a10"
    assert problem.value_provided == "a1: y, a10: x"


def test_an_aggregate_failure_has_no_row_and_no_flex() -> None:
    problem = single_file_problem(rule("A33.1", FileType.A), {"row_number": None, "tas": "x"}, {}, FLEX)
    assert problem.row_number is None
    assert problem.flex_field == ""
    assert problem.severity is Severity.WARNING
    # A rule returning no row_number column at all is the same.
    assert single_file_problem(rule("A33.1", FileType.A), {"tas": "x"}, {}, FLEX).row_number is None


def test_row_numbers_from_text_or_numbers() -> None:
    assert row_number_of({"row_number": "7"}) == 7
    assert row_number_of({"row_number": Decimal(8)}) == 8
    assert row_number_of({"row_number": None}) is None
    assert row_number_of({"source_row_number": 5, "row_number": 1}, cross_file=True) == 5
    assert row_number_of({}, cross_file=True) is None
    with pytest.raises(TypeError):
        row_number_of({"row_number": True})


def test_helpers() -> None:
    assert text(None) == ""
    assert text(Decimal("-1.00")) == "-1.00"
    assert text(0) == "0"
    assert field_name("total_budgetary_resources_cpe", LONG_NAMES) == "totalbudgetaryresources_cpe"
    assert (
        field_name("gross_outlay_amount_by_pro_cpe_sum", LONG_NAMES) == "gross_outlay_amount_by_pro_cpe_sum"
    )


def test_rules_of_the_wrong_kind_are_refused() -> None:
    with pytest.raises(ValueError, match="cross-file"):
        single_file_problem(rule("A18", FileType.A, FileType.B), {}, {})
    with pytest.raises(ValueError, match="single-file"):
        cross_file_problem(rule("A2", FileType.A), {}, {})


def test_a18_cross_file_warning() -> None:
    a18 = rule("A18", FileType.A, FileType.B)
    columns = {
        "source_row_number": 5,
        "source_value_gross_outlay_amount_by_tas_cpe": Decimal("10000"),
        "target_value_gross_outlay_amount_by_pro_cpe_sum": Decimal("6000"),
        "difference": Decimal("4000"),
        "uniqueid_TAS": "019-2016/2016-0113-000",
    }
    assert cross_file_problem(a18, columns, LONG_NAMES, FLEX) == CrossFileProblem(
        unique_id="TAS: 019-2016/2016-0113-000",
        source_file="appropriations",
        source_field_name="grossoutlayamountbytas_cpe",
        target_file="program_activity",
        target_field_name="gross_outlay_amount_by_pro_cpe_sum",
        rule_message=a18.message,
        source_value_provided="grossoutlayamountbytas_cpe: 10000",
        target_value_provided="gross_outlay_amount_by_pro_cpe_sum: 6000",
        difference="4000",
        source_flex_field=FLEX,
        source_row_number=5,
        rule_label="A18",
        severity=Severity.WARNING,
    )


def test_a30_1_has_no_target_values_or_difference() -> None:
    columns = {
        "source_row_number": 2,
        "source_value_tas": "0190720000X0306000",
        "uniqueid_TAS": "019-072-X-0306-000",
    }
    problem = cross_file_problem(rule("A30.1", FileType.A, FileType.B), columns, LONG_NAMES, FLEX)
    assert (problem.target_field_name, problem.target_value_provided, problem.difference) == ("", "", "")
    assert problem.source_field_name == "tas"
    assert problem.source_value_provided == "tas: 0190720000X0306000"
    assert problem.severity is Severity.FATAL
    assert (problem.source_file, problem.target_file) == ("appropriations", "program_activity")


def test_b_to_a_rules_name_b_as_the_source() -> None:
    problem = cross_file_problem(rule("A30.2", FileType.B, FileType.A), {"source_row_number": 4}, {})
    assert (problem.source_file, problem.target_file) == ("program_activity", "appropriations")


def test_labelled_differences_are_sorted_and_other_columns_ignored() -> None:
    columns = {
        "source_row_number": None,
        "difference_TOA": Decimal("5"),
        "difference_Loan": None,
        "helper_column": "ignored",
        "source_value_obligations_incurred_by_pr_cpe": 1,
        "source_value_gross_outlay_amount_by_pro_cpe": 2,
        "target_value_b": None,
    }
    problem = cross_file_problem(rule("C23.3", FileType.C, FileType.D2), columns, LONG_NAMES, FLEX)
    assert problem.difference == "Loan: , TOA: 5"
    assert problem.source_field_name == (
        "grossoutlayamountbyprogramobjectclass_cpe, obligationsincurredbyprogramobjectclass_cpe"
    )
    assert problem.target_value_provided == "b: "
    assert "ignored" not in repr(problem)
    # Aggregate rules (C23.x) point at no row: no row number, no flex.
    assert problem.source_row_number is None
    assert problem.source_flex_field == ""


_names = st.text(alphabet="abc_01: ,", min_size=1, max_size=6).filter(
    lambda name: (
        name not in {"row_number", "difference"} and not name.startswith(("expected_value_", "uniqueid_"))
    )
)


@given(st.dictionaries(_names, st.none() | st.text(alphabet="xyz", max_size=3), max_size=6))
def test_every_field_is_reported_once_with_its_value(columns: dict[str, str | None]) -> None:
    problem = single_file_problem(rule("A2", FileType.A), {"row_number": 2, **columns}, {})
    expected = sorted((name, value or "") for name, value in columns.items())
    assert problem.field_name == ", ".join(name for name, _ in expected)
    assert problem.value_provided == ", ".join(f"{name}: {value}" for name, value in expected)

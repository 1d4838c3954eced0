"""Cross-file rules from File C to File B, on SQLite and PostgreSQL alike.

Rows are staged directly (B under job 1, C under job 2, one submission) and each rule is run through
``SqlAlchemyStagingArea.cross_failures``; its results become report rows with ``cross_file_problem``.
Each rule gets a minimal failing example (label, severity, fields, source row, difference) and a
minimal passing one.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence

import pytest

from broker_adapters.sqlalchemy.validation.rules import registered
from broker_adapters.sqlalchemy.validation.staging import SqlAlchemyStagingArea
from broker_core.file_types import FileType
from broker_core.tas import concat_tas, display_tas
from broker_core.validation.catalogue import load_catalogue
from broker_core.validation.cleaning import CleanedRow
from broker_core.validation.cross_problem import CrossFileProblem
from broker_core.validation.failures import cross_file_problem
from broker_core.validation.problem import Severity
from broker_core.validation.run import CrossFileRun, ValidationRun
from broker_core.validation.schema import schema_for

from .conftest import Adapter

SUBMISSION = 5
TAS_PARTS = {"agency_identifier": "019", "availability_type_code": "X", "main_account_code": "0306",
             "sub_account_code": "000"}  # fmt: skip
TAS = concat_tas(None, "019", None, None, "X", "0306", "000")
DISPLAY_TAS = display_tas(None, "019", None, None, "X", "0306", "000")
LONG_NAMES = {f.short_name: f.long_name for t in (FileType.B, FileType.C) for f in schema_for(t).fields}
CATALOGUE = load_catalogue()

#: One combination, written one way in B and another (equivalent) way in C.
B_COMBINATION = {"object_class": "111", "by_direct_reimbursable_fun": "D", "program_activity_code": "0001",
                 "program_activity_name": "PA ONE", "program_activity_reporting_key": "PARK1",
                 "disaster_emergency_fund_code": "A"}  # fmt: skip
C_COMBINATION = {"object_class": "1110", "by_direct_reimbursable_fun": "d", "program_activity_code": "0001",
                 "program_activity_name": "pa one", "program_activity_reporting_key": "park1",
                 "disaster_emergency_fund_code": "a"}  # fmt: skip


def staged(row_number: int, values: Mapping[str, str | None]) -> CleanedRow:
    return CleanedRow(
        row_number=row_number,
        values={**TAS_PARTS, **values},
        flex=(("flex_note", f"row {row_number}"),),
        tas=TAS,
        display_tas=DISPLAY_TAS,
    )


def run(job_id: int, file_type: FileType, fiscal_year: int) -> ValidationRun:
    return ValidationRun(
        job_id=job_id, file_type=file_type, fiscal_year=fiscal_year, period=6,
        reporting_start=dt.date(fiscal_year, 1, 1), reporting_end=dt.date(fiscal_year, 3, 31),
        submission_id=SUBMISSION,
    )  # fmt: skip


def cross(
    adapter: Adapter,
    label: str,
    b_rows: Sequence[Mapping[str, str | None]],
    c_rows: Sequence[Mapping[str, str | None]],
    *,
    fiscal_year: int = 2022,
) -> list[CrossFileProblem]:
    """Stage the rows (numbered from 2, after the header) and run the rule ``label`` (C to B)."""
    staging = SqlAlchemyStagingArea(adapter.engine)
    staging.insert(run(1, FileType.B, fiscal_year), [staged(n, r) for n, r in enumerate(b_rows, start=2)])
    staging.insert(run(2, FileType.C, fiscal_year), [staged(n, r) for n, r in enumerate(c_rows, start=2)])
    rule = CATALOGUE.get(label, FileType.C, FileType.B)
    cross_run = CrossFileRun(
        submission_id=SUBMISSION, fiscal_year=fiscal_year, period=6,
        reporting_start=dt.date(fiscal_year, 1, 1), reporting_end=dt.date(fiscal_year, 3, 31),
    )  # fmt: skip
    return [
        cross_file_problem(rule, result.columns, LONG_NAMES, result.flex_field)
        for result in staging.cross_failures(cross_run, rule)
    ]


def test_every_b_c_rule_has_a_query() -> None:
    rules = CATALOGUE.cross_file(FileType.B, FileType.C)
    assert len(rules) == 12
    assert {r.identity for r in rules} <= registered()


# ----------------------------------------------------------------------------- B20: combinations exist in B


def b_row(**values: str | None) -> dict[str, str | None]:
    return {**B_COMBINATION, "prior_year_adjustment": "X", **values}


def c_row(**values: str | None) -> dict[str, str | None]:
    return {**C_COMBINATION, "prior_year_adjustment": "x", **values}


PAC_PAN_ID = "ProgramActivityCode: {pac}, ProgramActivityName: {pan}, ObjectClass: 1110, DisasterEmergencyFundCode: {defc}"


def assert_b20(problem: CrossFileProblem, label: str, row_number: int, activity_id: str, fields: str) -> None:
    assert problem.rule_label == label
    assert problem.severity is Severity.FATAL
    assert (problem.source_file, problem.target_file) == ("award_financial", "program_activity")
    assert problem.source_row_number == row_number
    assert problem.source_flex_field == f"flex_note: row {row_number}"
    assert problem.unique_id == f"TAS: {DISPLAY_TAS}, {activity_id}"
    assert problem.source_field_name == fields
    assert (problem.target_field_name, problem.target_value_provided, problem.difference) == ("", "", "")


def test_b20_1_1_fails_for_a_pac_pan_combination_missing_from_b(adapter: Adapter) -> None:
    found = cross(adapter, "B20.1.1", [b_row()], [c_row(), c_row(program_activity_name="PA TWO")])
    assert len(found) == 1
    assert_b20(
        found[0], "B20.1.1", 3, PAC_PAN_ID.format(pac="0001", pan="PA TWO", defc="a"),
        "disasteremergencyfundcode, objectclass, prioryearadjustment, programactivitycode, programactivityname, tas",
    )  # fmt: skip
    assert found[0].source_value_provided == (
        "disasteremergencyfundcode: a, objectclass: 1110, prioryearadjustment: x, programactivitycode: 0001, "
        f"programactivityname: PA TWO, tas: {DISPLAY_TAS}"
    )


def test_b20_1_1_passes_for_equivalent_combinations(adapter: Adapter) -> None:
    c_rows = [
        c_row(),  # ###0 = ###, case-insensitive PAN and DEFC
        c_row(program_activity_code=None),  # a blank or 0000 PAC matches any PAC
        c_row(program_activity_code="0000"),
        c_row(program_activity_name=None),  # a blank PAN matches any PAN
        c_row(object_class="9", prior_year_adjustment="B"),  # PYA B: not this rule's
        c_row(object_class="9", program_activity_code=None, program_activity_name=None),  # no PAC/PAN
    ]
    assert cross(adapter, "B20.1.1", [b_row()], c_rows) == []


def test_b20_1_1_exempts_the_optional_placeholder_before_fy21(adapter: Adapter) -> None:
    placeholder = c_row(program_activity_code="OPTN", program_activity_name="Field is optional prior to FY21")
    assert cross(adapter, "B20.1.1", [b_row()], [placeholder], fiscal_year=2020) == []


def test_b20_1_1_does_not_exempt_the_placeholder_from_fy21(adapter: Adapter) -> None:
    placeholder = c_row(program_activity_code="OPTN", program_activity_name="Field is optional prior to FY21")
    found = cross(adapter, "B20.1.1", [b_row()], [placeholder], fiscal_year=2021)
    assert [(p.rule_label, p.source_row_number) for p in found] == [("B20.1.1", 2)]


def test_b20_1_2_fails_for_a_combination_without_pya_missing_from_b(adapter: Adapter) -> None:
    found = cross(
        adapter, "B20.1.2", [b_row()], [c_row(prior_year_adjustment=None, disaster_emergency_fund_code="Q")]
    )
    assert len(found) == 1
    assert_b20(
        found[0], "B20.1.2", 2, PAC_PAN_ID.format(pac="0001", pan="pa one", defc="Q"),
        "disasteremergencyfundcode, objectclass, programactivitycode, programactivityname, tas",
    )  # fmt: skip


def test_b20_1_2_passes_for_a_combination_in_b_under_any_pya(adapter: Adapter) -> None:
    b_rows = [b_row(prior_year_adjustment="B")]
    c_rows = [c_row(prior_year_adjustment=None), c_row(object_class="9")]  # PYA X: B20.1.1's
    assert cross(adapter, "B20.1.2", b_rows, c_rows) == []


def test_b20_2_1_fails_for_a_park_combination_missing_from_b_with_pya_x(adapter: Adapter) -> None:
    found = cross(adapter, "B20.2.1", [b_row(prior_year_adjustment="B")], [c_row()])
    assert len(found) == 1
    assert_b20(
        found[0], "B20.2.1", 2, "ProgramActivityReportingKey: park1, ObjectClass: 1110, DisasterEmergencyFundCode: a",
        "disasteremergencyfundcode, objectclass, prioryearadjustment, programactivityreportingkey, tas",
    )  # fmt: skip


def test_b20_2_1_passes_for_a_park_combination_in_b(adapter: Adapter) -> None:
    c_rows = [
        c_row(program_activity_code="9999"),
        c_row(object_class="9", program_activity_reporting_key=None),
    ]
    assert cross(adapter, "B20.2.1", [b_row()], c_rows) == []


def test_b20_2_2_fails_for_a_park_combination_without_pya_missing_from_b(adapter: Adapter) -> None:
    found = cross(
        adapter, "B20.2.2", [b_row()], [c_row(prior_year_adjustment="", program_activity_reporting_key="P2")]
    )
    assert len(found) == 1
    assert_b20(
        found[0], "B20.2.2", 2, "ProgramActivityReportingKey: P2, ObjectClass: 1110, DisasterEmergencyFundCode: a",
        "disasteremergencyfundcode, objectclass, programactivityreportingkey, tas",
    )  # fmt: skip


def test_b20_2_2_passes_for_a_park_combination_in_b_under_any_pya(adapter: Adapter) -> None:
    c_rows = [
        c_row(prior_year_adjustment=None),
        c_row(program_activity_reporting_key="P2"),
    ]  # PYA X: B20.2.1's
    assert cross(adapter, "B20.2.2", [b_row(prior_year_adjustment="P")], c_rows) == []


# ----------------------------------------------------------------------------- C20, C21, C26: balances within B's

OBLIGATION = "ussgl480100_undelivered_or_fyb"  # negative: C may not be below B
DOWNWARD = "ussgl487100_downward_adjus_cpe"  # positive: C may not be above B

#: Label → (combination fields, Unique ID after the TAS, whether it sums by PYA too).
BALANCE_RULES = {
    "C20.1": (("object_class", "by_direct_reimbursable_fun"), "ObjectClass: 1110, ByDirectReimbursableFundingSource: D", True),
    "C20.2": (("object_class", "by_direct_reimbursable_fun"), "ObjectClass: 1110, ByDirectReimbursableFundingSource: D", False),
    "C21.1.1": (("program_activity_code", "program_activity_name"), "ProgramActivityCode: 0001, ProgramActivityName: PA ONE", True),
    "C21.1.2": (("program_activity_code", "program_activity_name"), "ProgramActivityCode: 0001, ProgramActivityName: PA ONE", False),
    "C21.2.1": (("program_activity_reporting_key",), "ProgramActivityReportingKey: PARK1", True),
    "C21.2.2": (("program_activity_reporting_key",), "ProgramActivityReportingKey: PARK1", False),
    "C26.1": (("disaster_emergency_fund_code",), "DisasterEmergencyFundCode: A", True),
    "C26.2": (("disaster_emergency_fund_code",), "DisasterEmergencyFundCode: A", False),
}  # fmt: skip


def balance_rows(label: str) -> tuple[Mapping[str, str | None], Mapping[str, str | None], bool]:
    """A B row and a C row holding only the rule's combination (C's written differently), and the PYA flag."""
    fields, _, with_pya = BALANCE_RULES[label]
    return {f: B_COMBINATION[f] for f in fields}, {f: C_COMBINATION[f] for f in fields}, with_pya


@pytest.mark.parametrize("label", list(BALANCE_RULES))
def test_balance_rule_fails_where_c_goes_beyond_b(adapter: Adapter, label: str) -> None:
    b, c, with_pya = balance_rows(label)
    pya = "x" if with_pya else None
    b_rows = [{**b, "prior_year_adjustment": "X", OBLIGATION: "-100", DOWNWARD: "50"}]
    c_rows = [
        {**c, "prior_year_adjustment": pya, OBLIGATION: "-40.50", DOWNWARD: "30"},
        {**c, "prior_year_adjustment": pya, OBLIGATION: "-60.50", DOWNWARD: "30"},
    ]
    found = cross(adapter, label, b_rows, c_rows)
    assert len(found) == 1
    problem = found[0]
    assert problem.rule_label == label
    assert problem.severity is Severity.WARNING
    assert (problem.source_file, problem.target_file) == ("award_financial", "program_activity")
    assert (problem.source_row_number, problem.source_flex_field) == (None, "")
    assert problem.difference == f"{OBLIGATION}_sum: -1.00, {DOWNWARD}_sum: 10"
    pya_id = ", PriorYearAdjustment: X" if with_pya else ""
    assert problem.unique_id == f"TAS: {DISPLAY_TAS}, {BALANCE_RULES[label][1]}{pya_id}"
    assert f"{OBLIGATION}_sum_c: -101.00" in problem.source_value_provided
    assert f"{DOWNWARD}_sum_c: 60" in problem.source_value_provided
    assert f"tas: {DISPLAY_TAS}" in problem.source_value_provided
    assert f"{OBLIGATION}_sum_b: -100" in problem.target_value_provided
    assert "gross_outlay_amount_by_pro_cpe_sum_b: 0" in problem.target_value_provided
    assert ("prioryearadjustment" in problem.source_field_name) is with_pya
    assert problem.target_field_name.split(", ")[0] == "deobligations_recov_by_pro_cpe_sum_b"


@pytest.mark.parametrize("label", list(BALANCE_RULES))
def test_balance_rule_passes_where_c_stays_within_b(adapter: Adapter, label: str) -> None:
    b, c, with_pya = balance_rows(label)
    b_rows = [
        {**b, "prior_year_adjustment": "X", OBLIGATION: "-100", DOWNWARD: "50"},
        {**b, "prior_year_adjustment": "B", OBLIGATION: "-1000"},
    ]
    if with_pya:  # summed by PYA: X with X, B with B; rows without PYA are the other rule's
        c_rows = [
            {**c, "prior_year_adjustment": "x", OBLIGATION: "-60", DOWNWARD: "50"},
            {**c, "prior_year_adjustment": "X", OBLIGATION: "-40"},
            {**c, "prior_year_adjustment": "b", OBLIGATION: "-999.99"},
            {**c, "prior_year_adjustment": None, OBLIGATION: "-5000"},
        ]
    else:  # B summed over every PYA; rows with a PYA are the other rule's
        c_rows = [
            {**c, "prior_year_adjustment": None, OBLIGATION: "-1100.00", DOWNWARD: "49.99"},
            {**c, "prior_year_adjustment": "X", OBLIGATION: "-5000"},
        ]
    assert cross(adapter, label, b_rows, c_rows) == []


def test_c26_2_counts_a_combination_missing_from_b_as_zero(adapter: Adapter) -> None:
    b_rows = [{"disaster_emergency_fund_code": "A", "prior_year_adjustment": "X", OBLIGATION: "-100"}]
    c_rows = [{"disaster_emergency_fund_code": "Q", OBLIGATION: "-5"}]
    found = cross(adapter, "C26.2", b_rows, c_rows)
    assert [(p.unique_id, p.difference) for p in found] == [
        (f"TAS: {DISPLAY_TAS}, DisasterEmergencyFundCode: Q", f"{OBLIGATION}_sum: -5")
    ]
    assert f"{OBLIGATION}_sum_b: ," in found[0].target_value_provided  # no such combination in B


def test_c21_1_2_leaves_rows_without_pac_pan_out(adapter: Adapter) -> None:
    b_rows = [{**B_COMBINATION, "prior_year_adjustment": "X", OBLIGATION: "-100"}]
    c_rows = [{"program_activity_reporting_key": "PARK1", OBLIGATION: "-5000"}]
    assert cross(adapter, "C21.1.2", b_rows, c_rows) == []

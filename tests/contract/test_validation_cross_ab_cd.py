"""Cross-file rules A↔B and C↔D1/D2, and the cross-file job over them, on SQLite and PostgreSQL alike.

Rows are staged directly under one submission (one job per file) and each rule runs through
``SqlAlchemyStagingArea.cross_failures``; its results become report rows with ``cross_file_problem``.
Each rule gets a minimal failing example (label, severity, source/target fields, source row) and a
minimal passing one.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Mapping
from pathlib import Path

import pytest
from sqlalchemy import select

from broker_adapters.local_storage import LocalFileStorage
from broker_adapters.sqlalchemy import tables
from broker_adapters.sqlalchemy.validation.staging import SqlAlchemyStagingArea
from broker_core.file_types import FileType
from broker_core.validation.catalogue import load_catalogue
from broker_core.validation.cleaning import CleanedRow, derive_display_tas, derive_tas
from broker_core.validation.cross_problem import CrossFileProblem
from broker_core.validation.cross_service import CrossFileValidationService
from broker_core.validation.failures import cross_file_problem
from broker_core.validation.metadata import Totals
from broker_core.validation.problem import Severity
from broker_core.validation.run import CrossFileRun, ValidationRun
from broker_core.validation.schema import schema_for

from .conftest import Adapter

SUBMISSION = 9
JOBS = {FileType.A: 11, FileType.B: 12, FileType.C: 13, FileType.D1: 14, FileType.D2: 15}
CATALOGUE = load_catalogue()
CROSS_RUN = CrossFileRun(
    submission_id=SUBMISSION, fiscal_year=2017, period=6,
    reporting_start=dt.date(2017, 1, 1), reporting_end=dt.date(2017, 3, 31),
)  # fmt: skip

#: 019-2016/2016-0113-000, the TAS of the original's A18 example; and a second one.
T1 = {"agency_identifier": "019", "beginning_period_of_availa": "2016", "ending_period_of_availabil": "2016",
      "main_account_code": "0113", "sub_account_code": "000"}  # fmt: skip
T2 = {**T1, "main_account_code": "0114"}


def staged(file_type: FileType, row_number: int, values: Mapping[str, str | None]) -> CleanedRow:
    flex = (("flex_field_a", "FLEX_A"), ("flex_field_b", f"row {row_number}"))
    if file_type.is_d_file:
        return CleanedRow(row_number=row_number, values=dict(values), flex=flex)
    return CleanedRow(
        row_number=row_number,
        values=dict(values),
        flex=flex,
        tas=derive_tas(values),
        display_tas=derive_display_tas(values),
    )


def stage(adapter: Adapter, file_type: FileType, *rows: Mapping[str, str | None], first_row: int = 2) -> None:
    """Stage ``rows`` of ``file_type`` under the submission, numbered from ``first_row``."""
    run = ValidationRun(
        job_id=JOBS[file_type], file_type=file_type, fiscal_year=2017, period=6,
        reporting_start=dt.date(2017, 1, 1), reporting_end=dt.date(2017, 3, 31), submission_id=SUBMISSION,
    )  # fmt: skip
    rows_ = [staged(file_type, n, r) for n, r in enumerate(rows, start=first_row)]
    SqlAlchemyStagingArea(adapter.engine).insert(run, rows_)


def problems(adapter: Adapter, label: str, source: FileType, target: FileType) -> list[CrossFileProblem]:
    rule = CATALOGUE.get(label, source, target)
    long_names = {f.short_name: f.long_name for t in (source, target) for f in schema_for(t).fields}
    results = SqlAlchemyStagingArea(adapter.engine).cross_failures(CROSS_RUN, rule)
    return [cross_file_problem(rule, r.columns, long_names, r.flex_field) for r in results]


def b_row(tas: Mapping[str, str], pya: str | None = "X", **amounts: str) -> dict[str, str | None]:
    return {**tas, "prior_year_adjustment": pya, **amounts}


# ----------------------------------------------------------------------------- A ↔ B


def test_a18_the_originals_example(adapter: Adapter) -> None:
    stage(adapter, FileType.A, {**T1, "gross_outlay_amount_by_tas_cpe": "10000"}, first_row=5)
    stage(adapter, FileType.B, b_row(T1, gross_outlay_amount_by_pro_cpe="4000"),
          b_row(T1, "x", gross_outlay_amount_by_pro_cpe="2000"),
          b_row(T1, "B", gross_outlay_amount_by_pro_cpe="4000"))  # fmt: skip  # not PYA X: not summed
    (problem,) = problems(adapter, "A18", FileType.A, FileType.B)
    assert problem == CrossFileProblem(
        unique_id="TAS: 019-2016/2016-0113-000",
        source_file="appropriations",
        source_field_name="grossoutlayamountbytas_cpe",
        target_file="program_activity",
        target_field_name="gross_outlay_amount_by_pro_cpe_sum",
        rule_message=CATALOGUE.get("A18", FileType.A, FileType.B).message,
        source_value_provided="grossoutlayamountbytas_cpe: 10000",
        target_value_provided="gross_outlay_amount_by_pro_cpe_sum: 6000",
        difference="4000",
        source_flex_field="flex_field_a: FLEX_A, flex_field_b: row 5",
        source_row_number=5,
        rule_label="A18",
        severity=Severity.WARNING,
    )


def test_a18_passes_when_the_pya_x_rows_add_up(adapter: Adapter) -> None:
    stage(adapter, FileType.A, {**T1, "gross_outlay_amount_by_tas_cpe": "6000.50"},
          {**T2, "gross_outlay_amount_by_tas_cpe": "1"})  # fmt: skip  # T2 has no B rows: not compared
    stage(adapter, FileType.B, b_row(T1, gross_outlay_amount_by_pro_cpe="6000.25"),
          b_row(T1, "x", gross_outlay_amount_by_pro_cpe="0.25"))  # fmt: skip
    assert problems(adapter, "A18", FileType.A, FileType.B) == []


def test_a19_compares_with_the_negated_sum(adapter: Adapter) -> None:
    stage(adapter, FileType.A, {**T1, "obligations_incurred_total_cpe": "100"},
          {**T2, "obligations_incurred_total_cpe": "100"})  # fmt: skip
    stage(adapter, FileType.B, b_row(T1, obligations_incurred_by_pr_cpe="-100"),
          b_row(T2, obligations_incurred_by_pr_cpe="50"))  # fmt: skip
    (problem,) = problems(adapter, "A19", FileType.A, FileType.B)
    assert (problem.rule_label, problem.severity, problem.source_row_number) == ("A19", Severity.WARNING, 3)
    assert problem.source_field_name == "obligationsincurredtotalbytas_cpe"
    assert problem.target_field_name == "obligations_incurred_by_pr_cpe_sum"
    assert problem.target_value_provided == "obligations_incurred_by_pr_cpe_sum: 50"
    assert problem.difference == "150"


A35_PARTS = ("ussgl487100_downward_adjus_cpe", "ussgl497100_downward_adjus_cpe",
             "ussgl487200_downward_adjus_cpe", "ussgl497200_downward_adjus_cpe")  # fmt: skip


def test_a35_compares_with_the_four_downward_adjustments(adapter: Adapter) -> None:
    stage(adapter, FileType.A, {**T1, "deobligations_recoveries_r_cpe": "8"},
          {**T2, "deobligations_recoveries_r_cpe": "7"})  # fmt: skip
    ones = dict.fromkeys(A35_PARTS, "1")
    stage(adapter, FileType.B, b_row(T1, **ones), b_row(T1, "x", **ones), b_row(T1, None, **ones),
          b_row(T2, **ones), b_row(T2, **ones))  # fmt: skip
    (problem,) = problems(adapter, "A35", FileType.A, FileType.B)
    assert (problem.rule_label, problem.severity, problem.source_row_number) == ("A35", Severity.WARNING, 3)
    assert problem.source_field_name == "deobligationsrecoveriesrefundsofprioryearbytas_cpe"
    assert problem.target_field_name == ", ".join(f"{p}_sum" for p in sorted(A35_PARTS))
    assert problem.difference == "-1"


def test_a30_1_a_tas_missing_from_b(adapter: Adapter) -> None:
    stage(adapter, FileType.A, T1, T2)
    stage(adapter, FileType.B, b_row(T1))
    (problem,) = problems(adapter, "A30.1", FileType.A, FileType.B)
    assert (problem.rule_label, problem.severity, problem.source_row_number) == ("A30.1", Severity.FATAL, 3)
    assert problem.unique_id == "TAS: 019-2016/2016-0114-000"
    assert problem.source_field_name == (
        "agencyidentifier, allocationtransferagencyidentifier, availabilitytypecode, "
        "beginningperiodofavailability, endingperiodofavailability, mainaccountcode, subaccountcode"
    )
    assert "mainaccountcode: 0114" in problem.source_value_provided
    assert (problem.target_field_name, problem.target_value_provided, problem.difference) == ("", "", "")


def test_a30_1_passes_when_every_tas_is_in_b(adapter: Adapter) -> None:
    stage(adapter, FileType.A, T1, T1)
    stage(adapter, FileType.B, b_row(T1, None))
    assert problems(adapter, "A30.1", FileType.A, FileType.B) == []


def test_a30_2_a_tas_missing_from_a_ignoring_zero_rows(adapter: Adapter) -> None:
    stage(adapter, FileType.A, T1)
    stage(adapter, FileType.B, b_row(T1, obligations_incurred_by_pr_cpe="5"),
          b_row(T2, obligations_incurred_by_pr_cpe="0", gross_outlay_amount_by_pro_cpe="0.00"),  # all zero
          b_row(T2, ussgl480100_undelivered_or_fyb="-1"))  # fmt: skip
    (problem,) = problems(adapter, "A30.2", FileType.B, FileType.A)
    assert (problem.rule_label, problem.severity, problem.source_row_number) == ("A30.2", Severity.FATAL, 4)
    assert (problem.source_file, problem.target_file) == ("program_activity", "appropriations")
    assert problem.unique_id == "TAS: 019-2016/2016-0114-000"
    assert problem.target_field_name == ""


def test_a30_2_passes_when_every_tas_is_in_a(adapter: Adapter) -> None:
    stage(adapter, FileType.A, T1)
    stage(adapter, FileType.B, b_row(T1, obligations_incurred_by_pr_cpe="5"), b_row(T2))
    assert problems(adapter, "A30.2", FileType.B, FileType.A) == []


# ----------------------------------------------------------------------------- C ↔ D1


def c_row(toa: str | None = "5", **values: str | None) -> dict[str, str | None]:
    return {**T1, "transaction_obligated_amou": toa, **values}


def test_c11_a_piid_missing_from_d1(adapter: Adapter) -> None:
    stage(adapter, FileType.C, c_row(piid="P1"), c_row(piid="P2", parent_award_id="PA"), c_row(piid="P3"))
    stage(adapter, FileType.D1, {"piid": "p1"}, {"piid": "P2", "parent_award_id": "OTHER"}, {"piid": "P3"})
    (problem,) = problems(adapter, "C11", FileType.C, FileType.D1)
    assert (problem.rule_label, problem.severity, problem.source_row_number) == ("C11", Severity.WARNING, 3)
    assert problem.source_field_name == "parentawardid, piid"
    assert problem.source_value_provided == "parentawardid: PA, piid: P2"
    assert problem.unique_id == "TAS: 019-2016/2016-0113-000, PIID: P2, ParentAwardId: PA"
    assert problem.target_field_name == ""


def test_c11_passes_for_matching_or_exempt_rows(adapter: Adapter) -> None:
    stage(adapter, FileType.C, c_row(piid="P1", parent_award_id="pa"),
          c_row(None, piid="NO-TOA"),
          c_row(piid="OTHER-ATA", allocation_transfer_agency="097"))  # fmt: skip
    stage(adapter, FileType.D1, {"piid": "p1", "parent_award_id": "PA"})
    assert problems(adapter, "C11", FileType.C, FileType.D1) == []


def test_c12_a_d1_award_missing_from_c(adapter: Adapter) -> None:
    stage(adapter, FileType.D1, {"piid": "P1", "federal_action_obligation": "0"},
          {"piid": "P2", "parent_award_id": "PA", "federal_action_obligation": "-10.5"})  # fmt: skip
    stage(adapter, FileType.C, c_row(piid="P2"))
    (problem,) = problems(adapter, "C12", FileType.D1, FileType.C)
    assert (problem.rule_label, problem.severity, problem.source_row_number) == ("C12", Severity.WARNING, 3)
    assert (problem.source_file, problem.target_file) == ("award_procurement", "award_financial")
    assert problem.source_field_name == "parentawardid, piid"
    assert problem.unique_id == "PIID: P2, ParentAwardId: PA"
    assert problem.source_flex_field == "flex_field_a: FLEX_A, flex_field_b: row 3"


def test_c12_passes_when_c_has_the_award(adapter: Adapter) -> None:
    stage(adapter, FileType.D1, {"piid": "P1", "parent_award_id": "PA", "federal_action_obligation": "3"})
    stage(adapter, FileType.C, c_row(piid="p1", parent_award_id="pa"))
    assert problems(adapter, "C12", FileType.D1, FileType.C) == []


def test_c23_1_sums_per_piid(adapter: Adapter) -> None:
    stage(adapter, FileType.C, c_row("5", piid="P1"), c_row("3", piid="p1"),
          c_row("100", piid="P1", allocation_transfer_agency="097"),  # ATA is not the AID: left out
          c_row("4", piid="P2"))  # fmt: skip
    stage(adapter, FileType.D1, {"piid": "P1", "federal_action_obligation": "-7"},
          {"piid": "P2", "federal_action_obligation": "-4.00"})  # fmt: skip
    (problem,) = problems(adapter, "C23.1", FileType.C, FileType.D1)
    assert (problem.rule_label, problem.severity, problem.source_row_number) == (
        "C23.1",
        Severity.WARNING,
        None,
    )
    assert problem.source_field_name == "piid, transaction_obligated_amou_sum"
    assert problem.source_value_provided == "piid: P1, transaction_obligated_amou_sum: 8"
    assert problem.target_field_name == "federal_action_obligation_sum"
    assert problem.difference == "1"
    assert (problem.unique_id, problem.source_flex_field) == ("PIID: P1", "")


def test_c23_1_passes_when_the_sums_offset(adapter: Adapter) -> None:
    stage(adapter, FileType.C, c_row("5", piid="P1"), c_row("3", piid="P1"), c_row("9", piid="NOT-IN-D1"))
    stage(adapter, FileType.D1, {"piid": "P1", "federal_action_obligation": "-8"})
    assert problems(adapter, "C23.1", FileType.C, FileType.D1) == []


def test_c23_2_sums_per_piid_and_parent(adapter: Adapter) -> None:
    stage(adapter, FileType.C, c_row("5", piid="P1", parent_award_id="PA"), c_row("5", piid="P1"))
    stage(adapter, FileType.D1, {"piid": "P1", "parent_award_id": "pa", "federal_action_obligation": "5"},
          {"piid": "P1", "federal_action_obligation": "-5"})  # fmt: skip
    (problem,) = problems(adapter, "C23.2", FileType.C, FileType.D1)
    assert (problem.rule_label, problem.severity, problem.source_row_number) == (
        "C23.2",
        Severity.WARNING,
        None,
    )
    assert problem.source_field_name == "parentawardid, piid, transaction_obligated_amou_sum"
    assert problem.target_value_provided == "federal_action_obligation_sum: 5"
    assert problem.difference == "10"
    assert problem.unique_id == "PIID: P1, ParentAwardId: PA"


def test_c23_2_passes_when_the_sums_offset(adapter: Adapter) -> None:
    stage(adapter, FileType.C, c_row("5", piid="P1", parent_award_id="PA"))
    stage(adapter, FileType.D1, {"piid": "P1", "parent_award_id": "PA", "federal_action_obligation": "-5"})
    assert problems(adapter, "C23.2", FileType.C, FileType.D1) == []


# ----------------------------------------------------------------------------- C ↔ D2


def d2_row(record_type: str, **values: str) -> dict[str, str | None]:
    return {"record_type": record_type, "assistance_type": "02", **values}


def test_c8_a_fain_or_uri_missing_from_d2(adapter: Adapter) -> None:
    stage(adapter, FileType.C, c_row(fain="F1"), c_row(uri="U1"), c_row(fain="F2"))
    stage(adapter, FileType.D2, d2_row("1", fain="F1"), d2_row("1", uri="u1"), d2_row("3", fain="f2"))
    (problem,) = problems(adapter, "C8", FileType.C, FileType.D2)
    assert (problem.rule_label, problem.severity, problem.source_row_number) == ("C8", Severity.WARNING, 2)
    assert (problem.source_file, problem.target_file) == ("award_financial", "award")
    assert problem.source_field_name == "fain, uri"
    assert problem.source_value_provided == "fain: F1, uri: "
    assert problem.unique_id == "TAS: 019-2016/2016-0113-000, FAIN: F1, URI: "


def test_c8_passes_for_matching_or_exempt_rows(adapter: Adapter) -> None:
    stage(adapter, FileType.C, c_row(fain="F1"), c_row(None, fain="NO-TOA"),
          c_row(fain="ATA", allocation_transfer_agency="097"))  # fmt: skip
    stage(adapter, FileType.D2, d2_row("2", fain="F1"))
    assert problems(adapter, "C8", FileType.C, FileType.D2) == []


def test_c9_a_d2_award_missing_from_c(adapter: Adapter) -> None:
    stage(adapter, FileType.D2, d2_row("2", fain="F1", federal_action_obligation="10"),
          d2_row("1", uri="U1", assistance_type="07", original_loan_subsidy_cost="2.5"),
          d2_row("2", fain="F3", assistance_type="F004", original_loan_subsidy_cost="-1"),  # loan, no cost
          d2_row("3", fain="F4", federal_action_obligation="0"))  # fmt: skip  # obligates nothing
    stage(adapter, FileType.C, c_row(None, fain="F1"))  # no TOA: does not count
    found = problems(adapter, "C9", FileType.D2, FileType.C)
    assert [(p.rule_label, p.severity, p.source_row_number) for p in found] == [
        ("C9", Severity.WARNING, 2),
        ("C9", Severity.WARNING, 3),
    ]
    assert found[0].source_field_name == "fain, federalactionobligation, uri"
    assert found[0].difference == "10"
    assert (found[0].source_file, found[0].target_file) == ("award", "award_financial")
    assert found[1].unique_id == "FAIN: , URI: U1"


def test_c9_passes_when_c_has_the_award(adapter: Adapter) -> None:
    stage(adapter, FileType.D2, d2_row("2", fain="F1", federal_action_obligation="10"),
          d2_row("1", uri="U1", federal_action_obligation="10"))  # fmt: skip
    stage(adapter, FileType.C, c_row(fain="f1"), c_row(uri="u1"))
    assert problems(adapter, "C9", FileType.D2, FileType.C) == []


def test_c23_3_sums_per_fain_with_loan_subsidy_costs(adapter: Adapter) -> None:
    stage(adapter, FileType.C, c_row("10", fain="F1"), c_row("-1", fain="F2"))
    stage(adapter, FileType.D2, d2_row("2", fain="F1", federal_action_obligation="6"),
          d2_row("3", fain="F1", assistance_type="07", federal_action_obligation="99",
                 original_loan_subsidy_cost="4"),
          d2_row("1", fain="F1", federal_action_obligation="1000"),  # aggregate: compared by URI
          d2_row("2", fain="F2", federal_action_obligation="1"))  # fmt: skip
    (problem,) = problems(adapter, "C23.3", FileType.C, FileType.D2)
    assert (problem.rule_label, problem.severity, problem.source_row_number) == (
        "C23.3",
        Severity.WARNING,
        None,
    )
    assert problem.source_field_name == "fain, transaction_obligated_amou_sum"
    assert problem.target_field_name == "federal_action_obligation_sum, original_loan_subsidy_cost_sum"
    assert (
        problem.target_value_provided == "federal_action_obligation_sum: 6, original_loan_subsidy_cost_sum: 4"
    )
    assert problem.difference == "20"
    assert problem.unique_id == "FAIN: F1"


def test_c23_3_passes_when_the_sums_offset(adapter: Adapter) -> None:
    stage(adapter, FileType.C, c_row("-10", fain="F1"))
    stage(adapter, FileType.D2, d2_row("2", fain="f1", federal_action_obligation="6"),
          d2_row("2", fain="F1", assistance_type="f003", original_loan_subsidy_cost="4"))  # fmt: skip
    assert problems(adapter, "C23.3", FileType.C, FileType.D2) == []


def test_c23_4_sums_per_uri(adapter: Adapter) -> None:
    stage(adapter, FileType.C, c_row("3", uri="U1"))
    stage(adapter, FileType.D2, d2_row("1", uri="U1", federal_action_obligation="3"))
    (problem,) = problems(adapter, "C23.4", FileType.C, FileType.D2)
    assert (problem.rule_label, problem.severity, problem.source_row_number) == (
        "C23.4",
        Severity.WARNING,
        None,
    )
    assert problem.source_field_name == "transaction_obligated_amou_sum, uri"
    assert problem.difference == "6"
    assert problem.unique_id == "URI: U1"


def test_c23_4_passes_when_the_sums_offset(adapter: Adapter) -> None:
    stage(adapter, FileType.C, c_row("3", uri="U1"))
    stage(adapter, FileType.D2, d2_row("1", uri="U1", federal_action_obligation="-3"),
          d2_row("2", uri="U1", federal_action_obligation="50"))  # fmt: skip  # non-aggregate: by FAIN
    assert problems(adapter, "C23.4", FileType.C, FileType.D2) == []


# ----------------------------------------------------------------------------- staging and the job


def test_d_file_numbers_that_are_not_numbers_are_staged_as_null(adapter: Adapter) -> None:
    stage(adapter, FileType.D2, d2_row("x", fain="F1", federal_action_obligation="abc"),
          d2_row("2", fain="F2", federal_action_obligation="1,000.50"))  # fmt: skip
    stage(adapter, FileType.D1, {"piid": "P1", "federal_action_obligation": " "})
    d2, d1 = tables.award_financial_assistance, tables.award_procurement
    with adapter.engine.connect() as conn:
        staged_d2 = conn.execute(
            select(d2.c.record_type, d2.c.federal_action_obligation).order_by(d2.c.row_number)
        )
        assert [tuple(r) for r in staged_d2] == [(None, None), (2, "1000.50")]
        assert conn.execute(select(d1.c.federal_action_obligation)).scalar_one() is None


def reports_rows(storage: LocalFileStorage, key: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(b"".join(storage.read(key)).decode())))


def test_the_cross_file_job_writes_every_pair(adapter: Adapter, tmp_path: Path) -> None:
    stage(adapter, FileType.A, {**T1, "gross_outlay_amount_by_tas_cpe": "10000"}, T2, first_row=5)
    stage(adapter, FileType.B, b_row(T1, gross_outlay_amount_by_pro_cpe="6000"))
    stage(adapter, FileType.C, c_row(piid="P1"))
    storage = LocalFileStorage(tmp_path / "reports", public_base_url="http://test/", secret_key=b"k")
    job = CrossFileValidationService(staging=SqlAlchemyStagingArea(adapter.engine), storage=storage)
    outcome = job.validate(CROSS_RUN)
    ab, _, cd1, cd2 = outcome.pairs
    assert ab.error_report == "SubID-9_File-A-to-B-crossfile-error-report_FY17P06.csv"
    assert [(r["Rule Label"], r["Source Row Number"]) for r in reports_rows(storage, ab.error_report)] == [
        ("A30.1", "6")
    ]
    (a18,) = reports_rows(storage, ab.warning_report)
    assert (a18["Rule Label"], a18["Source Row Number"], a18["Difference"]) == ("A18", "5", "4000")
    assert a18["Source Flex Field"] == "flex_field_a: FLEX_A, flex_field_b: row 5"
    assert [r["Rule Label"] for r in reports_rows(storage, cd1.warning_report)] == ["C11"]
    assert reports_rows(storage, cd2.warning_report) == []
    # B-C holds the B↔C rules' findings (another module's); the other pairs only these.
    assert (ab.totals, cd1.totals, cd2.totals) == (Totals(1, 1), Totals(0, 1), Totals(0, 0))
    mine = [(m.original_label, m.occurrences) for m in outcome.metadata if m.field_name != "award_financial"]
    assert mine == [("A30.1", 1), ("A18", 1)]
    assert ("C11", 1) in [(m.original_label, m.occurrences) for m in outcome.metadata]
    implemented = {"A18", "A19", "A35", "A30.1", "A30.2", "C8", "C9", "C11", "C12", "C23.1", "C23.2", "C23.3",
                   "C23.4"}  # fmt: skip
    assert implemented.isdisjoint(outcome.rules_not_run)


@pytest.mark.parametrize(
    ("label", "source", "target"),
    [("A18", FileType.A, FileType.B), ("C23.3", FileType.C, FileType.D2), ("C9", FileType.D2, FileType.C)],
)
def test_rules_see_only_their_submission(
    adapter: Adapter, label: str, source: FileType, target: FileType
) -> None:
    other = ValidationRun(
        job_id=99, file_type=FileType.A, fiscal_year=2017, period=6,
        reporting_start=dt.date(2017, 1, 1), reporting_end=dt.date(2017, 3, 31), submission_id=SUBMISSION + 1,
    )  # fmt: skip
    SqlAlchemyStagingArea(adapter.engine).insert(
        other, [staged(FileType.A, 2, {**T1, "gross_outlay_amount_by_tas_cpe": "1"})]
    )
    assert problems(adapter, label, source, target) == []

"""The cross-file job over an in-memory staging area: reports per pair, names, metadata, totals."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterator, Mapping, Sequence

import pytest

from broker_core.file_types import FileType
from broker_core.validation.catalogue import CROSS_FILE_PAIRS, Rule, load_catalogue
from broker_core.validation.cleaning import CleanedRow
from broker_core.validation.cross_service import CrossFileValidationService
from broker_core.validation.metadata import CROSS_FILE_NAME, ErrorType, Totals
from broker_core.validation.ports import RuleResult
from broker_core.validation.problem import Severity
from broker_core.validation.reports import CROSS_FILE_COLUMNS
from broker_core.validation.run import CrossFileRun, ValidationRun
from tests.unit.fakes import FakeStorage

RUN = CrossFileRun(
    submission_id=6,
    fiscal_year=2017,
    period=6,
    reporting_start=dt.date(2017, 1, 1),
    reporting_end=dt.date(2017, 3, 31),
)
CATALOGUE = load_catalogue()
A18 = CATALOGUE.get("A18", FileType.A, FileType.B)
A30_1 = CATALOGUE.get("A30.1", FileType.A, FileType.B)
C23_1 = CATALOGUE.get("C23.1", FileType.C, FileType.D1)

A18_ROW = {
    "source_row_number": 5,
    "source_value_gross_outlay_amount_by_tas_cpe": "10000",
    "target_value_gross_outlay_amount_by_pro_cpe_sum": "6000",
    "difference": "4000",
    "uniqueid_TAS": "019-2016/2016-0113-000",
}
FLEX = "flex_field_a: FLEX_A, flex_field_b: FLEX_B"


def a30_1_row(row_number: int) -> dict[str, object]:
    return {
        "source_row_number": row_number,
        "source_value_agency_identifier": "019",
        "source_value_main_account_code": "0113",
        "uniqueid_TAS": "019-X-0113-000",
    }


class FakeStaging:
    """Cross-file results by rule identity; implements only the rules it has results for (or ``runnable``)."""

    def __init__(
        self,
        results: Mapping[tuple[str, str, str | None], Sequence[RuleResult]],
        runnable: set[tuple[str, str, str | None]] | None = None,
    ) -> None:
        self.results = results
        self.runnable = set(results) if runnable is None else runnable
        self.asked: list[str] = []

    def clear(self, run: ValidationRun) -> None:
        raise AssertionError("the cross-file job stages nothing")

    def insert(self, run: ValidationRun, rows: Sequence[CleanedRow]) -> None:
        raise AssertionError("the cross-file job stages nothing")

    def link_tas(self, run: ValidationRun) -> None:
        raise AssertionError("the cross-file job stages nothing")

    def implements(self, rule: Rule) -> bool:
        return rule.identity in self.runnable

    def failures(self, run: ValidationRun, rule: Rule) -> Iterator[RuleResult]:
        raise AssertionError("the cross-file job runs cross-file rules only")

    def cross_failures(self, run: CrossFileRun, rule: Rule) -> Iterator[RuleResult]:
        assert run == RUN
        self.asked.append(rule.label)
        yield from self.results.get(rule.identity, ())


def service(staging: FakeStaging, storage: FakeStorage, prefix: str = "") -> CrossFileValidationService:
    return CrossFileValidationService(staging=staging, storage=storage, report_prefix=prefix)


def rows(storage: FakeStorage, key: str) -> list[dict[str, str]]:
    text = storage.objects[key].decode()
    reader = csv.reader(io.StringIO(text))
    assert next(reader) == list(CROSS_FILE_COLUMNS)
    return [dict(zip(CROSS_FILE_COLUMNS, cells, strict=True)) for cells in reader]


def test_every_pair_gets_both_reports_even_when_nothing_fails() -> None:
    storage = FakeStorage()
    outcome = service(FakeStaging({}), storage, prefix="errors/").validate(RUN)
    assert [p.name for p in outcome.pairs] == ["A-B", "B-C", "C-D1", "C-D2"]
    assert [p.pair for p in outcome.pairs] == list(CROSS_FILE_PAIRS)
    assert outcome.report_keys == (
        "errors/SubID-6_File-A-to-B-crossfile-error-report_FY17P06.csv",
        "errors/SubID-6_File-A-to-B-crossfile-warning-report_FY17P06.csv",
        "errors/SubID-6_File-B-to-C-crossfile-error-report_FY17P06.csv",
        "errors/SubID-6_File-B-to-C-crossfile-warning-report_FY17P06.csv",
        "errors/SubID-6_File-C-to-D1-crossfile-error-report_FY17P06.csv",
        "errors/SubID-6_File-C-to-D1-crossfile-warning-report_FY17P06.csv",
        "errors/SubID-6_File-C-to-D2-crossfile-error-report_FY17P06.csv",
        "errors/SubID-6_File-C-to-D2-crossfile-warning-report_FY17P06.csv",
    )
    for key in outcome.report_keys:
        assert rows(storage, key) == []
    assert outcome.metadata == ()
    assert outcome.totals == Totals(0, 0)
    assert not outcome.has_fatal_errors


def test_a18_warning_row_as_the_original_reports_it() -> None:
    storage = FakeStorage()
    outcome = service(FakeStaging({A18.identity: [RuleResult(A18_ROW, FLEX)]}), storage).validate(RUN)
    ab = outcome.pairs[0]
    assert rows(storage, ab.error_report) == []
    assert rows(storage, ab.warning_report) == [
        {
            "Unique ID": "TAS: 019-2016/2016-0113-000",
            "Source File": "appropriations",
            "Source Field Name": "grossoutlayamountbytas_cpe",
            "Target File": "program_activity",
            "Target Field Name": "gross_outlay_amount_by_pro_cpe_sum",
            "Rule Message": A18.message,
            "Source Value Provided": "grossoutlayamountbytas_cpe: 10000",
            "Target Value Provided": "gross_outlay_amount_by_pro_cpe_sum: 6000",
            "Difference": "4000",
            "Source Flex Field": FLEX,
            "Source Row Number": "5",
            "Rule Label": "A18",
        }
    ]
    assert ab.totals == Totals(0, 1)
    assert outcome.totals == Totals(0, 1)
    assert not outcome.has_fatal_errors


def test_fatal_rules_go_to_the_error_report_and_count_as_errors() -> None:
    storage = FakeStorage()
    results = {A30_1.identity: [RuleResult(a30_1_row(n)) for n in (2, 7, 12)]}
    outcome = service(FakeStaging(results), storage).validate(RUN)
    ab = outcome.pairs[0]
    report = rows(storage, ab.error_report)
    assert [r["Source Row Number"] for r in report] == ["2", "7", "12"]
    assert {(r["Target Field Name"], r["Target Value Provided"], r["Difference"]) for r in report} == {
        ("", "", "")
    }
    assert report[0]["Source Field Name"] == "agencyidentifier, mainaccountcode"
    assert rows(storage, ab.warning_report) == []
    assert outcome.totals == Totals(3, 0)
    assert outcome.has_fatal_errors
    (entry,) = outcome.metadata
    assert entry.filename == CROSS_FILE_NAME
    assert entry.field_name == "appropriations"
    assert (entry.file_type, entry.target_file_type) == ("appropriations", "program_activity")
    assert (entry.original_label, entry.occurrences, entry.first_row) == ("A30.1", 3, 2)
    assert entry.error_type is ErrorType.RULE_FAILED
    assert entry.severity is Severity.FATAL


def test_aggregate_failures_have_no_row_and_no_flex() -> None:
    storage = FakeStorage()
    result = RuleResult(
        {
            "source_row_number": None,
            "source_value_piid": "P1",
            "source_value_transaction_obligated_amou_sum": "10",
            "target_value_federal_action_obligation_sum": "-4",
            "difference": "6",
            "uniqueid_PIID": "P1",
        },
        flex_field="ignored: yes",
    )
    outcome = service(FakeStaging({C23_1.identity: [result]}), storage).validate(RUN)
    cd1 = outcome.pairs[2]
    (row,) = rows(storage, cd1.warning_report)
    assert (row["Source Row Number"], row["Source Flex Field"]) == ("", "")
    assert row["Source Field Name"] == "piid, transaction_obligated_amou_sum"
    assert row["Target Field Name"] == "federal_action_obligation_sum"
    assert (row["Source File"], row["Target File"], row["Rule Label"]) == (
        "award_financial",
        "award_procurement",
        "C23.1",
    )
    assert cd1.totals == Totals(0, 1)


def test_metadata_counts_each_rule_once_per_pair_in_first_seen_order() -> None:
    a19 = CATALOGUE.get("A19", FileType.A, FileType.B)
    a35 = CATALOGUE.get("A35", FileType.A, FileType.B)
    results = {
        rule.identity: [RuleResult({"source_row_number": n}) for n in (3, 4, 5)] for rule in (A18, a19, a35)
    }
    outcome = service(FakeStaging(results), FakeStorage()).validate(RUN)
    assert [(m.original_label, m.occurrences) for m in outcome.metadata] == [
        ("A18", 3),
        ("A19", 3),
        ("A35", 3),
    ]
    assert outcome.totals == Totals(0, 9)


def test_rules_the_staging_area_lacks_are_reported_not_run() -> None:
    staging = FakeStaging({}, runnable={A18.identity})
    outcome = service(staging, FakeStorage()).validate(RUN)
    assert staging.asked == ["A18"]
    expected = [rule.label for pair in CROSS_FILE_PAIRS for rule in CATALOGUE.cross_file(pair) if rule != A18]
    assert list(outcome.rules_not_run) == expected
    assert len(expected) == 24
    assert "A18" not in outcome.pairs[0].rules_not_run
    assert outcome.pairs[3].rules_not_run == ("C8", "C9", "C23.3", "C23.4")


def test_every_cross_file_rule_is_asked_once_in_catalogue_order_by_severity() -> None:
    everything = {rule.identity for pair in CROSS_FILE_PAIRS for rule in CATALOGUE.cross_file(pair)}
    staging = FakeStaging({}, runnable=everything)
    outcome = service(staging, FakeStorage()).validate(RUN)
    assert outcome.rules_not_run == ()
    expected = []
    for pair in CROSS_FILE_PAIRS:
        rules = CATALOGUE.cross_file(pair)
        expected += [r.label for r in rules if r.severity is Severity.FATAL]
        expected += [r.label for r in rules if r.severity is Severity.WARNING]
    assert staging.asked == expected


def test_a_failing_rule_query_propagates_and_leaves_no_report_of_its_own() -> None:
    class Broken(FakeStaging):
        def cross_failures(self, run: CrossFileRun, rule: Rule) -> Iterator[RuleResult]:
            raise RuntimeError("database went away")
            yield  # pragma: no cover

    storage = FakeStorage()
    with pytest.raises(RuntimeError, match="went away"):
        service(Broken({}, runnable={A30_1.identity}), storage).validate(RUN)
    assert storage.objects == {}

"""File C (award financial) validated end to end through the staging area, on SQLite and PostgreSQL alike.

Each single-file rule that needs only the staged rows gets a minimal failing example (reported with its
label, in the report of its severity, with its fields and rows) and a minimal passing one (nothing
reported for that label); a few rules get more examples for the conditions their messages add.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterator
from pathlib import Path

import attrs
import pytest

from broker_adapters.local_storage import LocalFileStorage
from broker_adapters.sqlalchemy.validation.staging import SqlAlchemyStagingArea
from broker_core.file_types import FileType
from broker_core.validation.catalogue import load_catalogue
from broker_core.validation.metadata import FileStatus
from broker_core.validation.problem import Severity
from broker_core.validation.run import ValidationRun
from broker_core.validation.schema import FieldType, schema_for
from broker_core.validation.service import FileValidationService, ValidationOutcome

from .conftest import Adapter

FIELDS = schema_for(FileType.C).fields
LONG_NAMES = {f.short_name: f.long_name.lower() for f in FIELDS}
TOA = "transaction_obligated_amou"
BALANCES = [f.short_name for f in FIELDS if f.type is FieldType.DECIMAL and f.short_name != TOA]
TAS_PARTS = {"agency_identifier": "019", "availability_type_code": "X", "main_account_code": "0306",
             "sub_account_code": "000"}  # fmt: skip
KEYS = {"object_class": "2510", "by_direct_reimbursable_fun": "D", "disaster_emergency_fund_code": "Q",
        "program_activity_reporting_key": "PARK1", "piid": "P1"}  # fmt: skip


def run(fiscal_year: int) -> ValidationRun:
    return ValidationRun(
        job_id=7,
        file_type=FileType.C,
        fiscal_year=fiscal_year,
        period=6,
        reporting_start=dt.date(fiscal_year, 1, 1),
        reporting_end=dt.date(fiscal_year, 3, 31),
    )


@pytest.fixture
def service(adapter: Adapter, tmp_path: Path) -> FileValidationService:
    storage = LocalFileStorage(tmp_path / "reports", public_base_url="http://test/", secret_key=b"k")
    return FileValidationService(staging=SqlAlchemyStagingArea(adapter.engine), storage=storage)


def row(**values: str) -> dict[str, str]:
    """A balance row whose amounts are all 0 (so every sum rule holds) unless given; ``""`` is blank."""
    return {**TAS_PARTS, **KEYS, **dict.fromkeys(BALANCES, "0"), **values}


def toa_row(**values: str) -> dict[str, str]:
    """A TOA row: TransactionObligatedAmount and no balance."""
    return {**TAS_PARTS, **KEYS, TOA: "100", **values}


def file_c(*rows: dict[str, str]) -> bytes:
    names = [f.short_name for f in FIELDS]
    out = io.StringIO()
    writer = csv.DictWriter(out, names, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode()


def report(service: FileValidationService, key: str | None) -> list[dict[str, str]]:
    assert key is not None
    text = b"".join(service.storage.read(key)).decode()
    return list(csv.DictReader(io.StringIO(text)))


def validate(
    service: FileValidationService, *rows: dict[str, str], fiscal_year: int = 2025
) -> ValidationOutcome:
    outcome = service.validate(iter([file_c(*rows)]), "file_c.csv", run(fiscal_year))
    assert outcome.file_status is FileStatus.COMPLETE
    return outcome


def failures(
    service: FileValidationService, outcome: ValidationOutcome, label: str
) -> Iterator[tuple[Severity, dict[str, str]]]:
    """The report rows of ``label``, with the severity of the report they are in."""
    for severity, key in ((Severity.FATAL, outcome.error_report), (Severity.WARNING, outcome.warning_report)):
        for line in report(service, key):
            if line["Rule Label"] == label:
                yield severity, line


def names(*short_names: str) -> str:
    """Field Name of a report row: the fields' lowercased long names, sorted."""
    return ", ".join(sorted(LONG_NAMES.get(name, name) for name in short_names))


# ----------------------------------------------------------------------------- one failing and one passing example per rule


@attrs.frozen
class Case:
    label: str
    failing: tuple[dict[str, str], ...]
    fields: str
    rows: tuple[str, ...]
    passing: tuple[dict[str, str], ...]
    fiscal_year: int = 2025


_C3_2 = ("ussgl480100_undelivered_or_cpe", "ussgl480110_rein_undel_ord_cpe", "ussgl483100_undelivered_or_cpe",
         "ussgl488100_upward_adjustm_cpe")  # fmt: skip
_C4_2 = ("ussgl490100_delivered_orde_cpe", "ussgl490110_rein_deliv_ord_cpe", "ussgl493100_delivered_orde_cpe",
         "ussgl498100_upward_adjustm_cpe")  # fmt: skip
_C5_2 = ("gross_outlays_undelivered_cpe", "gross_outlays_delivered_or_cpe", "gross_outlays_undelivered_fyb",
         "gross_outlays_delivered_or_fyb")  # fmt: skip
_C6_2 = ("ussgl480200_undelivered_or_cpe", "ussgl480210_rein_undel_obs_cpe", "ussgl483200_undelivered_or_cpe",
         "ussgl488200_upward_adjustm_cpe")  # fmt: skip
_C7_2 = ("ussgl490200_delivered_orde_cpe", "ussgl490800_authority_outl_cpe", "ussgl498200_upward_adjustm_cpe")
_C18 = ("ussgl487100_downward_adjus_cpe", "ussgl487200_downward_adjus_cpe", "ussgl497100_downward_adjus_cpe",
        "ussgl497200_downward_adjus_cpe", "ussgl497210_down_adj_refun_cpe")  # fmt: skip
_C28 = ("tas", "object_class", "by_direct_reimbursable_fun", "disaster_emergency_fund_code", "fain", "uri", "piid",
        "parent_award_id", "prior_year_adjustment")  # fmt: skip
_PA = {"program_activity_reporting_key": "", "program_activity_code": "0001", "program_activity_name": "Name"}


def _sum_case(label: str, total: str, parts: tuple[str, ...], failing: tuple[str, ...], passing: tuple[str, ...],
              total_value: str = "10") -> Case:  # fmt: skip
    return Case(
        label,
        (row(**{total: total_value}, **dict(zip(parts, failing, strict=True))),),
        names(total, *parts),
        ("2",),
        (row(**{total: total_value}, **dict(zip(parts, passing, strict=True))),),
    )


CASES = [
    _sum_case("C3.1", "obligations_undelivered_or_fyb", ("ussgl480100_undelivered_or_fyb",), ("9",), ("10",)),
    _sum_case("C3.2", "obligations_undelivered_or_cpe", _C3_2, ("4", "3", "2", "0"), ("4", "3", "2", "1")),
    _sum_case("C4.1", "obligations_delivered_orde_fyb", ("ussgl490100_delivered_orde_fyb",), ("",), ("10",)),
    _sum_case("C4.2", "obligations_delivered_orde_cpe", _C4_2, ("4", "3", "2", "0"), ("4", "3", "2", "1")),
    _sum_case(
        "C5.1",
        "gross_outlay_amount_by_awa_fyb",
        ("gross_outlays_undelivered_fyb", "gross_outlays_delivered_or_fyb"),
        ("4", "5"),
        ("4", "6"),
    ),
    _sum_case("C5.2", "gross_outlay_amount_by_awa_cpe", _C5_2, ("8", "5", "1", "1"), ("8", "5", "1", "2")),
    _sum_case("C6.1", "gross_outlays_undelivered_fyb", ("ussgl480200_undelivered_or_fyb",), ("1",), ("10",)),
    _sum_case("C6.2", "gross_outlays_undelivered_cpe", _C6_2, ("4", "3", "2", "0"), ("4", "3", "2", "1")),
    _sum_case(
        "C7.1", "gross_outlays_delivered_or_fyb", ("ussgl490800_authority_outl_fyb",), ("-10",), ("10",)
    ),
    _sum_case("C7.2", "gross_outlays_delivered_or_cpe", _C7_2, ("5", "3", "1"), ("5", "3", "2")),
    _sum_case(
        "C18", "deobligations_recov_by_awa_cpe", _C18, ("1", "2", "3", "4", "1"), ("1", "2", "3", "4", "0")
    ),
    Case("C14.1", (row(piid=""),), "fain, piid, uri", ("2",), (row(piid="", uri="U1"),)),
    Case("C14.2", (row(fain="F1"),), "fain, piid, uri", ("2",), (row(), row(piid="", fain="F1"))),
    Case(
        "C17",
        (toa_row(ussgl480100_undelivered_or_cpe="0"),),
        "transactionobligatedamount",
        ("2",),
        (toa_row(), row()),
    ),
    Case(
        "C25",
        (row(gross_outlay_amount_by_awa_cpe=""),),
        "disasteremergencyfundcode, grossoutlayamountbyaward_cpe, transactionobligatedamount",
        ("2",),
        (row(gross_outlay_amount_by_awa_cpe="0"), toa_row()),
    ),
    Case(
        "C28.1",
        (row(**_PA), row(**_PA)),
        names(*_C28, "program_activity_code", "program_activity_name"),
        ("2", "3"),
        (row(**_PA), row(**_PA, piid="P2")),
    ),
    Case(
        "C28.2",
        (row(), row()),
        names(*_C28, "program_activity_reporting_key"),
        ("2", "3"),
        (row(), row(piid="P2")),
    ),
    Case(
        "C29",
        (row(general_ledger_post_date="20250115"),),
        "generalledgerpostdate",
        ("2",),
        (toa_row(general_ledger_post_date="20250115"), row()),
    ),
    Case(
        "C30",
        (row(ussgl497200_downward_adjus_cpe=""),),
        names(*_C18[1:2], *_C18[3:4]),
        ("2",),
        (row(), toa_row()),
    ),
    Case(
        "B12.2",
        (row(by_direct_reimbursable_fun="X"),),
        "bydirectreimbursablefundingsource",
        ("2",),
        (row(by_direct_reimbursable_fun="r"), row(by_direct_reimbursable_fun="D", piid="P2")),
    ),
    Case(
        "B27.2",
        (row(program_activity_reporting_key=""),),
        "programactivityreportingkey",
        ("2",),
        (row(),),
        fiscal_year=2026,
    ),
    Case(
        "B27.4",
        (row(program_activity_reporting_key="", program_activity_code="0001"),),
        "programactivitycode, programactivityname, programactivityreportingkey",
        ("2",),
        (row(**_PA), row(piid="P2")),
    ),
    Case(
        "B27.6",
        (row(program_activity_code="0001", program_activity_name="Name"),),
        "programactivitycode, programactivityname, programactivityreportingkey",
        ("2",),
        (row(),),
        fiscal_year=2026,
    ),
    Case(
        "B29.1",
        (row(prior_year_adjustment="Z"),),
        "prioryearadjustment",
        ("2",),
        (row(prior_year_adjustment="x"), row(prior_year_adjustment="", piid="P2")),
    ),
    Case(
        "B29.2",
        (row(prior_year_adjustment="X"), row(piid="P2")),
        "prioryearadjustment",
        ("3",),
        (row(prior_year_adjustment="X"), toa_row(), row(piid="P2", prior_year_adjustment="B")),
    ),
]


def test_every_rule_of_this_module_has_a_case() -> None:
    labels = {"C3.1", "C3.2", "C4.1", "C4.2", "C5.1", "C5.2", "C6.1", "C6.2", "C7.1", "C7.2", "C14.1", "C14.2",
              "C17", "C18", "C25", "C28.1", "C28.2", "C29", "C30", "B12.2", "B27.2", "B27.4", "B27.6", "B29.1",
              "B29.2"}  # fmt: skip
    assert {case.label for case in CASES} == labels


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.label)
def test_rule_reports_its_failing_rows(service: FileValidationService, case: Case) -> None:
    outcome = validate(service, *case.failing, fiscal_year=case.fiscal_year)
    found = list(failures(service, outcome, case.label))
    expected_severity = load_catalogue().get(case.label, FileType.C).severity
    assert [severity for severity, _ in found] == [expected_severity] * len(case.rows)
    assert [line["Row Number"] for _, line in found] == list(case.rows)
    assert {line["Field Name"] for _, line in found} == {case.fields}
    [entry] = [m for m in outcome.metadata if m.original_label == case.label]
    assert entry.occurrences == len(case.rows)
    assert entry.severity is expected_severity


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.label)
def test_rule_passes_a_valid_file(service: FileValidationService, case: Case) -> None:
    outcome = validate(service, *case.passing, fiscal_year=case.fiscal_year)
    assert list(failures(service, outcome, case.label)) == []


# ----------------------------------------------------------------------------- what the report rows say


def test_a_valid_file_reports_none_of_these_rules(service: FileValidationService) -> None:
    outcome = validate(service, row(), toa_row(piid="P2"), row(piid="", fain="F1", prior_year_adjustment=""))
    assert {m.original_label for m in outcome.metadata} & {case.label for case in CASES} == set()


def test_a_balance_rule_row_shows_values_difference_and_the_combination(
    service: FileValidationService,
) -> None:
    outcome = validate(
        service, row(obligations_undelivered_or_fyb="10.50", ussgl480100_undelivered_or_fyb="9.25", fain="")
    )
    [(severity, found)] = failures(service, outcome, "C3.1")
    assert severity is Severity.WARNING
    assert found["Value Provided"] == (
        "obligationsundeliveredordersunpaidtotal_fyb: 10.50, "
        "ussgl480100_undeliveredordersobligationsunpaid_fyb: 9.25"
    )
    assert found["Difference"] == "1.25"
    assert found["Unique ID"] == (
        "TAS: 019-X-0306-000, DisasterEmergencyFundCode: Q, PriorYearAdjustment: , PIID: P1, FAIN: , URI: "
    )


def test_balance_rules_check_each_row_not_the_sum_of_the_combination(service: FileValidationService) -> None:
    # The same TAS/DEFC/PYA on both rows: +1 and -1 would cancel out in a sum, each row is still wrong.
    outcome = validate(
        service,
        row(obligations_undelivered_or_fyb="1"),
        row(ussgl480100_undelivered_or_fyb="1", piid="P2"),
    )
    assert [(line["Row Number"], line["Difference"]) for _, line in failures(service, outcome, "C3.1")] == [
        ("2", "1"),
        ("3", "-1"),
    ]


def test_c5_2_does_not_apply_when_the_outlay_is_the_only_non_zero_balance(
    service: FileValidationService,
) -> None:
    outcome = validate(service, row(gross_outlay_amount_by_awa_cpe="5"))
    assert list(failures(service, outcome, "C5.2")) == []

    outcome = validate(service, row(gross_outlay_amount_by_awa_cpe="5", ussgl480100_undelivered_or_fyb="1"))
    [(_, found)] = failures(service, outcome, "C5.2")
    assert found["Difference"] == "5"


def test_c18_applies_only_when_the_four_ussgl_accounts_are_given(service: FileValidationService) -> None:
    outcome = validate(service, row(deobligations_recov_by_awa_cpe="10", ussgl487100_downward_adjus_cpe=""))
    assert list(failures(service, outcome, "C18")) == []

    outcome = validate(service, row(deobligations_recov_by_awa_cpe="10", ussgl497210_down_adj_refun_cpe=""))
    [(_, found)] = failures(service, outcome, "C18")
    assert found["Difference"] == "10"


def test_c14_2_two_award_ids_of_any_kind(service: FileValidationService) -> None:
    outcome = validate(service, row(piid="", fain="F1", uri="U1"), row(uri="U2"), row(piid="P3"))
    found = [line for _, line in failures(service, outcome, "C14.2")]
    assert [line["Row Number"] for line in found] == ["2", "3"]
    assert found[0]["Unique ID"] == "TAS: 019-X-0306-000, PIID: , FAIN: F1, URI: U1"


def test_c17_counts_a_zero_balance_as_provided(service: FileValidationService) -> None:
    outcome = validate(service, toa_row(deobligations_recov_by_awa_cpe="0"), toa_row(piid="P2"))
    assert [line["Row Number"] for _, line in failures(service, outcome, "C17")] == ["2"]


def test_c25_before_fy22_only_covid_defc(service: FileValidationService) -> None:
    rows = (
        row(gross_outlay_amount_by_awa_cpe=""),
        row(gross_outlay_amount_by_awa_cpe="", disaster_emergency_fund_code="l", piid="P2"),
    )
    outcome = validate(service, *rows, fiscal_year=2021)
    [(severity, found)] = failures(service, outcome, "C25")
    assert severity is Severity.FATAL
    assert found["Row Number"] == "3"
    assert found["Unique ID"].startswith("TAS: 019-X-0306-000, DisasterEmergencyFundCode: l")

    outcome = validate(service, *rows, fiscal_year=2022)
    assert [line["Row Number"] for _, line in failures(service, outcome, "C25")] == ["2", "3"]


def test_c28_compares_case_insensitively_and_ignores_toa_rows(service: FileValidationService) -> None:
    outcome = validate(
        service,
        row(**_PA),
        row(**{**_PA, "program_activity_name": "NAME"}),
        toa_row(**_PA, piid="P2"),
        toa_row(**_PA, piid="P2"),
        row(**_PA, prior_year_adjustment="X"),
    )
    assert [line["Row Number"] for _, line in failures(service, outcome, "C28.1")] == ["2", "3"]
    assert list(failures(service, outcome, "C28.2")) == []


def test_c30_from_fy25_only(service: FileValidationService) -> None:
    outcome = validate(service, row(ussgl487200_downward_adjus_cpe=""), fiscal_year=2024)
    assert list(failures(service, outcome, "C30")) == []


def test_b27_rules_by_fiscal_year(service: FileValidationService) -> None:
    pac_pan_only = row(**_PA)
    both = row(program_activity_code="0001", program_activity_name="Name")
    outcome = validate(service, pac_pan_only, both, fiscal_year=2025)
    for label in ("B27.2", "B27.4", "B27.6"):
        assert list(failures(service, outcome, label)) == []

    outcome = validate(service, pac_pan_only, both, fiscal_year=2026)
    assert [line["Row Number"] for _, line in failures(service, outcome, "B27.2")] == ["2"]
    assert [line["Row Number"] for _, line in failures(service, outcome, "B27.6")] == ["2", "3"]
    assert list(failures(service, outcome, "B27.4")) == []

"""File A rows: agency bucketing, SF-133 sums and GTASStatus (spec §5.7, modelled on the original's tests)."""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterator
from decimal import Decimal

import pytest

from broker_core.generation.file_a import a_file_lines, tas_in_agency
from broker_core.records import FailedEdit, SF133Record, SubmissionWindow, TasBalance
from broker_core.tas import concat_tas

NOW = dt.datetime(2017, 5, 1, 12, 0, 0)
Parts = tuple[str | None, str | None, str | None, str | None, str | None, str | None, str | None]


def balance(
    parts: Parts,
    line: int = 1000,
    amount: str = "1.00",
    *,
    year: int = 2017,
    period: int = 6,
    financing: str | None = " ",
    frec: str | None = None,
) -> TasBalance:
    ata, aid, bpoa, epoa, atc, main, sub = parts
    record = SF133Record(
        fiscal_year=year,
        period=period,
        allocation_transfer_agency=ata,
        agency_identifier=aid or "",
        beginning_period_of_availa=bpoa,
        ending_period_of_availabil=epoa,
        availability_type_code=atc,
        main_account_code=main or "",
        sub_account_code=sub or "",
        line=line,
        amount=Decimal(amount),
        tas=concat_tas(*parts),
    )
    return TasBalance(sf133=record, financial_indicator2=financing, fr_entity_type=frec)


def rows(
    balances: list[TasBalance],
    agency: str,
    frecs: set[str] | None = None,
    *,
    year: int = 2017,
    period: int = 6,
    window: SubmissionWindow | None = None,
    edits: list[FailedEdit] | None = None,
) -> list[list[str]]:
    lines = list(a_file_lines(balances, agency, frecs or set(), year, period, window, edits or [], NOW))
    return [next(csv.reader([line])) for line in lines]


def sums(row: list[str]) -> list[str]:
    return row[7:20]


ZEROS = ["0"] * 13
TAS1: Parts = ("097", "000", "2017", "2017", " ", "0001", "001")
TAS2: Parts = (None, "017", "2017", "2017", " ", "0001", "001")


def test_generate_a() -> None:
    data = [
        balance(TAS1, 1160, "1.00"),
        balance(TAS1, 1180, "2.00"),
        balance(TAS2, 1000, "4.00"),
        balance(TAS2, 1042, "4.00"),
        balance(TAS2, 1067, "4.00"),  # not an adjustment line before FY 2021
    ]
    result = rows(data, "097")
    expected1 = ["097", "000", "2017", "2017", " ", "0001", "001", "0", "3.00", *ZEROS[:11], ""]
    expected2 = ["", "017", "2017", "2017", " ", "0001", "001", "0", "0", "4.00", "4.00", *ZEROS[:9], ""]
    assert result == [expected2, expected1]  # ordered by TAS parts, blank ATA first
    assert all(len(row) == 21 for row in result)


def test_generate_a_after_2020() -> None:
    data = [balance(TAS1, 1042, "4.00", year=2021), balance(TAS1, 1067, "4.00", year=2021)]
    (row,) = rows(data, "097", year=2021)
    assert sums(row) == ["0", "0", "0", "8.00", *ZEROS[:9]]


def test_generate_a_tas_exceptions() -> None:
    special: Parts = (None, "020", None, None, "X", "5688", "000")
    treasury: Parts = (None, "020", None, None, "X", "1234", "000")
    data = [balance(special, 1000, "5.00"), balance(treasury, 1000, "6.00")]
    assert [row[5] for row in rows(data, "020")] == ["1234"]
    assert [row[5] for row in rows(data, "070")] == ["5688"]
    lower = [balance((None, "020", None, None, "x", "5688", "000"))]
    assert rows(lower, "020") == []
    assert len(rows(lower, "070")) == 1


def test_generate_a_null_ata() -> None:
    first: Parts = (None, "011", "2017", "2017", " ", "0001", "001")
    second: Parts = (None, "011", "2017", "2017", " ", "0001", "002")
    data = [balance(first, 1160, "1.00", frec="1137"), balance(second, 1000, "4.00", frec="1137")]
    assert [row[6] for row in rows(data, "097", {"1137"})] == ["001", "002"]
    assert rows(data, "097", {"1700"}) == []
    assert len(rows(data, "1137")) == 2  # the FREC's own file
    assert rows(data, "011") == [
        ["", "011", "2017", "2017", " ", "0001", "001", "0", "1.00", *ZEROS[:11], ""],
        ["", "011", "2017", "2017", " ", "0001", "002", "0", "0", "4.00", *ZEROS[:10], ""],
    ]


def owned(
    parts: Parts,
    agency: str,
    frec: str | None = None,
    frecs: set[str] | None = None,
    financing: str | None = " ",
) -> bool:
    return tas_in_agency(balance(parts, frec=frec, financing=financing), agency, frecs or set())


def tas(ata: str | None, aid: str) -> Parts:
    return (ata, aid, None, None, "X", "0100", "000")


@pytest.mark.parametrize(
    ("parts", "agency", "frec", "expected"),
    [
        (tas("097", "000"), "097", None, True),
        (tas("021", "000"), "097", None, True),  # ATA in the DoD group
        (tas("012", "097"), "097", None, False),  # transferred: belongs to the ATA's agency
        (tas("012", "097"), "012", None, True),
        (tas(None, "057"), "097", None, True),  # AID in the DoD group
        (tas(None, "021"), "097", None, True),
        (tas(None, "580"), "020", None, True),
        (tas("373", "000"), "020", None, True),
        (tas(None, "071"), "077", None, True),
        (tas(None, "486"), "089", None, True),
        (tas("016", "000"), "1601", None, True),  # ATA group of a FREC
        (tas(None, "016"), "1601", None, False),  # ...but its AID rule is the FREC match
        (tas(None, "016"), "1601", "1601", True),
        (tas("011", "000"), "1125", None, True),
        (tas(None, "256"), "1100", None, True),
        (tas(None, "100"), "1100", "1100", True),
        (tas(None, "100"), "1100", None, False),
        (tas(None, "012"), "012", None, True),
        (tas(None, "012"), "013", None, False),
        (tas(None, "075"), "7500", "7500", True),  # FREC: matched on the TAS's FR entity
        (tas(None, "075"), "7500", None, False),
        (tas("", "012"), "012", None, True),  # a blank ATA is no ATA
        (tas(" ", "012"), "012", None, True),
    ],
)
def test_bucketing(parts: Parts, agency: str, frec: str | None, expected: bool) -> None:
    assert owned(parts, agency, frec) is expected


def test_aid_011_needs_a_frec_of_the_cgac() -> None:
    parts = tas(None, "011")
    assert owned(parts, "097", "1137", {"1137"})
    assert not owned(parts, "097", None, {"1137"})
    assert not owned(parts, "097", "1137", set())
    assert not owned(tas("012", "011"), "097", "1137", {"1137"})  # ATA must be blank


def test_financing_accounts_are_excluded() -> None:
    assert not owned(tas(None, "012"), "012", financing="F")
    assert owned(tas(None, "012"), "012", financing="f")  # case-sensitive, as in the original
    assert owned(tas(None, "012"), "012", financing=None)
    assert not owned((None, "020", None, None, "X", "5688", "000"), "070", financing="F")


def test_every_line_lands_in_its_columns() -> None:
    parts = tas(None, "012")
    data = [balance(parts, line, "1") for line in
            (1910, 1160, 1180, 1260, 1280, 1000, 1010, 1021, 1033, 1042, 1340, 1440, 1540, 1640, 1750, 1850,
             2500, 2190, 3020, 2490, 1043, 1067, 4801, 2002)]  # fmt: skip
    (row,) = rows(data, "012")
    assert sums(row) == ["1", "4", "1", "4", "6", "2", "2", "2", "1", "1", "1", "1", "2"]


def test_sums_keep_their_scale() -> None:
    parts = tas(None, "012")
    data = [balance(parts, 1000, "1.5"), balance(parts, 1000, "2.25"), balance(parts, 2500, "1.10"),
            balance(parts, 2500, "-1.10"), balance(parts, 1160, "1E+2")]  # fmt: skip
    (row,) = rows(data, "012")
    assert sums(row)[2] == "3.75"
    assert sums(row)[8] == "0.00"  # lines that cancel out keep the scale; only "no line" prints 0
    assert sums(row)[1] == "100"


def test_only_the_requested_period_and_lines_without_sums() -> None:
    parts = tas(None, "012")
    data = [
        balance(parts, 1000, "9", period=5),
        balance(parts, 1000, "9", year=2016),
        balance(parts, 4801, "9"),
    ]
    assert [sums(row) for row in rows(data, "012")] == [ZEROS]


def test_rows_are_ordered_by_tas() -> None:
    data = [balance((None, "012", None, None, "X", main, sub))
            for main, sub in (("0200", "000"), ("0100", "002"), ("0100", "001"))]  # fmt: skip
    data.append(balance(("012", "012", "2016", "2017", None, "0100", "000")))
    result = rows(data, "012")
    assert [(r[0], r[5], r[6]) for r in result] == [("", "0100", "001"), ("", "0100", "002"), ("", "0200", "000"),
                                                    ("012", "0100", "000")]  # fmt: skip
    assert result[3][:7] == ["012", "012", "2016", "2017", "", "0100", "000"]


def test_output_is_rendered_csv() -> None:
    lines = list(a_file_lines([balance((None, "012", None, None, "X", "0100", "000"))], "012", set(), 2017, 6,
                              None, [], NOW))  # fmt: skip
    assert lines == [",012,,,X,0100,000,0,0,1.00,0,0,0,0,0,0,0,0,0,0,\n"]


def test_input_is_consumed_lazily() -> None:
    consumed = []

    def many() -> Iterator[TasBalance]:
        for i in range(5000):
            consumed.append(i)
            yield balance(tas(None, "099" if i % 2 else "012"), 1000, "1.00")

    lines = a_file_lines(many(), "012", set(), 2017, 6, None, [], NOW)
    assert not consumed  # nothing is read before the first row is asked for
    assert list(lines) == [",012,,,X,0100,000,0,0,2500.00,0,0,0,0,0,0,0,0,0,0,\n"]
    assert len(consumed) == 5000


# --------------------------------------------------------------------------- GTASStatus

PAST = SubmissionWindow(fiscal_year=2017, period=6, period_start=dt.date(2017, 4, 1))


def edit(
    parts: Parts, status: str | None, override: bool, severity: str = "Fatal", period: int = 6
) -> FailedEdit:
    return FailedEdit(2017, period, concat_tas(*parts), severity, status, override)


CASES: list[tuple[str, list[tuple[str | None, bool, str]], str]] = [
    ("0001", [("F", False, "Fatal")], "failed fatal edit - no override"),
    ("0002", [("F", True, "Fatal")], "failed fatal edit - override"),
    ("0003", [("E", True, "fatal")], "passed required edits - override"),
    ("0004", [("P", True, "FATAL")], "pending certification - override"),
    ("0005", [("C", True, "Fatal")], "certified - override"),
    ("0006", [("X", True, "Fatal")], "passed required edits - override"),
    ("0007", [(None, True, "Fatal")], "passed required edits - override"),
    ("0008", [("C", False, "Fatal")], "failed fatal edit - no override"),
    ("0009", [("F", True, "Proposed")], "passed required edits"),
    ("0010", [], "passed required edits"),
    (
        "0011",
        [("C", True, "Fatal"), ("F", False, "Fatal")],
        "failed fatal edit - no override",
    ),  # F ranks first
    ("0012", [("P", False, "Fatal"), ("E", True, "Fatal")], "passed required edits - override"),
    ("0013", [("C", True, "Fatal"), ("Z", False, "Fatal")], "certified - override"),
]


def gtas_case() -> tuple[list[TasBalance], list[FailedEdit]]:
    balances, edits = [], []
    for main, tas_edits, _ in CASES:
        parts: Parts = (None, "012", None, None, "X", main, "000")
        balances.append(balance(parts))
        edits.extend(edit(parts, status, override, severity) for status, override, severity in tas_edits)
    return balances, edits


def test_generate_a_gtas_status() -> None:
    balances, edits = gtas_case()
    result = rows(balances, "012", window=PAST, edits=edits)
    assert [(row[5], row[20]) for row in result] == [(main, expected) for main, _, expected in CASES]


def test_gtas_status_blank_without_window() -> None:
    balances, edits = gtas_case()
    assert {row[20] for row in rows(balances, "012", window=None, edits=edits)} == {""}
    other_period = SubmissionWindow(fiscal_year=2017, period=7, period_start=dt.date(2017, 4, 1))
    assert {row[20] for row in rows(balances, "012", window=other_period, edits=edits)} == {""}


def test_gtas_window_open() -> None:
    balances, edits = gtas_case()
    future = SubmissionWindow(fiscal_year=2017, period=6, period_start=dt.date(2017, 5, 2))
    assert {row[20] for row in rows(balances, "012", window=future, edits=edits)} == {"GTAS window open"}
    today = SubmissionWindow(fiscal_year=2017, period=6, period_start=NOW.date())
    assert "GTAS window open" not in {row[20] for row in rows(balances, "012", window=today, edits=edits)}


def test_gtas_status_blank_without_failed_edit_data() -> None:
    balances, _ = gtas_case()
    assert {row[20] for row in rows(balances, "012", window=PAST, edits=[])} == {""}
    elsewhere = [edit(TAS1, "F", False, period=5)]
    assert {row[20] for row in rows(balances, "012", window=PAST, edits=elsewhere)} == {""}


def test_any_edit_of_the_period_means_data_exists() -> None:
    balances, _ = gtas_case()
    another_agency = [edit(TAS1, "C", True, "Proposed")]
    assert {row[20] for row in rows(balances, "012", window=PAST, edits=another_agency)} == {
        "passed required edits"
    }

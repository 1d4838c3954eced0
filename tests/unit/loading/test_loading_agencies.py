from __future__ import annotations

import io

import pytest
from tests.reference import BROKER_CONFIG

from broker_core.generation.award_rows import RowError
from broker_core.loading.agencies import read_agencies
from broker_core.records import AgencyRecord

REFERENCE = BROKER_CONFIG

HEADER = "CGAC AGENCY CODE,AGENCY NAME,FREC,FREC Entity Description,SUBTIER CODE,SUBTIER NAME,IS_FREC,FREC CGAC ASSOCIATION\n"


def read(text: str) -> list[AgencyRecord | RowError]:
    return list(read_agencies(io.StringIO(text)))


def test_reads_the_reference_agency_codes() -> None:
    with open(REFERENCE / "agency_codes.csv", encoding="utf-8", newline="") as f:  # BOM left in
        rows = list(read_agencies(f))
    assert [r for r in rows if isinstance(r, RowError)] == []
    assert len(rows) == 1531
    assert rows[0] == AgencyRecord(
        cgac_code="000",
        agency_name="U.S. Congress",
        frec_code="0000",
        frec_name="Non - Reporting",
        sub_tier_code="0010",
        sub_tier_name="The Senate",
        is_frec=False,
        frec_cgac_association=False,
    )
    agencies = [r for r in rows if isinstance(r, AgencyRecord)]
    assert all(len(a.cgac_code) == 3 for a in agencies)
    navy = next(a for a in agencies if a.cgac_code == "017" and a.sub_tier_code is None)
    assert navy.agency_name == "Department of the Navy"
    assert navy.frec_code is None
    assert sum(a.is_frec for a in agencies) == 106
    assert sum(a.frec_cgac_association for a in agencies) == 1446


def test_pads_digit_codes_a_spreadsheet_shortened() -> None:
    (row,) = read(HEADER + "20,Treasury,20,Treasury,10,IRS,TRUE,false\n")
    assert isinstance(row, AgencyRecord)
    assert (row.cgac_code, row.frec_code, row.sub_tier_code) == ("020", "0020", "0010")
    assert (row.is_frec, row.frec_cgac_association) == (True, False)


def test_headers_match_case_insensitively_in_any_order_with_extra_columns() -> None:
    text = (
        "\ufeff comment , subtier name,Subtier Code,is_frec,frec cgac association,"
        "frec entity description,frec,agency name,cgac agency code\n"
        "x,Sub,1100,FALSE,TRUE,Desc,DE00,Agency,097\n"
    )
    (row,) = read(text)
    assert row == AgencyRecord("097", "Agency", "DE00", "Desc", "1100", "Sub", False, True)


def test_missing_columns_raise_when_called() -> None:
    with pytest.raises(ValueError, match=r"Missing column\(s\): FREC, IS_FREC"):
        read_agencies(
            io.StringIO(
                "CGAC AGENCY CODE,AGENCY NAME,FREC Entity Description,SUBTIER CODE,SUBTIER NAME,FREC CGAC ASSOCIATION\n"
            )
        )


def test_empty_file_raises() -> None:
    with pytest.raises(ValueError, match="empty"):
        read_agencies(io.StringIO(""))


def test_bad_rows_become_row_errors_with_physical_line_numbers() -> None:
    text = (
        HEADER
        + "097,Defense,DE00,DoD,1700,Navy,FALSE,TRUE\n"
        + "ABCD,Bad,DE00,DoD,1700,Navy,FALSE,TRUE\n"
        + "\n"
        + '097,"Multi\nline",DE00,DoD,1700,Navy,FALSE,TRUE\n'
        + "097,Defense,DE00,DoD,1700,Navy,maybe,TRUE\n"
        + "097,,DE00,DoD,17000,Navy,FALSE,TRUE\n"
    )
    rows = read(text)
    assert isinstance(rows[0], AgencyRecord)
    assert rows[1] == RowError(3, "CGAC AGENCY CODE: must be 3 characters, got 'ABCD'")
    assert isinstance(rows[2], AgencyRecord) and rows[2].agency_name == "Multi\nline"
    assert rows[3] == RowError(7, "IS_FREC: not TRUE/FALSE or Y/N ('maybe')")
    assert rows[4] == RowError(8, "AGENCY NAME: required; SUBTIER CODE: must be 4 characters, got '17000'")


def test_short_and_long_rows() -> None:
    rows = read(
        HEADER
        + "097,Defense,DE00,DoD,1700\n097,Defense,DE00,DoD,1700,Navy,FALSE,TRUE,,\n"
        + "097,Defense,DE00,DoD,1700,Navy,FALSE,TRUE,extra\n"
    )
    assert rows[0] == RowError(2, "SUBTIER NAME: missing (the row has 5 fields, the header 8)")
    assert isinstance(rows[1], AgencyRecord)  # blank trailing fields are harmless
    assert rows[2] == RowError(4, "Row: has 9 fields, the header 8")


def test_reads_lazily() -> None:
    lines = iter([HEADER, "097,Defense,DE00,DoD,1700,Navy,FALSE,TRUE\n", "boom"])
    rows = read_agencies(lines)
    assert isinstance(next(rows), AgencyRecord)
    assert next(lines) == "boom"  # the third line was never read

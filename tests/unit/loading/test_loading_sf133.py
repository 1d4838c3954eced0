from __future__ import annotations

import io
from decimal import Decimal

import pytest
from tests.reference import BROKER_CONFIG

from broker_core.generation.award_rows import RowError
from broker_core.loading.sf133 import read_sf133
from broker_core.records import SF133Record
from broker_core.tas import concat_tas

REFERENCE = BROKER_CONFIG

HEADER = 'ATA,AID,"Availability,Type Code",BPOA,EPOA,Main Account,Sub Account,Fiscal Year,Period,Line Num,Amount Summed\n'


def read(text: str) -> list[SF133Record | RowError]:
    return list(read_sf133(io.StringIO(text)))


def test_reads_the_reference_sf133() -> None:
    with open(REFERENCE / "sf_133.csv", encoding="utf-8-sig", newline="") as f:
        rows = list(read_sf133(f))
    assert [r for r in rows if isinstance(r, RowError)] == []
    assert len(rows) == 73
    assert rows[0] == SF133Record(
        fiscal_year=2016,
        period=6,
        allocation_transfer_agency=None,
        agency_identifier="027",
        beginning_period_of_availa=None,
        ending_period_of_availabil=None,
        availability_type_code="X",
        main_account_code="0100",
        sub_account_code="000",
        line=1000,
        amount=Decimal("25978679.97"),
        tas="00002700000000X0100000",
    )
    first = rows[0]
    assert isinstance(first, SF133Record)
    assert first.tas == concat_tas(None, "027", None, None, "X", "0100", "000")
    last = rows[-1]
    assert isinstance(last, SF133Record)
    assert (last.main_account_code, last.line, last.amount) == ("5183", 3020, Decimal("-4922249217"))


def test_full_components_and_plain_availability_header() -> None:
    text = (
        "ata,aid,availability type code,bpoa,epoa,main account,sub account,fiscal year,period,line num,amount summed\n"
        "11,97,,2016,2017,1,2,2017,12,2190,-0.10\n"
    )
    (row,) = read(text)
    assert isinstance(row, SF133Record)
    assert (row.allocation_transfer_agency, row.agency_identifier, row.main_account_code) == (
        "011",
        "097",
        "0001",
    )
    assert (row.beginning_period_of_availa, row.ending_period_of_availabil) == ("2016", "2017")
    assert row.availability_type_code is None
    assert row.sub_account_code == "002"
    assert row.amount == Decimal("-0.10")
    assert row.tas == concat_tas("011", "097", "2016", "2017", None, "0001", "002")


@pytest.mark.parametrize(
    ("values", "message"),
    [
        (" ,27,X, , ,100,0,2016,6,1000,abc", "Amount Summed: not a number ('abc')"),
        (' ,27,X, , ,100,0,2016,6,1000,"1,200"', "Amount Summed: not a number ('1,200')"),
        (" ,27,X, , ,100,0,2016,6,1000,NaN", "Amount Summed: not a number ('NaN')"),
        (" ,27,X, , ,100,0,2016,6,1000, ", "Amount Summed: required"),
        (" ,27,X, , ,100,0,2016,13,1000,1", "Period: must be between 1 and 12, got 13"),
        (" ,27,X, , ,100,0,16,6,1000,1", "Fiscal Year: must be a 4-digit year, got '16'"),
        (" ,27,X, , ,100,0,2016,6,1000.5,1", "Line Num: not a whole number ('1000.5')"),
        (" , ,X, , ,100,0,2016,6,1000,1", "AID: required"),
        (" ,27,X, , , ,0,2016,6,1000,1", "Main Account: required"),
        (" ,27,XX, , ,100,0,2016,6,1000,1", "Availability Type Code: must be 1 characters, got 'XX'"),
        (" ,27,X,16, ,100,0,2016,6,1000,1", "BPOA: must be 4 characters, got '16'"),
        (" ,1234,X, , ,100,0,2016,6,1000,1", "AID: must be 3 characters, got '1234'"),
        (" ,27,X, , ,100,0,2016", "Period: missing (the row has 8 fields, the header 11)"),
    ],
)
def test_bad_values(values: str, message: str) -> None:
    rows = read(HEADER + " ,27,X, , ,100,0,2016,6,1000,1\n" + values + "\n")
    assert isinstance(rows[0], SF133Record)
    assert rows[1] == RowError(3, message)


def test_several_problems_in_one_row_are_reported_together() -> None:
    (row,) = read(HEADER + " ,27,X, , ,100,0,2016,0,x,y\n")
    assert row == RowError(
        2,
        "Period: must be between 1 and 12, got 0; Line Num: not a whole number ('x'); Amount Summed: not a number ('y')",
    )


def test_missing_column() -> None:
    with pytest.raises(ValueError, match=r"^Missing column\(s\): Amount Summed$"):
        read_sf133(io.StringIO(HEADER.replace(",Amount Summed", "")))

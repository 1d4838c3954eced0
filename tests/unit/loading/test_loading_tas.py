from __future__ import annotations

import datetime as dt
import io

import pytest

from broker_core.generation.award_rows import RowError
from broker_core.loading.tas import read_tas
from broker_core.records import TasRecord
from broker_core.tas import concat_tas

NEW_HEADER = (
    "a,acct_num,aid,ata,bpoa,epoa,main,sub,fr_entity_description,gwa_tas_name,agency_aid,agency_name,"
    "admin_org,admin_org_name,function_code,function_description,sub_function_code,sub_function_description,"
    "financial_indicator_type2,dt_tm_estab,dt_end,fr_entity_type\n"
)
OLD_HEADER = (
    "a,acct_num,aid,ata,bpoa,epoa,main,sub,fr_entity_description,gwa_tas_name,agency_aid,agency_name,"
    "admin_org,admin_org_name,function_code,function_description,sub_function_code,sub_function_description,"
    "financial_indicator_type_2,date/time_established,end_date,fr_entity_type_code\n"
)
ROW = (
    "X,12345,97,,,,100,0,Defense-wide,Operation and Maintenance,097,Department of Defense,"
    "ADM,Admin,050,National Defense,051,DoD-Military,F,2016-01-05 00:00:00,,DE00\n"
)


def read(text: str) -> list[TasRecord | RowError]:
    return list(read_tas(io.StringIO(text)))


@pytest.mark.parametrize("header", [NEW_HEADER, OLD_HEADER, NEW_HEADER.upper()], ids=["new", "old", "upper"])
def test_reads_both_header_generations(header: str) -> None:
    (row,) = read(header + ROW)
    assert row == TasRecord(
        account_num=12345,
        allocation_transfer_agency=None,
        agency_identifier="097",
        beginning_period_of_availa=None,
        ending_period_of_availabil=None,
        availability_type_code="X",
        main_account_code="0100",
        sub_account_code="000",
        tas=concat_tas(None, "097", None, None, "X", "0100", "000"),
        financial_indicator2="F",
        fr_entity_type="DE00",
        fr_entity_description="Defense-wide",
        account_title="Operation and Maintenance",
        internal_start_date=dt.date(2016, 1, 5),
        internal_end_date=None,
    )


def test_optional_descriptive_columns_may_be_absent() -> None:
    text = (
        "acct_num,ata,aid,a,bpoa,epoa,main,sub,financial_indicator_type2,fr_entity_type,dt_tm_estab,dt_end\n"
        "7,011,097,,2015,2016,1234,001,,,01/05/2016,2017-09-30\n"
    )
    (row,) = read(text)
    assert isinstance(row, TasRecord)
    assert (row.fr_entity_description, row.account_title, row.financial_indicator2) == (None, None, None)
    assert (row.internal_start_date, row.internal_end_date) == (dt.date(2016, 1, 5), dt.date(2017, 9, 30))
    assert row.tas == concat_tas("011", "097", "2015", "2016", None, "1234", "001")


@pytest.mark.parametrize(
    ("column", "value", "message"),
    [
        ("acct_num", "12a", "acct_num: not a whole number ('12a')"),
        ("acct_num", "", "acct_num: required"),
        ("dt_tm_estab", "2016-13-05", "dt_tm_estab: not a date ('2016-13-05')"),
        ("dt_end", "yesterday", "dt_end: not a date ('yesterday')"),
        ("main", "12345", "main: must be 4 characters, got '12345'"),
    ],
)
def test_bad_values(column: str, value: str, message: str) -> None:
    names = NEW_HEADER.strip().split(",")
    values = ROW.strip().split(",")
    values[names.index(column)] = value
    rows = read(NEW_HEADER + ROW + ",".join(values) + "\n")
    assert isinstance(rows[0], TasRecord)
    assert rows[1] == RowError(3, message)


def test_short_row() -> None:
    (row,) = read(NEW_HEADER + "X,12345,97,,,,100,0\n")
    assert row == RowError(2, "financial_indicator_type2: missing (the row has 8 fields, the header 22)")


def test_missing_columns_are_named_by_their_current_spelling() -> None:
    header = NEW_HEADER.replace("acct_num,", "").replace("dt_end,", "end,")
    with pytest.raises(ValueError, match=r"^Missing column\(s\): acct_num, dt_end$"):
        read_tas(io.StringIO(header))

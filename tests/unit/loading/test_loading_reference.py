"""Readers of the validator's reference lists: object classes, program activities, PARKs, DEFCs."""

from __future__ import annotations

import io
from collections.abc import Iterable
from typing import Any

import pytest

from broker_core.errors import RequestInvalid
from broker_core.generation.award_rows import RowError
from broker_core.loading.defc import DefcRecord, read_defc
from broker_core.loading.object_classes import ObjectClassRecord, read_object_classes
from broker_core.loading.program_activities import (
    ParkRecord,
    ProgramActivityRecord,
    parse_fiscal_period,
    read_park,
    read_program_activities,
)
from broker_core.loading.reference_service import NO_ROWS, ReferenceLoadService
from broker_core.loading.service import LoadRejected


def errors(items: Iterable[Any]) -> list[tuple[int, str]]:
    return [(e.line_number, e.message) for e in items if isinstance(e, RowError)]


# --------------------------------------------------------------------------- object classes


def test_object_classes_are_padded_digits_with_a_name() -> None:
    text = "MAX_OC_CODE,MAX_OBJECT_CLASS_NAME,extra\n252,Other services,x\n11, Short ,\n2520,With suffix,\n"
    assert list(read_object_classes(io.StringIO(text))) == [
        ObjectClassRecord("252", "Other services"),
        ObjectClassRecord("011", "Short"),
        ObjectClassRecord("2520", "With suffix"),
    ]


def test_object_classes_accept_the_table_column_names_in_any_case() -> None:
    text = "Object_Class_Name,OBJECT_CLASS_CODE\nEquipment,310\n"
    assert list(read_object_classes(io.StringIO(text))) == [ObjectClassRecord("310", "Equipment")]


def test_bad_object_classes_name_the_line_and_column() -> None:
    text = (
        "MAX_OC_CODE,MAX_OBJECT_CLASS_NAME\n"
        "25.2,Decimal point\n"
        "12345,Too long\n"
        ",No code\n"
        "111,\n"
        "111,Fine\n"
        "111,Again\n"
    )
    assert errors(read_object_classes(io.StringIO(text))) == [
        (2, "MAX_OC_CODE: must be 3 or 4 digits without a decimal point, got '25.2'"),
        (3, "MAX_OC_CODE: must be 3 or 4 digits without a decimal point, got '12345'"),
        (4, "MAX_OC_CODE: required"),
        (5, "MAX_OBJECT_CLASS_NAME: required"),
        (7, "MAX_OC_CODE: 111 is already on line 6"),
    ]


def test_a_missing_column_is_refused_when_reading_starts() -> None:
    with pytest.raises(ValueError, match="Missing column\\(s\\): MAX_OBJECT_CLASS_NAME"):
        read_object_classes(io.StringIO("MAX_OC_CODE\n111\n"))


# --------------------------------------------------------------------------- program activities

PA_HEADER = "FYQ,AGENCY_CODE,ALLOCATION_ID,ACCOUNT_CODE,PA_CODE,PA_TITLE,OMB_ACCOUNT_TITLE_OPTNL\n"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("FY17P06", (2017, 6)),
        ("fy17p6", (2017, 6)),
        ("FY2021P12", (2021, 12)),
        ("FY17Q2", (2017, 6)),
        ("FY18Q4", (2018, 12)),
        (" FY19P01 ", (2019, 1)),
        ("FY17P13", None),
        ("FY17P00", None),
        ("FY17Q5", None),
        ("2017P06", None),
        ("FY7P06", None),
    ],
)
def test_fiscal_periods(text: str, expected: tuple[int, int] | None) -> None:
    assert parse_fiscal_period(text) == expected


def test_program_activities_are_padded_and_read_per_period() -> None:
    text = PA_HEADER + "FY17Q2,19,,306,1,Program direction,Title\nFY17P07,019,11,0306,A001,Grants,\n"
    first, second = read_program_activities(io.StringIO(text))
    assert first == ProgramActivityRecord(
        fiscal_year=2017, period=6, agency_id="019", allocation_transfer_id=None, account_number="0306",
        program_activity_code="0001", program_activity_name="Program direction",
    )  # fmt: skip
    assert isinstance(first, ProgramActivityRecord) and first.fiscal_year_period == "FY17P06"
    assert second == ProgramActivityRecord(2017, 7, "019", "011", "0306", "A001", "Grants")


def test_program_activities_accept_the_table_column_names() -> None:
    text = (
        "fiscal_year_period,agency_id,allocation_transfer_id,account_number,program_activity_code,"
        "program_activity_name\nFY20P03,097,,0100,0002,Ops\n"
    )
    assert list(read_program_activities(io.StringIO(text))) == [
        ProgramActivityRecord(2020, 3, "097", None, "0100", "0002", "Ops")
    ]


def test_repeated_program_activities_are_kept() -> None:
    text = PA_HEADER + "FY17P06,019,,0306,0001,A,x\nFY17P06,019,,0306,0001,A,y\n"
    assert len(list(read_program_activities(io.StringIO(text)))) == 2


def test_bad_program_activities_name_the_line_and_column() -> None:
    text = PA_HEADER + (
        "FY17X06,019,,0306,0001,A,\n"
        "FY17P06,,,0306,0001,A,\n"
        "FY17P06,019,,0306,12345,A,\n"
        "FY17P06,019,,0306,0001,,\n"
        ",019,1234,0306,0001,A,\n"
    )
    assert errors(read_program_activities(io.StringIO(text))) == [
        (2, "FYQ: must be FYyyPpp or FYyyQq (e.g. FY17P06, FY17Q2), got 'FY17X06'"),
        (3, "AGENCY_CODE: required"),
        (4, "PA_CODE: must be 4 characters, got '12345'"),
        (5, "PA_TITLE: required"),
        (6, "FYQ: required; ALLOCATION_ID: must be 3 characters, got '1234'"),
    ]


# --------------------------------------------------------------------------- PARK

PARK_HEADER = "FY,PD,ALLOC_XFER_AGENCY,AID,MAIN_ACCT,SUB_ACCT,COMPOUND_KEY,PARK,PARK_NAME,RECORD_UPDATE_TS\n"


def test_park_rows_with_and_without_sub_account() -> None:
    text = PARK_HEADER + "2025,7,,19,306,,k,AB12,Direction,t\n2026,1,11,019,0306,1,k,CD34,Grants,t\n"
    assert list(read_park(io.StringIO(text))) == [
        ParkRecord(2025, 7, "019", None, "0306", None, "AB12", "Direction"),
        ParkRecord(2026, 1, "019", "011", "0306", "001", "CD34", "Grants"),
    ]


def test_park_accepts_the_table_column_names() -> None:
    text = (
        "fiscal_year,period,allocation_transfer_id,agency_id,main_account_number,sub_account_number,"
        "park_code,park_name\n2025,12,,097,0100,000,P1,Name\n"
    )
    assert list(read_park(io.StringIO(text))) == [
        ParkRecord(2025, 12, "097", None, "0100", "000", "P1", "Name")
    ]


def test_bad_park_rows_name_the_line_and_column() -> None:
    text = PARK_HEADER + (
        "25,7,,019,0306,,k,AB12,Name,\n"
        "2025,13,,019,0306,,k,AB12,Name,\n"
        "2025,7,,019,0306,,k,,Name,\n"
        "2025,7,,019,0306,,k,ABCDEFGHIJKLMNOP,Name,\n"
        "2025,7,,019,,,k,AB12,,\n"
    )
    assert errors(read_park(io.StringIO(text))) == [
        (2, "FY: must be a 4-digit year, got '25'"),
        (3, "PD: must be between 1 and 12, got 13"),
        (4, "PARK: required"),
        (5, "PARK: at most 15 characters, got 'ABCDEFGHIJKLMNOP'"),
        (6, "MAIN_ACCT: required; PARK_NAME: required"),
    ]


# --------------------------------------------------------------------------- DEFC


def test_defc_rows_with_every_column() -> None:
    text = (
        "DEFC,Public Law,Public Law Short Title,Group Name,URLs,Is Valid\n"
        'l,Emergency P.L. 116-136,"CARES Act",covid_19,http://x,TRUE\n'
        "9,Non-emergency,,,,\n"
        "A,,,,,false\n"
    )
    assert list(read_defc(io.StringIO(text))) == [
        DefcRecord("L", "Emergency P.L. 116-136", "CARES Act", "covid_19", True),
        DefcRecord("9", "Non-emergency", None, None, True),
        DefcRecord("A", None, None, None, False),
    ]


def test_defc_needs_only_the_code_column() -> None:
    assert list(read_defc(io.StringIO("code\nQ\n"))) == [DefcRecord("Q")]


def test_bad_defc_rows_name_the_line_and_column() -> None:
    text = "DEFC,Is Valid\nQ,TRUE\n,TRUE\nQQQQ,\nA-1,\nq,\nB,maybe\n"
    assert errors(read_defc(io.StringIO(text))) == [
        (3, "DEFC: required"),
        (4, "DEFC: must be 1 to 3 letters or digits, got 'QQQQ'"),
        (5, "DEFC: must be 1 to 3 letters or digits, got 'A-1'"),
        (6, "DEFC: Q is already on line 2"),
        (7, "Is Valid: not TRUE/FALSE or Y/N ('maybe')"),
    ]


# --------------------------------------------------------------------------- the load service


class ListStore:
    """A store keeping what it was given, consuming rows as a database store would."""

    def __init__(self) -> None:
        self.lists: dict[str, list[Any]] = {}

    def _replace(self, name: str, rows: Iterable[Any]) -> int:
        loaded = list(rows)  # raises before anything is kept, like a rolled-back transaction
        self.lists[name] = loaded
        return len(loaded)

    def replace_object_classes(self, rows: Iterable[ObjectClassRecord]) -> int:
        return self._replace("object_class", rows)

    def replace_program_activities(self, rows: Iterable[ProgramActivityRecord]) -> int:
        return self._replace("program_activity", rows)

    def replace_park(self, rows: Iterable[ParkRecord]) -> int:
        return self._replace("park", rows)

    def replace_defc(self, rows: Iterable[DefcRecord]) -> int:
        return self._replace("defc", rows)


def test_the_service_loads_each_list() -> None:
    store = ListStore()
    loads = ReferenceLoadService(store)
    assert loads.object_classes(io.StringIO("MAX_OC_CODE,MAX_OBJECT_CLASS_NAME\n111,A\n252,B\n")) == 2
    assert loads.program_activities(io.StringIO(PA_HEADER + "FY17P06,019,,0306,0001,A,\n")) == 1
    assert loads.park(io.StringIO(PARK_HEADER + "2025,7,,019,0306,,k,AB12,Name,\n")) == 1
    assert loads.defc(io.StringIO("DEFC\nA\nB\n9\n")) == 3
    assert [len(v) for v in store.lists.values()] == [2, 1, 1, 3]


def test_the_service_refuses_bad_rows_a_bad_header_and_a_file_without_rows() -> None:
    store = ListStore()
    loads = ReferenceLoadService(store)
    with pytest.raises(LoadRejected) as rejected:
        loads.defc(io.StringIO("DEFC\nA\nA\n"))
    assert "line 3: DEFC: A is already on line 2" in str(rejected.value)
    with pytest.raises(RequestInvalid, match="Missing column"):
        loads.park(io.StringIO("FY,PD\n2025,7\n"))
    with pytest.raises(RequestInvalid, match=NO_ROWS):
        loads.object_classes(io.StringIO("MAX_OC_CODE,MAX_OBJECT_CLASS_NAME\n\n"))
    assert store.lists == {}

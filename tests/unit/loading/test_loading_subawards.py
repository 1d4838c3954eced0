from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal
from typing import Any

import attrs
import pytest

from broker_core.generation.award_rows import RowError
from broker_core.loading.source_fields import parse_timestamp
from broker_core.loading.source_records import SUBAWARD_COLUMNS, SubawardRecord
from broker_core.loading.subawards import COLUMNS, FIELDS, read_subawards

KEY = {
    "unique_award_key": "CONT_AWD_0001_9700_SPE1_9700",
    "subaward_type": "sub-contract",
    "internal_id": "12345",
    "subaward_number": "SUB-1",
}
F_HEADERS = [header for _, header, _ in COLUMNS]


def csv_text(*rows: list[str]) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue()


def read(text: str) -> list[SubawardRecord | RowError]:
    return list(read_subawards(io.StringIO(text)))


def read_one(values: dict[str, str]) -> SubawardRecord | RowError:
    row = {**KEY, **values}
    (record,) = read(csv_text(list(row), list(row.values())))
    return record


def only_error(values: dict[str, str]) -> str:
    record = read_one(values)
    assert isinstance(record, RowError), record
    return record.message


def full_row() -> dict[str, str]:
    """A value for each of the 87 columns, by subaward column name."""
    values = {name: f"{name} value" for name in SUBAWARD_COLUMNS}
    values.update(KEY)
    for name in SUBAWARD_COLUMNS:
        if name.endswith("_amount"):
            values[name] = "1000"
        elif name.endswith("uei"):
            values[name] = "ABCDEFGH1234"
    values.update(
        action_date="2019-10-01",
        sub_action_date="10/15/2019",
        date_submitted="2019-10-20 13:45:10",
        dba_name="Acme DBA",
    )
    return values


def test_the_columns_are_those_of_f_in_order() -> None:
    assert len(COLUMNS) == 87
    assert tuple(field.name for field in FIELDS) == SUBAWARD_COLUMNS
    assert F_HEADERS[:3] == ["PrimeAwardUniqueKey", "PrimeAwardID", "ParentAwardID"]
    assert F_HEADERS[20] == "Vendor Doing As Business Name"
    assert F_HEADERS[-1] == "SubAwardReportLastModifiedDate"


@pytest.mark.parametrize("spelling", ["database", "f"])
def test_reads_all_87_columns_by_either_name(spelling: str) -> None:
    values = full_row()
    header = list(SUBAWARD_COLUMNS) if spelling == "database" else F_HEADERS
    (record,) = read(csv_text(header, [values[name] for name in SUBAWARD_COLUMNS]))
    assert isinstance(record, SubawardRecord), record
    got = attrs.asdict(record)
    assert got["award_amount"] == got["subaward_amount"] == Decimal("1000.00")
    assert got["sub_high_comp_officer5_amount"] == Decimal("1000.00")
    assert got["action_date"] == dt.date(2019, 10, 1)
    assert got["sub_action_date"] == dt.date(2019, 10, 15)
    assert got["date_submitted"] == dt.datetime(2019, 10, 20, 13, 45, 10)
    assert got["dba_name"] == "Acme DBA"
    text = {name: value for name, value in got.items() if isinstance(value, str)}
    assert text == {name: values[name] for name in text}
    assert len(text) == 87 - 10  # 7 amounts, 2 dates, 1 timestamp
    assert record.natural_key == (
        "CONT_AWD_0001_9700_SPE1_9700",
        "sub-contract",
        "12345",
        "SUB-1",
    )


def test_headers_match_in_any_case_with_outer_spaces() -> None:
    header = [
        " primeawarduniquekey",
        "SUBAWARDTYPE",
        "subawardreportid",
        "SubAwardNumber ",
        "legalentityzip+4",
    ]
    (record,) = read(csv_text(header, [*KEY.values(), "123456789"]))
    assert record == SubawardRecord(**KEY, legal_entity_zip="123456789")


def test_only_the_key_columns_are_required() -> None:
    assert read(csv_text(list(KEY), list(KEY.values()))) == [SubawardRecord(**KEY)]
    with pytest.raises(
        ValueError,
        match=r"^Missing column\(s\): unique_award_key, subaward_type, internal_id, subaward_number$",
    ):
        read_subawards(io.StringIO("award_id,dba_name\nx,y\n"))


@pytest.mark.parametrize("value", ["sub-grant", "SUB-GRANT", " Sub-Grant "])
def test_subaward_type_is_stored_in_lower_case(value: str) -> None:
    record = read_one({"subaward_type": value})
    assert isinstance(record, SubawardRecord)
    assert record.subaward_type == "sub-grant"


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"unique_award_key": " "}, "unique_award_key: required"),
        ({"internal_id": ""}, "internal_id: required"),
        ({"subaward_number": ""}, "subaward_number: required"),
        ({"subaward_type": ""}, "subaward_type: required"),
        ({"subaward_type": "grant"}, "subaward_type: must be sub-contract or sub-grant, got 'grant'"),
        (
            {"awardee_or_recipient_uei": "123"},
            "awardee_or_recipient_uei: must be 12 letters or digits, got '123'",
        ),
        (
            {"ultimate_parent_uei": "ABCDEFGH123!"},
            "ultimate_parent_uei: must be 12 letters or digits, got 'ABCDEFGH123!'",
        ),
        (
            {"sub_awardee_or_recipient_uei": "abcdefgh12345"},
            "sub_awardee_or_recipient_uei: must be 12 letters or digits, got 'ABCDEFGH12345'",
        ),
        (
            {"sub_ultimate_parent_uei": "x"},
            "sub_ultimate_parent_uei: must be 12 letters or digits, got 'X'",
        ),
        ({"award_amount": "$5"}, "award_amount: not a number ('$5')"),
        ({"subaward_amount": "12.345"}, "subaward_amount: more than 2 decimal places ('12.345')"),
        (
            {"sub_high_comp_officer3_amount": "Infinity"},
            "sub_high_comp_officer3_amount: not a number ('Infinity')",
        ),
        ({"action_date": "13/01/2019"}, "action_date: not a date ('13/01/2019')"),
        ({"sub_action_date": "2019-10"}, "sub_action_date: not a date ('2019-10')"),
        ({"date_submitted": "noon"}, "date_submitted: not a date and time ('noon')"),
        (
            {"subaward_type": "loan", "subaward_amount": "x"},
            "subaward_type: must be sub-contract or sub-grant, got 'loan'; subaward_amount: not a number ('x')",
        ),
    ],
)
def test_bad_values_are_reported_with_their_column(values: dict[str, str], message: str) -> None:
    assert only_error(values) == message


def test_lines_count_the_header_and_later_rows_are_still_read() -> None:
    header = list(KEY)
    good = list(KEY.values())
    text = csv_text(header, good, [*good[:1], "sub-loan", *good[2:]], good[:2], good)
    rows = read(text)
    assert rows == [
        SubawardRecord(**KEY),
        RowError(3, "subaward_type: must be sub-contract or sub-grant, got 'sub-loan'"),
        RowError(4, "internal_id: missing (the row has 2 fields, the header 4)"),
        SubawardRecord(**KEY),
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2019-10-20 13:45:10", dt.datetime(2019, 10, 20, 13, 45, 10)),
        ("2019-10-20T13:45:10.250", dt.datetime(2019, 10, 20, 13, 45, 10, 250000)),
        ("2019-10-20T13:45:10Z", dt.datetime(2019, 10, 20, 13, 45, 10)),
        ("2019-10-20T09:45:10-04:00", dt.datetime(2019, 10, 20, 13, 45, 10)),
        ("2019-10-20", dt.datetime(2019, 10, 20)),
        ("10/20/2019", dt.datetime(2019, 10, 20)),
        ("10/20/2019 13:45:10", dt.datetime(2019, 10, 20, 13, 45, 10)),
        ("10/20/2019 1:45 PM", dt.datetime(2019, 10, 20, 13, 45)),
        ("20191020", dt.datetime(2019, 10, 20)),
        ("2019-10-32", None),
        ("later", None),
    ],
)
def test_date_submitted_forms(text: str, expected: dt.datetime | None) -> None:
    assert parse_timestamp(text) == expected


def test_values_pass_through_as_text() -> None:
    values: dict[str, Any] = {
        "fy": "FY2020",
        "naics": "541330",
        "legal_entity_zip": "02139",
        "award_id": " x ",
    }
    record = read_one(values)
    assert isinstance(record, SubawardRecord)
    assert (record.fy, record.naics, record.legal_entity_zip, record.award_id) == (
        "FY2020",
        "541330",
        "02139",
        "x",
    )

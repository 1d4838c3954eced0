"""Cleaning A, B and C values: padding, numbers, DEFC, TAS derivations, flex and unique id (spec §2.5)."""

from __future__ import annotations

import decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from broker_core.file_types import FileType
from broker_core.validation.cleaning import (
    CleanedRow,
    clean_defc,
    clean_number,
    clean_row,
    clean_values,
    derive_display_tas,
    derive_tas,
    flex_display,
    pad,
    tas_unique_id,
)
from broker_core.validation.reading import DataRow
from broker_core.validation.schema import schema_for


@pytest.mark.parametrize(
    ("value", "length", "padded"),
    [
        ("19", 3, "019"),
        ("306", 4, "0306"),
        ("0", 3, "000"),
        ("1234", 3, "1234"),
        ("abc", 3, "abc"),
        (None, 3, None),
    ],
)
def test_pad(value: str | None, length: int, padded: str | None) -> None:
    assert pad(value, length) == padded


@given(st.text(max_size=6), st.integers(min_value=1, max_value=8))
def test_pad_keeps_the_value_at_the_right(value: str, length: int) -> None:
    padded = pad(value, length)
    assert padded is not None
    assert padded.endswith(value)
    assert len(padded) == max(length, len(value))
    assert set(padded[: len(padded) - len(value)]) <= {"0"}


@pytest.mark.parametrize(
    ("value", "cleaned"),
    [
        ("1,00", "100"),
        ("10,003,234", "10003234"),
        ("-10,000", "-10000"),
        ("1,234.50", "1234.50"),
        ("1234", "1234"),
        ("1,2a", "1,2a"),
        ("1,2.3.4", "1,2.3.4"),
        ("--1,0", "--1,0"),
        (",", ","),
        (None, None),
    ],
)
def test_clean_number(value: str | None, cleaned: str | None) -> None:
    assert clean_number(value) == cleaned


@given(st.decimals(allow_nan=False, allow_infinity=False, places=2, max_value=10**15, min_value=-(10**15)))
def test_clean_number_undoes_thousands_separators(value: decimal.Decimal) -> None:
    assert clean_number(f"{value:,}") == f"{value}"


@pytest.mark.parametrize(
    ("value", "cleaned"), [("QQQ", "Q"), ("qqq", "Q"), ("QqQ", "Q"), ("Q", "Q"), ("L", "L"), (None, None)]
)
def test_clean_defc(value: str | None, cleaned: str | None) -> None:
    assert clean_defc(value) == cleaned


def tas_values(**values: str | None) -> dict[str, str | None]:
    names = (
        "allocation_transfer_agency",
        "agency_identifier",
        "beginning_period_of_availa",
        "ending_period_of_availabil",
        "availability_type_code",
        "main_account_code",
        "sub_account_code",
    )
    return {name: values.get(name) for name in names}


def test_tas_with_availability_type_code() -> None:
    values = tas_values(
        allocation_transfer_agency="019",
        agency_identifier="072",
        availability_type_code="X",
        main_account_code="0306",
        sub_account_code="000",
    )
    assert derive_display_tas(values) == "019-072-X-0306-000"
    assert derive_tas(values) == "01907200000000X0306000"


def test_tas_with_period_of_availability() -> None:
    values = tas_values(
        agency_identifier="019",
        beginning_period_of_availa="2016",
        ending_period_of_availabil="2016",
        main_account_code="0113",
        sub_account_code="000",
    )
    assert derive_display_tas(values) == "019-2016/2016-0113-000"
    assert derive_tas(values) == "00001920162016 0113000"


def test_tas_defaults_and_partial_period() -> None:
    assert derive_tas(tas_values()) == "000000" + "0000" * 2 + " " + "0000" + "000"
    assert derive_display_tas(tas_values()) == ""
    assert (
        derive_display_tas(tas_values(agency_identifier="019", ending_period_of_availabil="2017"))
        == "019-2017"
    )


def test_flex_display_and_unique_id() -> None:
    assert flex_display([("col 3", None), ("col 1", "A"), ("col 2", "B")]) == "col 1: A, col 2: B, col 3: "
    assert flex_display([]) == ""
    assert tas_unique_id("DISPLAY-TAS") == "TAS: DISPLAY-TAS"


def test_clean_row_for_file_a() -> None:
    values: dict[str, str | None] = dict.fromkeys(schema_for(FileType.A).short_names)
    values.update(
        agency_identifier="19", main_account_code="306", sub_account_code="0", availability_type_code="X"
    )
    values["gross_outlay_amount_by_tas_cpe"] = "-10,000"
    row = clean_row(DataRow(4, values, (("flex_b", "2"), ("flex_a", None))), schema_for(FileType.A))
    assert row.values["agency_identifier"] == "019"
    assert row.values["main_account_code"] == "0306"
    assert row.values["sub_account_code"] == "000"
    assert row.values["allocation_transfer_agency"] is None
    assert row.values["gross_outlay_amount_by_tas_cpe"] == "-10000"
    assert row.display_tas == "019-X-0306-000"
    assert row.tas == "00001900000000X0306000"
    assert row.unique_id == "TAS: 019-X-0306-000"
    assert row.flex_field == "flex_a: , flex_b: 2"
    assert values["agency_identifier"] == "19"  # the read row is not changed


def test_program_activity_code_is_padded_and_defc_rewritten_in_b_and_c() -> None:
    for file_type in (FileType.B, FileType.C):
        values = clean_values(
            {"program_activity_code": "1", "disaster_emergency_fund_code": "qqq"}, schema_for(file_type)
        )
        assert values["program_activity_code"] == "0001"
        assert values["disaster_emergency_fund_code"] == "Q"


def test_d_files_are_not_cleaned() -> None:
    values: dict[str, str | None] = {"federal_action_obligation": "1,000", "awarding_sub_tier_agency_c": "1"}
    row = clean_row(DataRow(2, values, ()), schema_for(FileType.D2))
    assert row == CleanedRow(row_number=2, values=values, flex=())
    assert row.unique_id == ""

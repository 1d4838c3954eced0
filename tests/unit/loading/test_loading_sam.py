from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from tests.reference import BROKER_CONFIG

from broker_core.generation.award_rows import RowError
from broker_core.loading.sam import FIELDS, read_sam_recipients
from broker_core.loading.source_records import SAM_RECIPIENT_COLUMNS, SamRecipientRecord

UEI = "ABCDEFGH1234"
PARENT = "ZZZZ99990000"


def read(text: str) -> list[SamRecipientRecord | RowError]:
    return list(read_sam_recipients(io.StringIO(text)))


def csv_text(*rows: list[str]) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue()


def only_error(text: str) -> str:
    (row,) = read(text)
    assert isinstance(row, RowError), row
    return row.message


def test_the_reader_fills_every_field_of_the_record_in_order() -> None:
    assert tuple(field.name for field in FIELDS) == SAM_RECIPIENT_COLUMNS


def test_reads_database_column_names() -> None:
    text = (
        "uei,legal_business_name,dba_name,ultimate_parent_uei,ultimate_parent_legal_enti,"
        "registration_date,expiration_date,high_comp_officer1_full_na,high_comp_officer1_amount,"
        "high_comp_officer2_full_na,high_comp_officer2_amount\n"
        f"{UEI.lower()},Acme Corp, Acme ,{PARENT},Acme Holdings,2019-03-04,03/04/2025,Jane Roe,1234567.5,,\n"
    )
    (row,) = read(text)
    assert row == SamRecipientRecord(
        uei=UEI,  # upper-cased
        legal_business_name="Acme Corp",
        dba_name="Acme",
        ultimate_parent_uei=PARENT,
        ultimate_parent_legal_enti="Acme Holdings",
        registration_date=dt.date(2019, 3, 4),
        expiration_date=dt.date(2025, 3, 4),
        high_comp_officer1_full_na="Jane Roe",
        high_comp_officer1_amount=Decimal("1234567.50"),
    )
    assert isinstance(row, SamRecipientRecord)
    assert str(row.high_comp_officer1_amount) == "1234567.50"  # always two places


def test_reads_the_file_headers_of_e_in_any_case_and_order() -> None:
    header = [
        "HighCompOfficer5Amount",
        "AWARDEEORRECIPIENTUEI",
        "awardeeOrRecipientLegalEntityName",
        "UltimateParentUEI",
        "UltimateParentLegalEntityName",
        "HighCompOfficer5FullName",
        "HighCompOfficer3FullName",
        "HighCompOfficer3Amount",
        "AwardeeOrRecipientUniqueIdentifier",
        "LegalEntityCityName",
    ]
    row_text = f"-12,{UEI},Acme,{PARENT},Parent,Five,Three,0,123456789,Springfield\n"
    (row,) = read(",".join(header) + "\n" + row_text)
    assert row == SamRecipientRecord(
        uei=UEI,
        awardee_or_recipient_uniqu="123456789",
        legal_business_name="Acme",
        ultimate_parent_uei=PARENT,
        ultimate_parent_legal_enti="Parent",
        city="Springfield",
        high_comp_officer3_full_na="Three",
        high_comp_officer3_amount=Decimal("0.00"),
        high_comp_officer5_full_na="Five",
        high_comp_officer5_amount=Decimal("-12.00"),
    )


def _reference_e_columns() -> list[dict[str, str]]:
    with open(BROKER_CONFIG / "executiveCompensationFields.csv", encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


@pytest.mark.parametrize("spelling", ["gsdmname", "fieldname", "fieldname_short"])
def test_every_spelling_of_the_e_columns_in_the_broker_config_is_read(spelling: str) -> None:
    columns = _reference_e_columns()
    assert len(columns) == 14
    # The reference list still names the DUNS (AwardeeOrRecipientUniqueIdentifier), not the UEI.
    header = ["uei", *(c[spelling] for c in columns)]
    values = [UEI, "123456789", "Acme", "987654321", "Parent"]
    values += [v for n in range(1, 6) for v in (f"Officer {n}", f"{n}000")]
    (row,) = read(",".join(header) + "\n" + ",".join(values) + "\n")
    assert isinstance(row, SamRecipientRecord), row
    assert (row.awardee_or_recipient_uniqu, row.legal_business_name) == ("123456789", "Acme")
    assert (row.ultimate_parent_unique_ide, row.ultimate_parent_legal_enti) == ("987654321", "Parent")
    officers = [
        (getattr(row, f"high_comp_officer{n}_full_na"), getattr(row, f"high_comp_officer{n}_amount"))
        for n in range(1, 6)
    ]
    assert officers == [(f"Officer {n}", Decimal(f"{n}000.00")) for n in range(1, 6)]


def test_a_file_without_a_uei_column_is_refused_at_once() -> None:
    with pytest.raises(ValueError, match=r"^Missing column\(s\): uei$"):
        read_sam_recipients(io.StringIO("legal_business_name,dba_name\nAcme,\n"))


def test_absent_optional_columns_load_as_blank() -> None:
    assert read(f"uei\n{UEI}\n") == [SamRecipientRecord(uei=UEI)]


@pytest.mark.parametrize(
    ("header", "value", "message"),
    [
        ("uei", "", "uei: required"),
        ("uei", "ABC123", "uei: must be 12 letters or digits, got 'ABC123'"),
        ("uei", "ABCDEFGH12345", "uei: must be 12 letters or digits, got 'ABCDEFGH12345'"),
        ("uei", "ABCD-EFGH-12", "uei: must be 12 letters or digits, got 'ABCD-EFGH-12'"),
        ("uei", "ÄBCDEFGH1234", "uei: must be 12 letters or digits, got 'ÄBCDEFGH1234'"),
        ("UltimateParentUEI", "short", "ultimate_parent_uei: must be 12 letters or digits, got 'SHORT'"),
        ("high_comp_officer2_amount", "1,000", "high_comp_officer2_amount: not a number ('1,000')"),
        ("HighCompOfficer4Amount", "NaN", "high_comp_officer4_amount: not a number ('NaN')"),
        (
            "high_comp_officer1_amount",
            "1.005",
            "high_comp_officer1_amount: more than 2 decimal places ('1.005')",
        ),
        ("high_comp_officer1_amount", "1e21", "high_comp_officer1_amount: too large ('1e21')"),
        ("registration_date", "2019-02-30", "registration_date: not a date ('2019-02-30')"),
        ("last_sam_mod_date", "yesterday", "last_sam_mod_date: not a date ('yesterday')"),
    ],
)
def test_bad_values_are_reported_with_their_column(header: str, value: str, message: str) -> None:
    row = {"uei": UEI, "dba_name": "Acme", header: value}
    assert only_error(csv_text(list(row), list(row.values()))) == message


def test_the_largest_amounts_and_trailing_zeros_are_accepted() -> None:
    (row,) = read(
        f"uei,high_comp_officer1_amount,high_comp_officer2_amount\n{UEI},999999999999999999999.99,1.500\n"
    )
    assert isinstance(row, SamRecipientRecord)
    assert row.high_comp_officer1_amount == Decimal("999999999999999999999.99")
    assert row.high_comp_officer2_amount == Decimal("1.50")


def test_every_problem_of_a_row_is_reported_and_lines_count_the_header() -> None:
    text = (
        f'uei,ultimate_parent_uei,high_comp_officer1_amount\n{UEI},,\n"multi\nline",,\n{UEI},bad,x\n{UEI}\n'
    )
    rows = read(text)
    assert rows[0] == SamRecipientRecord(uei=UEI)
    assert rows[1:] == [
        RowError(3, "uei: must be 12 letters or digits, got 'MULTI\\nLINE'"),
        RowError(
            5,
            "ultimate_parent_uei: must be 12 letters or digits, got 'BAD'; high_comp_officer1_amount: not a number ('x')",
        ),
        RowError(6, "ultimate_parent_uei: missing (the row has 1 fields, the header 3)"),
    ]


def test_rows_are_read_lazily() -> None:
    def lines() -> object:
        yield "uei\n"
        yield f"{UEI}\n"
        raise AssertionError("read too far")

    rows = read_sam_recipients(lines())  # type: ignore[arg-type]
    assert next(rows) == SamRecipientRecord(uei=UEI)

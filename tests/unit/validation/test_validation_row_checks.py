"""The row checks: validity by type, messages, expected texts, order, which rows are not loaded (spec §2.6)."""

from __future__ import annotations

import pytest

from broker_core.file_types import FileType
from broker_core.validation.cleaning import CleanedRow, clean_row
from broker_core.validation.problem import RowProblem, Severity
from broker_core.validation.reading import DataRow
from broker_core.validation.row_checks import (
    DATE_EXPECTED,
    DATE_MESSAGE,
    LENGTH_MESSAGE,
    REQUIRED_MESSAGE,
    TYPE_MESSAGE,
    check_rows,
    expected_length_text,
    expected_type_text,
    is_valid_date,
    is_valid_type,
)
from broker_core.validation.schema import FieldSpec, FieldType, FileSchema, schema_for

A = schema_for(FileType.A)
C = schema_for(FileType.C)

# value: (INT, DECIMAL, BOOLEAN, STRING, LONG) — the reference's type validity table; blank is None.
VALIDITY = {
    "1234Test": (False, False, False, True, False),
    None: (True, True, True, True, True),
    "01234": (True, True, False, True, True),
    "1234.0": (False, True, False, True, False),
    "1234.00": (False, True, False, True, False),
}
TYPES = (FieldType.INT, FieldType.DECIMAL, FieldType.BOOLEAN, FieldType.STRING, FieldType.LONG)


@pytest.mark.parametrize("value", list(VALIDITY))
def test_type_validity_table(value: str | None) -> None:
    assert tuple(is_valid_type(value, field_type) for field_type in TYPES) == VALIDITY[value]


@pytest.mark.parametrize("value", ["TRUE", "false", "Yes", "NO", "1", "0"])
def test_booleans(value: str) -> None:
    assert is_valid_type(value, FieldType.BOOLEAN)


def test_decimal_takes_what_python_takes() -> None:
    assert all(
        is_valid_type(value, FieldType.DECIMAL) for value in ("1e5", "NaN", "-Infinity", "-10000", ".5")
    )
    assert not is_valid_type("1,000", FieldType.DECIMAL)
    assert not is_valid_type("1.0", FieldType.INT)


@pytest.mark.parametrize(
    ("value", "valid"),
    [
        (None, True),
        ("20160229", True),
        ("20170229", False),
        ("20171301", False),
        ("2017011", False),
        ("2017-01-01", False),
        ("00000101", False),
        ("2017010a", False),
    ],
)
def test_date_validity(value: str | None, valid: bool) -> None:
    assert is_valid_date(value) is valid


def test_expected_texts() -> None:
    assert expected_type_text(FieldType.BOOLEAN) == "This field must be a boolean"
    assert expected_type_text(FieldType.DECIMAL) == "This field must be a decimal"
    assert expected_type_text(FieldType.INT) == "This field must be a int"
    assert expected_type_text(FieldType.LONG) == "This field must be a long"
    assert expected_length_text(5) == "Max length: 5"


def a_row(row_number: int, **values: str | None) -> CleanedRow:
    """A file A row that passes every check, with ``values`` changed; cleaned as the reader would."""
    base: dict[str, str | None] = {
        field.short_name: ("0" if field.type is FieldType.DECIMAL else None) for field in A.fields
    }
    base.update(agency_identifier="069", main_account_code="2050", sub_account_code="005")
    base.update(allocation_transfer_agency="013", availability_type_code="X")
    base.update(values)
    return clean_row(DataRow(row_number, base, (("flex_field_b", "FLEX_B"), ("flex_field_a", "FLEX_A"))), A)


def test_valid_rows_have_no_problems() -> None:
    result = check_rows([a_row(2), a_row(3)], A)
    assert result.problems == ()
    assert result.rejected == frozenset()


def test_type_error_example_from_the_reference_tests() -> None:
    row = a_row(
        6, agency_identifier="013", allocation_transfer_agency="069", status_of_budgetary_resour_cpe="A"
    )
    result = check_rows([row], A)
    assert result.problems == (
        RowProblem(
            unique_id="TAS: 069-013-X-2050-005",
            field_name="statusofbudgetaryresourcestotal_cpe",
            rule_message=TYPE_MESSAGE,
            value_provided="statusofbudgetaryresourcestotal_cpe: A",
            expected_value="This field must be a decimal",
            difference="",
            flex_field="flex_field_a: FLEX_A, flex_field_b: FLEX_B",
            row_number=6,
            rule_label="",
            error_type="type_error",
            severity=Severity.FATAL,
        ),
    )
    assert result.rejected == frozenset({6})
    assert result.loadable([row]) == []


def test_required_error() -> None:
    (problem,) = check_rows([a_row(3, sub_account_code=None)], A).problems
    assert (problem.field_name, problem.rule_message) == ("subaccountcode", REQUIRED_MESSAGE)
    assert (problem.value_provided, problem.expected_value, problem.rule_label) == ("", "(not blank)", "")
    assert (problem.error_type, problem.severity) == ("required_error", Severity.FATAL)
    assert problem.unique_id == "TAS: 013-069-X-2050"


def test_length_error_is_fatal_and_only_on_rows_without_type_errors() -> None:
    long_amount = "3" + "5" * 21
    rows = [
        a_row(2, gross_outlay_amount_by_tas_cpe=long_amount),
        a_row(3, gross_outlay_amount_by_tas_cpe=long_amount, unobligated_balance_cpe="x"),
    ]
    result = check_rows(rows, A)
    assert [(p.error_type, p.row_number) for p in result.problems] == [("type_error", 3), ("length_error", 2)]
    length = result.problems[1]
    assert length.rule_message == LENGTH_MESSAGE
    assert length.expected_value == "Max length: 21"
    assert length.value_provided == f"grossoutlayamountbytas_cpe: {long_amount}"
    assert length.severity is Severity.FATAL
    assert result.loadable(rows) == [rows[0]]  # length errors do not keep a row out


def test_padding_comes_before_the_length_check() -> None:
    assert check_rows([a_row(2, agency_identifier="69")], A).problems == ()


def test_order_is_required_then_type_then_length_then_format_each_column_by_column() -> None:
    rows = [
        a_row(2, agency_identifier=None, main_account_code=None, unobligated_balance_cpe="bad"),
        a_row(3, agency_identifier=None, borrowing_authority_amount_cpe="bad", availability_type_code="XX"),
        a_row(4, sub_account_code="12345", unobligated_balance_cpe="bad", main_account_code="12345"),
    ]
    order = [(p.error_type, p.field_name, p.row_number) for p in check_rows(rows, A).problems]
    assert order == [
        ("required_error", "agencyidentifier", 2),
        ("required_error", "agencyidentifier", 3),
        ("required_error", "mainaccountcode", 2),
        ("type_error", "borrowingauthorityamounttotal_cpe", 3),
        ("type_error", "unobligatedbalance_cpe", 2),
        ("type_error", "unobligatedbalance_cpe", 4),
    ]
    rows[2] = a_row(4, sub_account_code="12345", main_account_code="12345")
    order = [(p.error_type, p.field_name, p.row_number) for p in check_rows(rows, A).problems][-2:]
    assert order == [("length_error", "mainaccountcode", 4), ("length_error", "subaccountcode", 4)]


def c_row(row_number: int, **values: str | None) -> CleanedRow:
    base: dict[str, str | None] = dict.fromkeys(C.short_names)
    base.update(
        agency_identifier="069",
        main_account_code="2050",
        sub_account_code="005",
        object_class="100",
        disaster_emergency_fund_code="Q",
        by_direct_reimbursable_fun="D",
    )
    base.update(values)
    return clean_row(DataRow(row_number, base, ()), C)


def test_date_format_error_keeps_the_row_out() -> None:
    assert check_rows([c_row(2, general_ledger_post_date="20170131")], C).problems == ()
    rows = [c_row(2, general_ledger_post_date="20171301"), c_row(3)]
    result = check_rows(rows, C)
    (problem,) = result.problems
    assert problem.field_name == "generalledgerpostdate"
    assert problem.rule_message == DATE_MESSAGE
    assert problem.value_provided == "generalledgerpostdate: 20171301"
    assert problem.expected_value == DATE_EXPECTED == "A date in the YYYYMMDD format."
    assert (problem.rule_label, problem.error_type) == ("DABSDATETIME", "field_format_error")
    assert result.loadable(rows) == [rows[1]]


def test_required_fields_of_c() -> None:
    names = {
        p.field_name
        for p in check_rows([c_row(2, object_class=None, by_direct_reimbursable_fun=None)], C).problems
    }
    assert names == {"objectclass", "bydirectreimbursablefundingsource"}


def test_boolean_field_and_short_max_length() -> None:
    schema = FileSchema.of(
        FileType.A,
        [
            FieldSpec(name="Flag", short_name="flag", long_name="flag", type=FieldType.BOOLEAN),
            FieldSpec(name="Code", short_name="code", long_name="code", length=5),
        ],
    )
    rows = [
        CleanedRow(2, {"flag": "maybe", "code": "123456"}, ()),
        CleanedRow(3, {"flag": "Yes", "code": "123456"}, ()),
    ]
    problems = check_rows(rows, schema).problems
    assert [(p.expected_value, p.row_number, p.unique_id) for p in problems] == [
        ("This field must be a boolean", 2, ""),
        ("Max length: 5", 3, ""),
    ]

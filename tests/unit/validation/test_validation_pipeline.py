"""A whole file through reading, cleaning and row checks; file-level failures (spec §2.2-§2.6, §1.3)."""

from __future__ import annotations

import csv
import io

import pytest

from broker_core.file_types import FileType
from broker_core.validation.headers import HeaderError
from broker_core.validation.pipeline import FileTypeError, FileValidation, ValidatedBatch, check_extension
from broker_core.validation.problem import Severity, blank_file_warning, formatting_error
from broker_core.validation.reading import FileEncodingError
from broker_core.validation.schema import FieldType, schema_for

A = schema_for(FileType.A)
A_HEADER = [field.name for field in A.fields]


def a_line(delimiter: str = ",", **values: str) -> str:
    """A file A data line in schema order (long headers): valid unless ``values`` say otherwise."""
    base = {field.short_name: "0" if field.type is FieldType.DECIMAL else "" for field in A.fields}
    base.update(
        agency_identifier="19", main_account_code="306", sub_account_code="0", availability_type_code="X"
    )
    base.update(values)
    return delimiter.join(base[field.short_name] for field in A.fields)


def a_file(*lines: str, delimiter: str = ",", extra_headers: tuple[str, ...] = ()) -> bytes:
    return "\n".join([delimiter.join([*A_HEADER, *extra_headers]), *lines, ""]).encode()


def run(
    data: bytes, file_type: FileType = FileType.A, name: str = "file.csv", batch_size: int = 10
) -> list[ValidatedBatch]:
    return list(FileValidation(io.BytesIO(data), name, file_type, batch_size).batches())


@pytest.mark.parametrize("name", ["a.csv", "a.TXT", "dir/a.Csv"])
def test_accepted_extensions(name: str) -> None:
    check_extension(name)


@pytest.mark.parametrize("name", ["a.xlsx", "a.csv.gz", "a"])
def test_other_extensions_are_a_file_type_error(name: str) -> None:
    with pytest.raises(FileTypeError, match=r"Invalid file type. Valid file types include .csv and .txt."):
        FileValidation([a_file(a_line())], name, FileType.A)


def test_valid_file_is_loaded_with_derivations() -> None:
    data = a_file(
        a_line() + ",1",
        a_line(gross_outlay_amount_by_tas_cpe='" -10,000"') + ",",
        extra_headers=("FLEX_X",),
    )
    (batch,) = run(data)
    assert batch.problems == ()
    first, second = batch.rows
    assert (first.row_number, second.row_number) == (2, 3)
    assert first.values["agency_identifier"] == "019"
    assert first.display_tas == "019-X-0306-000"
    assert first.tas == "00001900000000X0306000"
    assert first.flex == (("flex_x", "1"),)
    assert second.values["gross_outlay_amount_by_tas_cpe"] == "-10000"


def test_pipe_delimited_file_gives_the_same_rows() -> None:
    comma = run(a_file(a_line(), a_line()))
    pipe = run(a_file(a_line("|"), a_line("|"), delimiter="|"))
    assert pipe == comma


def test_formatting_errors_come_before_row_checks_and_bad_rows_are_dropped() -> None:
    data = a_file(a_line(unobligated_balance_cpe="bad"), "1,2,3", a_line(sub_account_code=""))
    (batch,) = run(data)
    assert [(p.error_type, p.row_number) for p in batch.problems] == [
        ("read_error", 3),
        ("required_error", 4),
        ("type_error", 2),
    ]
    assert batch.problems[0] == formatting_error(3)
    assert [row.row_number for row in batch.rows] == [4]  # required errors are still loaded


def test_header_errors_are_raised_before_reading() -> None:
    header = [name for name in A_HEADER if name != "SubAccountCode"] + ["MainAccountCode"]
    data = ("|".join(header) + "\n").encode()
    with pytest.raises(HeaderError) as caught:
        FileValidation([data], "a.txt", FileType.A)
    assert caught.value.missing == ("SubAccountCode",)
    assert caught.value.duplicated == ("MainAccountCode",)


def test_empty_file_misses_every_header() -> None:
    with pytest.raises(HeaderError) as caught:
        FileValidation([b""], "a.csv", FileType.A)
    assert caught.value.missing == tuple(A_HEADER)


def test_not_utf8() -> None:
    data = a_file(a_line(), a_line()).replace(b"306", b"3\xe96", 1)
    validation = FileValidation([data], "a.csv", FileType.A)
    with pytest.raises(FileEncodingError) as caught:
        list(validation.batches())
    assert (caught.value.line_number, caught.value.row_number) == (2, 2)


@pytest.mark.parametrize("file_type", [FileType.A, FileType.B, FileType.C])
def test_header_only_dabs_file_gets_the_blank_file_warning(file_type: FileType) -> None:
    header = ",".join(field.short_name for field in schema_for(file_type).fields) + "\n\n"
    batches = run(header.encode(), file_type)
    assert batches == [ValidatedBatch((), (blank_file_warning(),))]
    warning = batches[0].problems[0]
    assert (warning.field_name, warning.rule_label, warning.error_type) == (
        "Blank File",
        "DABSBLANK",
        "blank_file_error",
    )
    assert warning.row_number is None and warning.severity is Severity.WARNING
    assert warning.rule_message == (
        "File does not contain data. For files A and B, this must be addressed prior to "
        "publication/certification. Blank file C does not prevent publication/certification."
    )


def test_only_blank_and_null_rows_is_blank_too() -> None:
    empty = "," * (len(A_HEADER) - 1)
    batches = run(a_file(empty, ",,", ""))
    assert [problem.error_type for batch in batches for problem in batch.problems] == [
        "read_error",
        "blank_file_error",
    ]


@pytest.mark.parametrize("file_type", [FileType.D1, FileType.D2])
def test_d_files_are_trusted_and_never_blank(file_type: FileType) -> None:
    schema = schema_for(file_type)
    header = io.StringIO()
    csv.writer(header, lineterminator="\n").writerow(
        field.name for field in schema.fields
    )  # D1 names hold commas
    assert run(header.getvalue().encode(), file_type) == []
    line = ",".join("not a number" if field.type is not FieldType.STRING else "" for field in schema.fields)
    line = "x" + line if schema.fields[0].type is FieldType.STRING else line
    (batch,) = run((header.getvalue() + line + "\n").encode(), file_type)
    assert batch.problems == ()
    assert len(batch.rows) == 1
    assert batch.rows[0].tas is None


def test_batches_and_summary() -> None:
    validation = FileValidation([a_file(*[a_line()] * 5, "x")], "a.csv", FileType.A, batch_size=2)
    batches = list(validation.batches())
    assert [(len(b.rows), len(b.problems)) for b in batches] == [(2, 0), (2, 0), (1, 1)]
    summary = validation.summary()
    assert (summary.records, summary.data_rows, summary.populated_short_rows) == (7, 5, 1)
    assert validation.delimiter == ","
    assert validation.header_map.long_headers

"""Report CSVs (spec §3.1): columns, the two quoting styles, streaming, and a round-trip property."""

from __future__ import annotations

import csv
import io
import itertools
from collections.abc import Iterator

from hypothesis import given
from hypothesis import strategies as st

from broker_core.validation.cross_problem import CrossFileProblem
from broker_core.validation.problem import RowProblem, Severity
from broker_core.validation.reports import (
    CROSS_FILE_COLUMNS,
    SINGLE_FILE_COLUMNS,
    CrossFileReport,
    CrossFileReports,
    SingleFileReport,
    SingleFileReports,
    cross_file_cells,
    cross_file_report_chunks,
    header_error_report,
    render_row,
    single_file_cells,
    single_file_report_chunks,
)

SINGLE_HEADER = b"Unique ID,Field Name,Rule Message,Value Provided,Expected Value,Difference,Flex Field,Row Number,Rule Label\n"
CROSS_HEADER = (
    b"Unique ID,Source File,Source Field Name,Target File,Target Field Name,Rule Message,Source Value Provided,"
    b"Target Value Provided,Difference,Source Flex Field,Source Row Number,Rule Label\n"
)
TYPE_MESSAGE = (
    "The value provided was of the wrong type. Note that all type errors in a line must be fixed before "
    "the rest of the validation logic is applied to that line."
)


class Sink:
    def __init__(self) -> None:
        self.chunks: list[bytes] = []

    def write(self, data: bytes, /) -> int:
        self.chunks.append(data)
        return len(data)

    @property
    def data(self) -> bytes:
        return b"".join(self.chunks)


def parse(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8"), newline="")))


def type_error() -> RowProblem:
    return RowProblem(
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
    )


def sql_failure(row_number: int | None = 3, severity: Severity = Severity.FATAL) -> RowProblem:
    return RowProblem(
        unique_id="TAS: 069-013-X-2050-005",
        field_name="statusofbudgetaryresourcestotal_cpe, totalbudgetaryresources_cpe",
        rule_message="StatusOfBudgetaryResourcesTotal_CPE = TotalBudgetaryResources_CPE.",
        value_provided="statusofbudgetaryresourcestotal_cpe: , totalbudgetaryresources_cpe: 13.08",
        expected_value="GTAS SF133 Line 3020: 5",
        difference="-13.08",
        flex_field="",
        row_number=row_number,
        rule_label="A24",
        error_type="rule_failed",
        severity=severity,
    )


def a18() -> CrossFileProblem:
    return CrossFileProblem(
        unique_id="TAS: 019-2016/2016-0113-000",
        source_file="appropriations",
        source_field_name="grossoutlayamountbytas_cpe",
        target_file="program_activity",
        target_field_name="gross_outlay_amount_by_pro_cpe_sum",
        rule_message="Message, with a comma",
        source_value_provided="grossoutlayamountbytas_cpe: 10000",
        target_value_provided="gross_outlay_amount_by_pro_cpe_sum: 6000",
        difference="4000",
        source_flex_field="flex_field_a: FLEX_A, flex_field_b: FLEX_B",
        source_row_number=5,
        rule_label="A18",
        severity=Severity.WARNING,
    )


def test_column_lists() -> None:
    assert render_row(SINGLE_FILE_COLUMNS).encode() == SINGLE_HEADER
    assert render_row(CROSS_FILE_COLUMNS).encode() == CROSS_HEADER


def test_an_empty_report_is_its_header() -> None:
    sink = Sink()
    report = SingleFileReport(sink)
    report.flush()
    assert sink.data == SINGLE_HEADER
    assert report.rows == 0
    assert b"".join(cross_file_report_chunks([])) == CROSS_HEADER


def test_row_check_rows_have_every_field_quoted() -> None:
    sink = Sink()
    report = SingleFileReport(sink)
    report.write(type_error())
    report.flush()
    assert sink.data == SINGLE_HEADER + (
        b'"TAS: 069-013-X-2050-005","statusofbudgetaryresourcestotal_cpe","' + TYPE_MESSAGE.encode() + b'",'
        b'"statusofbudgetaryresourcestotal_cpe: A","This field must be a decimal","",'
        b'"flex_field_a: FLEX_A, flex_field_b: FLEX_B","6",""\n'
    )


def test_formatting_and_blank_file_rows_are_quoted_too() -> None:
    formatting = RowProblem(
        "", "Formatting Error", "Could not parse this record correctly.", "", "", "", "", 5, "", "read_error",
        Severity.FATAL,
    )  # fmt: skip
    blank = RowProblem(
        "", "Blank File", "File does not contain data.", "", "", "", "", None, "DABSBLANK", "blank_file_error",
        Severity.WARNING,
    )  # fmt: skip
    data = b"".join(single_file_report_chunks([formatting, blank]))
    assert data == SINGLE_HEADER + (
        b'"","Formatting Error","Could not parse this record correctly.","","","","","5",""\n'
        b'"","Blank File","File does not contain data.","","","","","","DABSBLANK"\n'
    )


def test_sql_rule_rows_use_minimal_quoting() -> None:
    data = b"".join(single_file_report_chunks([sql_failure(), sql_failure(row_number=None)]))
    assert data == SINGLE_HEADER + (
        b'TAS: 069-013-X-2050-005,"statusofbudgetaryresourcestotal_cpe, totalbudgetaryresources_cpe",'
        b"StatusOfBudgetaryResourcesTotal_CPE = TotalBudgetaryResources_CPE.,"
        b'"statusofbudgetaryresourcestotal_cpe: , totalbudgetaryresources_cpe: 13.08",'
        b"GTAS SF133 Line 3020: 5,-13.08,,3,A24\n"
        b'TAS: 069-013-X-2050-005,"statusofbudgetaryresourcestotal_cpe, totalbudgetaryresources_cpe",'
        b"StatusOfBudgetaryResourcesTotal_CPE = TotalBudgetaryResources_CPE.,"
        b'"statusofbudgetaryresourcestotal_cpe: , totalbudgetaryresources_cpe: 13.08",'
        b"GTAS SF133 Line 3020: 5,-13.08,,,A24\n"
    )


def test_cross_file_rows() -> None:
    sink = Sink()
    report = CrossFileReport(sink)
    report.write(a18())
    report.flush()
    assert sink.data == CROSS_HEADER + (
        b"TAS: 019-2016/2016-0113-000,appropriations,grossoutlayamountbytas_cpe,program_activity,"
        b'gross_outlay_amount_by_pro_cpe_sum,"Message, with a comma",grossoutlayamountbytas_cpe: 10000,'
        b'gross_outlay_amount_by_pro_cpe_sum: 6000,4000,"flex_field_a: FLEX_A, flex_field_b: FLEX_B",5,A18\n'
    )
    assert report.rows == 1


def test_header_error_report() -> None:
    data = header_error_report(["AgencyIdentifier"], ["AllocationTransferAgencyIdentifier", "Odd, name"])
    assert data == (
        b"Error type,Header name\n"
        b"Duplicated header,AgencyIdentifier\n"
        b"Missing header,AllocationTransferAgencyIdentifier\n"
        b'Missing header,"Odd, name"\n'
    )


def test_problems_are_split_by_severity() -> None:
    errors, warnings = Sink(), Sink()
    reports = SingleFileReports(errors, warnings)
    reports.write(type_error())
    reports.write(sql_failure(severity=Severity.WARNING))
    reports.write(sql_failure())
    reports.flush()
    assert (reports.errors.rows, reports.warnings.rows) == (2, 1)
    assert [row[-1] for row in parse(errors.data)[1:]] == ["", "A24"]
    assert [row[-2] for row in parse(warnings.data)[1:]] == ["3"]

    cross_errors, cross_warnings = Sink(), Sink()
    cross = CrossFileReports(cross_errors, cross_warnings)
    cross.write(a18())
    cross.flush()
    assert cross_errors.data == CROSS_HEADER
    assert len(parse(cross_warnings.data)) == 2


def test_rows_reach_the_sink_in_whole_line_chunks() -> None:
    sink = Sink()
    report = SingleFileReport(sink, chunk_bytes=300)
    for _ in range(10):
        report.write(sql_failure())
    written_before_flush = len(sink.chunks)
    report.flush()
    assert written_before_flush >= 2
    assert all(chunk.endswith(b"\n") for chunk in sink.chunks)
    assert len(parse(sink.data)) == 11
    # Nothing is written until a chunk fills up.
    quiet = Sink()
    SingleFileReport(quiet).write(sql_failure())
    assert quiet.chunks == []


def test_chunks_are_produced_lazily() -> None:
    consumed = 0

    def endless() -> Iterator[RowProblem]:
        nonlocal consumed
        while True:
            consumed += 1
            yield sql_failure()

    chunks = list(itertools.islice(single_file_report_chunks(endless(), chunk_bytes=1000), 3))
    assert len(chunks) == 3
    assert consumed < 50  # a few chunks' worth, not the (endless) whole


_text = st.text(max_size=40) | st.sampled_from(
    ["", ",", '"', '""', "\n", "\r", "\r\n", " a ", "é€😀", 'a,"b"\nc']
)
_severity = st.sampled_from(Severity)
_row_number = st.none() | st.integers(min_value=1, max_value=10**9)

_row_problems = st.builds(
    RowProblem,
    unique_id=_text,
    field_name=_text,
    rule_message=_text,
    value_provided=_text,
    expected_value=_text,
    difference=_text,
    flex_field=_text,
    row_number=_row_number,
    rule_label=_text,
    error_type=st.sampled_from(["rule_failed", "type_error", "read_error", "blank_file_error"]),
    severity=_severity,
)
_cross_problems = st.builds(
    CrossFileProblem,
    unique_id=_text,
    source_file=_text,
    source_field_name=_text,
    target_file=_text,
    target_field_name=_text,
    rule_message=_text,
    source_value_provided=_text,
    target_value_provided=_text,
    difference=_text,
    source_flex_field=_text,
    source_row_number=_row_number,
    rule_label=_text,
    severity=_severity,
)


@given(st.lists(_row_problems, max_size=8), st.integers(min_value=1, max_value=500))
def test_single_file_reports_parse_back_to_the_same_cells(
    problems: list[RowProblem], chunk_bytes: int
) -> None:
    data = b"".join(single_file_report_chunks(problems, chunk_bytes=chunk_bytes))
    assert parse(data) == [list(SINGLE_FILE_COLUMNS)] + [list(single_file_cells(p)) for p in problems]


@given(st.lists(_cross_problems, max_size=8))
def test_cross_file_reports_parse_back_to_the_same_cells(problems: list[CrossFileProblem]) -> None:
    data = b"".join(cross_file_report_chunks(problems, chunk_bytes=64))
    assert parse(data) == [list(CROSS_FILE_COLUMNS)] + [list(cross_file_cells(p)) for p in problems]


@given(st.lists(_text, max_size=4), st.lists(_text, max_size=4))
def test_header_error_reports_parse_back(duplicated: list[str], missing: list[str]) -> None:
    rows = parse(header_error_report(duplicated, missing))
    assert rows == [["Error type", "Header name"]] + [["Duplicated header", name] for name in duplicated] + [
        ["Missing header", name] for name in missing
    ]

"""Loading award rows from files in the generated D1/D2 layout, and rendering them for storage."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from broker_core.file_types import FileType
from broker_core.generation.award_rows import RowError, read_award_file, render_award_values
from broker_core.generation.columns import Column, ColumnKind, columns_for
from broker_core.generation.model import FileFormat
from broker_core.generation.rendering import file_chunks, header_line, render_line
from broker_core.records import RenderedAwardRow

D1_NAMES = [c.name for c in columns_for(FileType.D1)]
D2_NAMES = [c.name for c in columns_for(FileType.D2)]


def values_for(file_type: FileType, **given_values: str | None) -> list[str | None]:
    """A minimal valid row: key, action date and agency codes, the rest blank."""
    names = D1_NAMES if file_type is FileType.D1 else D2_NAMES
    base = {
        names[0]: "KEY_1",
        "action_date": "20170115",
        "awarding_agency_code": "020",
        "funding_agency_code": "097",
        "unique_award_key": "CONT_AWD_1",
    }
    base.update(given_values)
    return [base.get(name) for name in names]


def render(file_type: FileType, **given_values: str | None) -> RenderedAwardRow:
    return render_award_values(file_type, values_for(file_type, **given_values))


def field(row: RenderedAwardRow, file_type: FileType, name: str) -> str:
    names = D1_NAMES if file_type is FileType.D1 else D2_NAMES
    return next(csv.reader(io.StringIO(row.line, newline="")))[names.index(name)]


def test_minimal_row() -> None:
    row = render(FileType.D1)
    assert row == RenderedAwardRow(
        unique_key="KEY_1",
        action_date=dt.date(2017, 1, 15),
        awarding_agency_code="020",
        funding_agency_code="097",
        line=render_line(values_for(FileType.D1)),
        unique_award_key="CONT_AWD_1",
        is_active=True,
    )
    assert row.line.count(",") == 266
    assert render(FileType.D2).is_active is True


@pytest.mark.parametrize(
    ("name", "raw", "stored"),
    [
        ("action_date", "2017-01-15", "20170115"),
        ("action_date", " 20170115 ", "20170115"),
        ("solicitation_date", "2016-02-29", "20160229"),
        ("last_modified", "2017-01-20 10:11:12", "20170120"),
        ("last_modified", "2017-01-20 10:11:12.123", "20170120"),
        ("last_modified", "20170120", "20170120"),
        ("federal_action_obligation", "1500.00", "1500.00"),
        ("federal_action_obligation", "-3.5", "-3.5"),
        ("federal_action_obligation", "1E+3", "1000"),
        ("federal_action_obligation", ".50", "0.50"),
        ("total_obligated_amount", "+7", "7"),
        ("contracts", "TRUE", "t"),
        ("contracts", "false", "f"),
        ("contracts", "Y", "t"),
        ("contracts", "no", "f"),
        ("contracts", "1", "t"),
        ("contracts", "0", "f"),
        ("contracts", " t ", "t"),
        ("small_business_competitive", "F", "f"),
        ("organizational_type", "CORPORATE NOT TAX EXEMPT", "CORPORATE NOT TAX EXEMPT"),
        ("award_description", '  padded, "quoted" ', '  padded, "quoted" '),
        ("award_description", "   ", ""),
        ("award_description", "", ""),
    ],
)
def test_d1_normalisation(name: str, raw: str, stored: str) -> None:
    assert field(render(FileType.D1, **{name: raw}), FileType.D1, name) == stored


def test_blank_is_stored_as_null_not_empty_string() -> None:
    line = render(FileType.D1, award_description="   ", piid="").line
    assert '""' not in line


@pytest.mark.parametrize(
    ("name", "raw", "stored"),
    [
        ("record_type", "2", "2"),
        ("record_type", "02", "2"),
        ("modified_at", "2017-01-20T10:11:12", "20170120"),
        ("period_of_performance_star", "2017-01-01", "20170101"),
        ("face_value_loan_guarantee", "0.000", "0.000"),
    ],
)
def test_d2_normalisation(name: str, raw: str, stored: str) -> None:
    assert field(render(FileType.D2, **{name: raw}), FileType.D2, name) == stored


@pytest.mark.parametrize(
    ("file_type", "name", "raw", "message"),
    [
        (FileType.D1, "action_date", "01/15/2017", "ActionDate: '01/15/2017' is not a valid date"),
        (FileType.D1, "action_date", "20170230", "ActionDate: '20170230' is not a valid date"),
        (FileType.D1, "action_date", "2017-01-15 10:00:00", "ActionDate: "),
        (FileType.D1, "action_date", "2017-0115", "ActionDate: "),
        (FileType.D1, "solicitation_date", "2017/01/01", "SolicitationDate: "),
        (FileType.D1, "contracts", "maybe", "Contracts: 'maybe' is not a valid boolean"),
        (FileType.D1, "federal_action_obligation", "1,000.00", "FederalActionObligation: '1,000.00'"),
        (FileType.D1, "federal_action_obligation", "NaN", "FederalActionObligation: "),
        (FileType.D1, "federal_action_obligation", "Infinity", "FederalActionObligation: "),
        (FileType.D1, "federal_action_obligation", "1_000", "FederalActionObligation: "),
        (FileType.D1, "federal_action_obligation", "$5", "FederalActionObligation: "),
        (FileType.D2, "record_type", "2.0", "RecordType: '2.0' is not a valid integer"),
        (FileType.D2, "total_funding_amount", "abc", "TotalFundingAmount: "),
        (FileType.D2, "modified_at", "yesterday", "LastModifiedDate: "),
        (
            FileType.D1,
            "detached_award_proc_unique",
            None,
            "ContractTransactionUniqueKey: Missing data for required field.",
        ),
        (
            FileType.D1,
            "detached_award_proc_unique",
            " ",
            "ContractTransactionUniqueKey: Missing data for required field.",
        ),
        (
            FileType.D2,
            "afa_generated_unique",
            "",
            "AssistanceTransactionUniqueKey: Missing data for required field.",
        ),
        (FileType.D1, "action_date", None, "ActionDate: Missing data for required field."),
        (FileType.D2, "action_date", "", "ActionDate: Missing data for required field."),
    ],
)
def test_bad_values(file_type: FileType, name: str, raw: str | None, message: str) -> None:
    with pytest.raises(ValueError) as info:
        render(file_type, **{name: raw})
    assert str(info.value).startswith(message)


def test_wrong_number_of_values() -> None:
    with pytest.raises(ValueError, match="Expected 76 values, found 75"):
        render_award_values(FileType.D2, values_for(FileType.D2)[:-1])


def test_only_award_files() -> None:
    with pytest.raises(ValueError):
        render_award_values(FileType.A, [])
    with pytest.raises(ValueError):
        list(read_award_file(FileType.E, io.StringIO("x\n")))


def file_text(file_type: FileType, lines: list[str], file_format: FileFormat = FileFormat.CSV,
              element_numbers: bool = False) -> str:  # fmt: skip
    header = header_line(file_type, file_format, element_numbers)
    return b"".join(file_chunks(header, lines, file_format)).decode()


def read(file_type: FileType, text: str) -> list[RenderedAwardRow | RowError]:
    return list(read_award_file(file_type, io.StringIO(text, newline="")))


def test_reads_its_own_files() -> None:
    rows = [
        render(FileType.D1),
        render(FileType.D1, detached_award_proc_unique="K2", award_description="a|b,c"),
    ]
    for file_format in FileFormat:
        for element_numbers in (False, True):
            assert (
                read(
                    FileType.D1, file_text(FileType.D1, [r.line for r in rows], file_format, element_numbers)
                )
                == rows
            )


def test_bom_case_and_spacing_of_headers_and_column_order() -> None:
    columns = list(columns_for(FileType.D2))
    order = list(reversed(range(len(columns))))
    header = ",".join(f"  {columns[i].header.upper()} " for i in order)
    values = values_for(FileType.D2, fain="F1")
    text = "\ufeff" + header + "\n" + render_line([values[i] for i in order])
    assert read(FileType.D2, text) == [render_award_values(FileType.D2, values)]


def test_header_problems_are_listed() -> None:
    headers = [c.header for c in columns_for(FileType.D2)]
    broken = [*headers[2:], "Mystery", headers[5]]
    with pytest.raises(ValueError) as info:
        read(FileType.D2, ",".join(broken) + "\n")
    message = str(info.value)
    assert "missing: AssistanceTransactionUniqueKey, PrimeAwardUniqueKey" in message
    assert "unknown: Mystery" in message
    assert "duplicated: SAI_Number" in message


def test_element_number_headers_only_for_d1() -> None:
    d2_with_numbers = ",".join(f"{c.header} ()" for c in columns_for(FileType.D2)) + "\n"
    with pytest.raises(ValueError, match="unknown"):
        read(FileType.D2, d2_with_numbers)


def test_empty_file() -> None:
    with pytest.raises(ValueError, match="empty"):
        read(FileType.D1, "")


def test_row_errors_carry_line_numbers_and_reading_goes_on() -> None:
    good = render(FileType.D2)
    bad_date = render_line(values_for(FileType.D2, action_date="2017-02-30"))
    multi_line = render(FileType.D2, afa_generated_unique="K3", award_description="two\nlines")
    text = file_text(FileType.D2, [good.line, "a,b,c\n", "\n", bad_date, multi_line.line, good.line])
    assert read(FileType.D2, text) == [
        good,
        RowError(3, "Expected 76 fields, found 3"),
        RowError(5, "ActionDate: '2017-02-30' is not a valid date (expected YYYYMMDD or YYYY-MM-DD)"),
        multi_line,
        good,
    ]


def test_reading_streams() -> None:
    line = render(FileType.D1).line
    stream = io.StringIO(file_text(FileType.D1, [line] * 1000), newline="")
    rows = read_award_file(FileType.D1, stream)
    next(rows)
    assert stream.tell() < len(stream.getvalue()) // 10


# --------------------------------------------------------------------------- round trip property

TEXT = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=10)
AWKWARD = st.text(alphabet=st.sampled_from(list(' ,|"\r\n\\.xé')), min_size=1, max_size=6)
BOOLEANS = st.sampled_from(["t", "f", "T", "F", "true", "False", "y", "N", "yes", "NO", "1", "0"])


def _date_text(stamp: bool) -> st.SearchStrategy[str]:
    plain = st.dates().flatmap(
        lambda d: st.sampled_from([f"{d.year:04d}{d.month:02d}{d.day:02d}", d.isoformat()])
    )
    if not stamp:
        return plain
    with_time = st.tuples(st.dates(), st.times()).map(lambda p: f"{p[0].isoformat()} {p[1].isoformat()}")
    return st.one_of(plain, with_time)


def _strategy(column: Column, index: int) -> st.SearchStrategy[str | None]:
    if index == 0:
        return st.one_of(TEXT, AWKWARD).filter(lambda v: bool(v.strip()))
    if column.name == "action_date":
        return _date_text(False)
    optional: st.SearchStrategy[str]
    if column.kind is ColumnKind.DATE:
        optional = _date_text(column.name in ("last_modified", "modified_at"))
    elif column.kind is ColumnKind.BOOLEAN:
        optional = BOOLEANS
    elif column.kind is ColumnKind.DECIMAL:
        optional = st.decimals(
            allow_nan=False, allow_infinity=False, places=2, max_value=10**12, min_value=-(10**12)
        ).map(str)
    elif column.kind is ColumnKind.INTEGER:
        optional = st.integers(-999, 999).map(str)
    else:
        optional = st.one_of(TEXT, AWKWARD)
    return st.one_of(st.none(), optional)


ROWS = {
    file_type: st.lists(
        st.tuples(*[_strategy(c, i) for i, c in enumerate(columns_for(file_type))]), min_size=1, max_size=4
    )
    for file_type in (FileType.D1, FileType.D2)
}


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]
)
@given(data=st.data(), file_type=st.sampled_from([FileType.D1, FileType.D2]), file_format=st.sampled_from(FileFormat),
       element_numbers=st.booleans())  # fmt: skip
def test_rows_survive_a_generated_file(
    data: st.DataObject, file_type: FileType, file_format: FileFormat, element_numbers: bool
) -> None:
    rows = [render_award_values(file_type, list(values)) for values in data.draw(ROWS[file_type])]
    text = file_text(file_type, [row.line for row in rows], file_format, element_numbers)
    assert read(file_type, text) == rows


def test_header_is_checked_when_reading_starts() -> None:
    with pytest.raises(ValueError, match="missing"):
        read_award_file(FileType.D1, io.StringIO("PIID\n"))  # no iteration needed


def test_unreadable_csv_is_a_value_error() -> None:
    limit = csv.field_size_limit()
    try:
        csv.field_size_limit(80)
        with pytest.raises(ValueError, match="Line 2: the file cannot be read as CSV"):
            read(FileType.D2, file_text(FileType.D2, [render(FileType.D2, award_description="x" * 100).line]))
        with pytest.raises(ValueError, match="Line 1: the header row cannot be read as CSV"):
            read(FileType.D2, "x" * 100 + "\n")
    finally:
        csv.field_size_limit(limit)

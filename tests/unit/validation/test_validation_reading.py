"""Reading files: decoding, delimiter, records and row numbers, formatting errors, batches (spec §2.2-§2.5)."""

from __future__ import annotations

import io
import itertools
from collections.abc import Iterator

import pytest
from hypothesis import given
from hypothesis import strategies as st

from broker_core.validation.headers import HeaderError, HeaderMap
from broker_core.validation.problem import RowProblem, Severity, formatting_error
from broker_core.validation.reading import (
    DEFAULT_BATCH_SIZE,
    Batch,
    DataRow,
    FileEncodingError,
    FileReader,
    clean_cell,
    detect_delimiter,
)

# A three-column layout: two expected fields and a flex column.
ABC = HeaderMap(
    width=3,
    columns=("a", "b", None),
    flex=((2, "flex_c"),),
    long_headers=False,
    missing=(),
    duplicated=(),
)


def read(data: bytes | list[bytes], batch_size: int = DEFAULT_BATCH_SIZE) -> tuple[FileReader, list[Batch]]:
    reader = FileReader([data] if isinstance(data, bytes) else data)
    return reader, list(reader.batches(ABC, batch_size))


def rows_of(batches: list[Batch]) -> list[DataRow]:
    return [row for batch in batches for row in batch.rows]


def problems_of(batches: list[Batch]) -> list[RowProblem]:
    return [problem for batch in batches for problem in batch.problems]


@pytest.mark.parametrize(
    ("raw", "cleaned"),
    [
        ("", None),
        ("   ", None),
        ("\n", None),
        ('""', None),
        (' " double quotes"', "double quotes"),
        (" plain ", "plain"),
        ('"a"b"', 'a"b'),
        ('"', None),
        ("0", "0"),
    ],
)
def test_clean_cell(raw: str, cleaned: str | None) -> None:
    assert clean_cell(raw) == cleaned


@pytest.mark.parametrize(
    ("line", "delimiter"),
    [("a,b,c", ","), ("a|b|c", "|"), ("a|b,c", ","), ("a|b|c,d", "|"), ("", ",")],
)
def test_detect_delimiter(line: str, delimiter: str) -> None:
    assert detect_delimiter(line) == delimiter


SAMPLE = b'A ,b,FLEX_C\n1, 2 ,3\n\n"multi\nline",4,\n,,\n6,"7",8\n'


def test_rows_are_numbered_as_records_and_cleaned() -> None:
    reader, batches = read(SAMPLE)
    assert reader.header == ["A ", "b", "FLEX_C"]
    assert reader.delimiter == ","
    assert rows_of(batches) == [
        DataRow(2, {"a": "1", "b": "2"}, (("flex_c", "3"),)),
        DataRow(3, {"a": "multi\nline", "b": "4"}, (("flex_c", None),)),
        DataRow(5, {"a": "6", "b": "7"}, (("flex_c", "8"),)),
    ]
    assert problems_of(batches) == []
    summary = reader.summary()
    assert (summary.records, summary.data_rows, summary.blank_rows) == (5, 3, 1)
    assert not summary.is_blank


def test_pipe_delimited_file_reads_like_a_comma_one() -> None:
    piped = SAMPLE.replace(b",", b"|")
    reader, batches = read(piped)
    assert reader.delimiter == "|"
    assert rows_of(batches) == rows_of(read(SAMPLE)[1])
    # A comma in a pipe-delimited file is just text.
    _, batches = read(b"a|b|flex_c\n1,000|x|\n")
    assert rows_of(batches)[0].values == {"a": "1,000", "b": "x"}


def test_short_and_long_rows_are_formatting_errors() -> None:
    reader, batches = read(b"a,b,flex_c\n1,2\n1,2,3,4\n,\n,,,\n9,9,9\n")
    assert problems_of(batches) == [formatting_error(n) for n in (2, 3, 4, 5)]
    assert [row.row_number for row in rows_of(batches)] == [6]
    summary = reader.summary()
    assert summary.records == 6
    assert (summary.populated_short_rows, summary.populated_long_rows) == (1, 1)
    assert (summary.null_short_rows, summary.null_long_rows) == (1, 1)


def test_formatting_error_row() -> None:
    assert formatting_error(7) == RowProblem(
        unique_id="",
        field_name="Formatting Error",
        rule_message="Could not parse this record correctly.",
        value_provided="",
        expected_value="",
        difference="",
        flex_field="",
        row_number=7,
        rule_label="",
        error_type="read_error",
        severity=Severity.FATAL,
    )


def test_line_endings_crlf_and_lone_cr() -> None:
    _, batches = read([b"a,b,flex_c\r", b"\n1,2,3\r4,5,6\r\n7,8,9"])
    assert [(row.row_number, row.values["a"]) for row in rows_of(batches)] == [(2, "1"), (3, "4"), (4, "7")]


def test_not_utf8_fails_with_where() -> None:
    reader = FileReader([b"a,b,flex_c\n1,2,3\n\xff,2,3\n"])
    batches = reader.batches(ABC, batch_size=1)
    assert next(batches).rows[0].row_number == 2  # what came before the bad byte is read
    with pytest.raises(FileEncodingError) as caught:
        next(batches)
    error = caught.value
    assert (error.byte_offset, error.line_number, error.row_number) == (17, 3, 3)
    assert str(error) == (
        "File contains invalid characters that could not be validated. Not UTF-8 at byte 17, line 3, row 3."
    )


def test_not_utf8_in_the_header() -> None:
    with pytest.raises(FileEncodingError) as caught:
        FileReader([b"a,b\xe9,c\n1,2,3\n"])
    assert (caught.value.byte_offset, caught.value.line_number, caught.value.row_number) == (3, 1, 1)


def test_not_utf8_after_a_lone_carriage_return() -> None:
    reader = FileReader([b"a,b,flex_c\r1,2,3\r\xff\n"])
    batches = reader.batches(ABC, batch_size=1)
    assert next(batches).rows[0].values == {"a": "1", "b": "2"}
    with pytest.raises(FileEncodingError) as caught:
        next(batches)
    assert (caught.value.byte_offset, caught.value.line_number, caught.value.row_number) == (17, 3, 3)


def test_not_utf8_counts_bytes_across_chunks() -> None:
    with pytest.raises(FileEncodingError) as caught:
        list(FileReader([b"a,b,flex_c\n1,", b"\xc3", b"(,3\n"]).batches(ABC))
    assert (caught.value.byte_offset, caught.value.line_number) == (13, 2)
    with pytest.raises(FileEncodingError) as caught:
        list(FileReader([b"a,b,flex_c\n1,2,\xc3"]).batches(ABC))  # cut short at the end
    assert caught.value.byte_offset == 15


def test_characters_split_across_chunks_decode() -> None:
    _, batches = read([b"a,b,flex_c\n\xc3", b"\xa9,\xe2\x82", b"\xac,x\n"])
    assert rows_of(batches)[0].values == {"a": "é", "b": "€"}


def test_byte_order_mark_stays_on_the_first_header() -> None:
    reader, _ = read(b"\xef\xbb\xbfa,b,flex_c\n")
    assert reader.header[0] == "\ufeffa"


def test_only_a_header_row_is_blank() -> None:
    reader, batches = read(b"a,b,flex_c\n")
    assert batches == []
    assert reader.summary().records == 1
    assert reader.summary().is_blank
    reader, batches = read(b"a,b,flex_c\n\n,,\n,\n")
    assert reader.summary().is_blank  # blank and null rows are not data
    assert problems_of(batches) == [formatting_error(3)]
    reader, _ = read(b"a,b,flex_c\n1,2\n")
    assert not reader.summary().is_blank  # a populated short row is data, badly shaped


def test_empty_file_has_an_empty_header() -> None:
    reader = FileReader([b""])
    assert reader.header == []
    assert reader.delimiter == ","
    assert reader.summary().records == 0


def test_batches_have_the_requested_number_of_records() -> None:
    data = b"a,b,flex_c\n" + b"".join(b"%d,x,\n" % n for n in range(4)) + b"bad\n"
    _, batches = read(data, batch_size=2)
    assert [(len(batch.rows), len(batch.problems)) for batch in batches] == [(2, 0), (2, 0), (0, 1)]


def test_the_first_batch_comes_before_the_whole_input_is_read() -> None:
    def lines() -> Iterator[bytes]:
        yield b"a,b,flex_c\n"
        for n in range(3):
            yield b"%d,x,y\n" % n
        raise RuntimeError("read too far")

    batches = FileReader(lines()).batches(ABC, batch_size=2)
    assert [row.row_number for row in next(batches).rows] == [2, 3]
    with pytest.raises(RuntimeError, match="read too far"):
        next(batches)


def test_reads_a_binary_file_object() -> None:
    reader = FileReader(io.BytesIO(SAMPLE))
    assert rows_of(list(reader.batches(ABC))) == rows_of(read(SAMPLE)[1])


def test_batches_refuse_header_errors_and_bad_sizes() -> None:
    reader = FileReader([SAMPLE])
    broken = HeaderMap(
        width=3, columns=("a", None, None), flex=(), long_headers=False, missing=("B",), duplicated=()
    )
    with pytest.raises(HeaderError):
        next(reader.batches(broken))
    with pytest.raises(ValueError, match="batch_size"):
        next(reader.batches(ABC, batch_size=0))


@given(
    values=st.lists(
        st.tuples(
            st.text(st.characters(codec="utf-8", exclude_characters='"\r\n,'), max_size=6),
            st.text(st.characters(codec="utf-8", exclude_characters='"\r\n,'), max_size=6),
        ),
        max_size=8,
    ),
    cuts=st.lists(st.integers(min_value=0, max_value=400), max_size=10),
)
def test_any_chunking_reads_the_same(values: list[tuple[str, str]], cuts: list[int]) -> None:
    data = ("a,b,flex_c\n" + "".join(f"{a},{b},f\n" for a, b in values)).encode()
    points = sorted({min(cut, len(data)) for cut in cuts} | {0, len(data)})
    chunks = [data[start:end] for start, end in itertools.pairwise(points)]
    whole = read(data)
    split = read(chunks)
    assert rows_of(split[1]) == rows_of(whole[1])
    assert split[0].summary() == whole[0].summary()


def test_only_newline_and_carriage_return_end_a_line() -> None:
    # Characters Python's str.splitlines also breaks at are data in a CSV cell.
    odd = "x\x0by\x0cz\x1c\x1d\x1e\x85\u2028\u2029w"
    _, batches = read([f"a,b,flex_c\n1,{odd},3\n".encode()])
    (row,) = [r for b in batches for r in b.rows]
    assert row.values["b"] == odd

"""PostgreSQL CSV rendering, txt conversion, header rows and the chunked file stream (spec §5.1, §5.3)."""

from __future__ import annotations

import csv
import io

import pytest
from hypothesis import given
from hypothesis import strategies as st

from broker_core.file_types import FileType
from broker_core.generation.columns import A_COLUMNS, D1_COLUMNS, D2_COLUMNS
from broker_core.generation.model import FileFormat
from broker_core.generation.rendering import csv_line_to_txt, file_chunks, header_line, render_line

# Text without NUL (PostgreSQL text cannot hold it) or lone surrogates (not UTF-8).
TEXT = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=12)
# Values as stored: NULL or non-empty text, with the characters that need quoting well represented.
STORED = st.one_of(
    st.none(), st.text(alphabet=st.sampled_from(list('ab ,|"\r\n\\.é')), min_size=1), TEXT.filter(bool)
)


@pytest.mark.parametrize(
    ("values", "line"),
    [
        (["a", "b"], "a,b\n"),
        ([None, "x", None], ",x,\n"),
        (["", "x"], '"",x\n'),
        (["a,b"], '"a,b"\n'),
        (['say "hi"'], '"say ""hi"""\n'),
        (["two\nlines"], '"two\nlines"\n'),
        (["cr\rhere"], '"cr\rhere"\n'),
        (["\\."], '"\\."\n'),
        (["\\.x", "a\\."], "\\.x,a\\.\n"),
        (["a|b"], "a|b\n"),
        ([" padded "], " padded \n"),
        (["3.00", "t"], "3.00,t\n"),
        ([], "\n"),
    ],
)
def test_render_line(values: list[str | None], line: str) -> None:
    assert render_line(values) == line


def test_render_line_with_pipes() -> None:
    assert render_line(["a|b", "c,d", None, ""], "|") == '"a|b"|c,d||""\n'


@given(st.lists(STORED, min_size=2, max_size=8))  # one NULL alone is a blank line, read as no field
def test_csv_module_reads_back_what_was_rendered(values: list[str | None]) -> None:
    for delimiter in ",|":
        parsed = next(
            csv.reader(io.StringIO(render_line(values, delimiter), newline=""), delimiter=delimiter)
        )
        assert parsed == [value or "" for value in values]


@given(st.lists(STORED, min_size=1, max_size=8))
def test_txt_conversion_equals_rendering_with_pipes(values: list[str | None]) -> None:
    assert csv_line_to_txt(render_line(values)) == render_line(values, "|")


def test_txt_conversion_fast_path_and_blanks() -> None:
    assert csv_line_to_txt("a,b,,c\n") == "a|b||c\n"
    assert csv_line_to_txt('"x,y",z\n') == "x,y|z\n"
    assert csv_line_to_txt("a|b,c\n") == '"a|b"|c\n'
    # An empty string is stored as NULL, so it is written unquoted
    assert csv_line_to_txt('"",a,"q""q"\n') == '|a|"q""q"\n'


def test_plain_headers() -> None:
    assert header_line(FileType.D1, FileFormat.CSV).split(",")[:3] == [
        "ContractTransactionUniqueKey", "PrimeAwardUniqueKey", "PIID",
    ]  # fmt: skip
    d1 = next(csv.reader([header_line(FileType.D1, FileFormat.CSV)]))
    assert d1 == [c.header for c in D1_COLUMNS]
    assert '"Materials, Supplies, Articles & Equip Description Tag"' in header_line(
        FileType.D1, FileFormat.CSV
    )
    txt = header_line(FileType.D1, FileFormat.TXT)
    assert "|Materials, Supplies, Articles & Equip Description Tag|" in txt
    assert txt.rstrip("\n").split("|") == [c.header for c in D1_COLUMNS]
    assert header_line(FileType.D2, FileFormat.CSV) == ",".join(c.header for c in D2_COLUMNS) + "\n"
    assert header_line(FileType.D2, FileFormat.TXT) == "|".join(c.header for c in D2_COLUMNS) + "\n"


def test_element_number_headers() -> None:
    headers = next(csv.reader([header_line(FileType.D1, FileFormat.CSV, element_numbers=True)]))
    assert headers[:3] == ["ContractTransactionUniqueKey ()", "PrimeAwardUniqueKey ()", "PIID (1A)"]
    assert "ActionDate (2A)" in headers
    assert "Materials, Supplies, Articles & Equip Description Tag ()" in headers
    assert headers[-1] == "LastModifiedDate (2F)"
    assert len(headers) == 267
    # D2 has one header variant
    assert header_line(FileType.D2, FileFormat.CSV, element_numbers=True) == header_line(
        FileType.D2, FileFormat.CSV
    )


def test_a_header_is_always_comma_csv() -> None:
    expected = ",".join(c.header for c in A_COLUMNS) + "\n"
    assert header_line(FileType.A, FileFormat.CSV) == expected
    assert header_line(FileType.A, FileFormat.TXT) == expected


def test_no_header_for_other_types() -> None:
    with pytest.raises(ValueError):
        header_line(FileType.E, FileFormat.CSV)


def collect(
    header: str, lines: list[str], file_format: FileFormat, chunk_bytes: int
) -> tuple[list[bytes], list[int]]:
    calls: list[int] = []
    chunks = list(file_chunks(header, lines, file_format, chunk_bytes=chunk_bytes, progress=calls.append))
    return chunks, calls


def test_chunks_hold_header_then_lines() -> None:
    lines = [render_line([f"k{i}", "é", None]) for i in range(10)]
    chunks, calls = collect("h1,h2,h3\n", lines, FileFormat.CSV, chunk_bytes=1 << 20)
    assert chunks == [("h1,h2,h3\n" + "".join(lines)).encode()]
    assert calls == [10]


def test_chunk_size_and_progress() -> None:
    lines = ["x" * 99 + "\n"] * 25
    chunks, calls = collect("H\n", lines, FileFormat.CSV, chunk_bytes=1000)
    assert b"".join(chunks) == ("H\n" + "".join(lines)).encode()
    assert [len(c) for c in chunks] == [1002, 1000, 500]
    assert calls == [10, 20, 25]


def test_progress_at_the_end_even_after_a_full_chunk() -> None:
    chunks, calls = collect("", ["ab\n", "cd\n"], FileFormat.CSV, chunk_bytes=6)
    assert chunks == [b"ab\ncd\n"]
    assert calls == [2, 2]


def test_header_only_file() -> None:
    chunks, calls = collect("A,B\n", [], FileFormat.CSV, chunk_bytes=10)
    assert chunks == [b"A,B\n"]
    assert calls == [0]
    assert list(file_chunks("A,B\n", iter(()), FileFormat.CSV)) == [b"A,B\n"]


def test_txt_files_convert_lines_but_not_the_header() -> None:
    lines = [render_line(["a,b", "c", None]), render_line(["d", "e|f", "g"])]
    chunks, _ = collect("X|Y|Z\n", lines, FileFormat.TXT, chunk_bytes=1 << 20)
    assert b"".join(chunks) == b'X|Y|Z\na,b|c|\nd|"e|f"|g\n'

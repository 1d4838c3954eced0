"""Parsed records travel between processes as raw batches; shaping them gives what the reader gives."""

from __future__ import annotations

import pickle

from hypothesis import given, settings
from hypothesis import strategies as st

from broker_core.file_types import FileType
from broker_core.validation.pipeline import FileValidation
from broker_core.validation.reading import FileReader, RawBatch, RowCounts, shape_batch
from broker_core.validation.schema import schema_for

from .test_validation_reading import ABC

cells = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=6)
records = st.lists(st.lists(cells, min_size=1, max_size=5), max_size=20)


@settings(max_examples=200)
@given(first_row=st.integers(min_value=2, max_value=10**6), records=records)
def test_a_raw_batch_survives_pickling_whatever_its_cells_hold(
    first_row: int, records: list[list[str]]
) -> None:
    batch = RawBatch(first_row, tuple(records))
    assert pickle.loads(pickle.dumps(batch)) == batch


def test_separator_characters_in_cells_fall_back_to_plain_pickling() -> None:
    batch = RawBatch(2, (["a\x1fb", "c"], ["d\x1e", ""]))
    assert pickle.loads(pickle.dumps(batch)) == batch


def test_shaping_raw_batches_matches_reading_batches() -> None:
    header = "a,b,c\n"
    body = '1,2,3\n,,\n4,5\n6,7,8,9\n\n x , "y" ,\n'
    schema_map = ABC
    raw = list(FileReader([(header + body).encode()]).raw_batches(batch_size=2))
    assert [b.first_row for b in raw] == [2, 4, 6]
    shaped = [shape_batch(b, schema_map) for b in raw]
    counts = sum((b.counts for b in shaped), RowCounts())
    assert counts == RowCounts(data_rows=2, blank_rows=1, populated_short_rows=1, populated_long_rows=1)
    assert [p.row_number for b in shaped for p in b.problems] == [4, 5]
    read = list(FileReader([(header + body).encode()]).batches(schema_map, batch_size=2))
    assert [(b.rows, b.problems, b.counts) for b in read] == [(b.rows, b.problems, b.counts) for b in shaped]
    assert shaped[2].rows[0].values == {"a": "x", "b": "y"}


def test_a_validation_prepared_batch_by_batch_reports_what_a_whole_pass_reports() -> None:
    fields = schema_for(FileType.A).fields
    header = ",".join(f.short_name for f in fields)
    good = ",".join("019" if f.short_name == "agency_identifier" else "" for f in fields)
    bad = ",".join("x" if f.type.is_number else "" for f in fields)
    text = "\n".join([header, good, bad, good, "1,2", bad]) + "\n"

    whole = FileValidation([text.encode()], "a.csv", FileType.A, batch_size=2)
    expected = [(tuple(r.row_number for r in b.rows), b.problems) for b in whole.batches()]

    parts = FileValidation([text.encode()], "a.csv", FileType.A, batch_size=2)
    got = []
    for raw in parts.raw_batches():
        batch = pickle.loads(pickle.dumps(parts.preparer))(pickle.loads(pickle.dumps(raw)))
        parts.record(batch)
        got.append((tuple(r.row_number for r in batch.rows), batch.problems))
    trailing = parts.trailing_problems()
    if trailing:
        got.append(((), trailing))
    assert got == expected
    assert parts.summary() == whole.summary()

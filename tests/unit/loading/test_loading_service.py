from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterable, Iterator
from typing import Any

import pytest
from tests.reference import BROKER_CONFIG

from broker_core.errors import RequestInvalid
from broker_core.file_types import FileType
from broker_core.generation.award_rows import RowError
from broker_core.loading import service as service_module
from broker_core.loading.service import LoadRejected, LoadService, load_rows
from broker_core.records import (
    AgencyRecord,
    FailedEdit,
    RenderedAwardRow,
    SF133Record,
    SubmissionWindow,
    TasRecord,
)

REFERENCE = BROKER_CONFIG


class FakeTable:
    """One all-or-nothing 'transaction' per call, as the AwardDataStore port promises."""

    def __init__(self) -> None:
        self.kept: list[Any] = []
        self.received: list[Any] = []
        self.rolled_back = False

    def replace(self, rows: Iterable[Any]) -> int:
        self.received.append(rows)
        staged = []
        try:
            for row in rows:
                staged.append(row)
        except BaseException:
            self.rolled_back = True
            raise
        self.kept = staged
        return len(staged)


class FakeDataStore:
    def __init__(self) -> None:
        self.tables: dict[str, FakeTable] = {}

    def table(self, name: str) -> FakeTable:
        return self.tables.setdefault(name, FakeTable())

    def upsert_award_rows(self, file_type: FileType, rows: Iterable[RenderedAwardRow]) -> int:
        return self.table(file_type.letter).replace(rows)

    def replace_agencies(self, rows: Iterable[AgencyRecord]) -> int:
        return self.table("agencies").replace(rows)

    def replace_sf133(self, rows: Iterable[SF133Record]) -> int:
        return self.table("sf133").replace(rows)

    def replace_tas(self, rows: Iterable[TasRecord]) -> int:
        return self.table("tas").replace(rows)

    def replace_submission_windows(self, rows: Iterable[SubmissionWindow]) -> int:
        return self.table("windows").replace(rows)

    def replace_failed_edits(self, rows: Iterable[FailedEdit]) -> int:
        return self.table("failed_edits").replace(rows)

    def record_fpds_load(self, when: dt.datetime) -> None:
        pass


class CountingSource:
    """An input that counts how many items were taken from it."""

    def __init__(self, items: Iterable[Any]) -> None:
        self._items = items
        self.taken = 0

    def __iter__(self) -> Iterator[Any]:
        for item in self._items:
            self.taken += 1
            yield item


# --------------------------------------------------------------------------- load_rows


def test_all_good_rows_are_loaded() -> None:
    table = FakeTable()
    assert load_rows(iter(range(5)), table.replace) == 5
    assert table.kept == [0, 1, 2, 3, 4]
    assert not table.rolled_back


def test_the_store_gets_a_lazy_iterator() -> None:
    source = CountingSource(range(1000))
    seen: list[int] = []

    def store(rows: Iterable[int]) -> int:
        assert not isinstance(rows, list | tuple)
        iterator = iter(rows)
        seen.append(next(iterator))
        seen.append(source.taken)  # only one item pulled so far
        return 1 + sum(1 for _ in iterator)

    assert load_rows(source, store) == 1000
    assert seen == [0, 1]


def test_one_bad_row_rejects_the_whole_load() -> None:
    table = FakeTable()
    items = [1, 2, RowError(4, "Amount Summed: not a number ('x')"), 4, 5]
    with pytest.raises(LoadRejected) as caught:
        load_rows(items, table.replace)
    assert table.rolled_back
    assert table.kept == []
    rejected = caught.value
    assert isinstance(rejected, RequestInvalid)
    assert rejected.errors == [RowError(4, "Amount Summed: not a number ('x')")]
    assert not rejected.truncated
    assert rejected.message == "1 bad row; nothing was loaded\nline 4: Amount Summed: not a number ('x')"


def test_rows_after_the_first_error_are_only_checked() -> None:
    received: list[int] = []

    def store(rows: Iterable[int]) -> int:
        for row in rows:
            received.append(row)
        return len(received)

    items: list[int | RowError] = [1, RowError(3, "a: b"), 2, RowError(5, "c: d"), 3]
    with pytest.raises(LoadRejected) as caught:
        load_rows(items, store)
    assert received == [1]
    assert [e.line_number for e in caught.value.errors] == [3, 5]
    assert caught.value.message.startswith("2 bad rows; nothing was loaded\nline 3: a: b\nline 5: c: d")


def test_max_errors_stops_reading_early() -> None:
    source = CountingSource([RowError(n, f"x: bad {n}") for n in range(2, 100)])
    table = FakeTable()
    with pytest.raises(LoadRejected) as caught:
        load_rows(source, table.replace, max_errors=3)
    assert source.taken == 4  # the fourth error shows there are more than three
    assert len(caught.value.errors) == 3
    assert caught.value.truncated
    assert caught.value.message.startswith("more than 3 bad rows; nothing was loaded\nline 2: x: bad 2\n")
    assert table.rolled_back


def test_exactly_max_errors_is_not_truncated() -> None:
    with pytest.raises(LoadRejected) as caught:
        load_rows([RowError(2, "a: b"), RowError(3, "a: b")], FakeTable().replace, max_errors=2)
    assert not caught.value.truncated


def test_the_message_lists_the_first_ten_errors() -> None:
    with pytest.raises(LoadRejected) as caught:
        load_rows([RowError(n, "a: b") for n in range(2, 15)], FakeTable().replace)
    lines = caught.value.message.splitlines()
    assert lines[0] == "13 bad rows; nothing was loaded"
    assert lines[1:11] == [f"line {n}: a: b" for n in range(2, 12)]
    assert lines[11] == "... and 3 more"
    assert len(caught.value.errors) == 13


def test_a_store_that_swallows_the_rejection_still_fails() -> None:
    def careless(rows: Iterable[int]) -> int:
        try:
            return sum(1 for _ in rows)
        except LoadRejected:
            return 0

    items: list[int | RowError] = [1, RowError(3, "a: b")]
    with pytest.raises(LoadRejected):
        load_rows(items, careless)


def test_progress_is_reported() -> None:
    calls: list[int] = []
    assert load_rows(iter(range(25)), FakeTable().replace, progress=calls.append, progress_every=10) == 25
    assert calls == [10, 20]


def test_max_errors_must_be_positive() -> None:
    with pytest.raises(ValueError):
        load_rows([], FakeTable().replace, max_errors=0)


# --------------------------------------------------------------------------- LoadService


def test_service_loads_the_reference_files() -> None:
    store = FakeDataStore()
    service = LoadService(store)
    for method, name, table in [
        (service.agencies, "agency_codes.csv", "agencies"),
        (service.sf133, "sf_133.csv", "sf133"),
        (service.submission_windows, "submission_window_schedule.csv", "windows"),
        (service.failed_edits, "GTAS_FE_DA.csv", "failed_edits"),
    ]:
        with open(REFERENCE / name, encoding="utf-8", newline="") as f:
            count = method(f)
        assert count == len(store.tables[table].kept) > 0


def test_service_loads_tas() -> None:
    store = FakeDataStore()
    text = (
        "a,acct_num,aid,ata,bpoa,epoa,main,sub,financial_indicator_type2,dt_tm_estab,dt_end,fr_entity_type\n"
        "X,1,097,,,,0100,000,F,2016-01-01,,DE00\n"
    )
    assert LoadService(store).tas(io.StringIO(text)) == 1
    assert store.tables["tas"].kept[0].account_num == 1


def test_service_header_problem_is_request_invalid_and_touches_nothing() -> None:
    store = FakeDataStore()
    with pytest.raises(RequestInvalid, match=r"Missing column\(s\): Amount Summed") as caught:
        LoadService(store).sf133(
            io.StringIO(
                "ATA,AID,Availability Type Code,BPOA,EPOA,Main Account,Sub Account,Fiscal Year,Period,Line Num\n"
            )
        )
    assert not isinstance(caught.value, LoadRejected)
    assert store.tables == {}


def test_service_bad_rows_are_rejected_and_rolled_back() -> None:
    store = FakeDataStore()
    text = "year,period,period_start\n2017,3,1/19/17\n2017,6,someday\n"
    with pytest.raises(LoadRejected, match=r"line 3: period_start: not a date \('someday'\)"):
        LoadService(store).submission_windows(io.StringIO(text))
    assert store.tables["windows"].rolled_back
    assert store.tables["windows"].kept == []


def test_service_respects_max_errors_and_progress() -> None:
    store = FakeDataStore()
    text = "year,period,period_start\n" + "2017,13,1/19/17\n" * 10
    with pytest.raises(LoadRejected) as caught:
        LoadService(store, max_errors=2).submission_windows(io.StringIO(text))
    assert caught.value.truncated and len(caught.value.errors) == 2


def _award_row(key: str) -> RenderedAwardRow:
    return RenderedAwardRow(key, dt.date(2020, 1, 1), "097", None, f"{key}\n")


@pytest.mark.parametrize(("method", "file_type"), [("procurement", FileType.D1), ("fabs", FileType.D2)])
def test_service_award_files(monkeypatch: pytest.MonkeyPatch, method: str, file_type: FileType) -> None:
    calls: list[tuple[FileType, str]] = []

    def fake_read(ft: FileType, stream: io.StringIO) -> Iterator[RenderedAwardRow | RowError]:
        calls.append((ft, stream.read()))
        yield _award_row("a")
        yield _award_row("b")

    monkeypatch.setattr(service_module, "read_award_file", fake_read)
    store = FakeDataStore()
    assert getattr(LoadService(store), method)(io.StringIO("content")) == 2
    assert calls == [(file_type, "content")]
    assert [r.unique_key for r in store.tables[file_type.letter].kept] == ["a", "b"]


def test_service_award_file_lazy_header_error_is_request_invalid(monkeypatch: pytest.MonkeyPatch) -> None:
    def fake_read(ft: FileType, stream: io.StringIO) -> Iterator[RenderedAwardRow | RowError]:
        raise ValueError("Missing column(s): PIID")
        yield  # a generator: the error comes on the first next()

    monkeypatch.setattr(service_module, "read_award_file", fake_read)
    store = FakeDataStore()
    with pytest.raises(RequestInvalid, match=r"^Missing column\(s\): PIID$") as caught:
        LoadService(store).procurement(io.StringIO(""))
    assert not isinstance(caught.value, LoadRejected)
    assert store.tables["D1"].rolled_back

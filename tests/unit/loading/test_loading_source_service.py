from __future__ import annotations

import io
from collections.abc import Iterable
from typing import Any

import pytest

from broker_core.errors import RequestInvalid
from broker_core.loading.service import LoadRejected
from broker_core.loading.source_ports import SourceDataStore
from broker_core.loading.source_records import SamRecipientRecord, SubawardRecord
from broker_core.loading.source_service import SourceLoadService

UEI = "ABCDEFGH1234"
SUBAWARD_HEADER = "PrimeAwardUniqueKey,SubAwardType,SubAwardReportID,SubAwardNumber,SubAwardAmount\n"


class FakeSourceStore:
    """All-or-nothing per call, keyed like the real store, as the SourceDataStore port promises."""

    def __init__(self) -> None:
        self.recipients: dict[str, SamRecipientRecord] = {}
        self.subawards: dict[tuple[str, str, str, str], SubawardRecord] = {}
        self.calls = 0

    def _apply(self, kept: dict[Any, Any], rows: Iterable[Any], key: Any) -> int:
        self.calls += 1
        staged = dict(kept)
        count = 0
        for row in rows:  # raises (and keeps nothing) when the load is rejected
            staged[key(row)] = row
            count += 1
        kept.clear()
        kept.update(staged)
        return count

    def upsert_sam_recipients(self, rows: Iterable[SamRecipientRecord]) -> int:
        return self._apply(self.recipients, rows, lambda r: r.uei)

    def upsert_subawards(self, rows: Iterable[SubawardRecord]) -> int:
        return self._apply(self.subawards, rows, lambda r: r.natural_key)


@pytest.fixture
def store() -> FakeSourceStore:
    return FakeSourceStore()


def test_the_fake_is_a_source_data_store(store: FakeSourceStore) -> None:
    typed: SourceDataStore = store
    assert typed is store


def test_loads_sam_recipients_and_a_later_row_wins(store: FakeSourceStore) -> None:
    text = f"uei,legal_business_name\n{UEI},First\nZZZZ99990000,Other\n{UEI},Second\n"
    progress: list[int] = []
    loads = SourceLoadService(store)
    assert loads.sam_recipients(io.StringIO(text), progress=progress.append) == 3
    assert store.recipients[UEI].legal_business_name == "Second"
    assert len(store.recipients) == 2


def test_loads_subawards_by_natural_key(store: FakeSourceStore) -> None:
    text = SUBAWARD_HEADER + "K1,sub-grant,7,1,10\nK1,sub-contract,7,1,20\nK1,sub-grant,7,1,30\n"
    assert SourceLoadService(store).subawards(io.StringIO(text)) == 3
    assert sorted((k[1], str(r.subaward_amount)) for k, r in store.subawards.items()) == [
        ("sub-contract", "20.00"),
        ("sub-grant", "30.00"),
    ]


def test_a_file_with_a_bad_row_is_rejected_whole(store: FakeSourceStore) -> None:
    store.recipients[UEI] = SamRecipientRecord(uei=UEI, legal_business_name="Before")
    text = f"uei,legal_business_name\n{UEI},After\nnot-a-uei,X\n{UEI},Later\n,Blank\n"
    with pytest.raises(LoadRejected) as caught:
        SourceLoadService(store).sam_recipients(io.StringIO(text))
    assert [(e.line_number, e.message) for e in caught.value.errors] == [
        (3, "uei: must be 12 letters or digits, got 'NOT-A-UEI'"),
        (5, "uei: required"),
    ]
    assert str(caught.value).startswith("2 bad rows; nothing was loaded\nline 3: uei: must be")
    assert store.recipients[UEI].legal_business_name == "Before"


def test_reading_stops_after_max_errors(store: FakeSourceStore) -> None:
    text = SUBAWARD_HEADER + "".join(f"K{n},grant,1,1,\n" for n in range(10))
    with pytest.raises(LoadRejected) as caught:
        SourceLoadService(store, max_errors=3).subawards(io.StringIO(text))
    assert caught.value.truncated and len(caught.value.errors) == 3
    assert store.subawards == {}


@pytest.mark.parametrize(
    ("method", "text", "message"),
    [
        ("sam_recipients", "name\nx\n", "Missing column(s): uei"),
        ("subawards", "", "The file is empty: no header row"),
        (
            "subawards",
            "PrimeAwardUniqueKey,SubAwardNumber\n",
            "Missing column(s): subaward_type, internal_id",
        ),
    ],
)
def test_a_bad_header_is_request_invalid_and_nothing_is_stored(
    store: FakeSourceStore, method: str, text: str, message: str
) -> None:
    with pytest.raises(RequestInvalid) as caught:
        getattr(SourceLoadService(store), method)(io.StringIO(text))
    assert caught.value.message == message
    assert store.calls == 0

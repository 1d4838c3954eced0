"""Contract of the SourceDataStore and SourceDataReader ports (E and F source data), on every database."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import attrs
import pytest
from sqlalchemy import Table, func, select

from broker_adapters.sqlalchemy import tables
from broker_adapters.sqlalchemy.source_data import SqlAlchemySourceData
from broker_core.loading.source_ports import SourceDataReader, SourceDataStore
from broker_core.loading.source_records import (
    SAM_RECIPIENT_COLUMNS,
    SUB_CONTRACT,
    SUB_GRANT,
    SUBAWARD_COLUMNS,
    SamRecipientRecord,
    SubawardRecord,
)

from .conftest import Adapter
from .failing import Boom, failing_after


def count_rows(adapter: Adapter, table: Table) -> int:
    with adapter.engine.connect() as conn:
        return int(conn.scalar(select(func.count()).select_from(table)) or 0)


def ids(adapter: Adapter, table: Table, id_column: str, key_column: str) -> dict[str, int]:
    with adapter.engine.connect() as conn:
        return {key: id_ for id_, key in conn.execute(select(table.c[id_column], table.c[key_column]))}


def _value(name: str, type_name: str, seed: str) -> Any:
    """A distinct, valid value for every field, so a round trip checks each column."""
    if "Decimal" in type_name:
        return Decimal(f"{len(name)}{len(seed)}12345.67")
    if "dt.datetime" in type_name:
        return dt.datetime(2020, 1, 2, 3, 4, 5, 678000)
    if "dt.date" in type_name:
        return dt.date(2019, 1, 1) + dt.timedelta(days=len(name))
    if name.endswith("uei"):
        return f"{seed}{len(name):02d}".upper().ljust(12, "X")[:12]
    return f"{name}: {seed} ✓"  # non-ASCII on purpose


def full_sam(uei: str, **changes: Any) -> SamRecipientRecord:
    values = {f.name: _value(f.name, str(f.type), uei) for f in attrs.fields(SamRecipientRecord)}
    values["uei"] = uei
    return SamRecipientRecord(**{**values, **changes})


def full_subaward(award_key: str, number: str, kind: str = SUB_CONTRACT, **changes: Any) -> SubawardRecord:
    values = {f.name: _value(f.name, str(f.type), number) for f in attrs.fields(SubawardRecord)}
    values.update(unique_award_key=award_key, subaward_number=number, subaward_type=kind, internal_id="R1")
    return SubawardRecord(**{**values, **changes})


@pytest.fixture
def source_data(adapter: Adapter) -> SqlAlchemySourceData:
    """Tiny batches, so a few rows span several writes, lookups and fetches."""
    return SqlAlchemySourceData(adapter.engine, stream_batch=2, write_batch=3, lookup_batch=2)


def test_the_adapter_implements_both_ports(source_data: SqlAlchemySourceData) -> None:
    store: SourceDataStore = source_data
    reader: SourceDataReader = source_data
    assert store is reader


def test_the_tables_hold_every_field_of_the_records() -> None:
    assert [c.name for c in tables.sam_recipient.columns][1:-1] == list(SAM_RECIPIENT_COLUMNS)
    assert [c.name for c in tables.subaward.columns][2:-1] == list(SUBAWARD_COLUMNS)


# --------------------------------------------------------------------------- SAM recipients


def test_sam_recipients_round_trip_every_field(source_data: SqlAlchemySourceData) -> None:
    first, second = full_sam("AAAA11112222"), full_sam("BBBB33334444")
    blank = SamRecipientRecord(uei="CCCC55556666")
    assert source_data.upsert_sam_recipients([second, blank, first]) == 3
    got = list(source_data.sam_recipients(["CCCC55556666", "AAAA11112222", "BBBB33334444"]))
    assert got == [first, second, blank]
    assert got[0].high_comp_officer1_amount is not None
    assert str(got[0].high_comp_officer1_amount).endswith(".67")


def test_a_later_row_for_a_uei_replaces_the_earlier_and_keeps_its_id(
    adapter: Adapter, source_data: SqlAlchemySourceData
) -> None:
    uei = "AAAA11112222"
    source_data.upsert_sam_recipients([full_sam(uei), full_sam("BBBB33334444")])
    before = ids(adapter, tables.sam_recipient, "sam_recipient_id", "uei")
    newer = SamRecipientRecord(uei=uei, legal_business_name="Renamed")
    # Twice in one load (the last wins) and again in a later load.
    assert source_data.upsert_sam_recipients([full_sam(uei), SamRecipientRecord(uei=uei)]) == 2
    assert source_data.upsert_sam_recipients([newer]) == 1
    assert list(source_data.sam_recipients([uei])) == [newer]
    assert ids(adapter, tables.sam_recipient, "sam_recipient_id", "uei") == before
    assert count_rows(adapter, tables.sam_recipient) == 2


def test_sam_recipients_are_looked_up_in_uei_order_each_once(source_data: SqlAlchemySourceData) -> None:
    ueis = ["ZZZZ00000000", "0000ZZZZZZZZ", "MMMM00000000", "AAAA00000000", "9999AAAAAAAA"]
    source_data.upsert_sam_recipients(SamRecipientRecord(uei=u) for u in ueis)
    asked = ["MMMM00000000", "NOTLOADED000", "ZZZZ00000000", "MMMM00000000", "0000ZZZZZZZZ", "9999AAAAAAAA"]
    got = [r.uei for r in source_data.sam_recipients(iter(asked))]
    assert got == ["0000ZZZZZZZZ", "9999AAAAAAAA", "MMMM00000000", "ZZZZ00000000"]
    assert list(source_data.sam_recipients([])) == []


def test_a_failed_sam_load_keeps_nothing(adapter: Adapter, source_data: SqlAlchemySourceData) -> None:
    source_data.upsert_sam_recipients([SamRecipientRecord(uei="AAAA11112222", legal_business_name="Kept")])
    rows = [full_sam(f"NEW{n:09d}") for n in range(7)] + [full_sam("AAAA11112222")]
    with pytest.raises(Boom):
        source_data.upsert_sam_recipients(failing_after(rows, 7))
    assert count_rows(adapter, tables.sam_recipient) == 1
    (kept,) = source_data.sam_recipients(["AAAA11112222"])
    assert kept.legal_business_name == "Kept"


# --------------------------------------------------------------------------- subawards


def test_subawards_round_trip_every_field(source_data: SqlAlchemySourceData) -> None:
    full = full_subaward("AWARD_1", "S1")
    blank = SubawardRecord(
        unique_award_key="AWARD_1", subaward_type=SUB_CONTRACT, internal_id="R2", subaward_number="S2"
    )
    assert source_data.upsert_subawards([full, blank]) == 2
    assert list(source_data.subawards_for(["AWARD_1"], SUB_CONTRACT)) == [full, blank]


def test_subawards_are_upserted_by_their_natural_key(
    adapter: Adapter, source_data: SqlAlchemySourceData
) -> None:
    base = SubawardRecord(
        unique_award_key="A", subaward_type=SUB_CONTRACT, internal_id="R", subaward_number="1"
    )
    distinct = [
        base,
        attrs.evolve(base, subaward_type=SUB_GRANT),
        attrs.evolve(base, internal_id="R2"),
        attrs.evolve(base, subaward_number="2"),
        attrs.evolve(base, unique_award_key="B"),
        # Parts that would collide if the key were joined with a plain separator.
        attrs.evolve(base, internal_id='R", "1', subaward_number=""),
    ]
    assert source_data.upsert_subawards(distinct) == 6
    assert count_rows(adapter, tables.subaward) == 6
    before = ids(adapter, tables.subaward, "subaward_id", "subaward_key")
    updated = attrs.evolve(base, subaward_amount=Decimal("5.00"), subaward_description="again")
    assert source_data.upsert_subawards([attrs.evolve(base, subaward_description="first"), updated]) == 2
    assert count_rows(adapter, tables.subaward) == 6
    assert ids(adapter, tables.subaward, "subaward_id", "subaward_key") == before
    contracts = list(source_data.subawards_for(["A"], SUB_CONTRACT))
    assert contracts[0] == updated
    assert len(contracts) == 4


def test_subawards_for_filters_by_award_key_and_type_in_key_then_load_order(
    source_data: SqlAlchemySourceData,
) -> None:
    # "AC" < "ab" in code point order, though a linguistic collation puts "ab" first.
    loaded = [
        full_subaward("ab", "1"),
        full_subaward("AC", "1"),
        full_subaward("ab", "2", SUB_GRANT),
        full_subaward("zz", "1"),
        full_subaward("AC", "0"),
        full_subaward("ab", "0"),
        full_subaward("other", "1"),
    ]
    source_data.upsert_subawards(loaded)
    contracts = source_data.subawards_for(iter(["zz", "ab", "AC", "missing", "ab"]), SUB_CONTRACT)
    assert [(r.unique_award_key, r.subaward_number) for r in contracts] == [
        ("AC", "1"),
        ("AC", "0"),
        ("ab", "1"),
        ("ab", "0"),
        ("zz", "1"),
    ]
    grants = list(source_data.subawards_for(["ab", "AC"], SUB_GRANT))
    assert [(r.unique_award_key, r.subaward_number) for r in grants] == [("ab", "2")]
    assert list(source_data.subawards_for([], SUB_CONTRACT)) == []


def test_a_failed_subaward_load_keeps_nothing(adapter: Adapter, source_data: SqlAlchemySourceData) -> None:
    rows = [full_subaward("A", str(n)) for n in range(8)]
    with pytest.raises(Boom):
        source_data.upsert_subawards(failing_after(rows, 7))
    assert count_rows(adapter, tables.subaward) == 0


def test_many_batches_load_from_a_generator_and_read_back(source_data: SqlAlchemySourceData) -> None:
    rows = (SamRecipientRecord(uei=f"U{n:011d}") for n in range(20))  # 7 writes of 3, 10 lookups of 2
    assert source_data.upsert_sam_recipients(rows) == 20
    reader = source_data.sam_recipients(f"U{n:011d}" for n in reversed(range(20)))
    assert next(reader).uei == "U00000000000"
    assert [r.uei for r in reader] == [f"U{n:011d}" for n in range(1, 20)]
    subawards = (full_subaward(f"A{n % 3}", str(n)) for n in range(20))
    assert source_data.upsert_subawards(subawards) == 20
    got = [
        (r.unique_award_key, r.subaward_number)
        for r in source_data.subawards_for(["A2", "A0", "A1"], SUB_CONTRACT)
    ]
    assert got == sorted(((f"A{n % 3}", str(n)) for n in range(20)), key=lambda k: (k[0], int(k[1])))

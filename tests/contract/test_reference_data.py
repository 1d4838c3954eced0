"""Contract of the ReferenceDataStore and ReferenceDataReader ports (the rules' reference lists), on every database."""

from __future__ import annotations

import pytest
from sqlalchemy import Table, func, select
from sqlalchemy.exc import IntegrityError

from broker_adapters.sqlalchemy import tables
from broker_adapters.sqlalchemy.reference_data import SqlAlchemyReferenceData
from broker_core.loading.defc import DefcRecord
from broker_core.loading.object_classes import ObjectClassRecord
from broker_core.loading.program_activities import ParkRecord, ProgramActivityRecord
from broker_core.loading.reference_ports import ReferenceDataReader, ReferenceDataStore

from .conftest import Adapter
from .failing import Boom, failing_after


@pytest.fixture
def reference(adapter: Adapter) -> SqlAlchemyReferenceData:
    """Tiny batches, so a few rows span several writes."""
    return SqlAlchemyReferenceData(adapter.engine, write_batch=2)


def activity(code: str, name: str = "Name", period: int = 6) -> ProgramActivityRecord:
    return ProgramActivityRecord(2017, period, "019", None, "0306", code, name)


def park(code: str, sub: str | None = None) -> ParkRecord:
    return ParkRecord(2025, 7, "019", "011", "0306", sub, code, f"PARK {code} ✓")


def test_the_adapter_implements_both_ports(reference: SqlAlchemyReferenceData) -> None:
    store: ReferenceDataStore = reference
    reader: ReferenceDataReader = reference
    assert store is reader


def test_a_new_database_has_the_seeded_object_classes_and_defcs(reference: SqlAlchemyReferenceData) -> None:
    codes = [r.object_class_code for r in reference.object_classes()]
    assert {"111", "252", "410", "940"} <= set(codes) and codes == sorted(codes)
    assert [d.code for d in reference.defc()] == [*"9ABCDEFGHIJKLMNOPQRST"]
    assert all(d.is_valid for d in reference.defc())
    assert reference.program_activities() == [] and reference.park() == []


def test_object_classes_are_replaced_whole(reference: SqlAlchemyReferenceData) -> None:
    rows = [ObjectClassRecord("252", "Other services"), ObjectClassRecord("1110", "Four digits ✓"),
            ObjectClassRecord("011", "Padded")]  # fmt: skip
    assert reference.replace_object_classes(rows) == 3
    assert reference.object_classes() == sorted(rows, key=lambda r: r.object_class_code)
    assert reference.replace_object_classes([ObjectClassRecord("310", "Equipment")]) == 1
    assert reference.object_classes() == [ObjectClassRecord("310", "Equipment")]


def test_program_activities_round_trip_in_load_order_with_repeats(reference: SqlAlchemyReferenceData) -> None:
    rows = [activity("0002"), activity("0001", "Ünïcode"), activity("0001", "Ünïcode"),
            ProgramActivityRecord(2018, 12, "097", "011", "0100", "A001", "Other")]  # fmt: skip
    assert reference.replace_program_activities(rows) == 4
    assert reference.program_activities() == rows
    assert reference.replace_program_activities([activity("0003")]) == 1
    assert reference.program_activities() == [activity("0003")]


def test_park_round_trips_with_and_without_sub_account(reference: SqlAlchemyReferenceData) -> None:
    rows = [park("P2"), park("P1", "000"), ParkRecord(2026, 1, "097", None, "0100", None, "X", "Y")]
    assert reference.replace_park(rows) == 3
    assert reference.park() == rows


def test_defc_round_trips_every_field(reference: SqlAlchemyReferenceData) -> None:
    rows = [DefcRecord("L", "P.L. 116-136", "CARES Act", "covid_19", True), DefcRecord("9"),
            DefcRecord("A", is_valid=False)]  # fmt: skip
    assert reference.replace_defc(rows) == 3
    assert reference.defc() == [rows[1], rows[2], rows[0]]


@pytest.mark.parametrize(
    ("replace", "rows", "table"),
    [
        (
            "replace_object_classes",
            [ObjectClassRecord(f"{n:03d}", "x") for n in range(6)],
            tables.object_class,
        ),
        ("replace_program_activities", [activity(f"{n:04d}") for n in range(6)], tables.program_activity),
        ("replace_park", [park(f"P{n}") for n in range(6)], tables.program_activity_park),
        ("replace_defc", [DefcRecord(f"Z{n}") for n in range(6)], tables.defc),
    ],
)
def test_a_failed_replacement_keeps_the_previous_list(
    adapter: Adapter, reference: SqlAlchemyReferenceData, replace: str, rows: list[object], table: Table
) -> None:
    getattr(reference, replace)(rows[:1])
    with pytest.raises(Boom):
        getattr(reference, replace)(failing_after(rows, 5))
    with adapter.engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(table)) == 1


def test_a_repeated_object_class_or_defc_is_refused_by_the_database(
    reference: SqlAlchemyReferenceData,
) -> None:
    with pytest.raises(IntegrityError):
        reference.replace_defc([DefcRecord("A"), DefcRecord("A")])
    assert len(reference.defc()) == 21  # the seed, untouched

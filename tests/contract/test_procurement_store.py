"""Contract of :class:`broker_core.ports.ProcurementStore` (what an FPDS load writes), per database adapter."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from broker_adapters.sqlalchemy import tables
from broker_adapters.sqlalchemy.procurement_data import SqlAlchemyProcurementStore
from broker_core.file_types import FileType
from broker_core.records import AgencyRecord, ProcurementDeletion

from .conftest import Adapter
from .test_award_data import START, Boom, award, failing_after, lines

LOADED_AT = dt.datetime(2024, 5, 2, 9, 30)


@pytest.fixture
def store(adapter: Adapter) -> SqlAlchemyProcurementStore:
    return SqlAlchemyProcurementStore(adapter.engine, adapter.award_data)


def _stamps(adapter: Adapter) -> dict[str, str | None]:
    t = tables.detached_award_procurement
    with adapter.engine.connect() as conn:
        return dict(conn.execute(select(t.c.detached_award_proc_unique, t.c.last_modified)).all())  # type: ignore[arg-type]


def test_rows_and_deletions_are_applied_and_the_load_recorded(
    adapter: Adapter, store: SqlAlchemyProcurementStore
) -> None:
    day = START
    store.apply_procurement_load(
        [
            award("a", day, last_modified="2024-05-01 10:00:00"),
            award("b", day, last_modified="2024-05-01 10:00:00"),
        ],
        [],
        LOADED_AT,
    )
    written, deleted = store.apply_procurement_load(
        [award("c", day, last_modified="2024-05-02 08:00:00")],
        [
            ProcurementDeletion("a", "2024-05-02 07:00:00"),
            ProcurementDeletion("missing", "2024-05-02 07:00:00"),
        ],
        LOADED_AT + dt.timedelta(days=1),
    )
    assert (written, deleted) == (1, 1)
    assert _stamps(adapter) == {"b": "2024-05-01 10:00:00", "c": "2024-05-02 08:00:00"}
    assert store.fpds_load_date() == dt.date(2024, 5, 3)
    assert [line.split(",")[0] for line in lines(adapter.award_data, FileType.D1)] == ["b", "c"]


def test_a_deletion_older_than_the_row_leaves_it(adapter: Adapter, store: SqlAlchemyProcurementStore) -> None:
    store.apply_procurement_load([award("a", START, last_modified="2024-05-02 10:00:00")], [], LOADED_AT)
    _, deleted = store.apply_procurement_load(
        [], [ProcurementDeletion("a", "2024-05-01 23:59:59")], LOADED_AT
    )
    assert deleted == 0 and list(_stamps(adapter)) == ["a"]
    _, deleted = store.apply_procurement_load([], [ProcurementDeletion("a", None)], LOADED_AT)
    assert deleted == 1 and _stamps(adapter) == {}


def test_a_row_without_a_stamp_is_deleted(adapter: Adapter, store: SqlAlchemyProcurementStore) -> None:
    adapter.award_data.upsert_award_rows(FileType.D1, [award("csv-loaded", START)])
    _, deleted = store.apply_procurement_load(
        [], [ProcurementDeletion("csv-loaded", "2024-05-01 00:00:00")], LOADED_AT
    )
    assert deleted == 1


def test_a_failing_load_changes_nothing(adapter: Adapter, store: SqlAlchemyProcurementStore) -> None:
    store.apply_procurement_load([award("a", START, last_modified="2024-05-01 10:00:00")], [], LOADED_AT)

    def deletions():
        yield ProcurementDeletion("a", "2024-06-01 00:00:00")
        raise Boom

    with pytest.raises(Boom):
        store.apply_procurement_load(
            failing_after((award(f"n{i}", START) for i in range(50)), 40),
            [],
            LOADED_AT + dt.timedelta(days=5),
        )
    with pytest.raises(Boom):
        store.apply_procurement_load([award("z", START)], deletions(), LOADED_AT + dt.timedelta(days=5))
    assert list(_stamps(adapter)) == ["a"]
    assert store.fpds_load_date() == LOADED_AT.date()


def test_agency_records_join_sub_tiers_to_their_cgac_and_frec(
    adapter: Adapter, store: SqlAlchemyProcurementStore
) -> None:
    adapter.award_data.replace_agencies(
        [
            AgencyRecord(
                "097",
                "Department of Defense",
                "9700",
                "DEPT OF DEFENSE",
                "1700",
                "DEPT OF THE NAVY",
                False,
                False,
            ),
            AgencyRecord("011", "Executive Office", "1100", "EOP", "1100", "EXEC OFFICE", True, False),
        ]
    )
    records = {r.sub_tier_code: r for r in store.agency_records()}
    assert records["1700"].cgac_code == "097" and records["1700"].agency_name == "Department of Defense"
    assert not records["1700"].is_frec
    assert (
        records["1100"].is_frec and records["1100"].frec_code == "1100" and records["1100"].frec_name == "EOP"
    )

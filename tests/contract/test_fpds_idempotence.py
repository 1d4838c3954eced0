"""Property: loading the same FPDS page twice leaves the database as loading it once (every database adapter)."""

from __future__ import annotations

import datetime as dt

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from broker_adapters.fpds.parser import iter_documents
from broker_adapters.sqlalchemy import tables
from broker_adapters.sqlalchemy.procurement_data import SqlAlchemyProcurementStore
from broker_core.fpds.service import FpdsLoadService
from tests.unit.fakes import FakeClock
from tests.unit.fpds.test_roundtrip import Fields, fields, write_feed

from .conftest import Adapter


def _table(adapter: Adapter) -> list[tuple[object, ...]]:
    t = tables.detached_award_procurement
    columns = [c for c in t.c if c.name != "updated_at"]
    with adapter.engine.connect() as conn:
        return [tuple(row) for row in conn.execute(select(*columns).order_by(t.c.detached_award_proc_unique))]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(page=st.lists(fields, min_size=1, max_size=10))
def test_loading_a_page_twice_changes_nothing(adapter: Adapter, page: list[Fields]) -> None:
    service = FpdsLoadService(
        store=SqlAlchemyProcurementStore(adapter.engine, adapter.award_data),
        clock=FakeClock(dt.datetime(2024, 5, 2, 9, 0)),
    )
    documents = [document for entry in page for document in iter_documents(write_feed(entry))]

    first = service.load_documents(documents)
    after_first = _table(adapter)
    second = service.load_documents(documents)

    assert _table(adapter) == after_first
    assert (second.upserted, second.rejected) == (first.upserted, first.rejected)

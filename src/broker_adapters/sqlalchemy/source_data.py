"""The source data of files E and F: SAM recipients and subawards, loaded in bulk and streamed back."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Select, Table, select
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.sql.elements import ColumnElement

from broker_adapters.sqlalchemy import tables
from broker_adapters.sqlalchemy.engine import (
    SQLITE_BEGIN,
    BulkInsert,
    batches,
    bulk_write_settings,
    upsert,
    utc_now,
)
from broker_adapters.sqlalchemy.pg_copy import copy_upsert
from broker_core.loading.source_records import (
    SAM_RECIPIENT_COLUMNS,
    SUBAWARD_COLUMNS,
    SamRecipientRecord,
    SubawardRecord,
)

#: Rows fetched per round trip when streaming.
STREAM_BATCH = 1_000
#: Rows per executemany when writing (SQLite; PostgreSQL streams one COPY).
WRITE_BATCH = 5_000
#: Keys per ``IN (...)`` when looking rows up: well under every driver's limit on parameters.
LOOKUP_BATCH = 500


def subaward_key(record: SubawardRecord) -> str:
    """The natural key as one stored value (JSON: unambiguous whatever the parts contain)."""
    return json.dumps(list(record.natural_key))


class SqlAlchemySourceData:
    """Implements ``SourceDataStore`` and ``SourceDataReader`` over one engine.

    Thread-safe: every call takes its own pooled connection. Writers run one
    transaction per call (rolled back if the rows raise) and never hold the
    rows: SQLite gets batched upserts, PostgreSQL one streamed ``COPY`` merged
    by ``copy_upsert``. Readers use a deferred transaction, so a long
    generation never holds SQLite's write lock.
    """

    def __init__(
        self,
        engine: Engine,
        *,
        stream_batch: int = STREAM_BATCH,
        write_batch: int = WRITE_BATCH,
        lookup_batch: int = LOOKUP_BATCH,
    ) -> None:
        self.engine = engine
        self.stream_batch = stream_batch
        self.write_batch = write_batch
        self.lookup_batch = lookup_batch

    # ------------------------------------------------------------------ writing

    def upsert_sam_recipients(self, rows: Iterable[SamRecipientRecord]) -> int:
        """Insert or replace by ``uei``; a replaced recipient keeps its ``sam_recipient_id``."""
        now = utc_now()
        columns = [*SAM_RECIPIENT_COLUMNS, "updated_at"]

        def values(row: SamRecipientRecord) -> dict[str, Any]:
            value = {name: getattr(row, name) for name in SAM_RECIPIENT_COLUMNS}
            value["updated_at"] = now
            return value

        return self._upsert(tables.sam_recipient, "uei", columns, map(values, rows))

    def upsert_subawards(self, rows: Iterable[SubawardRecord]) -> int:
        """Insert or replace by the natural key; a replaced subaward keeps its ``subaward_id``."""
        now = utc_now()
        columns = ["subaward_key", *SUBAWARD_COLUMNS, "updated_at"]

        def values(row: SubawardRecord) -> dict[str, Any]:
            value = {name: getattr(row, name) for name in SUBAWARD_COLUMNS}
            value["subaward_key"] = subaward_key(row)
            value["updated_at"] = now
            return value

        return self._upsert(tables.subaward, "subaward_key", columns, map(values, rows))

    def _upsert(self, table: Table, key: str, columns: list[str], values: Iterable[dict[str, Any]]) -> int:
        with self.engine.connect() as conn, bulk_write_settings(conn), conn.begin():
            if conn.dialect.name == "postgresql":
                return copy_upsert(conn, table, key, columns, ([v[c] for c in columns] for v in values))
            insert = BulkInsert(conn, upsert(conn, table, key, [c for c in columns if c != key]))
            written = 0
            for batch in batches(values, self.write_batch):
                insert(batch)
                written += len(batch)
            return written

    # ------------------------------------------------------------------ reading

    def sam_recipients(self, ueis: Iterable[str]) -> Iterator[SamRecipientRecord]:
        """The stored recipients among ``ueis``, ordered by UEI (code point order), each once.

        The UEIs asked for are de-duplicated and sorted (the keys are held, the
        rows are not) and looked up ``lookup_batch`` at a time; a batch matches
        at most one row per UEI, so sorting its rows here is cheap and
        independent of the database's collation.
        """
        t = tables.sam_recipient
        columns = [t.c[name] for name in SAM_RECIPIENT_COLUMNS]
        with self._reading() as conn:
            for chunk in batches(sorted(set(ueis)), self.lookup_batch):
                found = [
                    SamRecipientRecord(**dict(zip(SAM_RECIPIENT_COLUMNS, row, strict=True)))
                    for row in conn.execute(select(*columns).where(t.c.uei.in_(chunk)))
                ]
                yield from sorted(found, key=lambda record: record.uei)

    def subawards_for(self, award_keys: Iterable[str], subaward_type: str) -> Iterator[SubawardRecord]:
        """The subawards of ``subaward_type`` whose ``unique_award_key`` is among ``award_keys``.

        Ordered by award key (code point order), then by ``subaward_id`` (the
        order of first load). The keys are held, de-duplicated and sorted; the
        rows are streamed ``stream_batch`` at a time.
        """
        t = tables.subaward
        columns = [t.c[name] for name in SUBAWARD_COLUMNS]
        with self._reading() as conn:
            for chunk in batches(sorted(set(award_keys)), self.lookup_batch):
                stmt = (
                    select(*columns)
                    .where(t.c.unique_award_key.in_(chunk), t.c.subaward_type == subaward_type)
                    .order_by(_code_point_order(conn, t.c.unique_award_key), t.c.subaward_id)
                )
                for row in self._stream(conn, stmt):
                    yield SubawardRecord(**dict(zip(SUBAWARD_COLUMNS, row, strict=True)))

    @contextmanager
    def _reading(self) -> Iterator[Connection]:
        with self.engine.connect() as conn:
            conn.execution_options(**{SQLITE_BEGIN: "DEFERRED"})
            yield conn

    def _stream(self, conn: Connection, stmt: Select[Any]) -> Iterator[Any]:
        result = conn.execution_options(stream_results=True, yield_per=self.stream_batch).execute(stmt)
        for partition in result.partitions():
            yield from partition


def _code_point_order(conn: Connection, column: ColumnElement[Any]) -> ColumnElement[Any]:
    """``column`` sorted as Python sorts strings, so the sorted key batches stay in order across batches.

    SQLite's default BINARY collation already compares UTF-8 bytes; PostgreSQL's
    database collation (``en_US`` ...) need not, its ``"C"`` collation does.
    """
    if conn.dialect.name == "postgresql":
        return column.collate("C")
    return column

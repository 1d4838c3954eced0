"""The validator's reference lists (object classes, program activities, PARKs, DEFCs), replaced whole and read back."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

import attrs
from sqlalchemy import Table, delete, select
from sqlalchemy.engine import Connection, Engine

from broker_adapters.sqlalchemy import tables
from broker_adapters.sqlalchemy.engine import SQLITE_BEGIN, BulkInsert, batches, bulk_write_settings
from broker_core.loading.defc import DefcRecord
from broker_core.loading.object_classes import ObjectClassRecord
from broker_core.loading.program_activities import ParkRecord, ProgramActivityRecord

#: Rows per executemany when writing.
WRITE_BATCH = 5_000

R = TypeVar("R")


def _names(record_class: type[Any]) -> tuple[str, ...]:
    return tuple(field.name for field in attrs.fields(record_class))


class SqlAlchemyReferenceData:
    """Implements ``ReferenceDataStore`` and ``ReferenceDataReader`` over one engine.

    Each replacement is one transaction: the table is emptied and the rows inserted in batches as
    they are read, so a failing iterable leaves the previous list in place.
    """

    def __init__(self, engine: Engine, *, write_batch: int = WRITE_BATCH) -> None:
        self.engine = engine
        self.write_batch = write_batch

    # ------------------------------------------------------------------ writing

    def replace_object_classes(self, rows: Iterable[ObjectClassRecord]) -> int:
        return self._replace(tables.object_class, ObjectClassRecord, rows)

    def replace_program_activities(self, rows: Iterable[ProgramActivityRecord]) -> int:
        return self._replace(tables.program_activity, ProgramActivityRecord, rows)

    def replace_park(self, rows: Iterable[ParkRecord]) -> int:
        return self._replace(tables.program_activity_park, ParkRecord, rows)

    def replace_defc(self, rows: Iterable[DefcRecord]) -> int:
        return self._replace(tables.defc, DefcRecord, rows)

    # ------------------------------------------------------------------ reading

    def object_classes(self) -> list[ObjectClassRecord]:
        t = tables.object_class
        return self._read(t, ObjectClassRecord, t.c.object_class_code)

    def program_activities(self) -> list[ProgramActivityRecord]:
        t = tables.program_activity
        return self._read(t, ProgramActivityRecord, t.c.program_activity_id)

    def park(self) -> list[ParkRecord]:
        t = tables.program_activity_park
        return self._read(t, ParkRecord, t.c.program_activity_park_id)

    def defc(self) -> list[DefcRecord]:
        t = tables.defc
        return self._read(t, DefcRecord, t.c.code)

    # ------------------------------------------------------------------ helpers

    @contextmanager
    def _writing(self) -> Iterator[Connection]:
        with self.engine.connect() as conn, bulk_write_settings(conn), conn.begin():
            yield conn

    def _replace(self, table: Table, record_class: type[R], rows: Iterable[R]) -> int:
        names = _names(record_class)
        written = 0
        with self._writing() as conn:
            conn.execute(delete(table))
            insert = BulkInsert(conn, table.insert())
            values = ({name: getattr(row, name) for name in names} for row in rows)
            for batch in batches(values, self.write_batch):
                insert(batch)
                written += len(batch)
        return written

    def _read(self, table: Table, record_class: type[R], order: Any) -> list[R]:
        names = _names(record_class)
        with self.engine.connect() as conn:
            conn.execution_options(**{SQLITE_BEGIN: "DEFERRED"})
            result = conn.execute(select(*(table.c[name] for name in names)).order_by(order))
            return [record_class(**row) for row in result.mappings()]

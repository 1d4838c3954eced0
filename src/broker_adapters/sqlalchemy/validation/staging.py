"""The validator's :class:`~broker_core.validation.ports.StagingArea` over SQLAlchemy (SQLite, PostgreSQL).

Each batch is inserted and committed on its own, so a large file never sits in one transaction's
memory; a failed run is undone by :meth:`clear` (the rows are keyed by job). PostgreSQL gets the
batch through ``COPY ... FROM STDIN``; SQLite through one compiled ``executemany``.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from sqlalchemy import Table, and_, delete, func, insert, or_, select, update
from sqlalchemy.engine import Engine

from broker_adapters.sqlalchemy import tables
from broker_adapters.sqlalchemy.engine import SQLITE_BEGIN, BulkInsert, is_sqlite
from broker_core.file_types import FileType
from broker_core.validation.catalogue import Rule
from broker_core.validation.cleaning import CleanedRow
from broker_core.validation.ports import RuleResult
from broker_core.validation.run import ValidationRun
from broker_core.validation.schema import FieldType, schema_for

from .rules import RuleContext, query_for
from .staging_tables import STAGING_TABLE_NAMES, to_boolean

#: Rows fetched per round trip when streaming a rule's failures.
STREAM_BATCH = 10_000
_FLEX = "__flex_field__"


class SqlAlchemyStagingArea:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    @staticmethod
    def table(file_type: FileType) -> Table:
        return tables.metadata.tables[STAGING_TABLE_NAMES[file_type]]

    def clear(self, run: ValidationRun) -> None:
        table = self.table(run.file_type)
        with self.engine.begin() as conn:
            conn.execute(delete(table).where(table.c.job_id == run.job_id))

    def insert(self, run: ValidationRun, rows: Sequence[CleanedRow]) -> None:
        if not rows:
            return
        table = self.table(run.file_type)
        names = [f.short_name for f in schema_for(run.file_type).fields]
        booleans = {f.short_name for f in schema_for(run.file_type).fields if f.type is FieldType.BOOLEAN}
        columns = ["job_id", "submission_id", "row_number", *names, "tas", "display_tas", "flex_field"]

        def values(row: CleanedRow) -> list[Any]:
            fields = [to_boolean(row.values.get(n)) if n in booleans else row.values.get(n) for n in names]
            return [
                run.job_id,
                run.submission_id,
                row.row_number,
                *fields,
                row.tas,
                row.display_tas,
                row.flex_field or None,
            ]

        with self.engine.begin() as conn:
            if is_sqlite(conn):
                BulkInsert(conn, insert(table))([dict(zip(columns, values(r), strict=True)) for r in rows])
                return
            raw: Any = conn.connection.driver_connection  # psycopg, inside this transaction
            quoted = ", ".join(f'"{c}"' for c in columns)
            with raw.cursor() as cursor, cursor.copy(f'COPY "{table.name}" ({quoted}) FROM STDIN') as copy:
                for row in rows:
                    copy.write_row(values(row))

    def link_tas(self, run: ValidationRun) -> None:
        """``account_num`` = the lowest CARS account of the row's TAS whose window meets the period."""
        table = self.table(run.file_type)
        cars = tables.tas_lookup
        account = (
            select(func.min(cars.c.account_num))
            .where(
                cars.c.tas == table.c.tas,
                or_(cars.c.internal_start_date.is_(None), cars.c.internal_start_date <= run.reporting_end),
                or_(cars.c.internal_end_date.is_(None), cars.c.internal_end_date >= run.reporting_start),
            )
            .scalar_subquery()
        )
        with self.engine.begin() as conn:
            conn.execute(update(table).where(table.c.job_id == run.job_id).values(account_num=account))

    def implements(self, rule: Rule) -> bool:
        return query_for(rule) is not None

    def failures(self, run: ValidationRun, rule: Rule) -> Iterator[RuleResult]:
        query = query_for(rule)
        if query is None:
            raise LookupError(f"rule {rule.label} ({rule.file}) has no query")
        table = self.table(run.file_type)
        found = query(RuleContext(run=run, table=table)).subquery("failure")
        flex = table.alias("flex")
        stmt = (
            select(found, flex.c.flex_field.label(_FLEX))
            .select_from(
                found.outerjoin(
                    flex, and_(flex.c.job_id == run.job_id, flex.c.row_number == found.c.row_number)
                )
            )
            # Rows in file order, aggregate failures (no row) last on every database; the other
            # columns break ties so aggregate failures come in a stable order too.
            .order_by(found.c.row_number.is_(None), found.c.row_number, *found.c)
        )
        with self.engine.connect() as conn:
            conn.execution_options(**{SQLITE_BEGIN: "DEFERRED"})  # a reader never holds SQLite's write lock
            result = conn.execution_options(stream_results=True, yield_per=STREAM_BATCH).execute(stmt)
            for row in result.mappings():
                columns = dict(row)
                flex_field = columns.pop(_FLEX) or ""
                yield RuleResult(columns=columns, flex_field=flex_field)

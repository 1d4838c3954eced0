"""The validator's :class:`~broker_core.validation.ports.StagingArea` over SQLAlchemy (SQLite, PostgreSQL).

Each batch is inserted and committed on its own, so a large file never sits in one transaction's
memory; a failed run is undone by :meth:`clear` (the rows are keyed by job). PostgreSQL gets the
batch through ``COPY ... FROM STDIN``; SQLite through one compiled ``executemany``.

Cross-file rules (:meth:`cross_failures`) read the staged files of one submission: a submission is
expected to stage each file type under one job.
"""

from __future__ import annotations

import functools
import uuid
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from sqlalchemy import Table, and_, delete, func, insert, or_, select
from sqlalchemy.engine import Connection, Engine

from broker_adapters.sqlalchemy import tables
from broker_adapters.sqlalchemy.engine import SQLITE_BEGIN, BulkInsert, is_sqlite, make_engine
from broker_core.file_types import FileType
from broker_core.validation.catalogue import Rule
from broker_core.validation.cleaning import CleanedRow
from broker_core.validation.ports import RuleResult
from broker_core.validation.run import CrossFileRun, ValidationRun
from broker_core.validation.schema import FieldType, schema_for

from .rules import RuleContext, query_for
from .rules.registry import CrossRuleContext
from .staging_tables import STAGING_TABLE_NAMES, staged_number, staged_type, to_boolean

#: Rows fetched per round trip when streaming a rule's failures.
STREAM_BATCH = 10_000
_FLEX = "__flex_field__"
#: PostgreSQL ``work_mem`` of a rule query (per sort or hash; a query has a few).
RULE_WORK_MEM = "64MB"


class SqlAlchemyStagingArea:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._accounts: dict[ValidationRun, dict[str, int]] = {}
        # Changes with every clear(), i.e. every load: batch workers drop their CARS lookup with it.
        self._load_token = uuid.uuid4().hex

    def __reduce__(self) -> tuple[object, tuple[str, str]]:
        # Batch workers (other processes) stage through their own engine on the same database.
        url = self.engine.url.render_as_string(hide_password=False)
        return _staging_area_in_worker, (url, self._load_token)

    @staticmethod
    def table(file_type: FileType) -> Table:
        return tables.metadata.tables[STAGING_TABLE_NAMES[file_type]]

    def clear(self, run: ValidationRun) -> None:
        self._accounts = {}
        self._load_token = uuid.uuid4().hex
        table = self.table(run.file_type)
        with self.engine.begin() as conn:
            conn.execute(delete(table).where(table.c.job_id == run.job_id))

    def insert(self, run: ValidationRun, rows: Sequence[CleanedRow]) -> None:
        if not rows:
            return
        table = self.table(run.file_type)
        names = [f.short_name for f in schema_for(run.file_type).fields]
        booleans = {f.short_name for f in schema_for(run.file_type).fields if f.type is FieldType.BOOLEAN}
        # D1 and D2 were not row-checked: their numbers are staged as numbers or not at all.
        numbers = (
            {n: staged_type(run.file_type, n) for n in names if staged_type(run.file_type, n).is_number}
            if run.file_type.is_d_file
            else {}
        )
        columns = [
            "job_id", "submission_id", "row_number", *names, "tas", "display_tas", "account_num", "flex_field",
        ]  # fmt: skip
        # Only a few columns need converting; the rest go as read (one C-level map per row).
        converters: list[tuple[int, Callable[[Any], Any]]] = [
            (i, to_boolean) for i, n in enumerate(names) if n in booleans
        ] + [
            (i, functools.partial(staged_number, field_type=numbers[n]))
            for i, n in enumerate(names)
            if n in numbers
        ]
        accounts = self._cars_accounts(run)

        def values(row: CleanedRow) -> list[Any]:
            fields = list(map(row.values.get, names))
            for i, convert in converters:
                fields[i] = convert(fields[i])
            account = accounts.get(row.tas) if row.tas is not None else None
            return [
                run.job_id, run.submission_id, row.row_number, *fields,
                row.tas, row.display_tas, account, row.flex_field or None,
            ]  # fmt: skip

        with self.engine.begin() as conn:
            if is_sqlite(conn):
                BulkInsert(conn, insert(table))([dict(zip(columns, values(r), strict=True)) for r in rows])
                return
            raw: Any = conn.connection.driver_connection  # psycopg, inside this transaction
            quoted = ", ".join(f'"{c}"' for c in columns)
            sql = f'COPY "{table.name}" ({quoted}) FROM STDIN'
            # The plain writer: batches are small and staged from several processes at once, so a
            # writer thread per batch (psycopg's queued writer) costs more than it overlaps.
            with raw.cursor() as cursor, cursor.copy(sql) as copy:
                for row in rows:
                    copy.write_row(values(row))

    def _cars_accounts(self, run: ValidationRun) -> dict[str, int]:
        """TAS → the lowest CARS account whose window meets the reporting period, read once per run.

        Rows get their account as they are staged: cheaper than updating every staged row afterwards,
        and the CARS list (tens of thousands of TAS) is small next to a file.
        """
        cached = self._accounts.get(run)
        if cached is not None:
            return cached
        cars = tables.tas_lookup
        stmt = (
            select(cars.c.tas, func.min(cars.c.account_num))
            .where(
                cars.c.account_num.is_not(None),
                or_(cars.c.internal_start_date.is_(None), cars.c.internal_start_date <= run.reporting_end),
                or_(cars.c.internal_end_date.is_(None), cars.c.internal_end_date >= run.reporting_start),
            )
            .group_by(cars.c.tas)
        )
        with self.engine.connect() as conn:
            conn.execution_options(**{SQLITE_BEGIN: "DEFERRED"})
            accounts = {tas: account for tas, account in conn.execute(stmt)}
        self._accounts = {run: accounts}  # one run at a time is staged through this object
        return accounts

    def link_tas(self, run: ValidationRun) -> None:
        """Finish the load: rows already carry their CARS ``account_num`` (see :meth:`_cars_accounts`)."""
        self._accounts.pop(run, None)
        table = self.table(run.file_type)
        with self.engine.begin() as conn:
            if not is_sqlite(conn):
                # Fresh statistics after a bulk load, so the rule queries that follow get sane plans.
                conn.exec_driver_sql(f'ANALYZE "{table.name}"')

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
            _allow_large_sorts(conn)
            result = conn.execution_options(stream_results=True, yield_per=STREAM_BATCH).execute(stmt)
            yield from _results(result)

    def cross_failures(self, run: CrossFileRun, rule: Rule) -> Iterator[RuleResult]:
        query = query_for(rule)
        if query is None:
            raise LookupError(f"rule {rule.label} ({rule.file} to {rule.target}) has no query")
        source_type, target_type = rule.file_type, rule.target_type
        if source_type is None or target_type is None:
            raise ValueError(f"rule {rule.label} ({rule.file}) is not a cross-file rule of submission files")
        source = self.table(source_type)
        context = CrossRuleContext(run=run, source=source, target=self.table(target_type))
        found = query(context).subquery("failure")
        flex = source.alias("flex")
        flex_field = (
            select(func.min(flex.c.flex_field))
            .where(flex.c.submission_id == run.submission_id, flex.c.row_number == found.c.source_row_number)
            .scalar_subquery()
        )
        stmt = select(found, flex_field.label(_FLEX)).order_by(
            found.c.source_row_number.is_(None), found.c.source_row_number, *found.c
        )
        with self.engine.connect() as conn:
            conn.execution_options(**{SQLITE_BEGIN: "DEFERRED"})
            _allow_large_sorts(conn)
            result = conn.execution_options(stream_results=True, yield_per=STREAM_BATCH).execute(stmt)
            yield from _results(result)


def _allow_large_sorts(conn: Connection) -> None:
    """PostgreSQL: let this transaction's sorts and hashes use memory rather than temporary files.

    Window counts and anti-joins over a million staged rows spill to disk at the 4 MB default.
    """
    if not is_sqlite(conn):
        conn.exec_driver_sql(f"SET LOCAL work_mem = '{RULE_WORK_MEM}'")


_WORKER_AREAS: dict[str, SqlAlchemyStagingArea] = {}


def _staging_area_in_worker(url: str, load_token: str) -> SqlAlchemyStagingArea:
    """The staging area of a batch worker process: one engine per database, kept between batches."""
    area = _WORKER_AREAS.get(url)
    if area is None:
        area = _WORKER_AREAS[url] = SqlAlchemyStagingArea(make_engine(url))
    if area._load_token != load_token:
        area._accounts = {}
        area._load_token = load_token
    return area


def _results(result: Any) -> Iterator[RuleResult]:
    for row in result.mappings():
        columns = dict(row)
        flex_field = columns.pop(_FLEX) or ""
        yield RuleResult(columns=columns, flex_field=flex_field)

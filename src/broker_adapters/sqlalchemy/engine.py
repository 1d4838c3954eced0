"""Engines, and every difference between the SQLite and PostgreSQL dialects the adapter cares about.

SQLite (local mode) is configured for many threads of one process and a few
processes sharing one file:

* WAL journal, so readers (a generation streaming a million rows) never block
  writers and writers never block readers;
* ``busy_timeout`` of 30 s, so a writer waits for the lock instead of failing;
* foreign keys enforced; 32 KB pages for new files (see ``SQLITE_PAGE_SIZE``);
* pysqlite's own transaction handling is turned off and every transaction is
  started by SQLAlchemy's ``begin`` event with ``BEGIN IMMEDIATE``: the write
  lock is taken at the start, so two read-then-insert transactions (the
  generation cache check) run one after the other instead of both reading
  "absent" and both inserting. A connection that only streams data can ask for
  a plain deferred ``BEGIN`` with the execution option ``sqlite_begin="DEFERRED"``.

PostgreSQL (production) uses psycopg 3; ``lock_cache_key`` there is an
advisory transaction lock (see :func:`advisory_lock_statement`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import select as select_module
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from itertools import islice
from operator import itemgetter
from typing import Any, TypeVar

from sqlalchemy import Table, and_, create_engine, event, exc, select, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.sql.dml import Insert
from sqlalchemy.sql.elements import ColumnElement, TextClause

from broker_adapters.sqlalchemy.validation.exact import register_sqlite_functions

BUSY_TIMEOUT_MS = 30_000
#: Page size of new SQLite files. Award rows are ~2.6 KB of CSV each: with the
#: default 4 KB pages each row takes a page of its own (35% wasted); 32 KB pages
#: hold a dozen, which makes the file a third smaller and loading and
#: streaming much faster.
SQLITE_PAGE_SIZE = 32_768
#: Page cache (KiB) of a connection while it bulk-loads.
BULK_CACHE_KIB = 65_536
#: Execution option naming how a SQLite transaction begins: "IMMEDIATE" (default) or "DEFERRED".
SQLITE_BEGIN = "sqlite_begin"

T = TypeVar("T")


def make_engine(url: str, **kwargs: Any) -> Engine:
    """An engine for ``url`` (``sqlite:///path.db`` or ``postgresql://...``), configured as above.

    Extra keyword arguments go to :func:`sqlalchemy.create_engine`.
    """
    parsed = make_url(url)
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        if parsed.database in (None, "", ":memory:"):
            raise ValueError("use a file database: an in-memory SQLite database is private to one connection")
        engine = create_engine(parsed, **kwargs)
        _configure_sqlite(engine)
        return engine
    if backend == "postgresql":
        if "+" not in parsed.drivername:  # plain postgresql://: psycopg 3, not SQLAlchemy's default psycopg2
            parsed = parsed.set(drivername="postgresql+psycopg")
        # Room for every thread of a gunicorn process (BROKER_GUNICORN_THREADS): a smaller pool
        # closes its overflow connections at every checkin, and PostgreSQL then starts a new
        # backend process for nearly every request.
        kwargs.setdefault("pool_size", 10)
        engine = create_engine(parsed, **kwargs)
        if "pool_pre_ping" not in kwargs:
            event.listen(engine, "checkout", _check_idle_connection)
        return engine
    raise ValueError(f"unsupported database {backend!r}: use sqlite or postgresql")


def _check_idle_connection(dbapi_connection: Any, _record: Any, _proxy: Any) -> None:
    """A pooled PostgreSQL connection is checked at checkout without a round trip.

    SQLAlchemy's ``pool_pre_ping`` sends ``SELECT 1`` at every checkout: a round trip
    of its own for each unit of work, which on a short API request costs as much as
    the request's own query. An idle connection whose server is still there has
    nothing to read, while one the server closed (restart, idle timeout, terminated
    backend) reads as end of file: only a connection with something to read, or one
    psycopg already knows is closed, is pinged, and replaced if the ping fails (the
    pool then retries with a new connection).
    """
    if dbapi_connection.closed or getattr(dbapi_connection, "broken", False):
        raise exc.DisconnectionError("connection closed")
    try:
        readable, _, _ = select_module.select([dbapi_connection.pgconn.socket], [], [], 0)
    except (OSError, ValueError) as error:
        raise exc.DisconnectionError(str(error)) from error
    if not readable:
        return
    try:
        with dbapi_connection.cursor() as cursor:
            autocommit = dbapi_connection.autocommit
            dbapi_connection.autocommit = True
            try:
                cursor.execute("SELECT 1")
            finally:
                if not dbapi_connection.closed:
                    dbapi_connection.autocommit = autocommit
    except Exception as error:  # any failure: give the pool a new connection
        raise exc.DisconnectionError(str(error)) from error


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Autocommit at the driver level: SQLAlchemy's "begin" event decides how to BEGIN.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            # Only takes effect when the file is new (before WAL mode initialises it).
            cursor.execute(f"PRAGMA page_size = {SQLITE_PAGE_SIZE}")
            cursor.execute("PRAGMA journal_mode = WAL")
            # In WAL mode NORMAL is safe against corruption; only the last commits
            # before a power cut can be lost.
            cursor.execute("PRAGMA synchronous = NORMAL")
            # After a big load is checkpointed, give the disk space of the WAL back.
            cursor.execute("PRAGMA journal_size_limit = 67108864")
            cursor.execute("PRAGMA foreign_keys = ON")
        finally:
            cursor.close()
        # Exact decimal arithmetic for the validation rules (SQLite has no decimal type).
        register_sqlite_functions(dbapi_connection)

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        mode = conn.get_execution_options().get(SQLITE_BEGIN, "IMMEDIATE")
        conn.exec_driver_sql("BEGIN" if mode == "DEFERRED" else "BEGIN IMMEDIATE")


@contextmanager
def bulk_write_settings(conn: Connection) -> Iterator[None]:
    """Connection settings for the duration of a bulk load (outside its transaction).

    SQLite: a 64 MB page cache instead of the default 2 MB, so the indexes'
    pages stay in memory instead of being spilled to the WAL over and over.
    """
    if not is_sqlite(conn):
        yield
        return
    # On the driver connection: through SQLAlchemy a PRAGMA would begin a transaction.
    driver = conn.connection.driver_connection
    assert driver is not None
    (previous,) = driver.execute("PRAGMA cache_size").fetchone()
    driver.execute(f"PRAGMA cache_size = {-BULK_CACHE_KIB}")
    try:
        yield
    finally:
        driver.execute(f"PRAGMA cache_size = {int(previous)}")


def is_sqlite(bind: Engine | Connection) -> bool:
    return bind.dialect.name == "sqlite"


def upsert(bind: Engine | Connection, table: Table, key_column: str, update_columns: list[str]) -> Insert:
    """``INSERT ... ON CONFLICT (key) DO UPDATE SET ...`` in the bind's dialect."""
    name = bind.dialect.name
    if name == "sqlite":
        stmt: Any = sqlite.insert(table)
    elif name == "postgresql":
        stmt = postgresql.insert(table)
    else:  # pragma: no cover - make_engine refuses other backends
        raise ValueError(f"no upsert for {name}")
    return stmt.on_conflict_do_update(
        index_elements=[table.c[key_column]],
        set_={column: stmt.excluded[column] for column in update_columns},
    )


def filter_for_key_order(
    bind: Engine | Connection, key: ColumnElement[Any], *conditions: ColumnElement[bool]
) -> ColumnElement[bool]:
    """A WHERE clause for ``conditions`` suited to reading the matches ``ORDER BY key``.

    SQLite: ``key IN (SELECT key ... WHERE conditions)``. The ids come from the
    (agency, date) index and SQLite walks that id list in order, so there is no
    sort of the (large) rows and the table is read sequentially; a plain WHERE
    would use the index and then sort every selected row in temporary storage.
    """
    if is_sqlite(bind):
        return key.in_(select(key).where(*conditions).scalar_subquery())
    return and_(*conditions)


def batches(items: Iterable[T], size: int) -> Iterator[list[T]]:
    """``items`` as lists of ``size`` (the last may be shorter), read lazily."""
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch


def utc_now() -> dt.datetime:
    """Now in UTC, naive: the form the load-date columns store."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


class BulkInsert:
    """``executemany`` of one INSERT over batches of parameter dicts (all with the same keys).

    On SQLite the statement is compiled once and each batch goes to the driver
    as tuples, with only the needed bind processors (dates, booleans) applied:
    SQLAlchemy's generic per-row parameter handling would cost more than
    SQLite's insert itself when loading millions of rows. Elsewhere (and for
    statements that need SQL-side defaults) it is a plain Core executemany.
    """

    def __init__(self, conn: Connection, stmt: Insert) -> None:
        self._conn = conn
        self._stmt = stmt
        self._driver: _DriverInsert | None = None
        self._generic = not is_sqlite(conn)

    def __call__(self, batch: list[dict[str, Any]]) -> None:
        if not batch:
            return
        if not self._generic and self._driver is None:
            self._driver = _DriverInsert.compile(self._conn.dialect, self._stmt, list(batch[0]))
            self._generic = self._driver is None
        if self._driver is None:
            self._conn.execute(self._stmt, batch)
        else:
            self._conn.exec_driver_sql(self._driver.sql, self._driver.parameters(batch))


class _DriverInsert:
    def __init__(self, sql: str, names: list[str], processors: list[Any]) -> None:
        self.sql = sql
        self._get = itemgetter(*names)
        self._single = len(names) == 1
        self._processed = [(i, p) for i, p in enumerate(processors) if p is not None]

    @classmethod
    def compile(cls, dialect: Any, stmt: Insert, keys: list[str]) -> _DriverInsert | None:
        compiled = stmt.compile(dialect=dialect, column_keys=keys)
        names = list(compiled.positiontup or ())
        if not compiled.positional or sorted(names) != sorted(keys):
            return None  # defaults to fill in, or a named paramstyle: let SQLAlchemy do it
        processors = [
            compiled.binds[name].type.dialect_impl(dialect).bind_processor(dialect) for name in names
        ]
        return cls(compiled.string, names, processors)

    def parameters(self, batch: list[dict[str, Any]]) -> list[Any]:
        get, processed = self._get, self._processed
        if self._single:
            rows: list[Any] = [(get(row),) for row in batch]
        else:
            rows = [get(row) for row in batch]
        if processed:
            for index, row in enumerate(rows):
                values = list(row)
                for i, process in processed:
                    values[i] = process(values[i])
                rows[index] = tuple(values)
        return rows


def cache_key_lock_id(*parts: object) -> int:
    """A stable signed 64-bit number for the parts (same in every process and Python version)."""
    digest = hashlib.blake2b("\x1f".join(map(str, parts)).encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def advisory_lock_statement(lock_id: int) -> TextClause:
    """PostgreSQL: block until this transaction holds the advisory lock ``lock_id``."""
    return text("SELECT pg_advisory_xact_lock(:lock_id)").bindparams(lock_id=lock_id)

"""``SqlAlchemyJobReader``: one job read straight through the database driver.

Clients poll a generation's status several times a second, and the whole
answer is one primary-key lookup. Through SQLAlchemy's ORM session or even a
Core ``Connection`` that lookup costs about three times the driver's own work
(statement execution context, result metadata, transaction bookkeeping), which
made it most of a status check's CPU. Here the statement is compiled once and
run on a pooled DBAPI connection; the column types' own result processors turn
the row into the domain ``Job``, so values read exactly as the repository reads
them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError

from broker_adapters.sqlalchemy.repositories import job_by_id_statement
from broker_core.jobs import Job


class SqlAlchemyJobReader:
    """Implements ``broker_core.ports.JobReader`` on SQLite and PostgreSQL. Thread-safe."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        dialect = engine.dialect
        statement = job_by_id_statement()
        compiled = statement.compile(dialect=dialect)
        self._sql = str(compiled)
        # Parameters in the order or by the names the driver's paramstyle wants.
        positions = compiled.positiontup if dialect.positional else None
        self._positions: tuple[str, ...] | None = tuple(positions) if positions is not None else None
        self._names: list[str] = [str(column.key) for column in statement.selected_columns]
        self._types = [column.type.dialect_impl(dialect) for column in statement.selected_columns]
        # Built from the first result's column type codes (some processors depend on them).
        self._processors: list[Callable[[Any], Any] | None] | None = None
        # A PostgreSQL connection outside autocommit would open a transaction for the
        # SELECT, and the pool's rollback at checkin would cost a second round trip.
        # SQLite connections are in driver-level autocommit already (see engine.py).
        self._autocommit = dialect.name == "postgresql"

    def get(self, job_id: int) -> Job | None:
        values = {"job_id": job_id}
        params: Any = values if self._positions is None else tuple(values[n] for n in self._positions)
        row = self._fetch_one(params)
        if row is None:
            return None
        assert self._processors is not None
        fields = {
            name: value if process is None else process(value)
            for name, process, value in zip(self._names, self._processors, row, strict=True)
        }
        return Job(**fields)

    def _fetch_one(self, params: Any) -> Sequence[Any] | None:
        pooled = self._engine.raw_connection()  # pool errors arrive as SQLAlchemy errors already
        dialect = self._engine.dialect
        driver = pooled.driver_connection
        try:
            try:
                if self._autocommit:
                    driver.autocommit = True  # type: ignore[union-attr]
                cursor = pooled.cursor()
                try:
                    cursor.execute(self._sql, params)
                    row = cursor.fetchone()
                    if self._processors is None:
                        self._processors = self._result_processors(cursor.description)
                finally:
                    cursor.close()
            except dialect.loaded_dbapi.Error as error:
                # Report it as SQLAlchemy would (the API answers 503 for a lost database),
                # and keep a dead connection out of the pool.
                lost = dialect.is_disconnect(error, driver, None)
                if lost:
                    pooled.invalidate(error)
                raise DBAPIError.instance(
                    self._sql, params, error, dialect.loaded_dbapi.Error,
                    connection_invalidated=lost, dialect=dialect,
                ) from error  # fmt: skip
            finally:
                if self._autocommit and not getattr(driver, "closed", True):
                    driver.autocommit = False  # type: ignore[union-attr]
        finally:
            pooled.close()
        return row

    def _result_processors(self, description: Sequence[Sequence[Any]]) -> list[Callable[[Any], Any] | None]:
        dialect = self._engine.dialect
        return [
            column_type.result_processor(dialect, column[1])
            for column_type, column in zip(self._types, description, strict=True)
        ]

"""Task locks that hold across processes and die with their holder.

PostgreSQL: a session-level advisory lock on a connection kept open for the
whole task; the server drops it when that connection ends, so a worker killed
with SIGKILL releases its tasks. SQLite (one machine): ``flock`` on a file per
task beside the database; the kernel releases it when the process dies.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from collections.abc import Iterator
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import Engine

from broker_adapters.sqlalchemy.engine import cache_key_lock_id, is_sqlite
from broker_core.queueing import Task


class SqlAlchemyTaskLocks:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._lock_dir: Path | None = None
        if is_sqlite(engine):
            database = engine.url.database
            if not database:
                raise ValueError("task locks need a file database")
            self._lock_dir = Path(f"{database}.locks")

    def hold(self, task: Task) -> contextlib.AbstractContextManager[bool]:
        if self._lock_dir is not None:
            return _file_lock(self._lock_dir / f"{task.kind.value}-{task.ref_id}.lock")
        return _advisory_lock(self.engine, cache_key_lock_id("task", task.kind.value, task.ref_id))


@contextlib.contextmanager
def _advisory_lock(engine: Engine, lock_id: int) -> Iterator[bool]:
    with engine.connect() as conn:
        conn = conn.execution_options(isolation_level="AUTOCOMMIT")
        acquired = bool(conn.scalar(text("SELECT pg_try_advisory_lock(:id)"), {"id": lock_id}))
        try:
            yield acquired
        finally:
            if acquired:
                conn.execute(text("SELECT pg_advisory_unlock(:id)"), {"id": lock_id})


@contextlib.contextmanager
def _file_lock(path: Path) -> Iterator[bool]:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)

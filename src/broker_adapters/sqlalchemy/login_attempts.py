"""The :class:`~broker_core.login_throttle.LoginAttemptLog` port over the ``login_attempt`` table.

Every API process (gunicorn worker) shares the table, so the limits hold across processes.
Each call is its own short transaction on its own connection.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import delete, insert, select
from sqlalchemy.engine import Engine

from broker_adapters.sqlalchemy.tables import login_attempt


class SqlAlchemyLoginAttempts:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def failures(self, subject: str, since: dt.datetime) -> list[dt.datetime]:
        query = (
            select(login_attempt.c.attempted_at)
            .where(login_attempt.c.subject == subject, login_attempt.c.attempted_at >= since)
            .order_by(login_attempt.c.attempted_at)
        )
        with self.engine.connect() as conn:
            return list(conn.scalars(query))

    def record(self, subjects: Sequence[str], at: dt.datetime, *, forget_before: dt.datetime) -> None:
        with self.engine.begin() as conn:
            conn.execute(delete(login_attempt).where(login_attempt.c.attempted_at < forget_before))
            if subjects:
                conn.execute(insert(login_attempt), [{"subject": s, "attempted_at": at} for s in subjects])

    def clear(self, subject: str) -> None:
        with self.engine.begin() as conn:
            conn.execute(delete(login_attempt).where(login_attempt.c.subject == subject))

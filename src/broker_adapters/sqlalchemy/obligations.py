"""The obligation totals of a submission's File C, summed exactly on SQLite and PostgreSQL (spec §2.15).

One aggregate query over the staged ``award_financial`` rows of the submission (found through
their ``submission_id`` index). Amounts are summed with :class:`~.validation.exact.exact_sum`:
``numeric`` arithmetic on PostgreSQL, Python :mod:`decimal` over the stored text on SQLite, so
``0.1 + 0.2`` is ``0.3`` on both.
"""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import case, or_, select
from sqlalchemy.engine import Engine

from broker_adapters.sqlalchemy import tables
from broker_adapters.sqlalchemy.engine import SQLITE_BEGIN
from broker_adapters.sqlalchemy.validation.exact import exact_sum
from broker_core.submissions.obligations import Obligations


class SqlAlchemyObligationTotals:
    """Implements ``ObligationTotals`` over one engine (thread-safe: a pooled connection per call)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def totals(self, submission_id: int) -> Obligations:
        staged = tables.award_financial
        amount = staged.c.transaction_obligated_amou
        procurement = staged.c.piid.is_not(None)
        assistance = or_(staged.c.fain.is_not(None), staged.c.uri.is_not(None))
        stmt = select(
            exact_sum(amount),
            exact_sum(case((procurement, amount))),  # no ELSE: NULL, which the sum counts as 0
            exact_sum(case((assistance, amount))),
        ).where(staged.c.submission_id == submission_id)
        with self.engine.connect() as conn:
            conn.execution_options(**{SQLITE_BEGIN: "DEFERRED"})  # a reader never holds the write lock
            total, procurement_total, assistance_total = conn.execute(stmt).one()
        return Obligations(_decimal(total), _decimal(procurement_total), _decimal(assistance_total))


def _decimal(value: object) -> Decimal:
    return Decimal(0) if value is None else Decimal(str(value))

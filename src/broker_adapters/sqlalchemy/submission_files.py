"""The rows of files E and F of a submission, streamed from SQLite or PostgreSQL (spec §5.5, §5.6).

Both queries start from the submission's staged D1 (``award_procurement``) and D2
(``award_financial_assistance``) rows, found through their ``submission_id`` index, and look the
source rows up through their indexes (``sam_recipient.uei``; ``subaward(unique_award_key,
subaward_type)``). The staged rows only filter (``IN`` semi-joins), so a UEI or award key named
by many staged rows still yields each source row once.
"""

from __future__ import annotations

from collections.abc import Generator
from typing import Any

from sqlalchemy import ColumnElement, Select, func, select, union, union_all
from sqlalchemy.engine import Engine

from broker_adapters.sqlalchemy import tables
from broker_adapters.sqlalchemy.engine import SQLITE_BEGIN
from broker_core.generation.submission_files import E_COLUMNS, F_COLUMNS
from broker_core.loading.source_records import SUB_CONTRACT, SUB_GRANT

#: Rows fetched per round trip when streaming.
STREAM_BATCH = 1_000

#: What both methods return: a generator, so a reader that stops early can ``close()`` it (which
#: gives its connection back at once).
Rows = Generator[tuple[object, ...], None, None]


class SqlAlchemySubmissionFiles:
    """Implements ``SubmissionFileSource`` over one engine.

    Thread-safe: every call takes its own pooled connection, inside a deferred transaction (a
    generation never holds SQLite's write lock), and keeps it until its iterator is exhausted or
    closed. Rows are fetched ``stream_batch`` at a time (a server-side cursor on PostgreSQL).
    """

    def __init__(self, engine: Engine, *, stream_batch: int = STREAM_BATCH) -> None:
        self.engine = engine
        self.stream_batch = stream_batch

    def executive_compensation_rows(self, submission_id: int) -> Rows:
        """File E rows: the newest recipient (highest ``sam_recipient_id``) of each staged UEI, by UEI."""
        sam = tables.sam_recipient
        d1, d2 = tables.award_procurement, tables.award_financial_assistance
        ueis = union(
            select(d1.c.awardee_or_recipient_uei).where(d1.c.submission_id == submission_id),
            select(d2.c.awardee_or_recipient_uei).where(d2.c.submission_id == submission_id),
        )
        # ``uei`` is unique in this schema; the original kept duplicates and took the highest id.
        newest = select(func.max(sam.c.sam_recipient_id)).where(sam.c.uei.in_(ueis)).group_by(sam.c.uei)
        stmt = (
            select(*(sam.c[column.name] for column in E_COLUMNS))
            .where(sam.c.sam_recipient_id.in_(newest))
            .order_by(_code_point_order(self.engine, sam.c.uei))
        )
        return self._stream(stmt)

    def subaward_rows(self, submission_id: int) -> Rows:
        """File F rows: D1 awards' sub-contracts and D2 awards' sub-grants, by natural key.

        The original's ``UNION`` removed duplicates; here the two branches cannot overlap (their
        ``subaward_type`` differs) and neither repeats a row (semi-joins over a unique natural
        key, whose four columns are all output columns), so ``UNION ALL`` gives the same rows
        without comparing all 87 columns.
        """
        sub = tables.subaward
        d1, d2 = tables.award_procurement, tables.award_financial_assistance
        columns = [sub.c[column.name] for column in F_COLUMNS]
        contracts = select(*columns).where(
            sub.c.subaward_type == SUB_CONTRACT,
            sub.c.unique_award_key.in_(
                select(d1.c.unique_award_key).where(d1.c.submission_id == submission_id)
            ),
        )
        grants = select(*columns).where(
            sub.c.subaward_type == SUB_GRANT,
            sub.c.unique_award_key.in_(
                select(d2.c.unique_award_key).where(d2.c.submission_id == submission_id)
            ),
        )
        # PostgreSQL orders a UNION only by plain output columns, so the collation needs a subquery.
        both = union_all(contracts, grants).subquery("f")
        key = ("unique_award_key", "subaward_type", "internal_id", "subaward_number")
        stmt = select(*both.c).order_by(*(_code_point_order(self.engine, both.c[name]) for name in key))
        return self._stream(stmt)

    def _stream(self, stmt: Select[Any]) -> Rows:
        with self.engine.connect() as conn:
            conn.execution_options(**{SQLITE_BEGIN: "DEFERRED"})  # a reader never holds the write lock
            result = conn.execution_options(stream_results=True, yield_per=self.stream_batch).execute(stmt)
            for partition in result.partitions():
                for row in partition:
                    yield tuple(row)


def _code_point_order(engine: Engine, column: ColumnElement[Any]) -> ColumnElement[Any]:
    """``column`` ordered by code point, as Python orders strings, on both databases.

    SQLite's default BINARY collation compares UTF-8 bytes (code point order); PostgreSQL's
    database collation (``en_US`` ...) need not, its ``"C"`` collation does.
    """
    if engine.dialect.name == "postgresql":
        return column.collate("C")
    return column

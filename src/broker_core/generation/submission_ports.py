"""The port behind files E and F of a submission (spec §5.5, §5.6).

Kept apart from ``broker_core.ports``; it follows the rules of ``AwardDataReader``: rows are
streamed (never the whole result in memory), and an iterator holds its database connection until
it is exhausted or discarded; the SQLAlchemy adapter returns generators, which a caller that stops
early can ``close()`` to give the connection back at once.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Protocol


class SubmissionFileSource(Protocol):
    """Streams the rows of files E and F of a submission, values as stored.

    Each row is a tuple in the column order of ``E_COLUMNS`` / ``F_COLUMNS``
    (:mod:`broker_core.generation.submission_files`), its values the stored Python values: ``str``,
    ``Decimal`` (amounts, with their stored scale), ``datetime.date``, ``datetime.datetime`` or
    ``None`` for NULL. The core renders them (:func:`~broker_core.generation.submission_files.pg_text`).

    "The submission's D1/D2 rows" are the rows staged for ``submission_id`` in the D1 and D2
    staging tables. Text is ordered by code point (PostgreSQL's ``"C"`` collation), so both
    databases give the same order.
    """

    def executive_compensation_rows(self, submission_id: int) -> Iterator[tuple[object, ...]]:
        """File E: one row per SAM recipient whose UEI is the recipient UEI of a D1 or D2 row.

        UEIs match exactly; of several recipients with one UEI the one with the highest
        ``sam_recipient_id`` is taken. Recipients without officers are listed all the same.
        Ordered by UEI.
        """

    def subaward_rows(self, submission_id: int) -> Iterator[tuple[object, ...]]:
        """File F: the sub-contracts of the D1 rows' awards and the sub-grants of the D2 rows' awards.

        A subaward is listed once, however many staged rows name its award. Ordered by its natural
        key: ``unique_award_key``, ``subaward_type``, ``internal_id``, ``subaward_number`` (the
        original had no order).
        """

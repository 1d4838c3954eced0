"""Ports for the source data of files E and F: SAM recipients and subawards.

Kept apart from ``broker_core.ports`` for now; they follow the same rules as
``AwardDataReader`` / ``AwardDataStore``.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Protocol

from broker_core.loading.source_records import SamRecipientRecord, SubawardRecord


class SourceDataStore(Protocol):
    """Writes the E and F source data. Each method is one transaction: all rows or none.

    The iterables are consumed lazily (never held whole); if they raise,
    nothing is kept. Each returns the number of rows read from ``rows``.
    """

    def upsert_sam_recipients(self, rows: Iterable[SamRecipientRecord]) -> int:
        """Insert or replace recipients by ``uei``: a later row for a UEI (in this load or a later one) wins."""

    def upsert_subawards(self, rows: Iterable[SubawardRecord]) -> int:
        """Insert or replace subawards by ``SubawardRecord.natural_key``; a later row wins."""


class SourceDataReader(Protocol):
    """Streams the E and F source data to the generators (never the whole result in memory)."""

    def sam_recipients(self, ueis: Iterable[str]) -> Iterator[SamRecipientRecord]:
        """The stored recipients among ``ueis`` (exact match), ordered by UEI, each once."""

    def subawards_for(self, award_keys: Iterable[str], subaward_type: str) -> Iterator[SubawardRecord]:
        """The subawards of type ``subaward_type`` whose ``unique_award_key`` is among ``award_keys``.

        Ordered by ``unique_award_key``, then in the order they were first loaded.
        """

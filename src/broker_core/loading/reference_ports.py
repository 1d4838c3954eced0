"""Ports for the validator's reference lists: object classes, program activities, PARKs and DEFCs.

Kept apart from ``broker_core.ports``; they follow the same rules as ``AwardDataStore``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol

from broker_core.loading.defc import DefcRecord
from broker_core.loading.object_classes import ObjectClassRecord
from broker_core.loading.program_activities import ParkRecord, ProgramActivityRecord


class ReferenceDataStore(Protocol):
    """Replaces a reference list. Each method is one transaction: the old list gives way to ``rows``.

    The iterables are consumed lazily (never held whole); if they raise, the old list is kept
    as it was. Each returns the number of rows read from ``rows``.
    """

    def replace_object_classes(self, rows: Iterable[ObjectClassRecord]) -> int:
        """The object class list becomes ``rows`` (codes are unique)."""

    def replace_program_activities(self, rows: Iterable[ProgramActivityRecord]) -> int:
        """The program activity list (every period) becomes ``rows``; repeated rows are kept as given."""

    def replace_park(self, rows: Iterable[ParkRecord]) -> int:
        """The PARK list (every period) becomes ``rows``."""

    def replace_defc(self, rows: Iterable[DefcRecord]) -> int:
        """The DEFC list becomes ``rows`` (codes are unique)."""


class ReferenceDataReader(Protocol):
    """Reads the reference lists back (they are small: a list, not a stream)."""

    def object_classes(self) -> list[ObjectClassRecord]:
        """Ordered by code."""

    def program_activities(self) -> list[ProgramActivityRecord]:
        """In the order they were loaded."""

    def park(self) -> list[ParkRecord]:
        """In the order they were loaded."""

    def defc(self) -> list[DefcRecord]:
        """Ordered by code."""

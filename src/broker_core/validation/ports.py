"""The ports the validator needs: where a file's rows are staged and where its rules run."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Protocol, TypeVar

import attrs

from broker_core.validation.catalogue import Rule
from broker_core.validation.cleaning import CleanedRow
from broker_core.validation.reading import DEFAULT_BATCH_SIZE
from broker_core.validation.run import CrossFileRun, ValidationRun

T = TypeVar("T")
R = TypeVar("R")


@attrs.frozen
class RuleResult:
    """One row a rule query returned: its columns in query order (spec §2.7, §5) and the row's flex text.

    For a cross-file rule the flex text is the *source* row's (the row ``source_row_number`` names).
    """

    columns: Mapping[str, object]
    flex_field: str = ""


class StagingArea(Protocol):
    """Staging tables for the rows of a run, and the rule queries over them.

    Rule logic lives behind this port, written once for every database the adapter supports;
    the core knows each rule's label, message and severity (the catalogue) and turns what a
    query returns into report rows.
    """

    def clear(self, run: ValidationRun) -> None:
        """Delete every staged row of the run (before loading, and after a failed load)."""

    def insert(self, run: ValidationRun, rows: Sequence[CleanedRow]) -> None:
        """Stage one batch of loadable rows (committed: batches are not held in memory)."""

    def link_tas(self, run: ValidationRun) -> None:
        """Set each staged row's ``account_num`` from the CARS TAS current in the reporting period."""

    def implements(self, rule: Rule) -> bool:
        """Whether this staging area can run ``rule``."""

    def failures(self, run: ValidationRun, rule: Rule) -> Iterator[RuleResult]:
        """Every row the rule flags, streamed."""

    def cross_failures(self, run: CrossFileRun, rule: Rule) -> Iterator[RuleResult]:
        """Every row the cross-file rule flags among the submission's staged files, streamed.

        Rows come in source row order, failures of no single row (``source_row_number`` NULL) last;
        each carries the flex text of its source row.
        """


class BatchRunner(Protocol):
    """Runs a function over a file's batches, possibly several at once, handing results back in order.

    ``fn`` and the items must pickle when the runner uses other processes. When the caller stops
    early or ``fn`` raises, no call is still running once the iterator is closed or the error is
    seen, so the caller may undo what the calls did (e.g. clear staged rows).
    """

    #: Records per batch this runner works best with.
    batch_size: int

    def map(self, fn: Callable[[T], R], items: Iterable[T]) -> Iterator[R]: ...


class SerialBatchRunner:
    """One batch after another in this thread: the default, and what small files need."""

    batch_size = DEFAULT_BATCH_SIZE

    def map(self, fn: Callable[[T], R], items: Iterable[T]) -> Iterator[R]:
        for item in items:
            yield fn(item)

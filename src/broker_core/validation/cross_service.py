"""The cross-file validation of a submission (spec §5): its four pairs of files, their reports.

Runs once every file of the submission is staged and validated without a fatal error (§1.1; the
caller decides that). For each pair of :data:`CROSS_FILE_PAIRS`, in order, the cross-file rules
between the two files (either direction, catalogue order) run over the staged rows: the fatal
ones into the pair's error report, the warnings into its warning report. Both reports are written
for every pair, header only when nothing failed. As in :mod:`.service`, nothing is held whole:
failures stream from the staging area through :func:`cross_file_problem` into storage, and what
is kept is one metadata entry per (rule, source file, message).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator

import attrs

from broker_core.ports import FileStorage
from broker_core.validation.catalogue import CROSS_FILE_PAIRS, Catalogue, CrossFilePair, Rule, load_catalogue
from broker_core.validation.cross_problem import CrossFileProblem
from broker_core.validation.failures import cross_file_problem
from broker_core.validation.metadata import CROSS_FILE_NAME, ErrorMetadata, MetadataAggregator, Totals
from broker_core.validation.ports import StagingArea
from broker_core.validation.problem import Severity
from broker_core.validation.report_naming import report_file_name
from broker_core.validation.reports import cross_file_report_chunks
from broker_core.validation.run import CrossFileRun
from broker_core.validation.schema import schema_for

log = logging.getLogger(__name__)


@attrs.frozen
class CrossFilePairOutcome:
    """One pair's reports (storage keys) and what they hold."""

    pair: CrossFilePair
    error_report: str
    warning_report: str
    totals: Totals
    #: Labels of the pair's catalogue rules the staging area cannot run.
    rules_not_run: tuple[str, ...] = ()

    @property
    def name(self) -> str:
        """``A-B``, ``B-C``, ``C-D1``, ``C-D2``."""
        return f"{self.pair.file_type.letter}-{self.pair.cross_type.letter}"


@attrs.frozen
class CrossFileOutcome:
    """What the cross-file job found: per pair, and for the job as a whole (metadata, totals)."""

    pairs: tuple[CrossFilePairOutcome, ...]
    metadata: tuple[ErrorMetadata, ...]
    totals: Totals
    rules_not_run: tuple[str, ...] = ()

    @property
    def has_fatal_errors(self) -> bool:
        return self.totals.number_of_errors > 0

    @property
    def report_keys(self) -> tuple[str, ...]:
        return tuple(key for pair in self.pairs for key in (pair.error_report, pair.warning_report))


@attrs.define
class CrossFileValidationService:
    """Runs the catalogue's cross-file rules of a submission and writes the eight reports."""

    staging: StagingArea
    storage: FileStorage
    catalogue: Catalogue = attrs.field(factory=load_catalogue)
    #: Storage key prefix of the reports (e.g. ``"errors/"``); names follow spec §3.3.
    report_prefix: str = ""

    def validate(self, run: CrossFileRun) -> CrossFileOutcome:
        metadata = MetadataAggregator(CROSS_FILE_NAME)
        pairs = tuple(self._validate_pair(run, pair, metadata) for pair in CROSS_FILE_PAIRS)
        return CrossFileOutcome(
            pairs=pairs,
            metadata=tuple(metadata.entries()),
            totals=metadata.totals(),
            rules_not_run=tuple(label for pair in pairs for label in pair.rules_not_run),
        )

    def _validate_pair(
        self, run: CrossFileRun, pair: CrossFilePair, metadata: MetadataAggregator
    ) -> CrossFilePairOutcome:
        rules = self.catalogue.cross_file(pair)
        runnable = [rule for rule in rules if self.staging.implements(rule)]
        not_run = tuple(rule.label for rule in rules if not self.staging.implements(rule))
        if not_run:
            name = f"{pair.file_type.letter}-{pair.cross_type.letter}"
            log.info("%s: cross-file rules not implemented, not run: %s", name, ", ".join(not_run))
        long_names = _long_names(pair)
        tally = _PairTally(metadata)
        keys = {}
        for severity in (Severity.FATAL, Severity.WARNING):
            key = self._report_key(run, pair, warning=severity is Severity.WARNING)
            rules_of_report = [rule for rule in runnable if rule.severity is severity]
            problems = self._problems(run, rules_of_report, long_names)
            self.storage.write(key, cross_file_report_chunks(tally.count(problems)))
            keys[severity] = key
        return CrossFilePairOutcome(
            pair=pair,
            error_report=keys[Severity.FATAL],
            warning_report=keys[Severity.WARNING],
            totals=Totals(tally.errors, tally.warnings),
            rules_not_run=not_run,
        )

    def _problems(
        self, run: CrossFileRun, rules: Iterable[Rule], long_names: dict[str, str]
    ) -> Iterator[CrossFileProblem]:
        for rule in rules:
            for result in self.staging.cross_failures(run, rule):
                yield cross_file_problem(rule, result.columns, long_names, result.flex_field)

    def _report_key(self, run: CrossFileRun, pair: CrossFilePair, *, warning: bool) -> str:
        name = report_file_name(
            run.submission_id,
            warning,
            pair.file_type,
            cross_type=pair.cross_type,
            fiscal_year=run.fiscal_year,
            period=run.period,
        )
        return self.report_prefix + name


@attrs.define
class _PairTally:
    """Counts a pair's failures on their way to a report, into the job's metadata too."""

    metadata: MetadataAggregator
    errors: int = 0
    warnings: int = 0

    def count(self, problems: Iterable[CrossFileProblem]) -> Iterator[CrossFileProblem]:
        for problem in problems:
            self.metadata.add_cross_file(problem)
            if problem.severity is Severity.FATAL:
                self.errors += 1
            else:
                self.warnings += 1
            yield problem


def _long_names(pair: CrossFilePair) -> dict[str, str]:
    """Short → long names of both files of the pair (spec §5: the union of the two maps)."""
    names: dict[str, str] = {}
    for file_type in (pair.cross_type, pair.file_type):
        names.update({field.short_name: field.long_name for field in schema_for(file_type).fields})
    return names

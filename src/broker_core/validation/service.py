"""Validating one file end to end: read, check, stage, run the rules, write both reports (spec §2).

The error report is written while the file is read: each batch's rows are staged and its
problems written before the next batch is read, then the fatal rules run over the staged rows.
The warning report follows with the warning rules (and the blank-file warning). Nothing is held
whole: rows go to staging a batch at a time, report rows go to storage as they are made, and
what is kept per problem is one bit per failing row number and one counter per metadata key.

A file-level failure (wrong extension, bad header, not UTF-8) ends the run with that file
status; anything staged is removed and no partial report is left behind (storage writes are
atomic), except the header-error report, which replaces the error report as in the original.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Iterable, Iterator
from typing import BinaryIO

import attrs

from broker_core.ports import FileStorage
from broker_core.validation.catalogue import Catalogue, Rule, load_catalogue
from broker_core.validation.failures import single_file_problem
from broker_core.validation.headers import HeaderError
from broker_core.validation.metadata import ErrorMetadata, FileStatus, MetadataAggregator, Totals
from broker_core.validation.pipeline import BatchPreparer, FileTypeError, FileValidation, ValidatedBatch
from broker_core.validation.ports import BatchRunner, SerialBatchRunner, StagingArea
from broker_core.validation.prefetch import prefetched
from broker_core.validation.problem import RowProblem, Severity
from broker_core.validation.reading import FileEncodingError, RawBatch, ReadSummary
from broker_core.validation.report_naming import report_file_name
from broker_core.validation.reports import header_error_report, single_file_report_chunks
from broker_core.validation.run import ValidationRun
from broker_core.validation.schema import FileSchema

log = logging.getLogger(__name__)


@attrs.frozen
class ValidationOutcome:
    """What a run found. Row counts follow the API (header excluded); ``None`` when no row was read."""

    file_status: FileStatus
    error_report: str | None = None
    warning_report: str | None = None
    number_of_rows: int | None = None
    number_of_rows_valid: int | None = None
    metadata: tuple[ErrorMetadata, ...] = ()
    totals: Totals = attrs.field(factory=lambda: Totals(0, 0))
    missing_headers: tuple[str, ...] = ()
    duplicated_headers: tuple[str, ...] = ()
    message: str = ""
    #: Catalogue rules for this file that the staging area cannot run (reported, never silently skipped).
    rules_not_run: tuple[str, ...] = ()

    @property
    def has_fatal_errors(self) -> bool:
        return self.file_status is not FileStatus.COMPLETE or self.totals.number_of_errors > 0


class _RowBits:
    """The set of failing row numbers as a bitmap: one bit a row, however many problems a row has."""

    def __init__(self) -> None:
        self._bits = bytearray()
        self.count = 0

    def add(self, row_number: int) -> None:
        byte, bit = divmod(row_number, 8)
        if byte >= len(self._bits):
            self._bits.extend(bytes(byte + 1 - len(self._bits)))
        if not self._bits[byte] >> bit & 1:
            self._bits[byte] |= 1 << bit
            self.count += 1


@attrs.define
class FileValidationService:
    """Validates files A, B and C against their schema and the catalogue's single-file rules."""

    staging: StagingArea
    storage: FileStorage
    catalogue: Catalogue = attrs.field(factory=load_catalogue)
    #: Records per batch; ``None``: what the batch runner works best with.
    batch_size: int | None = None
    #: Storage key prefix of the reports (e.g. ``"errors/"``); names follow spec §3.3.
    report_prefix: str = ""
    #: Prepares and stages batches; a process pool lets a large file use every core.
    batch_runner: BatchRunner = attrs.field(factory=SerialBatchRunner)
    #: Rule queries in flight at once (the staging area must then be usable from several threads).
    rule_workers: int = 1

    def validate(
        self, source: BinaryIO | Iterable[bytes], file_name: str, run: ValidationRun
    ) -> ValidationOutcome:
        error_key = self._report_key(run, warning=False)
        warning_key = self._report_key(run, warning=True)
        try:
            batch_size = self.batch_size or self.batch_runner.batch_size
            validation = FileValidation(source, file_name, run.file_type, batch_size)
        except FileTypeError as exc:
            return ValidationOutcome(FileStatus.FILE_TYPE_ERROR, message=str(exc))
        except FileEncodingError as exc:
            return ValidationOutcome(FileStatus.ENCODING_ERROR, message=str(exc))
        except HeaderError as exc:
            self.storage.write(error_key, [header_error_report(exc.duplicated, exc.missing)])
            return ValidationOutcome(
                FileStatus.HEADER_ERROR,
                error_report=error_key,
                missing_headers=exc.missing,
                duplicated_headers=exc.duplicated,
                message=str(exc),
            )
        rules = self.catalogue.single_file(run.file_type)
        runnable = [rule for rule in rules if self.staging.implements(rule)]
        not_run = tuple(rule.label for rule in rules if not self.staging.implements(rule))
        if not_run:
            log.info("%s: rules not implemented, not run: %s", run.file_type.letter, ", ".join(not_run))

        tally = _Tally(MetadataAggregator(file_name, run.file_type))
        self.staging.clear(run)
        try:
            self.storage.write(
                error_key,
                single_file_report_chunks(
                    tally.count(self._load_and_check(validation, run, tally, runnable))
                ),
            )
            warnings = [rule for rule in runnable if rule.severity is Severity.WARNING]
            self.storage.write(
                warning_key,
                single_file_report_chunks(
                    tally.count(self._warnings(validation.schema, run, warnings, tally.pending_warnings))
                ),
            )
        except FileEncodingError as exc:
            self.staging.clear(run)
            self._discard_reports(error_key, warning_key)  # an earlier run's reports would mislead
            return ValidationOutcome(FileStatus.ENCODING_ERROR, message=str(exc))
        except BaseException:
            self.staging.clear(run)
            raise
        summary = validation.summary()
        processed = summary.data_rows + summary.populated_short_rows + summary.populated_long_rows
        return ValidationOutcome(
            FileStatus.COMPLETE,
            error_report=error_key,
            warning_report=warning_key,
            number_of_rows=_rows(summary),
            number_of_rows_valid=max(processed - tally.failing_rows.count, 0),
            metadata=tuple(tally.metadata.entries(file_row_count=summary.records)),
            totals=tally.metadata.totals(),
            rules_not_run=not_run,
        )

    # ------------------------------------------------------------------ the two reports

    def _load_and_check(
        self, validation: FileValidation, run: ValidationRun, tally: _Tally, rules: list[Rule]
    ) -> Iterator[RowProblem]:
        """Every fatal problem in report order; stages the rows as a side effect."""
        stage = StageBatch(validation.preparer, self.staging, run)
        for batch in self.batch_runner.map(stage, validation.raw_batches()):
            validation.record(batch)
            yield from batch.problems  # row checks only report fatal problems
        tally.pending_warnings.extend(validation.trailing_problems())  # the blank-file warning
        self.staging.link_tas(run)
        yield from self._rule_problems(
            validation.schema, run, [r for r in rules if r.severity is Severity.FATAL]
        )

    def _warnings(
        self, schema: FileSchema, run: ValidationRun, rules: list[Rule], trailing: list[RowProblem]
    ) -> Iterator[RowProblem]:
        yield from self._rule_problems(schema, run, rules)
        yield from trailing

    def _rule_problems(
        self, schema: FileSchema, run: ValidationRun, rules: list[Rule]
    ) -> Iterator[RowProblem]:
        """The rules' failures in catalogue order; later rules' queries run ahead (``rule_workers``)."""
        long_names = _long_names(schema)
        streams = [functools.partial(self.staging.failures, run, rule) for rule in rules]
        per_rule = prefetched(streams, self.rule_workers)
        try:
            for rule, results in zip(rules, per_rule, strict=True):
                for result in results:
                    yield single_file_problem(rule, result.columns, long_names, result.flex_field)
        finally:
            per_rule.close()

    def _discard_reports(self, *keys: str) -> None:
        for key in keys:
            if self.storage.exists(key):
                self.storage.delete(key)

    def _report_key(self, run: ValidationRun, *, warning: bool) -> str:
        name = report_file_name(
            run.submission_id,
            warning,
            run.file_type,
            fiscal_year=run.fiscal_year,
            period=run.period,
        )
        return self.report_prefix + name


@attrs.frozen
class StageBatch:
    """Prepare one batch of records and stage its loadable rows; what comes back is its problems.

    A picklable callable, so that a :class:`BatchRunner` may run it in other processes.
    """

    preparer: BatchPreparer
    staging: StagingArea
    run: ValidationRun

    def __call__(self, raw: RawBatch) -> ValidatedBatch:
        batch = self.preparer(raw)
        self.staging.insert(self.run, batch.rows)
        return ValidatedBatch((), batch.problems, batch.counts)


@attrs.define
class _Tally:
    """Counts problems on their way to a report: metadata, and the rows with a fatal problem."""

    metadata: MetadataAggregator
    failing_rows: _RowBits = attrs.field(factory=_RowBits)
    pending_warnings: list[RowProblem] = attrs.field(factory=list)

    def count(self, problems: Iterable[RowProblem]) -> Iterator[RowProblem]:
        for problem in problems:
            self.metadata.add(problem)
            if problem.severity is Severity.FATAL and problem.row_number is not None:
                self.failing_rows.add(problem.row_number)
            yield problem


def _long_names(schema: FileSchema) -> dict[str, str]:
    return {field.short_name: field.long_name for field in schema.fields}


def _rows(summary: ReadSummary) -> int:
    return summary.data_rows + summary.populated_short_rows + summary.populated_long_rows

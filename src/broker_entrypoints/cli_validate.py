"""``broker validate FILE --type A|B|C``: one file checked against its schema and single-file rules.

The file is staged in the configured database (local mode: the SQLite file in the data folder)
under a validation job of its own, so the rules see the loaded reference data (CARS TAS, SF-133,
...). The error and warning reports go next to the file or to ``--out``. Exit status: 0 without
fatal errors, 1 with fatal errors (or a file-level problem such as a bad header), as a script expects.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import cattrs
import click
from rich.table import Table

from broker_adapters.local_storage import LocalFileStorage
from broker_adapters.sqlalchemy.validation.staging import SqlAlchemyStagingArea
from broker_core.file_types import FileType
from broker_core.generation.periods import dates_to_period, period_to_dates
from broker_core.jobs import Job, JobStatus, JobType
from broker_core.validation.metadata import FileStatus
from broker_core.validation.run import ValidationRun
from broker_core.validation.service import FileValidationService, ValidationOutcome
from broker_entrypoints.bootstrap import Broker
from broker_entrypoints.cli import _broker, _user_errors, console, data_dir_option, main

_TYPES = {"A": FileType.A, "B": FileType.B, "C": FileType.C}


@main.command(help=__doc__)
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--type", "file_type", type=click.Choice(sorted(_TYPES), case_sensitive=False), required=True)
@click.option("--year", type=int, help="Fiscal year of the data (default: the period that has just ended).")
@click.option("--period", type=click.IntRange(1, 12), help="Fiscal period 1-12 (with --year).")
@click.option("--agency", help="CGAC code of the submitting agency (rules about allocation accounts).")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), help="Folder for the reports.")
@click.option("--format", "output", type=click.Choice(["table", "json"]), default="table", show_default=True)
@data_dir_option
def validate(
    file: Path,
    file_type: str,
    year: int | None,
    period: int | None,
    agency: str | None,
    out: Path | None,
    output: str,
    data_dir: Path | None,
) -> None:
    if (year is None) != (period is None):
        raise click.UsageError("give --year and --period together")
    if year is None or period is None:
        year, period = dates_to_period(dt.date.today().replace(day=1) - dt.timedelta(days=1))
    start, end = period_to_dates(year, period)
    reports = (out or file.parent).resolve()
    reports.mkdir(parents=True, exist_ok=True)
    with _user_errors():
        broker = _broker(data_dir)
        try:
            outcome = _run(broker, file, _TYPES[file_type.upper()], year, period, start, end, agency, reports)
        finally:
            broker.close()
    _print(outcome, reports, output)
    raise SystemExit(1 if outcome.has_fatal_errors else 0)


def _run(
    broker: Broker,
    file: Path,
    file_type: FileType,
    year: int,
    period: int,
    start: dt.date,
    end: dt.date,
    agency: str | None,
    reports: Path,
) -> ValidationOutcome:
    now = broker.generation.clock.now()
    job = Job(job_type=JobType.CSV_RECORD_VALIDATION, file_type=file_type, status=JobStatus.READY,
              original_filename=file.name, start_date=start, end_date=end, agency_code=agency,
              file_size=file.stat().st_size, created_at=now, updated_at=now)  # fmt: skip
    job.transition(JobStatus.RUNNING, now)
    with broker.generation.uow_factory() as uow:
        uow.jobs.add(job)
        uow.commit()
        job_id = job.job_id
    assert job_id is not None
    run = ValidationRun(job_id=job_id, file_type=file_type, fiscal_year=year, period=period,
                        reporting_start=start, reporting_end=end, cgac_code=agency)  # fmt: skip
    # Only the reports are written here; the storage's download URLs are never used.
    storage = LocalFileStorage(reports, public_base_url="file:///", secret_key=b"unused")
    service = FileValidationService(staging=SqlAlchemyStagingArea(broker.engine), storage=storage)
    try:
        with file.open("rb") as source:
            outcome = service.validate(source, file.name, run)
    except BaseException as exc:
        _finish(broker, job_id, None, str(exc) or type(exc).__name__)
        raise
    _finish(broker, job_id, outcome, outcome.message)
    return outcome


def _finish(broker: Broker, job_id: int, outcome: ValidationOutcome | None, message: str) -> None:
    with broker.generation.uow_factory() as uow:
        job = uow.jobs.get(job_id)
        assert job is not None
        now = broker.generation.clock.now()
        if outcome is None:
            job.fail(message, now)
        else:
            job.number_of_rows = outcome.number_of_rows
            job.number_of_errors = outcome.totals.number_of_errors
            job.number_of_warnings = outcome.totals.number_of_warnings
            if outcome.file_status is FileStatus.COMPLETE:
                job.transition(JobStatus.FINISHED, now)
            else:
                job.error_message = message
                job.transition(JobStatus.INVALID, now)
        uow.commit()


def _print(outcome: ValidationOutcome, reports: Path, output: str) -> None:
    error_report = str(reports / outcome.error_report) if outcome.error_report else None
    warning_report = str(reports / outcome.warning_report) if outcome.warning_report else None
    if output == "json":
        summary = {
            "file_status": outcome.file_status.status_name,
            "message": outcome.message,
            "number_of_rows": outcome.number_of_rows,
            "number_of_rows_valid": outcome.number_of_rows_valid,
            "number_of_errors": outcome.totals.number_of_errors,
            "number_of_warnings": outcome.totals.number_of_warnings,
            "missing_headers": list(outcome.missing_headers),
            "duplicated_headers": list(outcome.duplicated_headers),
            "error_metadata": [entry.api_dict() for entry in outcome.metadata],
            "error_report": error_report,
            "warning_report": warning_report,
            "rules_not_run": list(outcome.rules_not_run),
        }
        click.echo(json.dumps(cattrs.unstructure(summary), indent=2, default=str))
        return
    console.print(f"File status: [bold]{outcome.file_status.status_name}[/bold] {outcome.message}")
    if outcome.number_of_rows is not None:
        console.print(
            f"Rows: {outcome.number_of_rows:,} ({outcome.number_of_rows_valid:,} valid); "
            f"errors: {outcome.totals.number_of_errors:,}; warnings: {outcome.totals.number_of_warnings:,}"
        )
    for kind, names in (("Missing", outcome.missing_headers), ("Duplicated", outcome.duplicated_headers)):
        if names:
            console.print(f"{kind} headers: {', '.join(names)}")
    if outcome.metadata:
        table = Table("severity", "rule", "field", "error", "occurrences")
        for entry in outcome.metadata:
            info = entry.api_dict()
            table.add_row("error" if entry.severity_id == 2 else "warning", str(info["original_label"]),
                          str(info["field_name"]), str(info["error_name"]), f"{info['occurrences']:,}")  # fmt: skip
        console.print(table)
    for name, path in (("Error report", error_report), ("Warning report", warning_report)):
        if path:
            console.print(f"{name}: {path}", soft_wrap=True, highlight=False)
    if outcome.rules_not_run:
        console.print(
            f"[yellow]Rules not yet implemented, not run:[/yellow] {', '.join(outcome.rules_not_run)}"
        )

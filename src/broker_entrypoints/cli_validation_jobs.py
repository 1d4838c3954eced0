"""What ``broker validate`` and ``broker validate-submission`` share: a file validated under a job row.

A file is validated under a ``csv_record_validation`` job of its own (its id keys the staged rows);
the job records the outcome (rows, errors, warnings, status). The outcome is summarised as JSON or
printed for people the same way by both commands.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from rich.table import Table

from broker_adapters.local_storage import LocalFileStorage
from broker_core.file_types import FileType
from broker_core.jobs import Job, JobStatus, JobType
from broker_core.validation.metadata import ErrorMetadata, FileStatus
from broker_core.validation.run import ValidationRun
from broker_core.validation.service import ValidationOutcome
from broker_entrypoints.bootstrap import Broker
from broker_entrypoints.cli import console


def report_storage(reports: Path) -> LocalFileStorage:
    """Storage writing the reports into ``reports``; its download URLs are never used."""
    return LocalFileStorage(reports, public_base_url="file:///", secret_key=b"unused")


def add_job(broker: Broker, job: Job) -> int:
    """Store a new job row and return its id."""
    with broker.generation.uow_factory() as uow:
        uow.jobs.add(job)
        uow.commit()
        job_id = job.job_id
    assert job_id is not None
    return job_id


def validate_file(
    broker: Broker,
    file: Path,
    file_type: FileType,
    year: int,
    period: int,
    start: dt.date,
    end: dt.date,
    agency: str | None,
    reports: Path,
    submission_id: int | None = None,
) -> ValidationOutcome:
    """Validate ``file`` under a new running job (of ``submission_id``, if given), and finish the job."""
    now = broker.generation.clock.now()
    job = Job(job_type=JobType.CSV_RECORD_VALIDATION, file_type=file_type, status=JobStatus.READY,
              submission_id=submission_id, original_filename=file.name, start_date=start, end_date=end,
              agency_code=agency, file_size=file.stat().st_size, created_at=now, updated_at=now)  # fmt: skip
    job.transition(JobStatus.RUNNING, now)
    job_id = add_job(broker, job)
    run = ValidationRun(job_id=job_id, file_type=file_type, fiscal_year=year, period=period,
                        reporting_start=start, reporting_end=end, submission_id=submission_id,
                        cgac_code=agency)  # fmt: skip
    service = broker.file_validation(report_storage(reports))
    try:
        with file.open("rb") as source:
            outcome = service.validate(source, file.name, run)
    except BaseException as exc:
        finish_job(broker, job_id, None, str(exc) or type(exc).__name__)
        raise
    finish_job(broker, job_id, outcome, outcome.message)
    return outcome


def finish_job(broker: Broker, job_id: int, outcome: ValidationOutcome | None, message: str) -> None:
    """Record a file validation's outcome on its job: finished, invalid (file-level problem) or failed."""
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


def report_path(reports: Path, key: str | None) -> str | None:
    return str(reports / key) if key else None


def file_summary(outcome: ValidationOutcome, reports: Path) -> dict[str, object]:
    """One file's outcome as the JSON output shows it."""
    return {
        "file_status": outcome.file_status.status_name,
        "message": outcome.message,
        "number_of_rows": outcome.number_of_rows,
        "number_of_rows_valid": outcome.number_of_rows_valid,
        "number_of_errors": outcome.totals.number_of_errors,
        "number_of_warnings": outcome.totals.number_of_warnings,
        "missing_headers": list(outcome.missing_headers),
        "duplicated_headers": list(outcome.duplicated_headers),
        "error_metadata": [entry.api_dict() for entry in outcome.metadata],
        "error_report": report_path(reports, outcome.error_report),
        "warning_report": report_path(reports, outcome.warning_report),
        "rules_not_run": list(outcome.rules_not_run),
    }


def print_file_outcome(outcome: ValidationOutcome, reports: Path) -> None:
    """One file's outcome for people: status, counts, metadata table, report paths, rules not run."""
    console.print(f"File status: [bold]{outcome.file_status.status_name}[/bold] {outcome.message}")
    if outcome.number_of_rows is not None:
        console.print(
            f"Rows: {outcome.number_of_rows:,} ({outcome.number_of_rows_valid:,} valid); "
            f"errors: {outcome.totals.number_of_errors:,}; warnings: {outcome.totals.number_of_warnings:,}"
        )
    for kind, names in (("Missing", outcome.missing_headers), ("Duplicated", outcome.duplicated_headers)):
        if names:
            console.print(f"{kind} headers: {', '.join(names)}")
    print_metadata(outcome.metadata)
    print_reports(("Error report", report_path(reports, outcome.error_report)),
                  ("Warning report", report_path(reports, outcome.warning_report)))  # fmt: skip
    print_rules_not_run(outcome.rules_not_run)


def print_metadata(metadata: tuple[ErrorMetadata, ...]) -> None:
    if not metadata:
        return
    table = Table("severity", "rule", "field", "error", "occurrences")
    for entry in metadata:
        info = entry.api_dict()
        table.add_row("error" if entry.severity_id == 2 else "warning", str(info["original_label"]),
                      str(info["field_name"]), str(info["error_name"]), f"{info['occurrences']:,}")  # fmt: skip
    console.print(table)


def print_reports(*reports: tuple[str, str | None]) -> None:
    for name, path in reports:
        if path:
            console.print(f"{name}: {path}", soft_wrap=True, highlight=False)


def print_rules_not_run(labels: tuple[str, ...]) -> None:
    if labels:
        console.print(f"[yellow]Rules not yet implemented, not run:[/yellow] {', '.join(labels)}")

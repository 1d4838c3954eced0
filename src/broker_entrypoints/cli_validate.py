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

from broker_core.file_types import FileType
from broker_core.generation.periods import dates_to_period, period_to_dates
from broker_core.validation.service import ValidationOutcome
from broker_entrypoints.cli import _broker, _user_errors, data_dir_option, main
from broker_entrypoints.cli_validation_jobs import file_summary, print_file_outcome, validate_file

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
            outcome = validate_file(
                broker, file, _TYPES[file_type.upper()], year, period, start, end, agency, reports
            )
        finally:
            broker.close()
    _print(outcome, reports, output)
    raise SystemExit(1 if outcome.has_fatal_errors else 0)


def _print(outcome: ValidationOutcome, reports: Path, output: str) -> None:
    if output == "json":
        click.echo(json.dumps(cattrs.unstructure(file_summary(outcome, reports)), indent=2, default=str))
        return
    print_file_outcome(outcome, reports)

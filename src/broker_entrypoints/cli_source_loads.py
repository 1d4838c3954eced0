"""``broker load sam-recipients`` and ``broker load subawards``: the source data of files E and F.

The commands register themselves on the ``load`` group of ``broker_entrypoints.cli``,
which imports this module at its end (and, run as ``python -m``, runs that module's group).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TextIO

import click

from broker_adapters.sqlalchemy.source_data import SqlAlchemySourceData
from broker_core.loading.service import Progress
from broker_core.loading.source_service import SourceLoadService
from broker_entrypoints.cli import _broker, _row_progress, _user_errors, console, data_dir_option, load

_SAM_HELP = (
    "SAM recipients (sam_recipient, the source of file E) from a CSV extract, upserted by UEI. "
    "Columns: uei (or AwardeeOrRecipientUEI, required), legal_business_name, dba_name, "
    "ultimate_parent_uei, ultimate_parent_legal_enti, address, business types, registration dates and "
    "high_comp_officer1..5_full_na / _amount (or HighCompOfficer1FullName, HighCompOfficer1Amount, ...)."
)
_SUBAWARD_HELP = (
    "Subawards (subaward, the source of file F) from a CSV with the 87 columns of F, by subaward column "
    "name or F header, upserted by (unique_award_key, subaward_type, internal_id, subaward_number), which "
    "are required; subaward_type is sub-contract or sub-grant."
)


LoadMethod = Callable[[SourceLoadService, TextIO, Progress | None], int]


def _load_source(kind: str, load_file: LoadMethod, file: Path, data_dir: Path | None) -> None:
    with _user_errors():
        broker = _broker(data_dir)
        try:
            loads = SourceLoadService(store=SqlAlchemySourceData(broker.engine))
            with (
                open(file, newline="", encoding="utf-8-sig") as stream,
                _row_progress(f"load {kind}") as bar,
            ):
                count = load_file(loads, stream, bar)
        finally:
            broker.close()
    console.print(f"Loaded {count:,} {kind} rows from {file}.")


_file_argument = click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))


@load.command("sam-recipients", help=_SAM_HELP)
@_file_argument
@data_dir_option
def load_sam_recipients(file: Path, data_dir: Path | None) -> None:
    _load_source("sam-recipients", SourceLoadService.sam_recipients, file, data_dir)


@load.command("subawards", help=_SUBAWARD_HELP)
@_file_argument
@data_dir_option
def load_subawards(file: Path, data_dir: Path | None) -> None:
    _load_source("subawards", SourceLoadService.subawards, file, data_dir)

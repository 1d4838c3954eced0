"""The submission window schedule and GTAS failed edits (both feed File A generation)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TextIO

from broker_core.generation.award_rows import RowError
from broker_core.loading import Field, RowReader, read_records, tas_parts
from broker_core.records import FailedEdit, SubmissionWindow

# --------------------------------------------------------------------------- submission windows

YEAR = "year"
PERIOD = "period"
PERIOD_START = "period_start"

WINDOW_FIELDS = (Field(YEAR), Field(PERIOD), Field(PERIOD_START))


def read_submission_windows(stream: TextIO | Iterable[str]) -> Iterator[SubmissionWindow | RowError]:
    """Windows of ``submission_window_schedule.csv`` (``year,period,period_start,...``).

    Dates may be ``1/19/17``, ``01/19/2017`` or ``2017-01-19``; the other
    columns (publish and certification deadlines) are not used.
    """
    return read_records(stream, WINDOW_FIELDS, _window)


def _window(row: RowReader) -> SubmissionWindow:
    return SubmissionWindow(
        fiscal_year=row.fiscal_year(YEAR),
        period=row.period(PERIOD),
        period_start=row.required_date(PERIOD_START),
    )


# --------------------------------------------------------------------------- GTAS failed edits

FISCAL_YEAR = "Fiscal Year"
EDIT_PERIOD = "Period"
ATA = "ATA"
AID = "AID"
BPOA = "BPOA"
EPOA = "EPOA"
ATC = "Availability Type Code"
MAIN = "Main Account"
SUB = "Sub Account"
SEVERITY = "Fatal/Proposed"
ATB_STATUS = "ATB Submission Status"
OVERRIDE = "Approved Edit Override Exists"

FAILED_EDIT_FIELDS = (
    Field(FISCAL_YEAR),
    Field(EDIT_PERIOD),
    Field(ATA),
    Field(AID),
    Field(BPOA),
    Field(EPOA),
    Field(ATC),
    Field(MAIN),
    Field(SUB),
    Field(SEVERITY),
    Field(ATB_STATUS),
    Field(OVERRIDE),
)

_SEVERITIES = {"fatal": "Fatal", "proposed": "Proposed"}


def read_failed_edits(stream: TextIO | Iterable[str]) -> Iterator[FailedEdit | RowError]:
    """Failed edits of a GTAS extract (``GTAS_FE_DA.csv``), one per TAS and edit.

    ``Fatal/Proposed`` must be one of those two words (any case);
    ``Approved Edit Override Exists`` is Y/N (blank: N).
    """
    return read_records(stream, FAILED_EDIT_FIELDS, _failed_edit)


def _failed_edit(row: RowReader) -> FailedEdit:
    parts = tas_parts(row, ATA, AID, BPOA, EPOA, ATC, MAIN, SUB)
    severity = row.required_text(SEVERITY)
    if severity and severity.lower() not in _SEVERITIES:
        row.fail(SEVERITY, f"must be Fatal or Proposed, got {severity!r}")
    return FailedEdit(
        fiscal_year=row.fiscal_year(FISCAL_YEAR),
        period=row.period(EDIT_PERIOD),
        tas=parts.tas,
        severity=_SEVERITIES.get(severity.lower(), severity),
        atb_submission_status=row.text(ATB_STATUS),
        approved_override_exists=row.boolean(OVERRIDE),
    )

"""File names of error and warning reports (spec §3.3), in the three formats the original used.

Which format a report gets depends on when its validation job last ran, compared with two format
change dates (``DAIMS 2.0`` and ``DEV-8325``): older reports keep the names they were created with.
"""

from __future__ import annotations

import datetime as dt
import enum

from broker_core.file_types import FileType
from broker_core.generation.periods import fyp

#: The file type name of FABS, which has no ``FileType`` member.
FABS = "fabs"

# Report names use D1/D2 for the generated award files and FABS for FABS.
_LETTERS: dict[str, str] = {file_type.type_name: file_type.letter for file_type in FileType}
_LETTERS[FABS] = "FABS"
# Cross-file reports name the earlier file of a pair first (A-to-B, C-to-D1...).
_PAIR_ORDER: dict[str, int] = {
    file_type.type_name: index
    for index, file_type in enumerate((FileType.A, FileType.B, FileType.C, FileType.D1, FileType.D2))
}


class NamingEra(enum.Enum):
    """The three report name formats, oldest first."""

    PRE_DAIMS_2 = "pre-DAIMS 2.0"  # also the [2017] names
    DAIMS_2 = "DAIMS 2.0"
    CURRENT = "DEV-8325"


def naming_era(
    updated_at: dt.datetime | None,
    daims_2_change: dt.datetime | None,
    dev_8325_change: dt.datetime | None,
) -> NamingEra:
    """The format for a job last updated at ``updated_at`` (None: not run yet → current).

    A change date that is not recorded (None) never applies, so with neither recorded every
    report gets the current format.
    """
    if updated_at is None:
        return NamingEra.CURRENT
    if daims_2_change is not None and updated_at < daims_2_change:
        return NamingEra.PRE_DAIMS_2
    if dev_8325_change is not None and updated_at < dev_8325_change:
        return NamingEra.DAIMS_2
    return NamingEra.CURRENT


def _name(file_type: FileType | str) -> str:
    name = file_type.type_name if isinstance(file_type, FileType) else file_type
    if name not in _LETTERS:
        raise ValueError(f"unknown file type {name!r}")
    return name


def report_file_name(
    submission_id: int | None,
    warning: bool,
    file_type: FileType | str,
    cross_type: FileType | str | None = None,
    fiscal_year: int | None = None,
    period: int | None = None,
    is_quarter: bool = False,
    era: NamingEra = NamingEra.CURRENT,
) -> str:
    """The name of an error (``warning=False``) or warning report.

    ``file_type`` / ``cross_type`` are file types or their names (``"fabs"`` for FABS); a
    cross-file report is asked for by giving ``cross_type``, in either order: the earlier file of
    the pair is always named first. The current format needs the submission's ``fiscal_year`` and
    ``period`` (a period 3/6/9/12 with ``is_quarter`` gives ``Q1``-``Q4``); FABS names have no period.

    Current era: ``SubID-6_File-A-error-report_FY22P01-P02.csv``,
    ``SubID-6_File-C-to-D2-crossfile-warning-report_FY22P01-P02.csv``, ``SubID-7_File-FABS-error-report.csv``.
    DAIMS 2.0: ``submission_5_File_A_appropriations_error_report.csv``,
    ``submission_5_crossfile_warning_File_C_to_D2_award_financial_award.csv``.
    Before DAIMS 2.0: ``submission_4_appropriations_error_report.csv``,
    ``submission_4_cross_warning_award_financial_award.csv``.

    Without a submission (``broker validate`` checks a file on its own) the name is the current
    format without the ``SubID-`` prefix and the period, whatever ``era`` says:
    ``File-A-error-report.csv``, ``File-A-to-B-crossfile-warning-report.csv``.
    """
    name = _name(file_type)
    cross = None if cross_type is None else _name(cross_type)
    if cross is not None:
        if name not in _PAIR_ORDER or cross not in _PAIR_ORDER or name == cross:
            raise ValueError(f"no cross-file report between {name} and {cross}")
        if _PAIR_ORDER[cross] < _PAIR_ORDER[name]:
            name, cross = cross, name
    kind = "warning" if warning else "error"

    if submission_id is None:
        return f"{_current_stem(name, cross, kind)}.csv"
    if era is NamingEra.PRE_DAIMS_2:
        if cross is None:
            return f"submission_{submission_id}_{name}_{kind}_report.csv"
        prefix = "warning_" if warning else ""
        return f"submission_{submission_id}_cross_{prefix}{name}_{cross}.csv"
    if era is NamingEra.DAIMS_2:
        if cross is None:
            return f"submission_{submission_id}_File_{_LETTERS[name]}_{name}_{kind}_report.csv"
        prefix = "warning_" if warning else ""
        letters = f"File_{_LETTERS[name]}_to_{_LETTERS[cross]}"
        return f"submission_{submission_id}_crossfile_{prefix}{letters}_{name}_{cross}.csv"
    stem = f"SubID-{submission_id}_{_current_stem(name, cross, kind)}"
    if name == FABS:
        return f"{stem}.csv"
    if fiscal_year is None or period is None:
        raise ValueError("the current report names need the submission's fiscal year and period")
    return f"{stem}_{fyp(fiscal_year, period, quarterly=is_quarter)}.csv"


def _current_stem(name: str, cross: str | None, kind: str) -> str:
    if cross is None:
        return f"File-{_LETTERS[name]}-{kind}-report"
    return f"File-{_LETTERS[name]}-to-{_LETTERS[cross]}-crossfile-{kind}-report"

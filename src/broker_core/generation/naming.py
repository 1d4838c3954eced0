"""File names of generated files (spec §5.2). ``timestamp`` is whole seconds since the Unix epoch."""

from __future__ import annotations

import datetime as dt

from broker_core.file_types import FileType
from broker_core.generation.model import AgencyType, FileFormat
from broker_core.generation.periods import fyp


def _ymd(value: dt.date) -> str:
    return f"{value.year:04d}{value.month:02d}{value.day:02d}"


def d_file_name(
    file_type: FileType,
    start: dt.date,
    end: dt.date,
    agency_type: AgencyType,
    file_format: FileFormat,
    timestamp: int,
) -> str:
    """``File-D1_20170101_20170131_awarding_123456789.csv``: the name of a generated D file."""
    return f"File-{file_type.letter}_{_ymd(start)}_{_ymd(end)}_{agency_type.value}_{timestamp}.{file_format.value}"


def a_file_name(year: int, period: int, timestamp: int) -> str:
    """``File-A_FY17P06_123456789.csv``: a detached A file (always csv, monthly FYP form)."""
    return f"File-A_{fyp(year, period)}_{timestamp}.csv"


def submission_d_file_name(
    submission_id: int,
    file_type: FileType,
    fyp_text: str,
    start: dt.date,
    end: dt.date,
    agency_type: AgencyType,
    file_format: FileFormat,
    timestamp: int,
) -> str:
    """``SubID-1000_File-D2_FY17P04_20170101_20170131_awarding_123456789.csv``: a D file copied into a submission."""
    return (
        f"SubID-{submission_id}_File-{file_type.letter}_{fyp_text}_{_ymd(start)}_{_ymd(end)}"
        f"_{agency_type.value}_{timestamp}.{file_format.value}"
    )

"""Generated file names (spec §5.2, examples from the original's tests §7.1 / §7.2)."""

from __future__ import annotations

import datetime as dt

from broker_core.file_types import FileType
from broker_core.generation.model import AgencyType, FileFormat
from broker_core.generation.naming import a_file_name, d_file_name, submission_d_file_name
from broker_core.generation.periods import fyp

JAN_1, JAN_31 = dt.date(2017, 1, 1), dt.date(2017, 1, 31)


def test_detached_d_file_names() -> None:
    assert d_file_name(FileType.D1, JAN_1, JAN_31, AgencyType.AWARDING, FileFormat.CSV, 123456789) == (
        "File-D1_20170101_20170131_awarding_123456789.csv"
    )
    assert d_file_name(FileType.D1, JAN_1, JAN_31, AgencyType.AWARDING, FileFormat.TXT, 123456789) == (
        "File-D1_20170101_20170131_awarding_123456789.txt"
    )
    assert d_file_name(FileType.D2, JAN_1, JAN_31, AgencyType.FUNDING, FileFormat.CSV, 123456789) == (
        "File-D2_20170101_20170131_funding_123456789.csv"
    )


def test_detached_a_file_names() -> None:
    assert a_file_name(2017, 6, 123456789) == "File-A_FY17P06_123456789.csv"
    assert a_file_name(2021, 6, 123456789) == "File-A_FY21P06_123456789.csv"
    assert a_file_name(2020, 2, 1) == "File-A_FY20P01-P02_1.csv"


def test_submission_d_file_names() -> None:
    assert (
        submission_d_file_name(
            1000, FileType.D2, fyp(2017, 4), JAN_1, JAN_31, AgencyType.AWARDING, FileFormat.CSV, 123456789
        )
        == "SubID-1000_File-D2_FY17P04_20170101_20170131_awarding_123456789.csv"
    )
    assert submission_d_file_name(
        1, FileType.D1, "FY22P04", dt.date(2022, 1, 1), dt.date(2022, 1, 31), AgencyType.AWARDING,
        FileFormat.CSV, 123456789,
    ) == "SubID-1_File-D1_FY22P04_20220101_20220131_awarding_123456789.csv"  # fmt: skip
    assert (
        submission_d_file_name(
            4, FileType.D2, "FY22P04", JAN_1, JAN_31, AgencyType.FUNDING, FileFormat.TXT, 123456789
        )
        == "SubID-4_File-D2_FY22P04_20170101_20170131_funding_123456789.txt"
    )

"""Report file names (spec §3.3), in the three eras, with the examples the original's tests assert."""

from __future__ import annotations

import datetime as dt

import pytest

from broker_core.file_types import FileType
from broker_core.validation.report_naming import NamingEra, naming_era, report_file_name

PRE, DAIMS, CURRENT = NamingEra.PRE_DAIMS_2, NamingEra.DAIMS_2, NamingEra.CURRENT


def test_pre_daims_2_names() -> None:
    assert report_file_name(4, False, FileType.A, era=PRE) == "submission_4_appropriations_error_report.csv"
    assert (
        report_file_name(4, True, "appropriations", era=PRE)
        == "submission_4_appropriations_warning_report.csv"
    )
    assert (
        report_file_name(4, True, FileType.C, FileType.D2, era=PRE)
        == "submission_4_cross_warning_award_financial_award.csv"
    )
    assert (
        report_file_name(4, False, FileType.A, FileType.B, era=PRE)
        == "submission_4_cross_appropriations_program_activity.csv"
    )


def test_daims_2_names() -> None:
    assert (
        report_file_name(5, False, FileType.A, era=DAIMS)
        == "submission_5_File_A_appropriations_error_report.csv"
    )
    assert report_file_name(5, True, FileType.D1, era=DAIMS) == (
        "submission_5_File_D1_award_procurement_warning_report.csv"
    )
    assert (
        report_file_name(5, True, FileType.C, FileType.D2, era=DAIMS)
        == "submission_5_crossfile_warning_File_C_to_D2_award_financial_award.csv"
    )
    assert (
        report_file_name(5, False, FileType.C, FileType.D2, era=DAIMS)
        == "submission_5_crossfile_File_C_to_D2_award_financial_award.csv"
    )


def test_current_names() -> None:
    assert (
        report_file_name(6, False, FileType.A, None, 2022, 2) == "SubID-6_File-A-error-report_FY22P01-P02.csv"
    )
    assert (
        report_file_name(6, False, FileType.A, None, 2022, 1) == "SubID-6_File-A-error-report_FY22P01-P02.csv"
    )
    assert (
        report_file_name(6, True, FileType.C, FileType.D2, 2022, 2)
        == "SubID-6_File-C-to-D2-crossfile-warning-report_FY22P01-P02.csv"
    )
    assert (
        report_file_name(9, True, FileType.A, FileType.B, 2017, 6, is_quarter=True)
        == "SubID-9_File-A-to-B-crossfile-warning-report_FY17Q2.csv"
    )
    assert report_file_name(9, False, FileType.B, None, 2021, 7) == "SubID-9_File-B-error-report_FY21P07.csv"
    assert (
        report_file_name(9, True, FileType.D1, None, 2021, 12) == "SubID-9_File-D1-warning-report_FY21P12.csv"
    )


def test_fabs_names_have_no_period() -> None:
    assert report_file_name(7, False, "fabs") == "SubID-7_File-FABS-error-report.csv"
    assert report_file_name(7, True, "fabs", None, 2022, 5) == "SubID-7_File-FABS-warning-report.csv"
    assert report_file_name(7, False, "fabs", era=PRE) == "submission_7_fabs_error_report.csv"
    assert report_file_name(7, False, "fabs", era=DAIMS) == "submission_7_File_FABS_fabs_error_report.csv"


def test_the_earlier_file_of_a_pair_is_named_first() -> None:
    assert report_file_name(6, False, FileType.B, FileType.A, 2022, 4) == (
        report_file_name(6, False, FileType.A, FileType.B, 2022, 4)
    )
    assert report_file_name(6, False, FileType.D1, FileType.C, 2022, 4) == (
        "SubID-6_File-C-to-D1-crossfile-error-report_FY22P04.csv"
    )
    assert report_file_name(6, False, "award", "award_financial", era=DAIMS) == (
        "submission_6_crossfile_File_C_to_D2_award_financial_award.csv"
    )


def test_names_without_a_submission() -> None:
    assert report_file_name(None, False, FileType.A) == "File-A-error-report.csv"
    assert report_file_name(None, True, FileType.A, None, 2022, 4, era=PRE) == "File-A-warning-report.csv"
    assert report_file_name(None, True, FileType.B, FileType.A) == "File-A-to-B-crossfile-warning-report.csv"
    assert report_file_name(None, False, "fabs") == "File-FABS-error-report.csv"


def test_bad_requests() -> None:
    with pytest.raises(ValueError, match="fiscal year"):
        report_file_name(6, False, FileType.A)
    with pytest.raises(ValueError, match="unknown"):
        report_file_name(6, False, "detached_award", era=PRE)
    with pytest.raises(ValueError, match="no cross-file"):
        report_file_name(6, False, FileType.A, "fabs", era=PRE)
    with pytest.raises(ValueError, match="no cross-file"):
        report_file_name(6, False, FileType.C, FileType.C, era=PRE)
    with pytest.raises(ValueError, match="no cross-file"):
        report_file_name(6, False, FileType.C, FileType.E, era=PRE)


def test_the_era_follows_the_format_change_dates() -> None:
    daims = dt.datetime(2018, 6, 1)
    dev = dt.datetime(2022, 3, 1)
    assert naming_era(dt.datetime(2017, 3, 23), daims, dev) is PRE
    assert naming_era(daims, daims, dev) is DAIMS
    assert naming_era(dt.datetime(2020, 1, 1), daims, dev) is DAIMS
    assert naming_era(dev, daims, dev) is CURRENT
    assert naming_era(dt.datetime(2017, 3, 23), None, None) is CURRENT
    assert naming_era(dt.datetime(2017, 3, 23), None, dev) is DAIMS
    assert naming_era(None, daims, dev) is CURRENT

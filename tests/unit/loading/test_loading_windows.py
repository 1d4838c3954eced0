from __future__ import annotations

import datetime as dt
import io

import pytest
from tests.reference import BROKER_CONFIG

from broker_core.generation.award_rows import RowError
from broker_core.loading import parse_date
from broker_core.loading.windows import read_failed_edits, read_submission_windows
from broker_core.records import FailedEdit, SubmissionWindow
from broker_core.tas import concat_tas

REFERENCE = BROKER_CONFIG

FE_HEADER = (
    "Fiscal Year,Period,ATA,AID,BPOA,EPOA,Availability Type Code,Main Account,Sub Account,FR Entity,"
    "FR Entity Title,Edit Number,Edit ID,Fatal/Proposed,Result Type,ATB Submission Status,Approved Edit Override Exists\n"
)


def test_reads_the_reference_window_schedule() -> None:
    with open(REFERENCE / "submission_window_schedule.csv", encoding="utf-8-sig", newline="") as f:
        rows = list(read_submission_windows(f))
    assert [r for r in rows if isinstance(r, RowError)] == []
    assert len(rows) == 86
    assert rows[0] == SubmissionWindow(2017, 3, dt.date(2017, 1, 19))
    assert rows[-1] == SubmissionWindow(2026, 12, dt.date(2026, 10, 21))
    assert SubmissionWindow(2020, 7, dt.date(2020, 7, 17)) in rows


def test_window_errors() -> None:
    text = "Year,Period,Period_Start\n2017,3,01/19/2017\n2017,3,2/30/17\n2017,14,1/19/17\n2017,3,\n2017,3\n"
    rows = list(read_submission_windows(io.StringIO(text)))
    assert rows == [
        SubmissionWindow(2017, 3, dt.date(2017, 1, 19)),
        RowError(3, "period_start: not a date ('2/30/17')"),
        RowError(4, "period: must be between 1 and 12, got 14"),
        RowError(5, "period_start: required"),
        RowError(6, "period_start: missing (the row has 2 fields, the header 3)"),
    ]
    with pytest.raises(ValueError, match=r"Missing column\(s\): period_start"):
        read_submission_windows(io.StringIO("year,period,start\n"))


def test_reads_the_reference_failed_edits() -> None:
    with open(REFERENCE / "GTAS_FE_DA.csv", encoding="utf-8-sig", newline="") as f:
        rows = list(read_failed_edits(f))
    assert len(rows) == 6
    assert rows[0] == FailedEdit(
        fiscal_year=2021,
        period=12,
        tas=concat_tas(None, "372", None, None, "X", "8296", "000"),
        severity="Fatal",
        atb_submission_status="C",
        approved_override_exists=True,
    )
    first, second = rows[0], rows[1]
    assert isinstance(first, FailedEdit) and isinstance(second, FailedEdit)
    assert first.tas == "00037200000000X8296000"
    assert second.tas == concat_tas(None, "057", "2021", "2023", None, "3021", "000")


def test_failed_edit_values() -> None:
    text = (
        FE_HEADER
        + "2021,12,,57,2021,2023,,3021,0,DE00,DoD,20,13187,proposed,FAIL,,N\n"
        + "2021,12,,57,2021,2023,,3021,0,DE00,DoD,20,13187,Warning,FAIL,C,Y\n"
        + "2021,12,,57,2021,2023,,3021,0,DE00,DoD,20,13187,Fatal,FAIL,C,Perhaps\n"
        + "2021,12,,57,2021,2023,,3021,0,DE00,DoD,20,13187,Fatal,FAIL,C,\n"
    )
    rows = list(read_failed_edits(io.StringIO(text)))
    assert rows[0] == FailedEdit(
        2021, 12, concat_tas(None, "057", "2021", "2023", None, "3021", "000"), "Proposed", None, False
    )
    assert rows[1] == RowError(3, "Fatal/Proposed: must be Fatal or Proposed, got 'Warning'")
    assert rows[2] == RowError(4, "Approved Edit Override Exists: not TRUE/FALSE or Y/N ('Perhaps')")
    assert isinstance(rows[3], FailedEdit) and rows[3].approved_override_exists is False


def test_failed_edits_missing_column() -> None:
    with pytest.raises(ValueError, match=r"Missing column\(s\): Fatal/Proposed"):
        read_failed_edits(io.StringIO(FE_HEADER.replace("Fatal/Proposed", "Severity")))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2016-01-05", dt.date(2016, 1, 5)),
        ("20160105", dt.date(2016, 1, 5)),
        ("2016-01-05 00:00:00", dt.date(2016, 1, 5)),
        ("2016-01-05T13:45:00.123", dt.date(2016, 1, 5)),
        ("01/05/2016", dt.date(2016, 1, 5)),
        ("1/5/16", dt.date(2016, 1, 5)),
        ("1/5/99", dt.date(1999, 1, 5)),
        ("1/5/2016 12:00 AM", dt.date(2016, 1, 5)),
        ("01/05/2016 00:00:00", dt.date(2016, 1, 5)),
        (" 2016-01-05 ", dt.date(2016, 1, 5)),
        ("2016-02-30", None),
        ("13/05/2016", None),
        ("1/5/2016 noon", None),
        ("1/5", None),
        ("Jan 5 2016", None),
        ("", None),
    ],
)
def test_parse_date(text: str, expected: dt.date | None) -> None:
    assert parse_date(text) == expected

"""C27.1 and C27.2 on SQLite and PostgreSQL: the previous period's published award outlays must be reported again."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import attrs
import pytest

from broker_core.file_types import FileType
from broker_core.submissions.model import PublishStatus, Submission
from broker_core.validation.problem import Severity
from broker_core.validation.run import ValidationRun
from broker_core.validation.service import FileValidationService

from .conftest import Adapter
from .validation_helpers import failures, make_service, rule_severity, tas_parts, validate

NOW = dt.datetime(2017, 4, 20, 12)
AWARD = {**tas_parts(), "object_class": "2510", "by_direct_reimbursable_fun": "D", "disaster_emergency_fund_code": "Q",
         "prior_year_adjustment": "X", "program_activity_code": "0001", "program_activity_name": "Ops",
         "program_activity_reporting_key": "PARK1", "piid": "PIID1"}  # fmt: skip


def _submission(
    adapter: Adapter, *, period_end: dt.date, quarterly: bool, status: PublishStatus, cgac: str = "019"
) -> int:
    with adapter.uow_factory() as uow:
        submission = Submission(
            reporting_start_date=None, reporting_end_date=None, cgac_code=cgac, created_at=NOW
        )
        start = dt.date(period_end.year, period_end.month - 2, 1) if quarterly else period_end
        submission.set_reporting_period(start, period_end, quarterly, NOW)
        submission.publish_status = status
        uow.submissions.add(submission)
        uow.commit()
        assert submission.submission_id is not None
        return submission.submission_id


def _run(submission_id: int, job_id: int, period: int) -> ValidationRun:
    return ValidationRun(job_id=job_id, file_type=FileType.C, fiscal_year=2017, period=period,
                         reporting_start=dt.date(2017, 1, 1), reporting_end=dt.date(2017, 3, 31),
                         submission_id=submission_id, cgac_code="019")  # fmt: skip


@attrs.frozen
class Periods:
    service: FileValidationService
    previous: ValidationRun
    current: ValidationRun


@pytest.fixture
def monthly(adapter: Adapter, tmp_path: Path) -> Periods:
    """P05 published with two outlays (one zero), and the P06 submission being validated."""
    service = make_service(adapter, tmp_path)
    previous = _run(_submission(adapter, period_end=dt.date(2017, 2, 1), quarterly=False,
                                status=PublishStatus.PUBLISHED), 101, 5)  # fmt: skip
    validate(service, previous,
             {**AWARD, "gross_outlay_amount_by_awa_cpe": "10.00"},
             {**AWARD, "piid": "PIID2", "gross_outlay_amount_by_awa_cpe": "0.00"})  # fmt: skip
    current = _run(_submission(adapter, period_end=dt.date(2017, 3, 1), quarterly=False,
                               status=PublishStatus.UNPUBLISHED), 102, 6)  # fmt: skip
    return Periods(service, previous, current)


def test_a_published_outlay_missing_this_period_is_a_warning(monthly: Periods) -> None:
    outcome = validate(
        monthly.service, monthly.current, {**AWARD, "piid": "PIID3", "gross_outlay_amount_by_awa_cpe": "5"}
    )
    assert "C27.1" not in outcome.rules_not_run and "C27.2" not in outcome.rules_not_run
    for label in ("C27.1", "C27.2"):
        (row,) = failures(monthly.service, outcome, label)
        assert rule_severity(outcome, label) is Severity.WARNING
        assert row["Row Number"] == ""  # a row of the previous file, not of this one
        assert "PIID1" in row["Unique ID"]
        assert "grossoutlayamountbyaward_cpe: 10.00" in row["Value Provided"]
        assert "tas: 019-X-0306-000" in row["Value Provided"]


def test_a_combination_reported_again_passes_whatever_its_case(monthly: Periods) -> None:
    again = {**AWARD, "piid": "piid1", "program_activity_name": "OPS", "gross_outlay_amount_by_awa_cpe": "12"}
    outcome = validate(monthly.service, monthly.current, again)
    assert failures(monthly.service, outcome, "C27.1") == []
    assert failures(monthly.service, outcome, "C27.2") == []


def test_a_changed_program_activity_fails_only_the_pac_pan_rule(monthly: Periods) -> None:
    outcome = validate(monthly.service, monthly.current,
                       {**AWARD, "program_activity_name": "Renamed", "gross_outlay_amount_by_awa_cpe": "1"})  # fmt: skip
    assert len(failures(monthly.service, outcome, "C27.1")) == 1
    assert failures(monthly.service, outcome, "C27.2") == []


def test_only_the_previous_published_period_counts(adapter: Adapter, tmp_path: Path) -> None:
    service = make_service(adapter, tmp_path)
    # P04 published and P05 unpublished: neither is P06's previous published period.
    for period_end, period, status, job in ((dt.date(2017, 1, 1), 4, PublishStatus.PUBLISHED, 201),
                                            (dt.date(2017, 2, 1), 5, PublishStatus.UNPUBLISHED, 202)):  # fmt: skip
        run = _run(_submission(adapter, period_end=period_end, quarterly=False, status=status), job, period)
        validate(service, run, {**AWARD, "gross_outlay_amount_by_awa_cpe": "10.00"})
    current = _run(_submission(adapter, period_end=dt.date(2017, 3, 1), quarterly=False,
                               status=PublishStatus.UNPUBLISHED), 203, 6)  # fmt: skip
    outcome = validate(service, current, {**AWARD, "piid": "OTHER"})
    assert failures(service, outcome, "C27.1") == [] and failures(service, outcome, "C27.2") == []


def test_a_quarterly_submission_looks_back_one_quarter(adapter: Adapter, tmp_path: Path) -> None:
    service = make_service(adapter, tmp_path)
    q1 = _run(_submission(adapter, period_end=dt.date(2016, 12, 1), quarterly=True,
                          status=PublishStatus.UPDATED), 301, 3)  # fmt: skip
    validate(service, q1, {**AWARD, "gross_outlay_amount_by_awa_cpe": "-4.50"})
    q2 = _run(_submission(adapter, period_end=dt.date(2017, 3, 1), quarterly=True,
                          status=PublishStatus.UNPUBLISHED), 302, 6)  # fmt: skip
    outcome = validate(service, q2, {**AWARD, "piid": "OTHER"})
    assert len(failures(service, outcome, "C27.1")) == 1


def test_a_standalone_file_has_no_previous_period(adapter: Adapter, tmp_path: Path) -> None:
    service = make_service(adapter, tmp_path)
    run = attrs.evolve(_run(0, 401, 6), submission_id=None)
    outcome = validate(service, run, {**AWARD, "gross_outlay_amount_by_awa_cpe": "1"})
    assert failures(service, outcome, "C27.1") == []

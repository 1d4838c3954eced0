"""derived_status: the original's list cases and the precedence as properties."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from broker_core.jobs import JobStatus
from broker_core.submissions.derived_status import DerivedStatus, derived_status
from broker_core.submissions.model import PublishStatus

W, RD, RU, F, INV, X = (
    JobStatus.WAITING,
    JobStatus.READY,
    JobStatus.RUNNING,
    JobStatus.FINISHED,
    JobStatus.INVALID,
    JobStatus.FAILED,
)
U, P, UP = PublishStatus.UNPUBLISHED, PublishStatus.PUBLISHED, PublishStatus.UPDATED


@pytest.mark.parametrize(
    ("jobs", "errors", "warnings", "publish", "expected"),
    [
        ([], 0, 1, U, "validation_successful_warnings"),
        ([F], 0, 0, U, "validation_successful"),
        ([F, RU], 0, 0, U, "running"),
        ([F, W], 0, 0, U, "waiting"),
        ([F, RD], 0, 0, U, "ready"),
        ([F], 1, 0, U, "validation_errors"),
        ([F, X], 0, 0, U, "failed"),
        ([F, INV], 0, 0, U, "file_errors"),
        ([F, F], 0, 3, P, "certified"),
        ([F], 0, 3, UP, "validation_successful_warnings"),
        ([F], 0, 0, UP, "validation_successful"),
        ([X, INV, RU, W, RD], 0, 0, U, "failed"),
        ([INV, RU, W, RD], 0, 0, U, "file_errors"),
        ([RU, W, RD], 0, 0, U, "running"),
        ([W, RD], 0, 0, U, "waiting"),
        ([X, RU], 2, 0, P, "validation_errors"),
    ],
)
def test_cases(
    jobs: list[JobStatus], errors: int, warnings: int, publish: PublishStatus, expected: str
) -> None:
    assert derived_status(jobs, errors, warnings, publish) == expected


JOBS = st.lists(st.sampled_from(JobStatus), max_size=15)
COUNT = st.integers(min_value=0, max_value=5)
PUBLISH = st.sampled_from(PublishStatus)
PRECEDENCE = [(X, "failed"), (INV, "file_errors"), (RU, "running"), (W, "waiting"), (RD, "ready")]


@given(JOBS, COUNT, COUNT, PUBLISH)
def test_precedence(jobs: list[JobStatus], errors: int, warnings: int, publish: PublishStatus) -> None:
    result = derived_status(jobs, errors, warnings, publish)
    assert result in {s.value for s in DerivedStatus} - {"unknown"}
    if errors:
        assert result == "validation_errors"
        return
    for job_status, status in PRECEDENCE:
        if job_status in jobs:
            assert result == status
            return
    assert set(jobs) <= {F}
    if publish is P:
        assert result == "certified"
    else:
        assert result == ("validation_successful_warnings" if warnings else "validation_successful")


@given(JOBS, COUNT, COUNT, PUBLISH)
def test_order_of_jobs_does_not_matter(
    jobs: list[JobStatus], errors: int, warnings: int, publish: PublishStatus
) -> None:
    assert derived_status(jobs, errors, warnings, publish) == derived_status(
        list(reversed(jobs)), errors, warnings, publish
    )


@given(JOBS, COUNT, PUBLISH)
def test_adding_finished_jobs_never_changes_the_status(
    jobs: list[JobStatus], warnings: int, publish: PublishStatus
) -> None:
    before = derived_status(jobs, 0, warnings, publish)
    assert derived_status([*jobs, F, F], 0, warnings, publish) == before

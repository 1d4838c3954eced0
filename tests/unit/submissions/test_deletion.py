"""delete_submission's checks."""

from __future__ import annotations

import pytest

from broker_core.errors import RequestInvalid
from broker_core.jobs import JobStatus
from broker_core.submissions.deletion import CERTIFIED_NOT_DELETABLE, RUNNING_NOT_DELETABLE, check_deletable
from broker_core.submissions.model import PublishStatus, Submission


@pytest.mark.parametrize(
    ("publish", "jobs", "message"),
    [
        (PublishStatus.PUBLISHED, [], CERTIFIED_NOT_DELETABLE),
        (PublishStatus.UPDATED, [JobStatus.RUNNING], CERTIFIED_NOT_DELETABLE),
        (PublishStatus.UNPUBLISHED, [JobStatus.FINISHED, JobStatus.RUNNING], RUNNING_NOT_DELETABLE),
    ],
)
def test_refusals(publish: PublishStatus, jobs: list[JobStatus], message: str) -> None:
    with pytest.raises(RequestInvalid) as info:
        check_deletable(Submission(None, None, publish_status=publish), jobs)
    assert (info.value.status, info.value.message) == (400, message)


def test_unpublished_idle_submission_may_be_deleted() -> None:
    others = [s for s in JobStatus if s is not JobStatus.RUNNING]
    check_deletable(Submission(None, None), others)
    check_deletable(Submission(None, None), [])

"""The publish-status table: only its moves succeed; re-upload and the events that use it."""

from __future__ import annotations

import contextlib
import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from broker_core.errors import IllegalTransition
from broker_core.submissions.model import PublishStatus, Submission
from broker_core.submissions.publish_status import (
    PUBLISH_TRANSITIONS,
    change_publish_status,
    check_publish_transition,
    mark_reuploaded,
)

T0 = dt.datetime(2024, 1, 1)
T1 = dt.datetime(2024, 1, 2)
U, P, UP = PublishStatus.UNPUBLISHED, PublishStatus.PUBLISHED, PublishStatus.UPDATED
STATUS = st.sampled_from(PublishStatus)


def test_the_table() -> None:
    assert {(U, P), (P, UP), (UP, P)} == PUBLISH_TRANSITIONS
    assert not any(target is U for _, target in PUBLISH_TRANSITIONS)


@given(STATUS, STATUS)
def test_only_table_moves_succeed(current: PublishStatus, target: PublishStatus) -> None:
    sub = Submission(None, None, publish_status=current, updated_at=T0)
    if (current, target) in PUBLISH_TRANSITIONS:
        change_publish_status(sub, target, T1)
        assert (sub.publish_status, sub.updated_at) == (target, T1)
    else:
        with pytest.raises(IllegalTransition) as info:
            check_publish_transition(current, target)
        assert info.value.status == 409
        assert info.value.message == f"A submission cannot go from {current.label} to {target.label}"
        with pytest.raises(IllegalTransition):
            change_publish_status(sub, target, T1)
        assert (sub.publish_status, sub.updated_at) == (current, T0)


@given(st.lists(STATUS, max_size=10))
def test_never_back_to_unpublished(targets: list[PublishStatus]) -> None:
    sub = Submission(None, None)
    published_once = False
    for target in targets:
        with contextlib.suppress(IllegalTransition):
            change_publish_status(sub, target, T1)
        published_once = published_once or sub.publish_status is not U
        assert not (published_once and sub.publish_status is U)


@pytest.mark.parametrize(("before", "after"), [(U, U), (P, UP), (UP, UP)])
def test_reupload(before: PublishStatus, after: PublishStatus) -> None:
    sub = Submission(None, None, publish_status=before, publishable=True, updated_at=T0)
    mark_reuploaded(sub, T1)
    assert (sub.publish_status, sub.publishable, sub.updated_at) == (after, False, T1)

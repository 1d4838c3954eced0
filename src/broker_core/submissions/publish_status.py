"""The publish-status lifecycle of a submission: its one transition table and the events that use it."""

from __future__ import annotations

import datetime as dt

from broker_core.errors import IllegalTransition
from broker_core.submissions.model import PublishStatus, Submission

_U, _P, _UP = PublishStatus.UNPUBLISHED, PublishStatus.PUBLISHED, PublishStatus.UPDATED

#: Every legal move. Certifying publishes; a re-upload of a published submission marks it
#: updated; certifying again publishes it again. Nothing ever returns to unpublished: once
#: data has been published, the record of it must not disappear (which is also why only
#: unpublished submissions can be deleted).
PUBLISH_TRANSITIONS: frozenset[tuple[PublishStatus, PublishStatus]] = frozenset(
    {(_U, _P), (_P, _UP), (_UP, _P)}
)


def check_publish_transition(current: PublishStatus, target: PublishStatus) -> None:
    """Raise :class:`IllegalTransition` unless ``current -> target`` is in the table."""
    if (current, target) not in PUBLISH_TRANSITIONS:
        raise IllegalTransition(f"A submission cannot go from {current.label} to {target.label}")


def change_publish_status(submission: Submission, target: PublishStatus, now: dt.datetime) -> None:
    check_publish_transition(submission.publish_status, target)
    submission.publish_status = target
    submission.updated_at = now


def mark_reuploaded(submission: Submission, now: dt.datetime) -> None:
    """A file of the submission was replaced: it must be validated (and certified) again.

    Call it only once the upload request has passed every check, so that a refused request
    changes nothing (the original flipped the status before checking the files, quirk 12).
    """
    if submission.publish_status is PublishStatus.PUBLISHED:
        change_publish_status(submission, PublishStatus.UPDATED, now)
    submission.publishable = False
    submission.updated_at = now

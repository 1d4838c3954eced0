"""Who may do what: agency permission checks, submission access and the route requirement table."""

from __future__ import annotations

import enum

import attrs

from broker_core.errors import LoginRequired, PermissionDenied, RequestInvalid
from broker_core.submissions.model import Submission
from broker_core.users import PermissionLevel, User

SUBMISSION_DENIED = "User does not have permission to access that submission"
SUBMIT_DENIED = "User does not have permission to create/modify that submission"
FINALIZE_DENIED = "Cannot finalize a job for a different agency"
NO_SUCH_SUBMISSION = "No such submission"


def user_can(user: User, level: PermissionLevel, agency_code: str | None) -> bool:
    """Website admins can do anything; others need an affiliation with that agency at ``level`` or above."""
    if user.website_admin:
        return True
    return agency_code is not None and any(
        affiliation.agency_code == agency_code and affiliation.permission.value >= level.value
        for affiliation in user.affiliations
    )


def is_owner(user: User, submission: Submission) -> bool:
    # A deleted creator leaves user_id None, which must not match an unsaved user's None.
    return user.user_id is not None and user.user_id == submission.user_id


def user_can_on_submission(
    user: User, level: PermissionLevel, submission: Submission, *, owner_counts: bool = True
) -> bool:
    """``level`` on the submission's agency, or, where ``owner_counts``, having created it."""
    if user.website_admin or (owner_counts and is_owner(user, submission)):
        return True
    return any(user_can(user, level, code) for code in submission.agency_codes)


def visible_to(user: User, submission: Submission) -> bool:
    """Whether list_submissions shows it: admins see all, others their own and their agencies'."""
    if user.website_admin or is_owner(user, submission):
        return True
    return any(affiliation.agency_code in submission.agency_codes for affiliation in user.affiliations)


def may_submit_files(user: User, agency_code: str | None, existing: Submission | None) -> bool:
    """submit_files: writer on the agency to create; to correct, write access to the submission.

    The original also demanded writer on the agency from the owner of the submission being
    corrected (quirk 17); here the owner may correct their own submission. Moving it to
    another agency still takes writer on that agency.
    """
    if existing is None:
        return user_can(user, PermissionLevel.WRITER, agency_code)
    if not user_can_on_submission(user, PermissionLevel.WRITER, existing):
        return False
    return (
        agency_code is None
        or agency_code in existing.agency_codes
        or user_can(user, PermissionLevel.WRITER, agency_code)
    )


def check_submit_files(user: User, agency_code: str | None, existing: Submission | None) -> None:
    if not may_submit_files(user, agency_code, existing):
        raise PermissionDenied(SUBMIT_DENIED)


class Scope(enum.Enum):
    LOGIN = "login"  # any logged-in user
    AGENCY = "agency"  # a level on the agency named in the request
    SUBMISSION = "submission"  # a level on the agency of the submission named in the request


@attrs.frozen
class Requirement:
    scope: Scope
    level: PermissionLevel | None = None
    #: Whether having created the submission is enough without the level.
    owner_counts: bool = True
    denied_message: str = SUBMISSION_DENIED


_LOGIN = Requirement(Scope.LOGIN)
_READER = Requirement(Scope.SUBMISSION, PermissionLevel.READER)
_WRITER = Requirement(Scope.SUBMISSION, PermissionLevel.WRITER)

#: Route (method and path template) -> what the caller needs. Every refusal is 403; the
#: original answered finalize_job's with a 400 (quirk 4) and had no check at all on the
#: error/warning report lists (quirk 10), which now need reader access like the reports.
ROUTE_PERMISSIONS: dict[str, Requirement] = {
    "POST /v1/submit_files": Requirement(Scope.AGENCY, PermissionLevel.WRITER, denied_message=SUBMIT_DENIED),
    "POST /v1/finalize_job": Requirement(
        Scope.SUBMISSION, PermissionLevel.WRITER, denied_message=FINALIZE_DENIED
    ),
    "POST /v1/local_upload": _LOGIN,
    "GET /v1/list_submissions": _LOGIN,
    "GET /v1/get_protected_files": _LOGIN,
    "GET /v1/current_user": _LOGIN,
    "POST /v1/set_skip_guide": _LOGIN,
    "POST /v1/submission_error_reports": _READER,
    "POST /v1/submission_warning_reports": _READER,
    "POST /v1/check_status": _READER,
    "POST /v1/error_metrics": _READER,
    "POST /v1/get_obligations": _READER,
    "POST /v1/check_generation_status": _READER,
    "GET /v1/submission/{submission_id}/narrative": _READER,
    "POST /v1/submission/{submission_id}/report_url": _READER,
    "POST /v1/submission/{submission_id}/narrative": _WRITER,
    "POST /v1/delete_submission": _WRITER,
    "POST /v1/restart_validation": _WRITER,
    "POST /v1/submit_detached_file": _WRITER,
    "POST /v1/generate_file": _WRITER,
    # Certifying publishes the agency's data: a submitter must do it, whoever created it.
    "POST /v1/certify_submission": Requirement(
        Scope.SUBMISSION, PermissionLevel.SUBMITTER, owner_counts=False
    ),
}


def authorize(
    requirement: Requirement,
    user: User | None,
    *,
    submission: Submission | None = None,
    agency_code: str | None = None,
) -> User:
    """Raise unless ``user`` meets ``requirement``; returns the (logged-in) user.

    Order as in the original: login (401), then the submission must exist (400), then the
    permission (403).
    """
    if user is None:
        raise LoginRequired()
    if requirement.scope is Scope.LOGIN or requirement.level is None:
        return user
    if requirement.scope is Scope.AGENCY:
        allowed = user_can(user, requirement.level, agency_code)
    else:
        if submission is None:
            raise RequestInvalid(NO_SUCH_SUBMISSION)
        allowed = user_can_on_submission(
            user, requirement.level, submission, owner_counts=requirement.owner_counts
        )
    if not allowed:
        raise PermissionDenied(requirement.denied_message)
    return user

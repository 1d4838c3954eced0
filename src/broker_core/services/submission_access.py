"""Finding the submission a request names and checking the caller may use it, for every route.

Every submission route starts the same way (spec §4.5): the id comes from ``submission_id`` or
``submission`` (query, form or JSON, already merged by the caller), must be an integer, must name
an existing submission, and the user must meet the route's requirement in
:data:`~broker_core.submissions.permissions.ROUTE_PERMISSIONS`. Doing it here, once, is what
keeps a route from forgetting the check (the original's report routes did, quirk 10).
"""

from __future__ import annotations

from collections.abc import Mapping

from broker_core.errors import RequestInvalid
from broker_core.ports import UnitOfWork
from broker_core.submissions.model import Submission
from broker_core.submissions.permissions import NO_SUCH_SUBMISSION, ROUTE_PERMISSIONS, authorize
from broker_core.users import User

ID_REQUIRED = "submission_id is required"
ID_NOT_INTEGER = "submission_id: Not a valid integer."
_ID_KEYS = ("submission_id", "submission")
#: Ids past PostgreSQL's integer range cannot name a submission (and must not reach the database).
_MAX_ID = 2**31 - 1


def submission_id_from(params: Mapping[str, object], explicit: object = None) -> int:
    """The submission id of a request: ``explicit`` (a path parameter) or the first id key given."""
    value = explicit
    if value is None:
        value = next((params[key] for key in _ID_KEYS if params.get(key) not in (None, "")), None)
    if value is None:
        raise RequestInvalid(ID_REQUIRED)
    if isinstance(value, bool):
        raise RequestInvalid(ID_NOT_INTEGER)
    if isinstance(value, int):
        number = value
    elif isinstance(value, str) and value.strip().lstrip("-").isdigit():
        number = int(value.strip())
    else:
        raise RequestInvalid(ID_NOT_INTEGER)
    return number


def load_for(
    uow: UnitOfWork,
    route: str,
    user: User | None,
    params: Mapping[str, object],
    *,
    explicit_id: object = None,
    for_update: bool = False,
) -> tuple[User, Submission]:
    """The checked user and the submission for ``route`` (a key of ``ROUTE_PERMISSIONS``).

    401 without a user, 400 for a missing or malformed id or an unknown submission, 403 when the
    user lacks the route's permission. ``for_update`` locks the submission for the rest of the
    unit of work (use it before changing its jobs).
    """
    requirement = ROUTE_PERMISSIONS[route]
    if user is None:
        authorize(requirement, user)  # raises LoginRequired
    submission_id = submission_id_from(params, explicit_id)
    submission = None
    if 0 < submission_id <= _MAX_ID:
        repository = uow.submissions
        submission = repository.get_for_update(submission_id) if for_update else repository.get(submission_id)
    if submission is None:
        raise RequestInvalid(NO_SUCH_SUBMISSION)
    return authorize(requirement, user, submission=submission), submission

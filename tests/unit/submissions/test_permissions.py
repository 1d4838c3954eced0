"""Permission checks, submission access, list visibility and the route table."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from broker_core.errors import LoginRequired, PermissionDenied, RequestInvalid
from broker_core.submissions.model import Submission
from broker_core.submissions.permissions import (
    FINALIZE_DENIED,
    ROUTE_PERMISSIONS,
    SUBMISSION_DENIED,
    SUBMIT_DENIED,
    Requirement,
    Scope,
    authorize,
    check_submit_files,
    may_submit_files,
    user_can,
    user_can_on_submission,
    visible_to,
)
from broker_core.users import Affiliation, PermissionLevel, User

R, WR, S = PermissionLevel.READER, PermissionLevel.WRITER, PermissionLevel.SUBMITTER


def user(*affiliations: tuple[str, PermissionLevel], admin: bool = False, user_id: int | None = 1) -> User:
    return User(
        "u@example.com",
        "U",
        website_admin=admin,
        affiliations=[Affiliation(code, level) for code, level in affiliations],
        user_id=user_id,
    )


def sub(cgac: str | None = "020", owner: int | None = 99, frec: str | None = None) -> Submission:
    return Submission(None, None, cgac_code=cgac, frec_code=frec, user_id=owner, submission_id=4)


def test_user_can_by_agency_and_level() -> None:
    writer = user(("020", WR), ("021", R))
    assert user_can(writer, R, "020") and user_can(writer, WR, "020")
    assert not user_can(writer, S, "020")
    assert user_can(writer, R, "021") and not user_can(writer, WR, "021")
    assert not user_can(writer, R, "022") and not user_can(writer, R, None)
    assert user_can(user(admin=True), S, "999")


def test_ownership_counts_only_where_allowed() -> None:
    owner = user(user_id=99)
    assert user_can_on_submission(owner, WR, sub())
    assert not user_can_on_submission(owner, S, sub(), owner_counts=False)
    # a deleted owner (None) is nobody, not every unsaved user
    assert not user_can_on_submission(user(user_id=None), R, sub(owner=None))


def test_frec_affiliations_reach_frec_submissions() -> None:
    assert user_can_on_submission(user(("1601", WR)), WR, sub(cgac=None, frec="1601"))
    assert not user_can_on_submission(user(("1601", WR)), WR, sub(cgac="016"))


def test_visibility_in_lists() -> None:
    assert visible_to(user(("020", R)), sub())
    assert visible_to(user(user_id=99), sub(cgac="077"))
    assert visible_to(user(admin=True), sub(cgac="077"))
    assert not visible_to(user(("021", S)), sub())
    assert not visible_to(user(user_id=None), sub(owner=None))


def test_submit_files_new_needs_agency_writer() -> None:
    assert may_submit_files(user(("020", WR)), "020", None)
    assert not may_submit_files(user(("020", R)), "020", None)
    with pytest.raises(PermissionDenied) as info:
        check_submit_files(user(("020", R)), "020", None)
    assert (info.value.status, info.value.message) == (403, SUBMIT_DENIED)


def test_owner_may_correct_own_submission_without_agency_writer() -> None:
    # quirk 17: the original demanded writer on the agency from the owner too
    owner = user(("020", R), user_id=99)
    assert may_submit_files(owner, None, sub())
    assert may_submit_files(owner, "020", sub())
    # ...but moving it to an agency they cannot write to is refused
    assert not may_submit_files(owner, "021", sub())
    assert may_submit_files(user(("021", WR), user_id=99), "021", sub())
    assert not may_submit_files(user(("020", R), user_id=5), None, sub())
    assert may_submit_files(user(("020", WR), user_id=5), None, sub())


def test_route_table() -> None:
    def summary(route: str) -> tuple[Scope, PermissionLevel | None, bool]:
        r = ROUTE_PERMISSIONS[route]
        return r.scope, r.level, r.owner_counts

    login = (Scope.LOGIN, None, True)
    for route in (
        "POST /v1/local_upload",
        "GET /v1/list_submissions",
        "GET /v1/get_protected_files",
        "GET /v1/current_user",
        "POST /v1/set_skip_guide",
    ):
        assert summary(route) == login
    for route in (
        "POST /v1/submission_error_reports",  # quirk 10
        "POST /v1/submission_warning_reports",
        "POST /v1/check_status",
        "POST /v1/get_obligations",
        "POST /v1/check_generation_status",
        "GET /v1/submission/{submission_id}/narrative",
        "POST /v1/submission/{submission_id}/report_url",
    ):
        assert summary(route) == (Scope.SUBMISSION, R, True)
    for route in (
        "POST /v1/submission/{submission_id}/narrative",
        "POST /v1/delete_submission",
        "POST /v1/restart_validation",
        "POST /v1/submit_detached_file",
        "POST /v1/generate_file",
        "POST /v1/finalize_job",
    ):
        assert summary(route) == (Scope.SUBMISSION, WR, True)
    assert summary("POST /v1/certify_submission") == (Scope.SUBMISSION, S, False)
    assert summary("POST /v1/submit_files") == (Scope.AGENCY, WR, True)
    assert ROUTE_PERMISSIONS["POST /v1/finalize_job"].denied_message == FINALIZE_DENIED


def test_authorize_order_and_errors() -> None:
    check_status = ROUTE_PERMISSIONS["POST /v1/check_status"]
    with pytest.raises(LoginRequired) as login:
        authorize(check_status, None, submission=sub())
    assert (login.value.status, login.value.message) == (401, "Login Required")
    with pytest.raises(RequestInvalid) as missing:
        authorize(check_status, user(), submission=None)
    assert (missing.value.status, missing.value.message) == (400, "No such submission")
    with pytest.raises(PermissionDenied) as denied:
        authorize(check_status, user(("021", S)), submission=sub())
    assert (denied.value.status, denied.value.message) == (403, SUBMISSION_DENIED)
    reader = user(("020", R))
    assert authorize(check_status, reader, submission=sub()) is reader
    assert authorize(ROUTE_PERMISSIONS["GET /v1/list_submissions"], reader) is reader


def test_certify_needs_submitter_even_for_the_owner() -> None:
    certify = ROUTE_PERMISSIONS["POST /v1/certify_submission"]
    with pytest.raises(PermissionDenied):
        authorize(certify, user(("020", WR), user_id=99), submission=sub())
    authorize(certify, user(("020", S), user_id=5), submission=sub())


def test_finalize_refusal_is_a_403_with_its_message() -> None:
    with pytest.raises(PermissionDenied) as info:
        authorize(ROUTE_PERMISSIONS["POST /v1/finalize_job"], user(("021", WR)), submission=sub())
    assert (info.value.status, info.value.message) == (403, FINALIZE_DENIED)


def test_agency_scope_uses_the_requested_agency() -> None:
    submit = ROUTE_PERMISSIONS["POST /v1/submit_files"]
    authorize(submit, user(("020", WR)), agency_code="020")
    with pytest.raises(PermissionDenied) as info:
        authorize(submit, user(("020", WR)), agency_code="021")
    assert info.value.message == SUBMIT_DENIED


CODES = st.sampled_from(["020", "021", "1601"])
LEVELS = st.sampled_from(PermissionLevel)
USERS = st.builds(
    lambda affs, admin, uid: user(*affs, admin=admin, user_id=uid),
    st.lists(st.tuples(CODES, LEVELS), max_size=4),
    st.booleans(),
    st.sampled_from([None, 1, 99]),
)
SUBMISSIONS = st.builds(
    sub,
    st.sampled_from(["020", "021", None]),
    st.sampled_from([None, 1, 99]),
    st.sampled_from([None, "1601"]),
)


@given(USERS, LEVELS, LEVELS, CODES)
def test_a_higher_level_never_has_more_rights(
    u: User, low: PermissionLevel, high: PermissionLevel, code: str
) -> None:
    if low.value > high.value:
        low, high = high, low
    assert not user_can(u, high, code) or user_can(u, low, code)


@given(USERS, LEVELS, CODES, CODES, LEVELS)
def test_more_affiliation_never_removes_rights(
    u: User, level: PermissionLevel, code: str, extra_code: str, extra_level: PermissionLevel
) -> None:
    before = user_can(u, level, code)
    u.affiliations.append(Affiliation(extra_code, extra_level))
    assert user_can(u, level, code) >= before


@given(USERS, LEVELS, SUBMISSIONS, st.booleans())
def test_submission_access_rules(u: User, level: PermissionLevel, s: Submission, owner_counts: bool) -> None:
    allowed = user_can_on_submission(u, level, s, owner_counts=owner_counts)
    owner = u.user_id is not None and u.user_id == s.user_id
    by_agency = u.website_admin or any(
        a.agency_code in (s.cgac_code, s.frec_code) and a.permission.value >= level.value
        for a in u.affiliations
    )
    assert allowed == (by_agency or (owner_counts and owner))
    # being allowed on the submission at any level means seeing it in lists
    assert not allowed or visible_to(u, s)


@given(USERS, SUBMISSIONS)
def test_every_submission_route_requirement_is_consistent(u: User, s: Submission) -> None:
    for requirement in ROUTE_PERMISSIONS.values():
        if requirement.scope is not Scope.SUBMISSION or requirement.level is None:
            continue
        expected = user_can_on_submission(u, requirement.level, s, owner_counts=requirement.owner_counts)
        try:
            authorize(requirement, u, submission=s)
        except PermissionDenied:
            assert not expected
        else:
            assert expected


def test_requirement_defaults() -> None:
    assert Requirement(Scope.LOGIN) == Requirement(Scope.LOGIN, None, True, SUBMISSION_DENIED)

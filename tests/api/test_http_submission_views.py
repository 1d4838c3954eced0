"""check_status, list_submissions, report links and get_obligations over real HTTP (``broker serve``).

The session's server has no way yet to create a submission over HTTP from these tests, so they
cover what needs none: the login check, the id checks and an empty listing. The answers for
real submissions are covered in process (``test_app_submission_views.py``) and end to end.
"""

from __future__ import annotations

import pytest

from .conftest import Api

#: (method, path, body) of every route naming a submission, without its id.
SUBMISSION_ROUTES = [
    ("POST", "/v1/check_status/", {}),
    ("GET", "/v1/check_status", None),
    ("POST", "/v1/submission_error_reports/", {}),
    ("POST", "/v1/submission_warning_reports", {}),
    ("POST", "/v1/get_obligations/", {}),
    ("GET", "/v1/get_obligations/", None),
]
UNKNOWN = 2_000_000_000


@pytest.mark.parametrize(("method", "path", "body"), SUBMISSION_ROUTES)
def test_login_required(anonymous: Api, method: str, path: str, body: object) -> None:
    status, _, answer = anonymous.call(method, path + "?submission_id=1", body)
    assert (status, answer) == (401, {"message": "Login Required"})


def test_login_required_elsewhere(anonymous: Api) -> None:
    assert anonymous.get("/v1/list_submissions/")[::2] == (401, {"message": "Login Required"})
    status, _, answer = anonymous.post("/v1/submission/1/report_url", {"file_type": "appropriations"})
    assert (status, answer) == (401, {"message": "Login Required"})


@pytest.mark.parametrize(("method", "path", "body"), SUBMISSION_ROUTES)
def test_submission_id_checks(api: Api, method: str, path: str, body: object) -> None:
    assert api.call(method, path, body)[::2] == (400, {"message": "submission_id is required"})
    unknown = (400, {"message": "No such submission"})
    assert api.call(method, f"{path}?submission_id={UNKNOWN}", body)[::2] == unknown
    assert api.call(method, f"{path}?submission=-4", body)[::2] == unknown
    assert api.call(method, f"{path}?submission_id=99999999999999999999", body)[::2] == unknown
    not_integer = (400, {"message": "submission_id: Not a valid integer."})
    assert api.call(method, f"{path}?submission_id=abc", body)[::2] == not_integer
    if method == "POST":
        assert api.post(path, {"submission_id": UNKNOWN})[::2] == unknown
        assert api.post(path, {"submission": str(UNKNOWN)})[::2] == unknown


def test_form_encoded_body(api: Api) -> None:
    status, _, answer = api.post(
        "/v1/check_status/",
        raw=f"submission_id={UNKNOWN}".encode(),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert (status, answer) == (400, {"message": "No such submission"})


def test_report_url_ids(api: Api) -> None:
    body = {"file_type": "appropriations"}
    unknown = (400, {"message": "No such submission"})
    assert api.post(f"/v1/submission/{UNKNOWN}/report_url", body)[::2] == unknown
    assert api.post("/v1/submission/-3/report_url/", body)[::2] == unknown
    assert api.post("/v1/submission/99999999999999999999/report_url", body)[::2] == unknown
    assert api.post("/v1/submission/abc/report_url", body)[0] == 404
    assert api.get(f"/v1/submission/{UNKNOWN}/report_url")[0] == 405


def test_list_submissions(api: Api) -> None:
    status, _, answer = api.get("/v1/list_submissions/?page=1&limit=2&certified=mixed")
    assert status == 200, answer
    assert set(answer) == {"submissions", "total"}
    assert isinstance(answer["total"], int)
    assert len(answer["submissions"]) <= min(2, answer["total"])
    status, _, answer = api.get("/v1/list_submissions?certified=maybe")
    assert (status, answer) == (400, {"message": "certified must be one of: mixed, true, false"})
    status, _, answer = api.get("/v1/list_submissions?limit=0")
    assert (status, answer) == (400, {"message": "limit must be a whole number from 1 to 100"})

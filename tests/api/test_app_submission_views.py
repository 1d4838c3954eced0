"""The submission view routes in process: Falcon app, real SubmissionViews, in-memory fakes.

Covers what the HTTP tests against ``broker serve`` cannot yet (no submission can be created
there from these tests): the answers for existing submissions, through routing, parameter
merging (query and JSON or form body) and error mapping.
"""

from __future__ import annotations

from typing import Any

import falcon
import falcon.testing
import pytest

from broker_core.errors import LoginRequired
from broker_core.file_types import FileType
from broker_core.jobs import JobStatus
from broker_core.submissions.job_graph import validation_key
from broker_core.users import User
from broker_entrypoints.api.app import create_app
from tests.api.fake_broker import FakeBroker
from tests.unit.test_submission_views import ANN, OTTO, World, make_world, report_key, url

SESSIONS = {"ann-session": ANN, "otto-session": OTTO}


class FakeAuth:
    def authenticate(self, session_uid: str | None) -> User:
        user = SESSIONS.get(session_uid or "")
        if user is None:
            raise LoginRequired()
        return user


@pytest.fixture
def world() -> World:
    return make_world()


@pytest.fixture
def client(world: World) -> falcon.testing.TestClient:
    return falcon.testing.TestClient(create_app(FakeBroker(FakeAuth(), submission_views=world.views)))


def call(
    client: falcon.testing.TestClient,
    method: str,
    path: str,
    *,
    session: str | None = "ann-session",
    **kw: Any,
) -> tuple[int, Any]:
    headers = {"X-Session-ID": session} if session else {}
    path, _, query = path.partition("?")
    result = client.simulate_request(method, path, query_string=query or None, headers=headers, **kw)
    return result.status_code, result.json


def test_check_status_post_and_get(client: falcon.testing.TestClient, world: World) -> None:
    sid, _ = world.create()
    expected = world.views.check_status(ANN, {"submission_id": sid})
    assert call(client, "POST", "/v1/check_status/", json={"submission_id": sid}) == (200, expected)
    assert call(client, "GET", f"/v1/check_status?submission_id={sid}") == (200, expected)
    assert call(client, "GET", f"/v1/check_status/?submission={sid}") == (200, expected)
    form = {"Content-Type": "application/x-www-form-urlencoded", "X-Session-ID": "ann-session"}
    result = client.simulate_post("/v1/check_status", body=f"submission_id={sid}", headers=form)
    assert (result.status_code, result.json) == (200, expected)
    # The query wins over the body, as webargs looked there first.
    status, answer = call(
        client, "POST", f"/v1/check_status?submission_id={sid + 500}", json={"submission_id": sid}
    )
    assert (status, answer) == (400, {"message": "No such submission"})


def test_refusals_over_http(client: falcon.testing.TestClient, world: World) -> None:
    sid, _ = world.create()
    assert call(client, "POST", "/v1/check_status/", json={"submission_id": sid}, session=None) == (
        401,
        {"message": "Login Required"},
    )
    assert call(client, "POST", "/v1/check_status/", json={}) == (
        400,
        {"message": "submission_id is required"},
    )
    denied = (403, {"message": "User does not have permission to access that submission"})
    for path in ("/v1/check_status", "/v1/submission_error_reports", "/v1/get_obligations"):
        assert call(client, "POST", path, json={"submission_id": sid}, session="otto-session") == denied
    body = {"file_type": "appropriations"}
    assert (
        call(client, "POST", f"/v1/submission/{sid}/report_url", json=body, session="otto-session") == denied
    )


def test_list_submissions(client: falcon.testing.TestClient, world: World) -> None:
    first, _ = world.create()
    second, _ = world.create()
    status, answer = call(client, "GET", "/v1/list_submissions/?limit=1&sort=modified&order=asc")
    assert status == 200
    assert answer["total"] == 2
    assert [row["submission_id"] for row in answer["submissions"]] == [first]
    assert call(client, "GET", "/v1/list_submissions", session="otto-session") == (
        200,
        {"submissions": [], "total": 0},
    )
    assert second > first


def test_reports_and_report_url(client: falcon.testing.TestClient, world: World) -> None:
    sid, jobs = world.create()
    a_job = jobs[validation_key(FileType.A)]
    world.update_job(a_job, status=JobStatus.FINISHED)
    world.storage.objects[report_key("A")] = b"x"
    world.storage.objects[report_key("A", "warning")] = b"x"
    assert call(client, "POST", "/v1/submission_error_reports/", json={"submission_id": sid}) == (
        200,
        {f"job_{a_job}_error_url": url(report_key("A"))},
    )
    assert call(client, "POST", "/v1/submission_warning_reports", json={"submission_id": sid}) == (
        200,
        {f"job_{a_job}_warning_url": url(report_key("A", "warning"))},
    )
    path = f"/v1/submission/{sid}/report_url"
    assert call(client, "POST", path, json={"file_type": "appropriations", "warning": True}) == (
        200,
        {"url": url(report_key("A", "warning"))},
    )
    assert call(client, "POST", path, json={"file_type": "program_activity"}) == (
        400,
        {"message": "The report has not been generated yet"},
    )
    assert call(client, "POST", path, json={"file_type": "appropriations", "cross_type": "award"}) == (
        400,
        {"message": "appropriations and award is not a valid cross-pair."},
    )
    assert call(client, "POST", path, json={}) == (
        400,
        {"message": "file_type: Missing data for required field."},
    )
    assert call(client, "POST", f"/v1/submission/{sid + 77}/report_url", json={}) == (
        400,
        {"message": "No such submission"},
    )
    assert call(client, "POST", "/v1/submission/x/report_url", json={})[0] == 404


def test_obligations(client: falcon.testing.TestClient, world: World) -> None:
    sid, _ = world.create()
    expected = {
        "total_obligations": 75000.01,
        "total_procurement_obligations": 32500.01,
        "total_assistance_obligations": 42500.0,
    }
    assert call(client, "POST", "/v1/get_obligations/", json={"submission_id": sid}) == (200, expected)
    assert call(client, "GET", f"/v1/get_obligations?submission_id={sid}") == (200, expected)

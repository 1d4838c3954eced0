"""Every submission route by every kind of caller, over HTTP, with the status each must get.

Callers: no session; a reader of another agency; a reader, a writer and a submitter of the
submission's agency (020); the submission's owner, who created it as a writer and has since
lost every right on 020; a website admin. Where the caller may act but the submission's state
refuses the action (certifying a submission that is not publishable, publishing a DABS
submission as FABS), the expected answer is that 400: it comes after the permission check.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import attrs
import pytest

from tests.api.conftest import Api, add_user
from tests.submission_flow import FILE_KEYS, SUBMISSION, csv_file

ROLES = ("none", "other", "reader", "writer", "submitter", "owner", "admin")
USERS = {
    "other": ("other@example.com", ["--affiliation", "012:reader"]),
    "reader": ("reader@example.com", ["--affiliation", "020:reader"]),
    "writer": ("writer@example.com", ["--affiliation", "020:writer"]),
    "submitter": ("submitter@example.com", ["--affiliation", "020:submitter"]),
    "owner": ("owner@example.com", ["--affiliation", "020:writer"]),
    "admin": ("admin@example.com", ["--admin"]),
}


def _expect(*codes: int) -> dict[str, int]:
    return dict(zip(ROLES, codes, strict=True))


#                      none other reader writer submitter owner admin
LOGIN = _expect(401, 200, 200, 200, 200, 200, 200)
READER = _expect(401, 403, 200, 200, 200, 200, 200)
WRITER = _expect(401, 403, 403, 200, 200, 200, 200)
AGENCY_WRITER = _expect(401, 403, 403, 200, 200, 403, 200)
CERTIFY = _expect(401, 403, 403, 403, 400, 403, 400)
PUBLISH_FABS = _expect(401, 403, 403, 400, 400, 400, 400)
DELETE = WRITER


@attrs.define
class World:
    server: str
    data_dir: Path
    clients: dict[str, Api]
    submission_id: int = 0
    a_upload_id: int = 0
    deletable: dict[str, int] = attrs.Factory(dict)

    def client(self, role: str) -> Api:
        return self.clients[role]

    def wait_idle(self, timeout: float = 60) -> None:
        """Until no job of the main submission is queued or running (validations are quick here)."""
        admin, deadline = self.clients["admin"], time.monotonic() + timeout
        while True:
            _, _, state = admin.post("/v1/check_status/", {"submission_id": self.submission_id})
            if all(job["job_status"] in ("finished", "invalid", "failed") for job in state["jobs"][:3]):
                return
            assert time.monotonic() < deadline, state
            time.sleep(0.2)


def _new_submission(api: Api, *, finalize: bool) -> dict[str, Any]:
    body: dict[str, Any] = dict(SUBMISSION)
    for file_type, key in FILE_KEYS.items():
        status, _, uploaded = api.upload("/v1/local_upload/", "file", f"{file_type.letter}.csv",
                                         csv_file(file_type, []))  # fmt: skip
        assert status == 200, uploaded
        body[key] = uploaded["path"]
    status, _, answer = api.post("/v1/submit_files/", body)
    assert status == 200, answer
    if finalize:
        for key in FILE_KEYS.values():
            assert api.post("/v1/finalize_job/", {"upload_id": answer[f"{key}_id"]})[0] == 200
    return dict(answer)


@pytest.fixture(scope="module")
def world(server: str, server_data_dir: Path) -> World:
    for email, args in USERS.values():
        add_user(server_data_dir, email, email.split("@")[0], *args)
    clients = {"none": Api(server)}
    for role, (email, _) in USERS.items():
        clients[role] = Api(server)
        clients[role].login(email)
    world = World(server, server_data_dir, clients)
    owner = clients["owner"]
    answer = _new_submission(owner, finalize=True)
    world.submission_id, world.a_upload_id = answer["submission_id"], answer["appropriations_id"]
    for role, expected in DELETE.items():
        if expected == 200:
            world.deletable[role] = _new_submission(owner, finalize=False)["submission_id"]
    world.deletable["refused"] = _new_submission(owner, finalize=False)["submission_id"]
    world.wait_idle()
    # The owner keeps only a right elsewhere: what they may still do, they may do as owner.
    add_user(server_data_dir, "owner@example.com", "owner", "--affiliation", "012:reader")
    return world


Call = Callable[[World, str], tuple[int, dict[str, str], Any]]


def _sid(world: World) -> dict[str, int]:
    return {"submission_id": world.submission_id}


def _submit_files(world: World, role: str) -> tuple[int, dict[str, str], Any]:
    api = world.client(role)
    body: dict[str, Any] = dict(SUBMISSION)
    for file_type, key in FILE_KEYS.items():
        if role == "none":
            body[key] = f"{file_type.letter}.csv"
            continue
        _, _, uploaded = api.upload("/v1/local_upload/", "file", "x.csv", csv_file(file_type, []))
        body[key] = uploaded["path"]
    return api.post("/v1/submit_files/", body)


def _restart(world: World, role: str) -> tuple[int, dict[str, str], Any]:
    world.wait_idle()  # a restart is refused while validations run
    answer = world.client(role).post("/v1/restart_validation/", _sid(world))
    world.wait_idle()
    return answer


def _delete(world: World, role: str) -> tuple[int, dict[str, str], Any]:
    sid = world.deletable.get(role, world.deletable["refused"])
    return world.client(role).post("/v1/delete_submission/", {"submission_id": sid})


ROUTES: dict[str, tuple[Call, dict[str, int]]] = {
    "POST /v1/submit_files": (_submit_files, AGENCY_WRITER),
    "POST /v1/local_upload": (
        lambda w, r: w.client(r).upload("/v1/local_upload/", "file", "a.csv", b"a,b\n"), LOGIN),
    "POST /v1/finalize_job": (
        lambda w, r: w.client(r).post("/v1/finalize_job/", {"upload_id": w.a_upload_id}), WRITER),
    "POST /v1/check_status": (lambda w, r: w.client(r).post("/v1/check_status/", _sid(w)), READER),
    "GET /v1/check_status": (
        lambda w, r: w.client(r).get(f"/v1/check_status/?submission_id={w.submission_id}"), READER),
    "GET /v1/list_submissions": (lambda w, r: w.client(r).get("/v1/list_submissions/"), LOGIN),
    "POST /v1/submission_error_reports": (
        lambda w, r: w.client(r).post("/v1/submission_error_reports/", _sid(w)), READER),
    "POST /v1/submission_warning_reports": (
        lambda w, r: w.client(r).post("/v1/submission_warning_reports/", _sid(w)), READER),
    "POST /v1/submission/<id>/report_url": (
        lambda w, r: w.client(r).post(f"/v1/submission/{w.submission_id}/report_url",
                                      {"file_type": "appropriations", "warning": True}), READER),
    "GET /v1/submission/<id>/narrative": (
        lambda w, r: w.client(r).get(f"/v1/submission/{w.submission_id}/narrative"), READER),
    "POST /v1/submission/<id>/narrative": (
        lambda w, r: w.client(r).post(f"/v1/submission/{w.submission_id}/narrative", {"A": r}), WRITER),
    "POST /v1/get_obligations": (lambda w, r: w.client(r).post("/v1/get_obligations/", _sid(w)), READER),
    "GET /v1/get_protected_files": (lambda w, r: w.client(r).get("/v1/get_protected_files/"), LOGIN),
    "POST /v1/delete_submission": (_delete, DELETE),
    "POST /v1/certify_submission": (
        lambda w, r: w.client(r).post("/v1/certify_submission/", _sid(w)), CERTIFY),
    "POST /v1/restart_validation": (_restart, WRITER),
    "POST /v1/generate_file": (
        lambda w, r: w.client(r).post("/v1/generate_file/", {**_sid(w), "file_type": "D1",
                                                             "start": "01/01/2017", "end": "03/31/2017"}), WRITER),
    "GET /v1/check_generation_status": (
        lambda w, r: w.client(r).get(f"/v1/check_generation_status/?submission_id={w.submission_id}&file_type=D1"),
        READER),
    "POST /v1/submit_detached_file": (
        lambda w, r: w.client(r).post("/v1/submit_detached_file/", _sid(w)), PUBLISH_FABS),
    "GET /v1/current_user": (lambda w, r: w.client(r).get("/v1/current_user/"), LOGIN),
    "POST /v1/set_skip_guide": (
        lambda w, r: w.client(r).post("/v1/set_skip_guide/", {"skip_guide": True}), LOGIN),
}  # fmt: skip

MESSAGES = {
    401: "Login Required",
    403: ("User does not have permission to access that submission",
          "User does not have permission to create/modify that submission",
          "Cannot finalize a job for a different agency"),
    400: ("Submission cannot be certified due to critical errors", "Submission is not a FABS submission"),
}  # fmt: skip


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("route", list(ROUTES))
def test_permission_matrix(world: World, route: str, role: str) -> None:
    call, expected = ROUTES[route]
    status, _, body = call(world, role)
    assert status == expected[role], f"{route} as {role}: {status} {body}"
    if status in MESSAGES:
        message = body["message"]
        allowed = MESSAGES[status]
        assert message == allowed if isinstance(allowed, str) else message in allowed, (route, role, body)
        assert "Traceback" not in str(body)

"""Submissions over real HTTP against the session's ``broker serve`` (local mode): upload, submit,
finalize, narratives, restart, certify, delete, help files and the local file route.

The validations that finalize starts run in the server's worker; what they find is not asserted
here (their own tests do that), only that the upload jobs finished.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import time
import urllib.parse
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from .conftest import Api, logged_in_user

FILES = ("appropriations", "program_activity", "award_financial")
PERIOD = {
    "cgac_code": "020",
    "reporting_period_start_date": "10/2016",
    "reporting_period_end_date": "12/2016",
    "is_quarter": True,
}
CERTIFIER = "certifier@example.com"
FILE_STATUS = {"waiting": 1, "ready": 2, "running": 3, "finished": 4, "invalid": 5, "failed": 6}
UPLOAD, LETTERS = 1, {1: "A", 2: "B", 3: "C"}


def _multipart(fields: dict[str, tuple[str | None, bytes]]) -> tuple[bytes, str]:
    """A multipart/form-data body: field -> (file name or None for a plain field, content)."""
    boundary = uuid.uuid4().hex
    body = b""
    for name, (filename, content) in fields.items():
        disposition = f'form-data; name="{name}"'
        if filename is not None:
            disposition += f'; filename="{filename}"'
        body += f"--{boundary}\r\nContent-Disposition: {disposition}\r\n".encode()
        if filename is not None:
            body += b"Content-Type: text/csv\r\n"
        body += b"\r\n" + content + b"\r\n"
    body += f"--{boundary}--\r\n".encode()
    return body, f"multipart/form-data; boundary={boundary}"


def _upload(api: Api, filename: str, content: bytes) -> tuple[int, Any]:
    body, content_type = _multipart({"note": (None, b"ignored"), "file": (filename, content)})
    status, _, answer = api.call(
        "POST", "/v1/local_upload/", raw=body, headers={"Content-Type": content_type}
    )
    return status, answer


def _paths(api: Api) -> dict[str, str]:
    paths = {}
    for field in FILES:
        status, answer = _upload(api, f"{field}.csv", f"header_of_{field}\nvalue\n".encode())
        assert status == 200, answer
        paths[field] = answer["path"]
    return paths


def _submit(api: Api, **changes: Any) -> dict[str, Any]:
    status, _, answer = api.post("/v1/submit_files/", {**PERIOD, **_paths(api), **changes})
    assert status == 200, answer
    return dict(answer)


def _root(answer: dict[str, Any]) -> Path:
    """The storage folder: submit_files names it as the bucket in local mode."""
    return Path(answer["bucket_name"])


@contextlib.contextmanager
def _db(root: Path) -> Iterator[sqlite3.Connection]:
    connection = sqlite3.connect(f"file:{root.parent / 'broker.sqlite3'}?mode=ro", uri=True, timeout=30)
    try:
        yield connection
    finally:
        connection.close()


def _upload_statuses(root: Path, submission_id: int) -> dict[str, int]:
    with _db(root) as db:
        rows = db.execute(
            "SELECT file_type_id, job_status_id FROM job WHERE submission_id = ? AND job_type_id = ?",
            (submission_id, UPLOAD),
        ).fetchall()
    return {LETTERS[file_type]: status for file_type, status in rows if file_type in LETTERS}


def _local_get(api: Api, root: Path, key: str, **kw: Any) -> tuple[int, dict[str, str], Any]:
    return api.get(urllib.parse.quote(str(root)) + "/" + key, **kw)


def _finalize_all(api: Api, answer: dict[str, Any]) -> None:
    for field in FILES:
        status, _, body = api.post("/v1/finalize_job/", {"upload_id": answer[f"{field}_id"]})
        assert (status, body) == (200, {"success": True, "submission_id": answer["submission_id"]})


# --------------------------------------------------------------------------- the upload flow


def test_upload_submit_and_finalize(api: Api) -> None:
    answer = _submit(api)

    sid = answer["submission_id"]
    root = _root(answer)
    assert root.is_dir() and (root / answer["appropriations_key"]).is_file()
    assert answer["credentials"] == {
        "AccessKeyId": "local",
        "SecretAccessKey": "local",
        "SessionToken": "local",
        "Expiration": "local",
    }
    for field in FILES:
        assert answer[f"{field}_key"].startswith("uploads/") and answer[f"{field}_key"].endswith(
            f"_{field}.csv"
        )
        assert isinstance(answer[f"{field}_id"], int)
    for generated in ("award_procurement", "award", "executive_compensation", "sub_award"):
        assert answer[f"{generated}_key"] is None and isinstance(answer[f"{generated}_id"], int)
    assert _upload_statuses(root, sid) == {"A": FILE_STATUS["running"], "B": 3, "C": 3}

    _finalize_all(api, answer)

    assert _upload_statuses(root, sid) == {"A": FILE_STATUS["finished"], "B": 4, "C": 4}
    # Finalizing again is harmless.
    status, _, body = api.post("/v1/finalize_job/", {"upload_id": str(answer["appropriations_id"])})
    assert (status, body) == (200, {"success": True, "submission_id": sid})


def test_local_upload_refusals(api: Api) -> None:
    status, _, body = api.post("/v1/local_upload/", {"file": "x.csv"})
    assert (status, body) == (400, {"message": "Request must be a multipart/form-data type"})
    raw, content_type = _multipart({"other": ("a.csv", b"x")})
    status, _, body = api.call("POST", "/v1/local_upload/", raw=raw, headers={"Content-Type": content_type})
    assert (status, body) == (400, {"message": "file: Missing data for required field."})
    assert _upload(api, "", b"x") == (400, {"message": "Failure to read file"})
    status, answer = _upload(api, "../../etc/evil name.csv", b"x")
    assert status == 200 and answer["path"].endswith("_evil_name.csv") and ".." not in answer["path"]


def test_submit_files_refusals(api: Api) -> None:
    paths = _paths(api)
    cases = [
        (
            {**PERIOD, **paths, "award_financial": ""},
            400,
            "Must include all required files for new submission",
        ),
        ({**PERIOD, **paths, "cgac_code": None}, 400, "cgac_code is required"),
        (
            {**PERIOD, **paths, "reporting_period_end_date": "13/2016"},
            400,
            "Date must be provided as MM/YYYY",
        ),
        (
            {**PERIOD, **paths, "cgac_code": "097"},
            403,
            "User does not have permission to create/modify that submission",
        ),
        (
            {**PERIOD, **paths, "appropriations": "/etc/passwd"},
            400,
            "appropriations: Not a file uploaded through /v1/local_upload/",
        ),
        ({**PERIOD, **paths, "existing_submission_id": 987654}, 400, "No such submission"),
    ]
    for body, status, message in cases:
        assert api.post("/v1/submit_files/", body)[::2] == (status, {"message": message}), message


def test_finalize_refusals(api: Api) -> None:
    answer = _submit(api)
    for body, message in [
        ({}, "upload_id: Missing data for required field."),
        ({"upload_id": "abc"}, "upload_id: Not a valid integer."),
        ({"upload_id": 987654321}, "No such job"),
        ({"upload_id": answer["award_procurement_id"]}, "The file for this job has not been uploaded"),
    ]:
        assert api.post("/v1/finalize_job/", body)[::2] == (400, {"message": message})


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("POST", "/v1/submit_files/"),
        ("POST", "/v1/local_upload/"),
        ("POST", "/v1/finalize_job/"),
        ("POST", "/v1/restart_validation/"),
        ("POST", "/v1/delete_submission/"),
        ("POST", "/v1/certify_submission/"),
        ("GET", "/v1/submission/1/narrative"),
        ("POST", "/v1/submission/1/narrative"),
        ("GET", "/v1/get_protected_files"),
    ],
)
def test_login_is_required(anonymous: Api, method: str, path: str) -> None:
    status, _, body = anonymous.call(method, path, {} if method == "POST" else None)
    assert (status, body) == (401, {"message": "Login Required"})


# --------------------------------------------------------------------------- narratives, restart, delete


def test_narratives_round_trip(api: Api) -> None:
    sid = _submit(api)["submission_id"]
    empty = {letter: "" for letter in ("A", "B", "C", "D1", "D2", "E", "F", "D2_detached")}
    assert api.get(f"/v1/submission/{sid}/narrative")[::2] == (200, empty)
    assert api.post(f"/v1/submission/{sid}/narrative", {"a": " About A ", "F": "About F", "Z": "no"})[
        ::2
    ] == (
        200,
        {},
    )
    assert api.get(f"/v1/submission/{sid}/narrative/")[2] == {**empty, "A": "About A", "F": "About F"}
    assert api.post(f"/v1/submission/{sid}/narrative", {"C": "only C"})[0] == 200
    assert api.get(f"/v1/submission/{sid}/narrative")[2] == {**empty, "C": "only C"}
    assert api.get("/v1/submission/987654/narrative")[::2] == (400, {"message": "No such submission"})


def test_restart_validation(api: Api) -> None:
    answer = _submit(api)
    sid, root = answer["submission_id"], _root(answer)
    still = (400, {"message": "Submission is still uploading or validating"})
    assert api.post("/v1/restart_validation/", {"submission_id": sid})[::2] == still
    _finalize_all(api, answer)

    deadline = time.monotonic() + 120
    while True:  # until the worker has validated the files once
        status, _, body = api.post("/v1/restart_validation/", {"submission_id": sid})
        if (status, body) != still or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert (status, body) == (200, {"message": "Success"})
    assert _upload_statuses(root, sid) == {"A": FILE_STATUS["finished"], "B": 4, "C": 4}  # files kept


def test_delete_submission_and_its_files(api: Api) -> None:
    answer = _submit(api)
    sid, root = answer["submission_id"], _root(answer)
    key = answer["appropriations_key"]
    assert _local_get(api, root, key)[0] == 200

    assert api.post("/v1/delete_submission/", {"submission_id": sid})[::2] == (200, {"message": "Success"})

    assert api.post("/v1/delete_submission/", {"submission_id": sid})[::2] == (
        400,
        {"message": "No such submission"},
    )
    assert api.get(f"/v1/submission/{sid}/narrative")[::2] == (400, {"message": "No such submission"})
    assert not (root / key).exists()
    assert _local_get(api, root, key)[0] == 404
    assert _upload_statuses(root, sid) == {}


# --------------------------------------------------------------------------- certify


@pytest.fixture(scope="module")
def certifier(server: str, server_data_dir: Path) -> Api:
    """A submitter for agency 020, added to the running server's database."""
    return logged_in_user(server, server_data_dir, CERTIFIER, "Cert Ifier", "--affiliation", "020:submitter")


def test_certify_refusals(api: Api, certifier: Api) -> None:
    sid = _submit(api)["submission_id"]
    denied = (403, {"message": "User does not have permission to access that submission"})
    assert api.post("/v1/certify_submission/", {"submission_id": sid})[::2] == denied  # a writer, the owner
    critical = (400, {"message": "Submission cannot be certified due to critical errors"})
    assert certifier.post("/v1/certify_submission/", {"submission_id": sid})[::2] == critical
    assert certifier.post("/v1/certify_submission/", {"submission_id": 987654})[::2] == (
        400,
        {"message": "No such submission"},
    )


# --------------------------------------------------------------------------- help files and local files


def test_protected_files_are_listed_with_links(api: Api) -> None:
    root = _root(_submit(api))
    (root / "help").mkdir(exist_ok=True)
    (root / "help" / "Guide.txt").write_bytes(b"read me\n")
    status, _, body = api.get("/v1/get_protected_files/")
    assert status == 200
    url = body["urls"]["Guide.txt"]
    assert url.startswith(api.base + "/v1/files/help/Guide.txt?")
    status, _, content = api.call("GET", url.removeprefix(api.base), session=False)
    assert (status, content) == (200, b"read me\n")


def test_local_files_are_served_from_the_storage_folder_only(
    api: Api, anonymous: Api, tmp_path: Path
) -> None:
    answer = _submit(api)
    root = _root(answer)
    key = answer["program_activity_key"]
    status, headers, content = _local_get(api, root, key)
    assert (status, content) == (200, b"header_of_program_activity\nvalue\n")
    assert headers["content-type"].startswith("text/csv")
    assert _local_get(anonymous, root, key)[::2] == (401, {"message": "Login Required"})

    secret = tmp_path / "outside.txt"
    secret.write_bytes(b"secret")
    link = root / f"escape-{uuid.uuid4().hex}"
    os.symlink(secret, link)
    hidden = root / "uploads" / ".hidden.partial"
    hidden.write_bytes(b"half")
    quoted_root = urllib.parse.quote(str(root))
    for path in [
        "/..%2f..%2fetc/passwd",
        "//etc/passwd",
        "/etc/passwd",
        f"{quoted_root}/..%2f..%2fetc/passwd",
        f"{quoted_root}/%2e%2e/%2e%2e/etc/passwd",
        f"{quoted_root}//etc/passwd",
        f"{quoted_root}/{link.name}",
        f"{quoted_root}/uploads/.hidden.partial",
        f"{quoted_root}/uploads",
        f"{quoted_root}/",
        f"{quoted_root}/{urllib.parse.quote(str(secret))}",
    ]:
        status, _, body = api.get(path)
        assert status == 404, (path, body)
        assert b"secret" not in (body if isinstance(body, bytes) else str(body).encode())

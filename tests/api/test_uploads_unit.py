"""``/v1/local_upload/`` in-process (falcon.testing): body limits, streaming, S3 mode.

A real SubmissionUploadService over the in-memory unit of work and a real LocalFileStorage.
"""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import falcon.testing
import pytest

from broker_adapters.local_storage import LocalFileStorage
from broker_adapters.local_upload_credentials import LocalUploadCredentials
from broker_core.errors import LoginRequired
from broker_core.services.submission_uploads import SubmissionUploadService
from broker_core.users import User
from broker_entrypoints.api.app import create_app
from tests.api.fake_broker import FakeBroker
from tests.unit.fakes import FakeClock, FakeQueue, FakeUnitOfWorkFactory

SESSION = "session-of-ann"
ANN = User("ann@example.com", "Ann", user_id=7)
LIMIT = 1000
MiB = 1024 * 1024


class OneUserAuth:
    def authenticate(self, session_uid: str | None) -> User:
        if session_uid != SESSION:
            raise LoginRequired()
        return ANN


def _client(tmp_path: Path, *, local_mode: bool = True, limit: int = LIMIT) -> tuple[Any, LocalFileStorage]:
    storage = LocalFileStorage(tmp_path / "files", public_base_url="http://testserver", secret_key=b"k")
    service = SubmissionUploadService(
        uow_factory=FakeUnitOfWorkFactory(),
        storage=storage,
        queue=FakeQueue(),
        clock=FakeClock(),
        upload_credentials=LocalUploadCredentials(storage.root),
        local_mode=local_mode,
        max_upload_bytes=limit,
    )
    broker = FakeBroker(
        OneUserAuth(), download_verifier=storage if local_mode else None, submission_uploads=service
    )
    return falcon.testing.TestClient(create_app(broker)), storage  # type: ignore[arg-type]


def _post(client: Any, content: bytes, filename: str = "a.csv", **headers: str) -> falcon.testing.Result:
    boundary = uuid.uuid4().hex
    body = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{filename}"\r\n\r\n'.encode()
        + content
        + f"\r\n--{boundary}--\r\n".encode()
    )
    return client.simulate_post(
        "/v1/local_upload/",
        body=body,
        headers={
            "X-Session-ID": SESSION,
            "Content-Type": f"multipart/form-data; boundary={boundary}",
            **headers,
        },
    )


def _stored(storage: LocalFileStorage) -> list[str]:
    return sorted(p.relative_to(storage.root).as_posix() for p in storage.root.rglob("*") if p.is_file())


def test_upload_is_stored_under_the_users_folder(tmp_path: Path) -> None:
    client, storage = _client(tmp_path)
    result = _post(client, b"a,b\n1,2\n", "my file.csv")
    assert result.status_code == 200, result.text
    path = result.json["path"]
    assert path.startswith("uploads/7/") and path.endswith("_my_file.csv")
    assert _stored(storage) == [path]
    assert b"".join(storage.read(path)) == b"a,b\n1,2\n"


def test_uploads_may_be_larger_than_json_bodies(tmp_path: Path) -> None:
    client, storage = _client(tmp_path, limit=12 * MiB)
    result = _post(client, b"x" * (11 * MiB))
    assert result.status_code == 200, result.text
    assert storage.size(result.json["path"]) == 11 * MiB


def test_an_announced_body_over_the_limit_is_413_before_reading(tmp_path: Path) -> None:
    client, storage = _client(tmp_path)
    result = _post(client, b"x", **{"Content-Length": str(LIMIT + 2 * MiB)})
    assert result.status_code == 413 and set(result.json) == {"message"}
    assert _stored(storage) == []


def test_a_file_over_the_limit_is_413_and_leaves_nothing(tmp_path: Path) -> None:
    client, storage = _client(tmp_path)
    result = _post(client, b"x" * (LIMIT + 1))
    assert result.status_code == 413
    assert result.json == {"message": "The file is larger than the limit of 1000 bytes"}
    assert _stored(storage) == []  # no file, no temporary file


@pytest.mark.parametrize("session", [None, "forged"])
def test_login_comes_first(tmp_path: Path, session: str | None) -> None:
    client, _ = _client(tmp_path, local_mode=False)
    headers = {"X-Session-ID": session} if session else {}
    result = client.simulate_post("/v1/local_upload/", body=b"x", headers=headers)
    assert (result.status_code, result.json) == (401, {"message": "Login Required"})


def test_s3_mode_refuses_local_uploads(tmp_path: Path) -> None:
    client, storage = _client(tmp_path, local_mode=False)
    result = _post(client, b"a,b\n")
    assert (result.status_code, result.json) == (400, {"message": "Route Only Valid For Local Installs"})
    assert _stored(storage) == []
    # ...and serves no local files.
    (storage.root / "x.csv").write_bytes(b"x")
    result = client.simulate_get(f"{storage.root}/x.csv", headers={"X-Session-ID": SESSION})
    assert result.status_code == 404

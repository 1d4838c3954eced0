"""A real ``broker serve`` process on a free port, with the sample data and a user."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.cas_server import FakeCas, fake_cas

BROKER = [sys.executable, "-m", "broker_entrypoints.cli"]
PASSWORD = "correct horse battery"
#: The MAX parent group the server is configured with (not the default, so the setting is tested).
CAS_PARENT_GROUP = "DATABROKER"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def run_cli(data_dir: Path, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*BROKER, *args, "--data-dir", str(data_dir)],
        input=stdin,
        text=True,
        capture_output=True,
        check=False,
        timeout=300,
    )


def add_user(data_dir: Path, email: str, name: str, *args: str) -> None:
    """``broker users add`` with the tests' password; ``args`` such as ``--affiliation 020:writer``."""
    done = run_cli(
        data_dir, "users", "add", email, "--name", name, "--password-stdin", *args, stdin=PASSWORD + "\n"
    )
    assert done.returncode == 0, done.stderr


def logged_in_user(server: str, data_dir: Path, email: str, name: str, *args: str) -> Api:
    """A new user of the running server's database (see :func:`add_user`), logged in."""
    add_user(data_dir, email, name, *args)
    client = Api(server)
    client.login(email)
    return client


class Api:
    """A tiny HTTP client over urllib (no extra dependency) that never raises on 4xx/5xx."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.session: str | None = None

    def call(
        self,
        method: str,
        path: str,
        body: Any = None,
        *,
        headers: dict[str, str] | None = None,
        raw: bytes | None = None,
        session: bool = True,
    ) -> tuple[int, dict[str, str], Any]:
        data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
        request = urllib.request.Request(self.base + path, data=data, method=method)
        if body is not None and raw is None:
            request.add_header("Content-Type", "application/json")
        if session and self.session:
            request.add_header("X-Session-ID", self.session)
        for key, value in (headers or {}).items():
            request.add_header(key, value)
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                status, hdrs, payload = response.status, dict(response.headers), response.read()
        except urllib.error.HTTPError as error:
            status, hdrs, payload = error.code, dict(error.headers), error.read()
        try:
            parsed: Any = json.loads(payload) if payload else None
        except ValueError:
            parsed = payload
        return status, {k.lower(): v for k, v in hdrs.items()}, parsed

    def get(self, path: str, **kw: Any) -> tuple[int, dict[str, str], Any]:
        return self.call("GET", path, **kw)

    def post(self, path: str, body: Any = None, **kw: Any) -> tuple[int, dict[str, str], Any]:
        return self.call("POST", path, body, **kw)

    def login(self, username: str = "analyst@example.com", password: str = PASSWORD) -> None:
        status, headers, body = self.post(
            "/v1/login/", {"username": username, "password": password}, session=False
        )
        assert status == 200, body
        self.session = headers["x-session-id"]

    def upload(self, path: str, field: str, filename: str, content: bytes) -> tuple[int, dict[str, str], Any]:
        """POST one file as ``multipart/form-data``."""
        boundary = "broker-test-boundary-7d1f"
        raw = (
            (
                f'--{boundary}\r\nContent-Disposition: form-data; name="{field}"; filename="{filename}"\r\n'
                f"Content-Type: text/csv\r\n\r\n"
            ).encode()
            + content
            + f"\r\n--{boundary}--\r\n".encode()
        )
        return self.call(
            "POST", path, raw=raw, headers={"Content-Type": f"multipart/form-data; boundary={boundary}"}
        )

    def wait_for(self, job_id: int, timeout: float = 60) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while True:
            status, _, body = self.get(f"/v1/check_detached_generation_status/?job_id={job_id}")
            assert status == 200, body
            if body["status"] != "waiting" or time.monotonic() > deadline:
                return dict(body)
            time.sleep(0.1)


@pytest.fixture(scope="session")
def cas() -> Iterator[FakeCas]:
    """The stand-in for MAX's CAS server that ``broker serve`` validates tickets with."""
    with fake_cas() as server:
        yield server


@pytest.fixture(scope="session")
def server_data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The session server's data folder (tests may add users to it with ``run_cli``)."""
    return tmp_path_factory.mktemp("broker-data")


@pytest.fixture(scope="session")
def server(server_data_dir: Path, cas: FakeCas) -> Iterator[str]:
    data_dir = server_data_dir
    for args, stdin in (
        (("load", "sample"), None),
        (
            (
                "users",
                "add",
                "analyst@example.com",
                "--name",
                "Ann Analyst",
                "--password-stdin",
                "--affiliation",
                "020:writer",
            ),
            PASSWORD + "\n",
        ),
    ):
        done = run_cli(data_dir, *args, stdin=stdin)
        assert done.returncode == 0, done.stderr
    port = _free_port()
    env = dict(
        os.environ, BROKER_URL_EXPIRY="60", BROKER_CAS_URL=cas.url, BROKER_CAS_PARENT_GROUP=CAS_PARENT_GROUP
    )
    yield from serving([*BROKER, "serve", "--port", str(port), "--data-dir", str(data_dir)], port, env)


def serving(command: list[str], port: int, env: dict[str, str]) -> Iterator[str]:
    """Run a server process for a fixture: yield its base URL once it answers ``GET /``, stop it after."""
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(base + "/", timeout=2):
                break
        except OSError as exc:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                raise RuntimeError(
                    f"{' '.join(command[2:])} did not start: " + process.stderr.read().decode()[-3000:]
                ) from exc
            time.sleep(0.2)
    yield base
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()


@pytest.fixture
def api(server: str) -> Api:
    client = Api(server)
    client.login()
    return client


@pytest.fixture
def anonymous(server: str) -> Api:
    return Api(server)

"""The Falcon app in-process (falcon.testing) over hand-written fake services."""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import time
import urllib.parse
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import attrs
import falcon
import falcon.testing
import pytest

from broker_core.errors import LoginRequired, RequestInvalid
from broker_core.generation.model import GenerationStatus
from broker_core.services.auth import AffiliationView, LoginResult, UserView
from broker_core.users import User
from broker_entrypoints.api.app import create_app
from tests.api.fake_broker import FakeBroker

PASSWORD = "s3cret"
SESSION = "session-of-ann"
ANN = User(email="ann@example.com", name="Ann Analyst", user_id=7)
ANN_VIEW = UserView(
    user_id=7,
    name="Ann Analyst",
    title=None,
    skip_guide=False,
    website_admin=False,
    affiliations=[AffiliationView(agency_name="Department of the Treasury", permission="writer")],
)
USER_KEYS = {"user_id", "name", "title", "skip_guide", "website_admin", "affiliations"}
D1_STATUS = GenerationStatus(
    job_id=12,
    status="waiting",
    file_type="D1",
    message="",
    url="#",
    size=None,
    generated_at="2024-01-02 03:04:05.123456",
    start="10/01/2016",
    end="12/31/2016",
)
A_STATUS = GenerationStatus(
    job_id=13,
    status="finished",
    file_type="A",
    message="",
    url="http://testserver/v1/files/x.csv",
    size=42,
    generated_at="2024-01-02 03:04:05",
)
PROTECTED = [
    ("GET", "/v1/current_user/"),
    ("GET", "/v1/active_user/"),
    ("POST", "/v1/generate_detached_file/"),
    ("GET", "/v1/check_detached_generation_status/?job_id=1"),
    ("POST", "/v1/check_detached_generation_status/"),
    ("GET", "/v1/get_detached_file_url/?job_id=1"),
]


class FakeAuth:
    def __init__(self) -> None:
        self.sessions: dict[str, User] = {}
        self.logged_out: list[str | None] = []

    def login(self, form: Mapping[str, object], *, client_address: str | None = None) -> LoginResult:
        self.client_address = client_address
        if "username" not in form:
            raise RequestInvalid("username: Missing data for required field.")
        if form.get("username") != ANN.email or form.get("password") != PASSWORD:
            raise LoginRequired("Invalid username and/or password")
        self.sessions[SESSION] = ANN
        return LoginResult(session_uid=SESSION, user=ANN_VIEW)

    def logout(self, session_uid: str | None) -> None:
        self.logged_out.append(session_uid)
        self.sessions.pop(session_uid or "", None)

    def authenticate(self, session_uid: str | None) -> User:
        user = self.sessions.get(session_uid or "")
        if user is None:
            raise LoginRequired()
        return user

    def session_is_live(self, session_uid: str | None) -> bool:
        return (session_uid or "") in self.sessions

    def user_view(self, user: User) -> UserView:
        assert user is ANN
        return ANN_VIEW


class FakeGeneration:
    def __init__(self) -> None:
        self.calls: list[tuple[str, Any]] = []
        self.status = D1_STATUS
        self.error: Exception | None = None

    def _answer(self, call: str, argument: Any) -> None:
        self.calls.append((call, argument))
        if self.error is not None:
            raise self.error

    def request_detached(self, payload: Mapping[str, object], user_id: int | None) -> GenerationStatus:
        self._answer("request", (dict(payload), user_id))
        return self.status

    def detached_status(self, job_id_value: object) -> GenerationStatus:
        self._answer("status", job_id_value)
        return self.status

    def detached_file_url(self, job_id_value: object) -> str:
        self._answer("url", job_id_value)
        return f"http://testserver/v1/files/job-{job_id_value}.csv"


class FakeVerifier:
    """Signs like a local storage would: HMAC over key, expiry and filename."""

    secret = b"test-secret"

    def __init__(self, root: Path) -> None:
        self.root = root

    def sign(self, key: str, expires: str, filename: str) -> str:
        message = "\n".join((key, expires, filename)).encode()
        return hmac.new(self.secret, message, hashlib.sha256).hexdigest()

    def verify(self, key: str, expires: str, filename: str, signature: str) -> bool:
        if not hmac.compare_digest(self.sign(key, expires, filename), signature):
            return False
        return int(expires) >= time.time()

    def path_for(self, key: str) -> Path:
        return self.root / key

    def url(self, key: str, filename: str, expires_in: int = 60) -> str:
        expires = str(int(time.time()) + expires_in)
        query = urllib.parse.urlencode(
            {"expires": expires, "filename": filename, "signature": self.sign(key, expires, filename)}
        )
        return f"/v1/files/{urllib.parse.quote(key)}?{query}"


@pytest.fixture
def auth() -> FakeAuth:
    return FakeAuth()


@pytest.fixture
def generation() -> FakeGeneration:
    return FakeGeneration()


@pytest.fixture
def verifier(tmp_path: Path) -> FakeVerifier:
    return FakeVerifier(tmp_path)


@pytest.fixture
def client(auth: FakeAuth, generation: FakeGeneration, verifier: FakeVerifier) -> falcon.testing.TestClient:
    return falcon.testing.TestClient(create_app(FakeBroker(auth, generation, verifier)))


@pytest.fixture
def logged_in(client: falcon.testing.TestClient) -> falcon.testing.TestClient:
    result = client.simulate_post("/v1/login/", json={"username": ANN.email, "password": PASSWORD})
    assert result.status_code == 200
    return client


def call(
    client: falcon.testing.TestClient,
    method: str,
    url: str,
    *,
    session: str | None = SESSION,
    **kwargs: Any,
) -> falcon.testing.Result:
    path, _, query = url.partition("?")
    headers = dict(kwargs.pop("headers", {}))
    if session is not None:
        headers["X-Session-ID"] = session
    return client.simulate_request(method, path, query_string=query or None, headers=headers, **kwargs)


# ---------------------------------------------------------------- login required


@pytest.mark.parametrize(("method", "url"), PROTECTED)
@pytest.mark.parametrize("session", [None, "", "forged-session-id"])
def test_protected_routes_require_a_login(
    client: falcon.testing.TestClient,
    generation: FakeGeneration,
    method: str,
    url: str,
    session: str | None,
) -> None:
    result = call(client, method, url, session=session, json={"job_id": 1} if method == "POST" else None)
    assert (result.status_code, result.json) == (401, {"message": "Login Required"})
    assert generation.calls == []


@pytest.mark.parametrize(("method", "url"), PROTECTED)
def test_protected_routes_work_when_logged_in(
    logged_in: falcon.testing.TestClient, method: str, url: str
) -> None:
    result = call(logged_in, method, url, json={"job_id": 1} if method == "POST" else None)
    assert result.status_code == 200, result.text


def test_session_header_name_is_case_insensitive(logged_in: falcon.testing.TestClient) -> None:
    result = call(logged_in, "GET", "/v1/current_user/", session=None, headers={"x-session-id": SESSION})
    assert result.status_code == 200


@pytest.mark.parametrize("path", ["/", "/v1/session/"])
def test_open_routes_need_no_login(client: falcon.testing.TestClient, path: str) -> None:
    assert client.simulate_get(path).status_code == 200


def test_root(client: falcon.testing.TestClient) -> None:
    result = client.simulate_get("/")
    assert result.json == "Broker is running"
    assert result.headers["content-type"].startswith("application/json")


# ---------------------------------------------------------------- users and sessions


def test_login_with_json(client: falcon.testing.TestClient) -> None:
    result = client.simulate_post("/v1/login/", json={"username": ANN.email, "password": PASSWORD})
    assert result.status_code == 200
    assert result.json == {
        "message": "Login successful",
        "user_id": 7,
        "name": "Ann Analyst",
        "title": None,
        "skip_guide": False,
        "website_admin": False,
        "affiliations": [{"agency_name": "Department of the Treasury", "permission": "writer"}],
    }
    assert result.headers["x-session-id"] == SESSION
    exposed = result.headers["access-control-expose-headers"].lower()
    assert "x-session-id" in [h.strip() for h in exposed.split(",")]


def test_login_with_a_form(client: falcon.testing.TestClient) -> None:
    result = client.simulate_post(
        "/v1/login",
        body=urllib.parse.urlencode({"username": ANN.email, "password": PASSWORD}),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert result.status_code == 200 and result.json["message"] == "Login successful"
    assert result.headers["x-session-id"] == SESSION


def test_failed_logins(client: falcon.testing.TestClient) -> None:
    wrong = client.simulate_post("/v1/login/", json={"username": ANN.email, "password": "nope"})
    assert (wrong.status_code, wrong.json) == (401, {"message": "Invalid username and/or password"})
    assert "x-session-id" not in wrong.headers
    empty = client.simulate_post("/v1/login/")
    assert (empty.status_code, empty.json) == (400, {"message": "username: Missing data for required field."})


def test_session_current_user_and_logout(logged_in: falcon.testing.TestClient, auth: FakeAuth) -> None:
    assert call(logged_in, "GET", "/v1/session/").json == {"status": "True"}
    assert call(logged_in, "GET", "/v1/session/", session="other").json == {"status": "False"}
    assert call(logged_in, "GET", "/v1/session/", session=None).json == {"status": "False"}
    for path in ("/v1/current_user/", "/v1/active_user/", "/v1/active_user"):
        user = call(logged_in, "GET", path)
        assert user.status_code == 200 and set(user.json) == USER_KEYS
        assert user.json["affiliations"] == [
            {"agency_name": "Department of the Treasury", "permission": "writer"}
        ]
    result = call(logged_in, "POST", "/v1/logout/")
    assert (result.status_code, result.json) == (200, {"message": "Logout successful"})
    assert auth.logged_out == [SESSION]
    assert call(logged_in, "GET", "/v1/session/").json == {"status": "False"}
    assert call(logged_in, "GET", "/v1/current_user/").status_code == 401


def test_logout_without_a_session_is_fine(client: falcon.testing.TestClient, auth: FakeAuth) -> None:
    result = client.simulate_post("/v1/logout")
    assert (result.status_code, result.json) == (200, {"message": "Logout successful"})
    assert auth.logged_out == [None]


# ---------------------------------------------------------------- CORS


def test_preflight_is_answered_without_login(client: falcon.testing.TestClient) -> None:
    result = client.simulate_options(
        "/v1/generate_detached_file/",
        headers={
            "Origin": "http://localhost:3000",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "x-session-id,content-type",
        },
    )
    assert result.status_code in (200, 204)
    headers = result.headers
    assert headers["access-control-allow-origin"] == "*"
    allowed = {h.strip().lower() for h in headers["access-control-allow-headers"].split(",")}
    assert {"x-session-id", "content-type"} <= allowed
    assert "POST" in headers["access-control-allow-methods"]
    assert "x-session-id" in headers["access-control-expose-headers"].lower()
    assert "access-control-allow-credentials" not in headers


@pytest.mark.parametrize("path", ["/v1/check_detached_generation_status", "/v1/login/", "/v1/files/a/b.csv"])
def test_preflight_on_other_routes(client: falcon.testing.TestClient, path: str) -> None:
    result = client.simulate_options(
        path,
        headers={"Origin": "http://x", "Access-Control-Request-Method": "GET"},
    )
    assert result.status_code in (200, 204)
    assert result.headers["access-control-allow-origin"] == "*"
    assert "x-session-id" in result.headers["access-control-allow-headers"].lower()


def test_cors_headers_on_errors_too(client: falcon.testing.TestClient) -> None:
    result = client.simulate_get("/v1/current_user/", headers={"Origin": "http://x"})
    assert result.status_code == 401
    assert result.headers["access-control-allow-origin"] == "*"
    assert result.headers["access-control-expose-headers"] == "X-Session-Id"


def test_restricted_origins(auth: FakeAuth, generation: FakeGeneration) -> None:
    app = create_app(FakeBroker(auth, generation, None, cors_origins=["https://broker.example.gov"]))
    client = falcon.testing.TestClient(app)
    good = client.simulate_get("/", headers={"Origin": "https://broker.example.gov"})
    assert good.headers["access-control-allow-origin"] == "https://broker.example.gov"
    assert "origin" in good.headers["vary"].lower()
    bad = client.simulate_get("/", headers={"Origin": "https://evil.example.com"})
    assert "access-control-allow-origin" not in bad.headers
    assert bad.headers["access-control-expose-headers"] == "X-Session-Id"


# ---------------------------------------------------------------- routing and errors


@pytest.mark.parametrize("path", ["/v1/session", "/v1/session/"])
def test_trailing_slash_is_optional(client: falcon.testing.TestClient, path: str) -> None:
    assert client.simulate_get(path).json == {"status": "False"}


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("GET", "/v1/check_detached_generation_status?job_id=3"),
        ("GET", "/v1/check_detached_generation_status/?job_id=3"),
        ("POST", "/v1/generate_detached_file"),
        ("GET", "/v1/get_detached_file_url?job_id=3"),
    ],
)
def test_trailing_slash_is_optional_when_logged_in(
    logged_in: falcon.testing.TestClient, method: str, url: str
) -> None:
    assert call(logged_in, method, url, json={} if method == "POST" else None).status_code == 200


@pytest.mark.parametrize("session", [SESSION, None])
def test_wrong_method_is_405_json(logged_in: falcon.testing.TestClient, session: str | None) -> None:
    result = call(logged_in, "DELETE", "/v1/generate_detached_file/", session=session)
    assert result.status_code == 405
    assert set(result.json) == {"message"} and result.json["message"]
    assert "POST" in result.headers["allow"]
    assert call(logged_in, "GET", "/v1/login/").status_code == 405
    assert call(logged_in, "GET", "/v1/logout/").status_code == 405


def test_unknown_route_is_404_json(client: falcon.testing.TestClient) -> None:
    result = client.simulate_get("/v1/no_such_route/")
    assert result.status_code == 404 and set(result.json) == {"message"}


@pytest.mark.parametrize(
    ("body", "content_type", "status", "message"),
    [
        (b"{not json", "application/json", 400, "Request body is not valid JSON"),
        (b"[1, 2]", "application/json", 400, "Request body must be a JSON object"),
        (b'"text"', "application/json", 400, "Request body must be a JSON object"),
        (b"null", "application/json; charset=utf-8", 400, "Request body must be a JSON object"),
        (b"[" * 100_000, "application/json", 400, "Request body is not valid JSON"),
        (b'{"n": 1' + b"0" * 5000 + b"}", "application/json", 400, "Request body is not valid JSON"),
        (b'{"file_type": "\\ud800"}', "application/json", 400, "Request body is not valid UTF-8"),
        (b"\xff\xfe\x00garbage\x80", "application/json", 400, "Request body is not valid UTF-8"),
        (b"\xff\xfe\x00garbage\x80", None, 400, "Request body is not valid UTF-8"),
        (b"file_type=%FF", "application/x-www-form-urlencoded", 400, "Request body is not valid UTF-8"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "image/png", 415, None),
    ],
)
def test_bad_bodies_are_4xx(
    logged_in: falcon.testing.TestClient,
    generation: FakeGeneration,
    body: bytes,
    content_type: str | None,
    status: int,
    message: str | None,
) -> None:
    headers = {"Content-Type": content_type} if content_type else {}
    result = call(logged_in, "POST", "/v1/generate_detached_file/", body=body, headers=headers)
    assert result.status_code == status
    assert set(result.json) == {"message"}
    if message is not None:
        assert result.json["message"] == message
    assert generation.calls == []


def test_oversized_bodies_are_413(logged_in: falcon.testing.TestClient) -> None:
    announced = call(
        logged_in,
        "POST",
        "/v1/generate_detached_file/",
        body=b"{}",
        headers={"Content-Type": "application/json", "Content-Length": str(11 * 1024 * 1024)},
    )
    assert announced.status_code == 413 and set(announced.json) == {"message"}
    big = json.dumps({"file_type": "D1", "pad": "x" * (10 * 1024 * 1024)})
    result = call(logged_in, "POST", "/v1/generate_detached_file/", body=big)
    assert result.status_code == 413
    assert result.headers["access-control-allow-origin"] == "*"


@pytest.mark.parametrize("length", ["abc", "-5"])
def test_invalid_content_length_is_400(auth: FakeAuth, generation: FakeGeneration, length: str) -> None:
    # falcon.testing refuses to send such a header, so call the WSGI app directly.
    app = create_app(FakeBroker(auth, generation, None))
    environ = falcon.testing.create_environ("/v1/login/", method="POST", body=b"{}")
    environ["CONTENT_LENGTH"] = length
    started: list[str] = []
    body = b"".join(app(environ, lambda status, headers, exc_info=None: started.append(status)))
    assert started[0].startswith("400")
    assert set(json.loads(body)) == {"message"}


def test_broker_errors_keep_status_and_message(
    logged_in: falcon.testing.TestClient, generation: FakeGeneration
) -> None:
    generation.error = RequestInvalid("file_type: Must be one of: A, D1, D2.")
    result = call(logged_in, "POST", "/v1/generate_detached_file/", json={"file_type": "B"})
    assert (result.status_code, result.json) == (400, {"message": "file_type: Must be one of: A, D1, D2."})


def test_unexpected_errors_are_a_generic_500(
    logged_in: falcon.testing.TestClient, generation: FakeGeneration, caplog: pytest.LogCaptureFixture
) -> None:
    generation.error = KeyError("secret internal detail")
    with caplog.at_level(logging.ERROR):
        result = call(logged_in, "GET", "/v1/check_detached_generation_status/?job_id=1")
    assert (result.status_code, result.json) == (500, {"message": "An internal error occurred"})
    assert "secret" not in result.text and "Traceback" not in result.text
    assert "secret internal detail" in caplog.text  # logged with its traceback instead


# ---------------------------------------------------------------- generation routes


def test_generate_passes_body_and_user(
    logged_in: falcon.testing.TestClient, generation: FakeGeneration
) -> None:
    body = {"file_type": "D1", "cgac_code": "020", "start": "10/01/2016", "end": "12/31/2016"}
    result = call(logged_in, "POST", "/v1/generate_detached_file/", json=body)
    assert result.status_code == 200
    assert generation.calls == [("request", (body, 7))]


def test_generate_accepts_a_form(logged_in: falcon.testing.TestClient, generation: FakeGeneration) -> None:
    result = call(
        logged_in,
        "POST",
        "/v1/generate_detached_file/",
        body="file_type=A&cgac_code=097&year=2017&period=6&year=1999",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert result.status_code == 200
    assert generation.calls == [
        ("request", ({"file_type": "A", "cgac_code": "097", "year": "2017", "period": "6"}, 7))
    ]


def test_status_with_start_and_end(logged_in: falcon.testing.TestClient) -> None:
    result = call(logged_in, "POST", "/v1/generate_detached_file/", json={"file_type": "D1"})
    assert result.json == {
        "job_id": 12,
        "status": "waiting",
        "file_type": "D1",
        "url": "#",
        "size": None,
        "start": "10/01/2016",
        "end": "12/31/2016",
        "message": "",
        "generated_at": "2024-01-02 03:04:05.123456",
    }


def test_status_without_start_and_end(
    logged_in: falcon.testing.TestClient, generation: FakeGeneration
) -> None:
    generation.status = A_STATUS
    result = call(logged_in, "GET", "/v1/check_detached_generation_status/?job_id=13")
    assert set(result.json) == {"job_id", "status", "file_type", "url", "size", "message", "generated_at"}
    assert result.json["size"] == 42 and result.json["url"] == A_STATUS.url


def test_empty_start_and_end_are_kept(
    logged_in: falcon.testing.TestClient, generation: FakeGeneration
) -> None:
    generation.status = attrs.evolve(D1_STATUS, start="", end="")
    result = call(logged_in, "GET", "/v1/check_detached_generation_status/?job_id=12")
    assert (result.json["start"], result.json["end"]) == ("", "")


@pytest.mark.parametrize(
    ("method", "url", "body", "job_id"),
    [
        ("GET", "/v1/check_detached_generation_status/?job_id=5", None, "5"),
        ("GET", "/v1/check_detached_generation_status/?job_id=5&cache_buster=99&x=", None, "5"),
        ("GET", "/v1/check_detached_generation_status/", None, None),
        ("GET", "/v1/check_detached_generation_status/?job_id=", None, None),
        ("POST", "/v1/check_detached_generation_status/", {"job_id": 6}, 6),
        ("POST", "/v1/check_detached_generation_status/?job_id=5", {"job_id": "6", "other": 1}, "6"),
        ("POST", "/v1/check_detached_generation_status/?job_id=5", None, "5"),
        ("POST", "/v1/check_detached_generation_status/", {}, None),
    ],
)
def test_check_status_reads_job_id(
    logged_in: falcon.testing.TestClient,
    generation: FakeGeneration,
    method: str,
    url: str,
    body: dict[str, Any] | None,
    job_id: object,
) -> None:
    result = call(logged_in, method, url, json=body)
    assert result.status_code == 200
    assert generation.calls == [("status", job_id)]


def test_get_detached_file_url(logged_in: falcon.testing.TestClient, generation: FakeGeneration) -> None:
    result = call(logged_in, "GET", "/v1/get_detached_file_url/?job_id=4&_=1")
    assert (result.status_code, result.json) == (200, {"url": "http://testserver/v1/files/job-4.csv"})
    assert generation.calls == [("url", "4")]
    generation.error = RequestInvalid("This job does not exist.")
    result = call(logged_in, "GET", "/v1/get_detached_file_url/?job_id=4")
    assert (result.status_code, result.json) == (400, {"message": "This job does not exist."})


# ---------------------------------------------------------------- downloads

CONTENT = b"ContractTransactionUniqueKey,PIID\n1,A\n2,B\n"
KEY = "d1/2024-01-02_D1_020 file.csv"


@pytest.fixture
def stored(verifier: FakeVerifier) -> str:
    path = verifier.path_for(KEY)
    path.parent.mkdir(parents=True)
    path.write_bytes(CONTENT)
    return verifier.url(KEY, "SubID-D1_020.csv")


def test_download_streams_the_file(client: falcon.testing.TestClient, stored: str) -> None:
    result = call(client, "GET", stored, session=None)
    assert result.status_code == 200
    assert result.content == CONTENT
    assert result.headers["content-length"] == str(len(CONTENT))
    assert result.headers["content-type"] == "text/csv"
    assert result.headers["content-disposition"] == 'attachment; filename="SubID-D1_020.csv"'
    assert result.headers["access-control-allow-origin"] == "*"
    head = call(client, "HEAD", stored, session=None)
    assert head.status_code == 200 and head.headers["content-length"] == str(len(CONTENT))


def test_download_of_a_txt_file(client: falcon.testing.TestClient, verifier: FakeVerifier) -> None:
    verifier.path_for("a.txt").write_bytes(b"x|y\n")
    result = call(client, "GET", verifier.url("a.txt", 'we"ird\r\nname€.txt'), session=None)
    assert result.status_code == 200 and result.content == b"x|y\n"
    assert result.headers["content-type"] == "text/plain"
    disposition = result.headers["content-disposition"]
    assert disposition.startswith('attachment; filename="we_ird__name_.txt"; filename*=UTF-8')
    assert "\r" not in disposition and "\n" not in disposition


def _tamper(url: str, field: str, value: str) -> str:
    path, _, query = url.partition("?")
    params = dict(urllib.parse.parse_qsl(query))
    if value:
        params[field] = value
    else:
        del params[field]
    return path + "?" + urllib.parse.urlencode(params)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("signature", "0" * 64),
        ("signature", ""),
        ("expires", "9999999999"),
        ("expires", "not-a-number"),
        ("expires", ""),
        ("filename", "other.csv"),
        ("filename", ""),
    ],
)
def test_tampered_links_are_refused(
    client: falcon.testing.TestClient, stored: str, field: str, value: str
) -> None:
    result = call(client, "GET", _tamper(stored, field, value), session=None)
    assert (result.status_code, result.json) == (
        403,
        {"message": "This download link is invalid or has expired."},
    )


def test_other_key_with_a_valid_query_is_refused(client: falcon.testing.TestClient, stored: str) -> None:
    result = call(client, "GET", stored.replace("d1/", "d2/"), session=None)
    assert result.status_code == 403


def test_expired_links_are_refused(
    client: falcon.testing.TestClient, verifier: FakeVerifier, stored: str
) -> None:
    result = call(client, "GET", verifier.url(KEY, "x.csv", expires_in=-5), session=None)
    assert result.status_code == 403


def test_missing_file_is_404(client: falcon.testing.TestClient, verifier: FakeVerifier) -> None:
    result = call(client, "GET", verifier.url("d1/gone.csv", "gone.csv"), session=None)
    assert result.status_code == 404 and set(result.json) == {"message"}


def test_download_ignores_extra_query_parameters(client: falcon.testing.TestClient, stored: str) -> None:
    result = call(client, "GET", stored + "&utm_source=mail", session=None)
    assert result.status_code == 200 and result.content == CONTENT


def test_no_download_route_without_local_storage(auth: FakeAuth, generation: FakeGeneration) -> None:
    client = falcon.testing.TestClient(create_app(FakeBroker(auth, generation, None)))
    assert client.simulate_get("/v1/files/d1/x.csv", params={"signature": "a"}).status_code == 404

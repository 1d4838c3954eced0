"""Security over HTTP against a real ``broker serve``: logins required, file routes confined to the
storage folder, signed links, password storage, login rate limiting, and no stack traces.

The routes are enumerated from the application's own router, so a route added later is checked
for its login as soon as it exists (or must be named public here).
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import sqlite3
import sys
import time
import urllib.parse
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from falcon import inspect as falcon_inspect

from broker_adapters.local_storage import LocalFileStorage
from broker_entrypoints.api.app import create_app
from broker_entrypoints.bootstrap import bootstrap
from broker_entrypoints.config import load_config
from tests.api.conftest import PASSWORD, Api, _free_port, add_user, serving

LOGIN_REQUIRED = {"message": "Login Required"}
#: Routes anyone may call (method, template); every other route and method must refuse a caller without a live session.
PUBLIC = {
    ("GET", "/"),
    ("GET", "/v1/openapi.json"),  # the API's description
    ("POST", "/v1/login"),
    ("POST", "/v1/max_login"),
    ("POST", "/v1/logout"),
    ("GET", "/v1/session"),
    ("GET", "/v1/files/{key:path}"),  # the signature is the credential
    ("HEAD", "/v1/files/{key:path}"),
}
SECRET = b"TOP-SECRET-CONTENT-7f3a"
#: What a stack trace or an internal detail in a body would look like.
LEAK = re.compile(
    r"Traceback|File \"|\.py\b|site-packages|/src/broker|\b\w+(Error|Exception)\b|sqlalchemy|psycopg"
)


def _routes() -> list[tuple[str, str]]:
    """(method, template) of every responder the broker's app has, as ``broker serve`` builds it."""
    data_dir = Path(os.environ.get("TMPDIR", "/tmp")) / f"routes-{uuid.uuid4().hex}"
    broker = bootstrap(load_config({}, data_dir=data_dir), queue_mode="inline")
    try:
        info = falcon_inspect.inspect_app(create_app(broker))
    finally:
        broker.close()
    routes = [
        (m.method, r.path) for r in info.routes for m in r.methods if not m.internal and m.method != "OPTIONS"
    ]
    assert [s.name for s in info.sinks] == ["LocalFile"], "a new sink needs its own login test"
    return routes


ROUTES = _routes()
PROTECTED = sorted(set(ROUTES) - PUBLIC)


def _url(template: str) -> str:
    return re.sub(r"\{[^}]*\}", "1", template) + "/"


def _assert_clean(body: Any) -> None:
    text = body.decode(errors="replace") if isinstance(body, bytes) else repr(body)
    assert not LEAK.search(text), text


# --------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def storage_root(server_data_dir: Path) -> Path:
    return server_data_dir / "files"


@pytest.fixture(scope="module")
def outside(server_data_dir: Path) -> Path:
    """A file next to the storage folder (inside the data folder), which no route may serve."""
    path = server_data_dir / "outside-secret.txt"
    path.write_bytes(SECRET)
    return path


@pytest.fixture(scope="module")
def signer(server: str, server_data_dir: Path) -> LocalFileStorage:
    """Signs links with the server's own key (kept in its data folder)."""
    key = (server_data_dir / "secret_key").read_text().strip().encode()
    return LocalFileStorage(server_data_dir / "files", public_base_url=server, secret_key=key)


@pytest.fixture(scope="module")
def expired(server: str, server_data_dir: Path) -> Api:
    """A client whose session was logged in and has since expired (its row's expiry set in the past)."""
    client = Api(server)
    client.login()
    with sqlite3.connect(server_data_dir / "broker.sqlite3", timeout=30) as db:
        done = db.execute(
            "UPDATE session_map SET expiration = '2000-01-01 00:00:00.000000' WHERE uid = ?",
            (client.session,),
        )
        assert done.rowcount == 1
    return client


@pytest.fixture(scope="module")
def user(server: str) -> Api:
    client = Api(server)
    client.login()
    return client


def _sign(signer: LocalFileStorage, key: str, expires: str, filename: str) -> str:
    message = f"{key}\x00{expires}\x00{filename}".encode()
    return hmac.new(signer._secret_key, message, hashlib.sha256).hexdigest()


def _signed_path(
    signer: LocalFileStorage, key: str, *, filename: str = "f.csv", quoted_key: str | None = None
) -> str:
    """A link to ``key`` signed with the server's key (even for keys the storage would never sign)."""
    expires = str(int(time.time()) + 600)
    query = urllib.parse.urlencode(
        {"expires": expires, "filename": filename, "signature": _sign(signer, key, expires, filename)}
    )
    return f"/v1/files/{quoted_key if quoted_key is not None else key}?{query}"


# --------------------------------------------------------------------------- (a) login required


def test_the_router_has_the_routes_this_file_expects() -> None:
    assert set(ROUTES) >= PUBLIC
    assert len(PROTECTED) >= 25
    assert ("POST", "/v1/submit_files") in PROTECTED and ("GET", "/v1/list_submissions") in PROTECTED


@pytest.mark.parametrize("caller", ["missing", "forged", "expired"])
@pytest.mark.parametrize(("method", "template"), PROTECTED, ids=[f"{m} {t}" for m, t in PROTECTED])
def test_every_non_public_route_refuses_a_caller_without_a_live_session(
    server: str, expired: Api, caller: str, method: str, template: str
) -> None:
    client = expired if caller == "expired" else Api(server)
    if caller == "forged":
        client.session = str(uuid.uuid4())
    body = {} if method == "POST" else None
    status, _, answer = client.call(method, _url(template), body)
    assert status == 401
    if method != "HEAD":
        assert answer == LOGIN_REQUIRED


@pytest.mark.parametrize("caller", ["missing", "forged", "expired"])
def test_the_storage_folder_route_refuses_a_caller_without_a_live_session(
    server: str, expired: Api, storage_root: Path, caller: str
) -> None:
    client = expired if caller == "expired" else Api(server)
    if caller == "forged":
        client.session = str(uuid.uuid4())
    (storage_root / "security").mkdir(parents=True, exist_ok=True)
    (storage_root / "security" / "mine.csv").write_bytes(SECRET)
    status, _, answer = client.get(f"{storage_root}/security/mine.csv")
    assert (status, answer) == (401, LOGIN_REQUIRED)


def test_an_expired_session_stays_expired_and_the_check_says_so(expired: Api) -> None:
    assert expired.get("/v1/session/")[2] == {"status": "False"}
    assert expired.get("/v1/current_user/")[0] == 401


# --------------------------------------------------------------------------- (b) path traversal

TRAVERSALS = [
    "../outside-secret.txt",
    "a/../../outside-secret.txt",
    "%2e%2e/outside-secret.txt",
    "%2e%2e%2foutside-secret.txt",
    "%252e%252e%252foutside-secret.txt",
    "..%5coutside-secret.txt",
    "..\\outside-secret.txt",
    "outside-secret.txt%00.csv",
    "evil-link",
    "evil-dir/outside-secret.txt",
]


@pytest.fixture(scope="module")
def links(storage_root: Path, outside: Path) -> None:
    storage_root.mkdir(parents=True, exist_ok=True)
    for name, target in (("evil-link", outside), ("evil-dir", outside.parent)):
        link = storage_root / name
        if not link.is_symlink():
            link.symlink_to(target)


@pytest.mark.usefixtures("links")
@pytest.mark.parametrize("key", TRAVERSALS)
def test_the_storage_folder_route_serves_nothing_outside_it(user: Api, storage_root: Path, key: str) -> None:
    status, _, answer = user.get(f"{storage_root}/{key}")
    assert status in (400, 403, 404), answer
    assert SECRET not in (answer if isinstance(answer, bytes) else repr(answer).encode())


@pytest.mark.usefixtures("links")
@pytest.mark.parametrize("path", ["/etc/passwd", "//etc/passwd", "/../../../../etc/passwd"])
def test_the_storage_folder_route_refuses_absolute_paths(user: Api, storage_root: Path, path: str) -> None:
    status, _, answer = user.get(f"{storage_root}{path}")
    assert status in (400, 403, 404), answer
    assert "root:" not in repr(answer)


@pytest.mark.usefixtures("links")
@pytest.mark.parametrize("key", [*TRAVERSALS, "/etc/passwd", "%2fetc%2fpasswd"])
def test_signed_download_links_serve_nothing_outside_the_storage_folder(
    server: str, signer: LocalFileStorage, key: str
) -> None:
    """Even a link signed with the server's key: the key itself is checked before any file is opened."""
    decoded = urllib.parse.unquote(key)
    for signed_key in {key, decoded}:
        status, _, answer = Api(server).get(_signed_path(signer, signed_key, quoted_key=key))
        assert status in (400, 403, 404), answer
        assert SECRET not in (answer if isinstance(answer, bytes) else repr(answer).encode())
        assert "root:" not in repr(answer)


# --------------------------------------------------------------------------- (c) signed links


@pytest.fixture(scope="module")
def stored(storage_root: Path) -> str:
    (storage_root / "security").mkdir(parents=True, exist_ok=True)
    (storage_root / "security" / "report.csv").write_bytes(b"a,b\n1,2\n")
    (storage_root / "security" / "other.csv").write_bytes(SECRET)
    return "security/report.csv"


def _tamper(url: str, **changes: str) -> str:
    parts = urllib.parse.urlsplit(url)
    query = dict(urllib.parse.parse_qsl(parts.query))
    path = parts.path
    for name, value in changes.items():
        if name == "path":
            path = value
        else:
            query[name] = value
    return f"{path}?{urllib.parse.urlencode(query)}"


def test_a_valid_link_downloads_the_file(server: str, signer: LocalFileStorage, stored: str) -> None:
    url = signer.url(stored, filename="Report.csv", expires_in=60)
    status, headers, body = Api(server).get(_tamper(url))
    assert (status, body) == (200, b"a,b\n1,2\n")
    assert "Report.csv" in headers["content-disposition"]


def _flip(signature: str) -> str:
    return ("0" if signature[0] != "0" else "1") + signature[1:]


@pytest.mark.parametrize(
    "change",
    [
        "key",
        "filename",
        "expires",
        "signature",
        "upper signature",
        "no signature",
        "expired",
        "empty expires",
    ],
)
def test_tampered_or_expired_links_are_refused(
    server: str, signer: LocalFileStorage, stored: str, change: str
) -> None:
    url = signer.url(stored, filename="Report.csv", expires_in=60)
    query = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(url).query))
    tampered = {
        "key": lambda: _tamper(url, path="/v1/files/security/other.csv"),
        "filename": lambda: _tamper(url, filename="Report.exe"),
        "expires": lambda: _tamper(url, expires=str(int(query["expires"]) + 3600)),
        "signature": lambda: _tamper(url, signature=_flip(query["signature"])),
        "upper signature": lambda: _tamper(url, signature=query["signature"].upper()),
        "no signature": lambda: (
            urllib.parse.urlsplit(url).path + "?expires=" + query["expires"] + "&filename=a.csv"
        ),
        "expired": lambda: _tamper(signer.url(stored, filename="Report.csv", expires_in=-1)),
        "empty expires": lambda: _tamper(url, expires=""),
    }[change]()
    status, _, body = Api(server).get(tampered)
    assert status in (403, 404), body
    assert body == {"message": "This download link is invalid or has expired."}


# --------------------------------------------------------------------------- (d) password storage


def test_passwords_are_stored_only_as_argon2id_hashes(server: str, server_data_dir: Path) -> None:
    with sqlite3.connect(server_data_dir / "broker.sqlite3", timeout=30) as db:
        rows = db.execute("SELECT email, password_hash FROM users WHERE password_hash IS NOT NULL").fetchall()
    assert rows, "the session server has password users"
    for email, password_hash in rows:
        assert password_hash.startswith("$argon2id$"), email
        assert PASSWORD not in password_hash
    for path in server_data_dir.glob("broker.sqlite3*"):  # the database and its journal/WAL
        if path.is_file():  # (not the task locks' folder beside it)
            assert PASSWORD.encode() not in path.read_bytes(), path.name


# --------------------------------------------------------------------------- (e) login rate limiting

WINDOW = 3
PER_ACCOUNT = 3
PER_ADDRESS = 4


@pytest.fixture(scope="module")
def throttled(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Two gunicorn processes over one database, small limits and window, behind a trusted proxy."""
    data_dir = tmp_path_factory.mktemp("throttled")
    for email in ("ann@example.com", "bob@example.com"):
        add_user(data_dir, email, "X")
    port = _free_port()
    env = dict(
        os.environ,
        BROKER_DATA_DIR=str(data_dir),
        BROKER_TRUST_PROXY="1",
        BROKER_LOGIN_MAX_FAILURES_PER_ACCOUNT=str(PER_ACCOUNT),
        BROKER_LOGIN_MAX_FAILURES_PER_ADDRESS=str(PER_ADDRESS),
        BROKER_LOGIN_WINDOW_SECONDS=str(WINDOW),
    )
    command = [sys.executable, "-m", "gunicorn", "--workers", "2", "--bind", f"127.0.0.1:{port}",
               "broker_entrypoints.wsgi:app"]  # fmt: skip
    yield from serving(command, port, env)


def _login(base: str, user: str, password: str, address: str) -> tuple[int, dict[str, str], Any]:
    return Api(base).post(
        "/v1/login/", {"username": user, "password": password}, headers={"X-Forwarded-For": address}
    )


def _assert_429(answer: tuple[int, dict[str, str], Any]) -> None:
    status, headers, body = answer
    assert status == 429, body
    retry_after = int(headers["retry-after"])
    assert 1 <= retry_after <= WINDOW
    assert body == {"message": f"Too many failed login attempts. Try again in {retry_after} seconds."}


def test_an_account_is_locked_after_its_failures_even_from_other_addresses(throttled: str) -> None:
    for i in range(PER_ACCOUNT):
        assert _login(throttled, "ann@example.com", "wrong", f"10.1.0.{i}")[0] == 401
    _assert_429(_login(throttled, "ann@example.com", PASSWORD, "10.1.1.1"))  # the right password too
    _assert_429(_login(throttled, "ANN@example.com", PASSWORD, "10.1.1.2"))
    assert (
        _login(throttled, "bob@example.com", PASSWORD, "10.1.1.1")[0] == 200
    )  # other accounts are not locked
    time.sleep(WINDOW)
    status, headers, _ = _login(throttled, "ann@example.com", PASSWORD, "10.1.1.1")
    assert status == 200 and headers["x-session-id"]


def test_a_successful_login_clears_the_account(throttled: str) -> None:
    for _ in range(PER_ACCOUNT - 1):
        assert _login(throttled, "bob@example.com", "wrong", "10.2.0.1")[0] == 401
    assert _login(throttled, "bob@example.com", PASSWORD, "10.2.0.2")[0] == 200
    for _ in range(PER_ACCOUNT - 1):
        assert _login(throttled, "bob@example.com", "wrong", "10.2.0.3")[0] == 401
    assert _login(throttled, "bob@example.com", PASSWORD, "10.2.0.4")[0] == 200


def test_an_address_is_locked_after_its_failures_for_every_account_and_max_login(throttled: str) -> None:
    address = "10.3.0.1"
    for i in range(PER_ADDRESS):
        assert _login(throttled, f"guess{i}@example.com", "wrong", address)[0] == 401
    _assert_429(_login(throttled, "bob@example.com", PASSWORD, address))
    status, headers, body = Api(throttled).post(
        "/v1/max_login/", {"ticket": "ST-1", "service": "https://x/"}, headers={"X-Forwarded-For": address}
    )
    _assert_429((status, headers, body))
    # Behind the trusted proxy only its own (last) entry counts: a client cannot pick its address.
    _assert_429(_login(throttled, "bob@example.com", PASSWORD, f"10.9.9.9, {address}"))
    assert _login(throttled, "bob@example.com", PASSWORD, f"{address}, 10.3.0.2")[0] == 200
    time.sleep(WINDOW)
    assert _login(throttled, "bob@example.com", PASSWORD, address)[0] == 200


# --------------------------------------------------------------------------- (f) no stack traces

BAD_BODIES = [b"{not json", b"\xff\xfe\x00", b"[]", b'"text"', b"null", b'{"submission_id": {"$gt": 1}}',
              b'{"submission_id": "1 OR 1=1", "job_id": [1], "file_type": {"a": 1}}',
              b'{"submission_id": 99999999999999999999999, "upload_id": -1}']  # fmt: skip


@pytest.mark.parametrize("raw", BAD_BODIES)
def test_broken_input_to_every_post_route_gets_a_plain_message(user: Api, raw: bytes) -> None:
    for method, template in ROUTES:
        if method != "POST" or template in ("/v1/logout", "/v1/login"):
            continue
        status, _, body = user.call(
            method, _url(template), raw=raw, headers={"Content-Type": "application/json"}
        )
        assert status < 500 and isinstance(body, dict), (template, status, body)
        # A body whose keys the route ignores may be a valid request (a narrative body of no file
        # letter clears the narratives): only a refusal must carry its message.
        assert status < 300 or set(body) >= {"message"}, (template, status, body)
        _assert_clean(body)


@pytest.mark.parametrize(
    "query", ["?submission_id=abc&job_id=%ff", "?job_id=1e999", "?submission_id=-1&page=x"]
)
def test_broken_queries_to_every_get_route_get_a_plain_message(user: Api, query: str) -> None:
    for method, template in ROUTES:
        if method != "GET" or template.startswith("/v1/files"):
            continue
        status, _, body = user.get(_url(template) + query)
        assert status < 500, (template, status, body)
        _assert_clean(body)


def test_a_broken_file_in_the_storage_folder_is_a_plain_404(
    server: str, signer: LocalFileStorage, storage_root: Path, user: Api
) -> None:
    loop = storage_root / "security" / "loop.csv"
    loop.parent.mkdir(parents=True, exist_ok=True)
    if not loop.is_symlink():
        loop.symlink_to(loop)  # opening it fails with ELOOP
    status, headers, body = Api(server).get(_signed_path(signer, "security/loop.csv"))
    assert status == 404
    assert headers["content-type"].startswith("application/json")
    assert set(body) == {"message"}
    _assert_clean(body)
    status, _, body = user.get(f"{storage_root}/security/loop.csv")
    assert status == 404
    _assert_clean(body)


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/v1/nowhere/"),
        ("DELETE", "/v1/login/"),
        ("PUT", "/v1/files/x"),
        ("GET", "/v1/submission/abc/narrative/"),
    ],
)
def test_unknown_routes_and_methods_get_a_plain_message(user: Api, method: str, path: str) -> None:
    status, _, body = user.call(method, path)
    assert status in (404, 405)
    assert set(body) == {"message"}
    _assert_clean(body)

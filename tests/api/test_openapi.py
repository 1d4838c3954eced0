"""``docs/openapi.yaml`` against the app: the same routes, and every operation answers as described.

Route templates come from the Falcon router of the real local-mode app (built in-process);
answers from the session's ``broker serve``, as a user of their own (agency 075, which no other
test submits for) so that nothing here disturbs other tests' data or settings.
"""

from __future__ import annotations

import json
import re
import urllib.parse
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import falcon
import pytest
import yaml
from jsonschema import Draft202012Validator

from broker_core.file_types import FileType
from broker_entrypoints.api.app import create_app
from broker_entrypoints.api.resources.openapi import load_document
from broker_entrypoints.bootstrap import bootstrap
from broker_entrypoints.config import load_config
from tests.api.conftest import PASSWORD, Api, logged_in_user
from tests.cas_server import FakeCas
from tests.submission_flow import D_DATES, KEYS, TAS, csv_file, poll

ROOT = Path(__file__).resolve().parents[2]
METHODS = ("get", "head", "post", "put", "patch", "delete")
AGENCY = "075"
USER = "openapi@example.com"


def canonical(template: str) -> str:
    """``/v1/submission/{submission_id:int}/narrative/`` → ``/v1/submission/{submission_id}/narrative``."""
    path = re.sub(r"\{(\w+)(?::[^}]*)?\}", r"{\1}", template)
    return path.rstrip("/") or "/"


# --------------------------------------------------------------------------- the document


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    return load_document()


def test_docs_copy_is_the_packaged_document() -> None:
    docs = ROOT / "docs" / "openapi.yaml"
    packaged = ROOT / "src" / "broker_entrypoints" / "api" / "openapi.yaml"
    assert docs.resolve() == packaged.resolve() or docs.read_text() == packaged.read_text()


def test_document_is_openapi_3_1(document: dict[str, Any]) -> None:
    assert document["openapi"].startswith("3.1.")
    assert document["components"]["securitySchemes"]["sessionId"] == {
        **document["components"]["securitySchemes"]["sessionId"],
        "type": "apiKey",
        "in": "header",
        "name": "x-session-id",
    }
    public = {
        (path, method)
        for path, item in document["paths"].items()
        for method, op in item.items()
        if method in METHODS and op.get("security", document["security"]) == []
    }
    assert public == {
        ("/", "get"),
        ("/v1/openapi.json", "get"),
        ("/v1/login/", "post"),
        ("/v1/max_login/", "post"),
        ("/v1/logout/", "post"),
        ("/v1/session/", "get"),
        ("/v1/files/{key}", "get"),
        ("/v1/files/{key}", "head"),
    }
    # Every schema in the document is a valid JSON Schema 2020-12 schema.
    for schema in document["components"]["schemas"].values():
        Draft202012Validator.check_schema(schema)


def _router_routes(app: falcon.App) -> dict[str, set[str]]:
    """``{canonical template: methods}`` of every resource the app's router holds."""
    found: dict[str, set[str]] = {}
    pending = list(app._router._roots)
    while pending:
        node = pending.pop()
        pending.extend(node.children or ())
        if node.resource is None:
            continue
        methods = {m for m in METHODS if callable(getattr(node.resource, f"on_{m}", None))}
        found.setdefault(canonical(node.uri_template), set()).update(methods)
    return found


@pytest.fixture(scope="module")
def local_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[falcon.App]:
    config = load_config(env={}, data_dir=tmp_path_factory.mktemp("openapi-app"))
    broker = bootstrap(config, queue_mode="thread", migrate=True)
    try:
        yield create_app(broker)
    finally:
        broker.close()


def test_every_route_is_described_and_every_description_is_a_route(
    local_app: falcon.App, document: dict[str, Any]
) -> None:
    served = _router_routes(local_app)
    assert len(served) > 25  # the walk found the router's routes
    described = {
        canonical(path): {m for m in item if m in METHODS} for path, item in document["paths"].items()
    }
    assert set(served) - set(described) == set(), "routes missing from docs/openapi.yaml"
    assert set(described) - set(served) == set(), "described paths the app does not serve"
    assert {path: described[path] for path in served} == served


def test_the_document_is_served_as_json(server: str, document: dict[str, Any]) -> None:
    for path in ("/v1/openapi.json", "/v1/openapi.json/"):
        status, headers, body = Api(server).get(path)
        assert status == 200
        assert headers["content-type"].startswith("application/json")
        assert body == json.loads(json.dumps(document))
    assert yaml.safe_load((ROOT / "docs" / "openapi.yaml").read_text()) == document


# --------------------------------------------------------------------------- answers as described


class Checker:
    """Calls operations and validates each answer against the document."""

    def __init__(self, document: dict[str, Any], base: str) -> None:
        self.document = document
        self.base = base
        self.called: set[tuple[str, str]] = set()

    def _deref(self, value: dict[str, Any]) -> dict[str, Any]:
        while "$ref" in value:
            node: Any = self.document
            for part in value["$ref"].removeprefix("#/").split("/"):
                node = node[part]
            value = node
        return value

    def _operation(self, method: str, path: str) -> tuple[str, dict[str, Any]]:
        route = urllib.parse.urlsplit(path).path
        for template, item in self.document["paths"].items():
            pattern = re.sub(r"\\\{\w+\\\}", "[^?]+", re.escape(canonical(template)))
            if re.fullmatch(pattern + "/?", route) and method in item:
                return template, item[method]
        raise AssertionError(f"{method.upper()} {path} is not described")

    def check(self, api: Api, method: str, path: str, body: Any = None, **kw: Any) -> Any:
        template, operation = self._operation(method, path)
        self.called.add((template, method))
        status, headers, answer = api.call(method.upper(), path, body, **kw)
        responses = operation["responses"]
        assert str(status) in responses, f"{method.upper()} {path}: undocumented {status}: {answer}"
        response = self._deref(responses[str(status)])
        content = response.get("content", {})
        media_type = headers.get("content-type", "").split(";")[0]
        if method == "head" or not content:
            return status, answer
        assert media_type in content, f"{method.upper()} {path}: undocumented content type {media_type}"
        if media_type == "application/json":
            schema = {**content[media_type]["schema"], "components": self.document["components"]}
            errors = [e.message for e in Draft202012Validator(schema).iter_errors(answer)]
            assert not errors, f"{method.upper()} {path} {status}: {errors} in {answer}"
        for name, header in response.get("headers", {}).items():
            assert not header.get("required") or name in headers, (path, name)
        return status, answer


@pytest.fixture(scope="module")
def client(server: str, server_data_dir: Path) -> Api:
    return logged_in_user(server, server_data_dir, USER, "Otto Openapi", "--affiliation", f"{AGENCY}:writer")


def _upload(checker: Checker, api: Api, name: str, content: bytes) -> str:
    status, _, body = api.upload("/v1/local_upload/", "file", name, content)
    checker.called.add(("/v1/local_upload/", "post"))
    assert status == 200, body
    assert checker._operation("post", "/v1/local_upload/")  # described
    return str(body["path"])


def _signed_path(url: str) -> str:
    parts = urllib.parse.urlsplit(url)
    return f"{parts.path}?{parts.query}"


def test_every_operation_answers_as_described(
    document: dict[str, Any], client: Api, server: str, cas: FakeCas
) -> None:
    c = Checker(document, server)
    anonymous = Api(server)

    c.check(anonymous, "get", "/")
    c.check(anonymous, "get", "/v1/openapi.json")
    c.check(anonymous, "get", "/v1/session/", session=False)
    c.check(client, "get", "/v1/session/")
    c.check(client, "get", "/v1/current_user/")
    c.check(client, "get", "/v1/active_user")  # without the trailing slash
    status, _ = c.check(client, "post", "/v1/set_skip_guide/", {"skip_guide": True})
    assert status == 200
    c.check(anonymous, "get", "/v1/current_user/")  # 401, documented

    second = Api(server)
    status, _ = c.check(second, "post", "/v1/login/", {"username": USER, "password": PASSWORD}, session=False)
    assert status == 200
    second.login(USER)
    status, _ = c.check(second, "post", "/v1/logout/")
    assert status == 200
    service = "https://broker.example.gov/"
    ticket = cas.issue(service, email="openapi.max@example.gov")
    c.check(anonymous, "post", "/v1/max_login/", {"ticket": ticket, "service": service}, session=False)

    # Detached generation, and the signed download route with its link.
    status, job = c.check(client, "post", "/v1/generate_detached_file/",
                          {"file_type": "A", "cgac_code": AGENCY, "year": 2017, "period": 6})  # fmt: skip
    assert status == 200, job
    job_id = job["job_id"]
    finished = client.wait_for(job_id, timeout=120)
    assert finished["status"] == "finished", finished
    c.check(client, "get", f"/v1/check_detached_generation_status/?job_id={job_id}")
    c.check(client, "post", "/v1/check_detached_generation_status/", {"job_id": job_id})
    status, link = c.check(client, "get", f"/v1/get_detached_file_url/?job_id={job_id}")
    assert status == 200, link
    status, _ = c.check(anonymous, "get", _signed_path(link["url"]), session=False)
    assert status == 200
    status, _ = c.check(anonymous, "head", _signed_path(link["url"]), session=False)
    assert status == 200
    c.check(client, "get", "/v1/get_protected_files/")

    # A DABS submission through the API (local uploads), then every submission route on it.
    files = {
        "appropriations": csv_file(FileType.A, []),
        "program_activity": csv_file(FileType.B, [{**tas, **KEYS, "agency_identifier": AGENCY} for tas in TAS]),
        "award_financial": csv_file(FileType.C, []),
    }  # fmt: skip
    body: dict[str, Any] = {"cgac_code": AGENCY, "reporting_period_start_date": "01/2017",
                            "reporting_period_end_date": "03/2017", "is_quarter": True}  # fmt: skip
    for name, content in files.items():
        body[name] = _upload(c, client, f"{name}.csv", content)
    status, submitted = c.check(client, "post", "/v1/submit_files/", body)
    assert status == 200, submitted
    sid = submitted["submission_id"]
    for name in files:
        status, _ = c.check(client, "post", "/v1/finalize_job/", {"upload_id": submitted[f"{name}_id"]})
        assert status == 200
    poll(lambda: client.post("/v1/check_status/", {"submission_id": sid})[2],
         lambda s: all(j["job_status"] in ("finished", "invalid", "failed") for j in s["jobs"]
                       if j["file_type"] in files), "validations")  # fmt: skip
    assert c.check(client, "get", f"/v1/check_status/?submission_id={sid}")[0] == 200
    assert c.check(client, "post", "/v1/check_status/", {"submission_id": sid})[0] == 200
    assert c.check(client, "get", "/v1/list_submissions/?page=1&limit=10&certified=mixed")[0] == 200
    assert c.check(client, "post", "/v1/submission_error_reports/", {"submission_id": sid})[0] == 200
    assert c.check(client, "post", "/v1/submission_warning_reports/", {"submission_id": sid})[0] == 200
    c.check(client, "post", f"/v1/submission/{sid}/report_url/", {"file_type": "program_activity"})
    assert c.check(client, "get", f"/v1/get_obligations/?submission_id={sid}")[0] == 200
    assert c.check(client, "post", "/v1/get_obligations/", {"submission_id": sid})[0] == 200
    assert c.check(client, "post", f"/v1/submission/{sid}/narrative", {"A": "Notes on A"})[0] == 200
    status, notes = c.check(client, "get", f"/v1/submission/{sid}/narrative/")
    assert status == 200 and notes["A"] == "Notes on A"
    status, generated = c.check(client, "post", "/v1/generate_file/",
                                {"submission_id": sid, "file_type": "D1", **D_DATES})  # fmt: skip
    assert status == 200, generated
    query = f"submission_id={sid}&file_type=D1"
    assert c.check(client, "get", f"/v1/check_generation_status/?{query}")[0] == 200
    assert (
        c.check(client, "post", "/v1/check_generation_status/", {"submission_id": sid, "file_type": "D1"})[0]
        == 200
    )
    c.check(client, "post", "/v1/certify_submission/", {"submission_id": sid})  # a writer: 403
    c.check(client, "post", "/v1/submit_detached_file/", {"submission_id": sid})  # not FABS: 400
    c.check(client, "post", "/v1/restart_validation/", {"submission_id": sid})
    # Refused (400) while the restarted validations run; either answer must be as described.
    c.check(client, "post", "/v1/delete_submission/", {"submission_id": sid})
    assert c.check(client, "get", "/v1/check_status/?submission_id=999999")[0] in (400, 404)

    described = {
        (path, method) for path, item in document["paths"].items() for method in item if method in METHODS
    }
    assert described - c.called == set(), "operations the test did not call"

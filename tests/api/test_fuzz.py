"""Fuzzing the running local-mode server from its own OpenAPI description, and hostile inputs.

Schemathesis generates requests for every described operation (bounded: a few examples per
operation, so the module stays well under three minutes on two cores) and checks that none is
answered with a 5xx, that every status is documented and that every body matches its schema.
Login and MAX login are left out: random failed logins would trip the login limits of the
shared server for the other tests (their hostile inputs are below, refused before any login).

It runs as a user of its own (agency 075, which no other test submits for), so random ids
cannot touch other tests' submissions.
"""

from __future__ import annotations

import http.client
import json
import urllib.parse
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import not_a_server_error, response_schema_conformance, status_code_conformance

from broker_entrypoints.api.media import MAX_BODY_BYTES
from tests.api.conftest import Api, logged_in_user

USER = "fuzz@example.com"
AGENCY = "075"
#: Every answer's status, over the whole module (the summary line prints it).
STATUSES: Counter[int] = Counter()
#: The statuses of schemathesis' generated cases alone.
FUZZ_STATUSES: Counter[int] = Counter()

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def fuzzer(server: str, server_data_dir: Path) -> Api:
    return logged_in_user(server, server_data_dir, USER, "Fuzz Tester", "--affiliation", f"{AGENCY}:writer")


@pytest.fixture(scope="module", autouse=True)
def summary(request: pytest.FixtureRequest) -> Iterator[None]:
    yield
    if not STATUSES:
        return
    errors = sum(n for status, n in STATUSES.items() if status >= 500)
    line = (
        f"test_fuzz: {sum(STATUSES.values())} requests, {errors} answered 5xx; "
        f"statuses {dict(sorted(STATUSES.items()))}"
    )
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    if reporter is not None:
        reporter.write_line(line)
    print(line)
    assert errors == 0


@pytest.fixture(scope="module")
def openapi(server: str, fuzzer: Api) -> Any:
    schema = schemathesis.openapi.from_url(server + "/v1/openapi.json")
    return schema.exclude(operation_id=["login", "maxLogin"])


def _fuzzer_for(operation: Any, headers: dict[str, Any]) -> Any:
    @settings(max_examples=12, deadline=None, derandomize=True, database=None,
              phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))  # fmt: skip
    @given(case=operation.as_strategy())
    def run(case: Any) -> None:
        response = case.call(headers=headers, timeout=60)
        STATUSES[response.status_code] += 1
        FUZZ_STATUSES[response.status_code] += 1
        case.validate_response(
            response, checks=[not_a_server_error, status_code_conformance, response_schema_conformance]
        )

    return run


def test_fuzz(openapi: Any, fuzzer: Api) -> None:
    # A loop over the operations rather than schemathesis' pytest plugin, whose node-id handling
    # does not work with pytest 9; each operation is its own Hypothesis run and all of them run.
    failures: list[str] = []
    operations = 0
    for result in openapi.get_all_operations():
        operation = result.ok()
        operations += 1
        headers = {} if operation.path == "/v1/logout/" else {"x-session-id": fuzzer.session}
        run = _fuzzer_for(operation, headers)
        try:
            run()
        except Exception as exc:
            failures.append(f"{operation.method.upper()} {operation.path}: {exc}")
    cases = sum(FUZZ_STATUSES.values())
    errors = sum(n for status, n in FUZZ_STATUSES.items() if status >= 500)
    print(f"schemathesis: {cases} generated cases over {operations} operations, {errors} answered 5xx; "
          f"statuses {dict(sorted(FUZZ_STATUSES.items()))}")  # fmt: skip
    assert operations > 25
    assert not failures, "\n\n".join(failures)


# --------------------------------------------------------------------------- hostile inputs

HOSTILE_IDS = ["-1", "0", "99999999999999999999", "1; DROP TABLE job", "' OR 1=1 --", "../../etc/passwd",
               "%2e%2e%2f", "1\x00", "١٢", "1.5", "true", ""]  # fmt: skip


def _assert_clean_4xx(status: int, body: Any, field: str | None = None) -> None:
    assert 400 <= status < 500, (status, body)
    assert isinstance(body, dict) and isinstance(body.get("message"), str) and body["message"], body
    assert "Traceback" not in body["message"] and "Error:" not in body["message"], body
    if field is not None:
        assert field in body["message"], body


def _record(status: int) -> None:
    STATUSES[status] += 1


@pytest.mark.parametrize(
    ("path", "raw", "content_type"),
    [
        ("/v1/check_status/", b"{not json", "application/json"),
        ("/v1/check_status/", b"[1, 2, 3]", "application/json"),
        ("/v1/check_status/", b'"a string"', "application/json"),
        ("/v1/check_status/", b"\xff\xfe\x00", "application/json"),
        ("/v1/check_status/", b"submission_id=1", "text/plain"),
        ("/v1/check_status/", b"<xml/>", "application/xml"),
        ("/v1/submit_files/", b'{"cgac_code": "\\ud800"}', "application/json"),
        ("/v1/submit_files/", b"cgac_code=%ff%fe", "application/x-www-form-urlencoded"),
        ("/v1/generate_detached_file/", b"[" * 100000, "application/json"),
        ("/v1/login/", b"{not json", "application/json"),
        ("/v1/login/", b"[]", "application/json"),
        ("/v1/set_skip_guide/", b"null", "application/json"),
    ],
)
def test_malformed_bodies_are_clean_4xx(fuzzer: Api, path: str, raw: bytes, content_type: str) -> None:
    status, _, body = fuzzer.call("POST", path, raw=raw, headers={"Content-Type": content_type})
    _record(status)
    _assert_clean_4xx(status, body)


@pytest.mark.parametrize("path", ["/v1/check_status/", "/v1/login/", "/v1/submit_files/"])
def test_a_body_over_the_limit_is_413(fuzzer: Api, path: str) -> None:
    # The server answers from the announced length without reading the body: send only the headers.
    parts = urllib.parse.urlsplit(fuzzer.base)
    connection = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=60)
    try:
        connection.putrequest("POST", path)
        connection.putheader("Content-Type", "application/json")
        connection.putheader("Content-Length", str(MAX_BODY_BYTES + 1))
        connection.putheader("X-Session-ID", fuzzer.session or "")
        connection.endheaders()
        response = connection.getresponse()
        status, body = response.status, json.loads(response.read())
    finally:
        connection.close()
    _record(status)
    assert status == 413, body
    _assert_clean_4xx(status, body)


@pytest.mark.parametrize("value", HOSTILE_IDS)
@pytest.mark.parametrize(
    ("path", "field"),
    [
        ("/v1/check_status/", "submission_id"),
        ("/v1/get_obligations/", "submission_id"),
        ("/v1/submission_error_reports/", "submission_id"),
        ("/v1/delete_submission/", "submission_id"),
        ("/v1/restart_validation/", "submission_id"),
        ("/v1/finalize_job/", "upload_id"),
        ("/v1/check_detached_generation_status/", "job_id"),
    ],
)
def test_hostile_ids_in_bodies(fuzzer: Api, path: str, field: str, value: str) -> None:
    for body in ({field: value}, {field: _as_number(value)}):
        status, _, answer = fuzzer.post(path, body)
        _record(status)
        if _unknown_job(path, status, answer):
            continue
        _assert_clean_4xx(status, answer)


def _unknown_job(path: str, status: int, answer: Any) -> bool:
    """Detached status answers an unknown job with 200 and status "invalid" (as the API docs say)."""
    return "check_detached_generation_status" in path and status == 200 and answer["status"] == "invalid"


def _as_number(value: str) -> Any:
    try:
        return json.loads(value)
    except ValueError:
        return value


@pytest.mark.parametrize("value", HOSTILE_IDS)
@pytest.mark.parametrize(
    "route",
    [
        "/v1/check_status/?submission_id={}",
        "/v1/get_detached_file_url/?job_id={}",
        "/v1/check_detached_generation_status/?job_id={}",
        "/v1/check_generation_status/?submission_id={}&file_type=D1",
        "/v1/check_generation_status/?submission_id=1&file_type={}",
        "/v1/list_submissions/?page={}",
        "/v1/list_submissions/?limit={}",
        "/v1/list_submissions/?sort={}",
        "/v1/submission/{}/narrative/",
        "/v1/files/{}?expires=1&filename=a.csv&signature=x",
    ],
)
def test_hostile_values_in_queries_and_paths(fuzzer: Api, route: str, value: str) -> None:
    path = route.format(urllib.parse.quote(value, safe="%"))
    status, _, body = fuzzer.get(path)
    _record(status)
    if _unknown_job(path, status, body) or ("list_submissions" in path and value == "" and status == 200):
        return  # an empty query value counts as absent
    _assert_clean_4xx(status, body)


@pytest.mark.parametrize(
    "value", ["Z", "../../etc/passwd", "%2e%2e%2f", "D1'; DROP TABLE job; --", "ḓ1\x00", "d1" * 5000]
)
def test_hostile_file_types(fuzzer: Api, value: str) -> None:
    for path, body in (
        ("/v1/generate_detached_file/", {"file_type": value, "cgac_code": AGENCY, "year": 2017, "period": 6}),
        ("/v1/generate_file/", {"submission_id": 1, "file_type": value}),
        ("/v1/submission/1/report_url/", {"file_type": value}),
    ):
        status, _, answer = fuzzer.post(path, body)
        _record(status)
        _assert_clean_4xx(status, answer)
        if path == "/v1/generate_detached_file/":
            assert "file_type" in answer["message"] or "File type" in answer["message"], answer


@pytest.mark.parametrize(
    "value",
    ["../../etc/passwd", "/etc/passwd", "%2e%2e%2fsecret.csv", "a\x00b.csv", "名前.csv", "' OR 1=1 --"],
)
def test_hostile_file_names_in_submit_files(fuzzer: Api, value: str) -> None:
    body = {"cgac_code": AGENCY, "reporting_period_start_date": "01/2017",
            "reporting_period_end_date": "03/2017", "is_quarter": True, "appropriations": value}  # fmt: skip
    status, _, answer = fuzzer.post("/v1/submit_files/", body)
    _record(status)
    # A file name is only a name: it may be accepted (S3 keys are opaque), but never 5xx.
    assert status < 500, answer
    if status >= 400:
        _assert_clean_4xx(status, answer)


@pytest.mark.parametrize("name", ["../../etc/passwd", "/etc/passwd", "a\x00.csv", "%2e%2e%2f.csv", "ok.csv"])
def test_hostile_upload_names(fuzzer: Api, name: str) -> None:
    status, _, answer = fuzzer.upload("/v1/local_upload/", "file", name, b"a,b\n1,2\n")
    _record(status)
    assert status < 500, answer
    if status >= 400:
        _assert_clean_4xx(status, answer)
    else:
        assert ".." not in answer["path"] and not answer["path"].startswith("/"), answer

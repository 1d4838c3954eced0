"""Detached generation over real HTTP against a running ``broker serve`` (local mode)."""

from __future__ import annotations

import csv
import io
import re
import urllib.parse
from concurrent.futures import ThreadPoolExecutor

import pytest

from .conftest import Api

D1 = {"file_type": "D1", "cgac_code": "020", "start": "10/01/2016", "end": "12/31/2016"}


def _download(api: Api, url: str) -> bytes:
    assert url.startswith(api.base + "/v1/files/"), url
    status, headers, body = api.call("GET", url.removeprefix(api.base), session=False)
    assert status == 200, body
    assert headers["content-length"] == str(len(body))
    return body if isinstance(body, bytes) else str(body).encode()


def _key(url: str) -> str:
    return urllib.parse.urlparse(url).path


def test_root_says_the_broker_is_running(anonymous: Api) -> None:
    assert anonymous.get("/")[2] == "Broker is running"


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("POST", "/v1/generate_detached_file/"),
        ("GET", "/v1/check_detached_generation_status/?job_id=1"),
        ("GET", "/v1/get_detached_file_url/?job_id=1"),
        ("GET", "/v1/current_user/"),
        ("GET", "/v1/active_user"),
    ],
)
def test_login_is_required(anonymous: Api, method: str, path: str) -> None:
    status, _, body = anonymous.call(method, path, D1 if method == "POST" else None)
    assert (status, body) == (401, {"message": "Login Required"})
    anonymous.session = "forged-session-id"
    status, _, body = anonymous.call(method, path, D1 if method == "POST" else None)
    assert (status, body) == (401, {"message": "Login Required"})


def test_login_logout_session(server: str) -> None:
    api = Api(server)
    status, _, body = api.post("/v1/login/", {"username": "analyst@example.com", "password": "wrong"})
    assert (status, body["message"]) == (401, "Invalid username and/or password")
    api.login("ANALYST@example.com")
    assert api.get("/v1/session/")[2] == {"status": "True"}
    status, _, user = api.get("/v1/current_user/")
    assert status == 200
    assert user["name"] == "Ann Analyst" and user["website_admin"] is False
    assert user["affiliations"] == [{"agency_name": "Department of the Treasury", "permission": "writer"}]
    assert api.post("/v1/logout/")[2] == {"message": "Logout successful"}
    assert api.get("/v1/session/")[2] == {"status": "False"}
    assert api.get("/v1/current_user/")[0] == 401


def test_login_accepts_form_bodies(server: str) -> None:
    api = Api(server)
    form = urllib.parse.urlencode({"username": "analyst@example.com", "password": "correct horse battery"})
    status, headers, body = api.call(
        "POST", "/v1/login/", raw=form.encode(), headers={"Content-Type": "application/x-www-form-urlencoded"}
    )
    assert status == 200 and body["message"] == "Login successful" and headers["x-session-id"]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"file_type": None}, "file_type: Field may not be null."),
        ({"file_type": "B"}, "file_type: Must be one of: A, D1, D2."),
        ({"cgac_code": ""}, "Detached file generation requires CGAC or FR Entity Code"),
        ({"start": None}, "start: Field may not be null."),
        ({"start": ""}, "Must have a start and end date for D file generation."),
        ({"end": "02/30/2016"}, "Start or end date cannot be parsed into a date"),
        ({"start": "2016-10-01"}, "Start or end date cannot be parsed into a date"),
        ({"start": "01/01/2017"}, "start: Start date must not be after the end date"),
        ({"agency_type": "spending"}, "agency_type: Must be either awarding or funding if provided"),
        ({"file_format": "xlsx"}, "file_format: Must be either csv or txt if provided"),
        ({"element_numbers": "maybe"}, "element_numbers: Not a valid boolean."),
        ({"year": "abc"}, "year: Not a valid integer."),
        ({"period": 13}, "period: Period must be an integer 2-12."),
    ],
)
def test_generate_detached_file_errors(api: Api, change: dict[str, object], message: str) -> None:
    body = {k: v for k, v in (D1 | change).items() if not (k == "file_type" and v is None)}
    if change == {"file_type": None}:
        body["file_type"] = None
    status, _, answer = api.post("/v1/generate_detached_file/", body)
    assert (status, answer) == (400, {"message": message})


def test_missing_file_type(api: Api) -> None:
    status, _, answer = api.post("/v1/generate_detached_file/", {"cgac_code": "020"})
    assert (status, answer) == (400, {"message": "file_type: Missing data for required field."})


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"file_type": "A", "cgac_code": "020"}, "Must have a year and period for A or BOC file generation."),
        (
            {"file_type": "A", "cgac_code": "020", "year": 2017},
            "Must have a year and period for A or BOC file generation.",
        ),
        ({"file_type": "A", "cgac_code": "020", "year": 12345, "period": 6}, "Year must be in YYYY format."),
        (
            {"file_type": "A", "cgac_code": "020", "year": 2017, "period": 1},
            "period: Period must be an integer 2-12.",
        ),
    ],
)
def test_generate_a_errors(api: Api, body: dict[str, object], message: str) -> None:
    assert api.post("/v1/generate_detached_file/", body)[::2] == (400, {"message": message})


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("", "job_id: Missing data for required field."),
        ("?job_id=abc", "job_id: Not a valid integer."),
        ("?job_id=", "job_id: Missing data for required field."),
    ],
)
def test_check_status_errors(api: Api, query: str, message: str) -> None:
    assert api.get("/v1/check_detached_generation_status/" + query)[::2] == (400, {"message": message})


def test_unknown_job_is_reported_invalid(api: Api) -> None:
    status, _, body = api.get("/v1/check_detached_generation_status/?job_id=-1&cache_buster=123")
    assert status == 200
    assert body["status"] == "invalid" and body["message"] == "No generation job found with the specified ID"
    assert body["url"] == "#" and body["size"] is None


def test_bad_json_and_wrong_method_are_4xx(api: Api) -> None:
    status, _, body = api.call(
        "POST", "/v1/generate_detached_file/", raw=b"{not json", headers={"Content-Type": "application/json"}
    )
    assert status == 400 and "message" in body
    status, _, body = api.call("DELETE", "/v1/generate_detached_file/")
    assert status == 405 and "message" in body


def test_d1_end_to_end_with_download(api: Api) -> None:
    status, _, started = api.post("/v1/generate_detached_file/", D1)
    assert status == 200, started
    assert (
        started["file_type"] == "D1" and started["start"] == "10/01/2016" and started["end"] == "12/31/2016"
    )
    done = api.wait_for(started["job_id"])
    assert done["status"] == "finished", done
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6}", done["generated_at"])
    content = _download(api, done["url"])
    assert done["size"] == len(content)
    rows = list(csv.reader(io.StringIO(content.decode())))
    header = rows[0]
    assert len(header) == 267 and header[:3] == [
        "ContractTransactionUniqueKey",
        "PrimeAwardUniqueKey",
        "PIID",
    ]
    data = [dict(zip(header, row, strict=True)) for row in rows[1:]]
    assert data, "the sample has Treasury procurement in Q1 FY2017"
    assert all(r["AwardingAgencyCode"] == "020" and "20161001" <= r["ActionDate"] <= "20161231" for r in data)
    # the fresh link from get_detached_file_url downloads the same bytes
    status, _, link = api.get(f"/v1/get_detached_file_url/?job_id={done['job_id']}")
    assert status == 200 and _download(api, link["url"]) == content


def test_d1_element_numbers_and_txt(api: Api) -> None:
    body = D1 | {"element_numbers": True, "file_format": "txt", "start": "11/01/2016"}
    done = api.wait_for(api.post("/v1/generate_detached_file/", body)[2]["job_id"])
    assert done["status"] == "finished"
    first = _download(api, done["url"]).decode().splitlines()[0]
    assert first.startswith("ContractTransactionUniqueKey ()|PrimeAwardUniqueKey ()|PIID (1A)|")


def test_d2_end_to_end(api: Api) -> None:
    body = {
        "file_type": "D2",
        "frec_code": "",
        "cgac_code": "075",
        "start": "10/01/2016",
        "end": "03/31/2017",
        "agency_type": "funding",
    }
    done = api.wait_for(api.post("/v1/generate_detached_file/", body)[2]["job_id"])
    assert done["status"] == "finished", done
    rows = list(csv.reader(io.StringIO(_download(api, done["url"]).decode())))
    assert len(rows[0]) == 76 and rows[0][0] == "AssistanceTransactionUniqueKey"
    assert len(rows) > 1
    funding = rows[0].index("FundingAgencyCode")
    assert all(row[funding] == "075" for row in rows[1:])


def test_a_end_to_end(api: Api) -> None:
    done = api.wait_for(
        api.post(
            "/v1/generate_detached_file/", {"file_type": "A", "cgac_code": "097", "year": 2017, "period": 6}
        )[2]["job_id"]
    )
    assert done["status"] == "finished", done
    assert "start" not in done and "end" not in done
    rows = list(csv.reader(io.StringIO(_download(api, done["url"]).decode())))
    assert rows[0][0] == "AllocationTransferAgencyIdentifier" and rows[0][-1] == "GTASStatus"
    assert len(rows[0]) == 21
    assert {row[1] for row in rows[1:]} >= {"097"}
    assert all(row[5] != "4500" for row in rows[1:]), "financing accounts are excluded"


def test_identical_request_is_served_from_the_cache(api: Api) -> None:
    body = D1 | {"start": "10/15/2016"}
    first = api.wait_for(api.post("/v1/generate_detached_file/", body)[2]["job_id"])
    second = api.post("/v1/generate_detached_file/", body)[2]
    assert second["status"] == "finished" and second["job_id"] != first["job_id"]
    assert _key(second["url"]) == _key(first["url"])
    other = api.wait_for(
        api.post("/v1/generate_detached_file/", body | {"agency_type": "funding"})[2]["job_id"]
    )
    assert _key(other["url"]) != _key(first["url"])
    txt = api.wait_for(api.post("/v1/generate_detached_file/", body | {"file_format": "txt"})[2]["job_id"])
    assert _key(txt["url"]) != _key(first["url"]) and _key(txt["url"]).endswith(".txt")


def test_concurrent_identical_requests_share_one_generation(api: Api) -> None:
    body = D1 | {"start": "10/20/2016", "end": "03/31/2017", "cgac_code": "012"}
    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(lambda _: api.post("/v1/generate_detached_file/", body), range(8)))
    assert all(status == 200 for status, _, _ in answers)
    finished = [api.wait_for(body["job_id"]) for _, _, body in answers]
    assert len({f["job_id"] for f in finished}) == 8
    assert all(f["status"] == "finished" for f in finished)
    assert len({_key(f["url"]) for f in finished}) == 1


def test_download_links_refuse_tampering(api: Api) -> None:
    done = api.wait_for(api.post("/v1/generate_detached_file/", D1 | {"start": "10/02/2016"})[2]["job_id"])
    url = done["url"].removeprefix(api.base)
    tampered = re.sub(r"signature=[0-9a-f]{4}", "signature=0000", url)
    assert api.get(tampered, session=False)[0] == 403
    assert api.get(url.replace("expires=", "expires=9"), session=False)[0] == 403

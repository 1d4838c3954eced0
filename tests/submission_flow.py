"""The steps of a whole DABS submission over HTTP, shared by the local-mode and production tests.

Files: A is the broker's own File A of the sample SF-133 (generated through the API, then
uploaded back), B and C are small files of the sample accounts with the sample PARK. With the
sample data they have no fatal error, so the whole chain runs: validations, D1 and D2, cross-file,
E and F, reports, certification.
"""

from __future__ import annotations

import csv
import io
import time
import urllib.request
from collections.abc import Callable
from typing import Any, Protocol

import boto3

from broker_core.file_types import FileType
from broker_core.validation.schema import schema_for
from tests.api.conftest import Api

AGENCY = "020"
PARK = "SAMPLE1"
FILE_KEYS = {FileType.A: "appropriations", FileType.B: "program_activity", FileType.C: "award_financial"}
SUBMISSION = {"cgac_code": AGENCY, "reporting_period_start_date": "01/2017",
              "reporting_period_end_date": "03/2017", "is_quarter": True}  # fmt: skip
D_DATES = {"start": "01/01/2017", "end": "03/31/2017"}
TAS = (
    {"agency_identifier": AGENCY, "availability_type_code": "X", "main_account_code": "0100", "sub_account_code": "000"},
    {"agency_identifier": AGENCY, "beginning_period_of_availa": "2016", "ending_period_of_availabil": "2017",
     "main_account_code": "0200", "sub_account_code": "000"},
)  # fmt: skip
KEYS = {"program_activity_reporting_key": PARK, "object_class": "111", "disaster_emergency_fund_code": "Q",
        "prior_year_adjustment": "X", "by_direct_reimbursable_fun": "D"}  # fmt: skip


class Uploads(Protocol):
    """How a client gets a file to the broker: local_upload first, or S3 after submit_files."""

    def prepare(self, name: str, content: bytes) -> str:
        """The value submit_files gets for this file."""

    def after_submit(self, answer: dict[str, Any], contents: dict[str, bytes]) -> None:
        """Upload what must go up once the submission exists (by file key name)."""


class LocalUploads:
    def __init__(self, api: Api) -> None:
        self.api = api

    def prepare(self, name: str, content: bytes) -> str:
        status, _, body = self.api.upload("/v1/local_upload/", "file", name, content)
        assert status == 200, body
        return str(body["path"])

    def after_submit(self, answer: dict[str, Any], contents: dict[str, bytes]) -> None:
        assert set(answer["credentials"].values()) == {"local"}


class S3Uploads:
    """Uploads with the temporary credentials submit_files hands out, as the web client does."""

    def __init__(self, endpoint_url: str) -> None:
        self.endpoint_url = endpoint_url

    def prepare(self, name: str, content: bytes) -> str:
        return name

    def after_submit(self, answer: dict[str, Any], contents: dict[str, bytes]) -> None:
        credentials = answer["credentials"]
        s3 = boto3.client(
            "s3",
            endpoint_url=self.endpoint_url,
            aws_access_key_id=credentials["AccessKeyId"],
            aws_secret_access_key=credentials["SecretAccessKey"],
            aws_session_token=credentials["SessionToken"],
        )
        for key_name, content in contents.items():
            s3.put_object(Bucket=answer["bucket_name"], Key=answer[f"{key_name}_key"], Body=content)


def csv_file(file_type: FileType, rows: list[dict[str, str]]) -> bytes:
    fields = schema_for(file_type).fields
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([f.short_name for f in fields])
    for row in rows:
        writer.writerow(
            [row.get(f.short_name, "0" if f.required and f.type.is_number else "") for f in fields]
        )
    return out.getvalue().encode()


def download(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=60) as response:
        assert response.status == 200
        return bytes(response.read())


def poll(read: Callable[[], Any], done: Callable[[Any], bool], what: str, timeout: float = 180) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = read()
        if done(value):
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}: {value}")
        time.sleep(0.25)


def generated_file_a(api: Api) -> bytes:
    status, _, job = api.post("/v1/generate_detached_file/",
                              {"file_type": "A", "cgac_code": AGENCY, "year": 2017, "period": 6})  # fmt: skip
    assert status == 200, job
    finished = api.wait_for(job["job_id"], timeout=120)
    assert finished["status"] == "finished", finished
    return download(finished["url"])


def submit(api: Api, uploads: Uploads, contents: dict[FileType, bytes]) -> dict[str, Any]:
    body: dict[str, Any] = dict(SUBMISSION)
    for file_type, content in contents.items():
        body[FILE_KEYS[file_type]] = uploads.prepare(f"{file_type.letter}.csv", content)
    status, _, answer = api.post("/v1/submit_files/", body)
    assert status == 200, answer
    uploads.after_submit(answer, {FILE_KEYS[ft]: content for ft, content in contents.items()})
    for file_type in contents:
        status, _, done = api.post("/v1/finalize_job/", {"upload_id": answer[f"{FILE_KEYS[file_type]}_id"]})
        assert status == 200 and done["success"] is True, done
    return dict(answer)


def check_status(api: Api, submission_id: int) -> dict[str, Any]:
    status, _, body = api.post("/v1/check_status/", {"submission_id": submission_id})
    assert status == 200, body
    return dict(body)


def job_of(state: dict[str, Any], file_type: str) -> dict[str, Any]:
    return next(j for j in state["jobs"] if j["file_type"] == file_type)


def generate(api: Api, submission_id: int, letter: str) -> dict[str, Any]:
    body: dict[str, Any] = {"submission_id": submission_id, "file_type": letter}
    if letter in ("D1", "D2"):
        body.update(D_DATES)
    status, _, answer = api.post("/v1/generate_file/", body)
    assert status == 200, answer
    return poll(
        lambda: api.get(f"/v1/check_generation_status/?submission_id={submission_id}&file_type={letter}")[2],
        lambda s: s["status"] != "waiting",
        f"{letter} generation",
    )


def run_whole_submission(writer: Api, submitter: Api, uploads: Uploads) -> int:
    contents = {
        FileType.A: generated_file_a(writer),
        FileType.B: csv_file(FileType.B, [{**tas, **KEYS} for tas in TAS]),
        FileType.C: csv_file(FileType.C, [{**TAS[0], **KEYS, "piid": "PIID0001", "transaction_obligated_amou": "100.00"}]),
    }  # fmt: skip
    answer = submit(writer, uploads, contents)
    sid = int(answer["submission_id"])

    state = poll(lambda: check_status(writer, sid),
                 lambda s: all(job_of(s, n)["job_status"] == "finished" for n in FILE_KEYS.values()),
                 "A, B and C validations")  # fmt: skip
    for name in FILE_KEYS.values():
        job = job_of(state, name)
        assert (job["file_status"], job["error_type"], job["error_data"]) == ("complete", "none", []), job
    assert state["cgac_code"] == AGENCY and state["reporting_period_start_date"] == "Q2/2017"
    assert state["publish_status"] == "unpublished" and state["quarterly_submission"] is True

    for letter in ("D1", "D2"):
        done = generate(writer, sid, letter)
        assert done["status"] == "finished", done
        assert download(done["url"]).split(b"\n", 1)[0]
    state = poll(lambda: check_status(writer, sid),
                 lambda s: job_of(s, "")["job_status"] in ("finished", "invalid", "failed"), "cross-file")  # fmt: skip
    cross = job_of(state, "")
    assert (cross["job_type"], cross["job_status"], cross["error_type"]) == (
        "validation",
        "finished",
        "none",
    ), cross
    assert state["number_of_errors"] == 0

    for letter, header in (("E", b"AwardeeOrRecipientUEI,"), ("F", b"PrimeAwardUniqueKey,")):
        done = generate(writer, sid, letter)
        assert done["status"] == "finished", done
        assert download(done["url"]).startswith(header)

    for route, suffix in (
        ("submission_error_reports", "error_url"),
        ("submission_warning_reports", "warning_url"),
    ):
        status, _, links = writer.post(f"/v1/{route}/", {"submission_id": sid})
        assert status == 200, links
        assert sum(key.endswith(suffix) for key in links) == 5  # A, B, C, D1 and D2
        assert sum(key.startswith("cross_") for key in links) == 4  # the four pairs
        for url in links.values():
            assert download(url).startswith(b"Unique ID,") or b"Source File" in download(url)[:200]
    status, _, link = writer.post(f"/v1/submission/{sid}/report_url",
                                  {"file_type": "appropriations", "cross_type": "program_activity", "warning": True})  # fmt: skip
    assert status == 200 and download(link["url"])

    status, _, refused = writer.post("/v1/certify_submission/", {"submission_id": sid})
    assert status == 403, refused
    status, _, certified = submitter.post("/v1/certify_submission/", {"submission_id": sid})
    assert status == 200 and certified == {"message": "Success"}, certified
    status, _, listing = writer.get("/v1/list_submissions/?certified=true&limit=100")
    assert status == 200, listing
    row = next(r for r in listing["submissions"] if r["submission_id"] == sid)
    assert row["status"] == "certified"
    assert check_status(writer, sid)["publish_status"] == "published"
    return sid


def check_invalid_files_are_reported(api: Api, uploads: Uploads) -> None:
    """A file with a missing and a duplicated header, and a C row with a type error."""
    b_fields = [f.short_name for f in schema_for(FileType.B).fields]
    broken_b = (",".join([*b_fields[1:], b_fields[2]]) + "\n").encode()  # first header missing, one twice
    bad_c = csv_file(FileType.C, [{**TAS[0], **KEYS, "transaction_obligated_amou": "lots"}])
    contents = {FileType.A: csv_file(FileType.A, []), FileType.B: broken_b, FileType.C: bad_c}
    sid = int(submit(api, uploads, contents)["submission_id"])
    state = poll(lambda: check_status(api, sid),
                 lambda s: all(job_of(s, n)["job_status"] in ("finished", "invalid") for n in FILE_KEYS.values()),
                 "validations")  # fmt: skip

    b = job_of(state, "program_activity")
    assert (b["job_status"], b["file_status"], b["error_type"]) == (
        "invalid",
        "header_error",
        "header_errors",
    )
    assert b["missing_headers"] == [schema_for(FileType.B).fields[0].name], b
    assert b["duplicated_headers"] == [schema_for(FileType.B).fields[2].name], b
    file_level = {"field_name": "File Level Error", "error_name": "header_error",
                  "error_description": "The file has errors in the header row", "occurrences": 1,
                  "rule_failed": "", "original_label": ""}  # fmt: skip
    assert b["error_data"] == [file_level] and b["warning_data"] == [file_level]

    c = job_of(state, "award_financial")
    assert (c["job_status"], c["file_status"], c["error_type"]) == ("finished", "complete", "row_errors")
    type_errors = [e for e in c["error_data"] if e["error_name"] == "type_error"]
    assert type_errors and "transaction" in type_errors[0]["field_name"].lower()
    assert type_errors[0]["occurrences"] == 1 and type_errors[0]["error_description"]
    assert set(type_errors[0]) >= {"field_name", "error_name", "error_description", "occurrences",
                                   "rule_failed", "original_label"}  # fmt: skip
    assert state["number_of_errors"] >= 1
    cross = job_of(state, "")
    assert cross["job_status"] == "waiting"  # files with errors never reach cross-file validation

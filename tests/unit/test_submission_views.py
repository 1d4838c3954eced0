"""SubmissionViews over in-memory fakes: check_status, list_submissions, report links, obligations."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import attrs
import pytest

from broker_core.errors import BrokerError, LoginRequired, PermissionDenied, RequestInvalid
from broker_core.file_types import FileType
from broker_core.jobs import Job, JobStatus, JobType
from broker_core.services.submission_views import (
    FILE_TYPE_CHOICES,
    FILE_TYPE_REQUIRED,
    REPORT_NOT_GENERATED,
    WARNING_NOT_BOOLEAN,
    SubmissionViews,
)
from broker_core.submissions.job_graph import CROSS_FILE, new_submission_jobs, validation_key
from broker_core.submissions.model import PublishStatus, new_dabs_submission
from broker_core.submissions.obligations import Obligations
from broker_core.submissions.records import FileRecord
from broker_core.users import Affiliation, PermissionLevel, User
from broker_core.validation.metadata import ErrorMetadata, ErrorType, FileStatus
from broker_core.validation.problem import Severity
from tests.unit.fakes import FakeStorage, FakeUnitOfWork, FakeUnitOfWorkFactory

CREATED = dt.datetime(2024, 3, 15, 9, 10, 11, 500)
ANN = User(
    "ann@example.com", "Ann Analyst", affiliations=[Affiliation("020", PermissionLevel.WRITER)], user_id=1
)
REED = User(
    "reed@example.com", "Reed Reader", affiliations=[Affiliation("020", PermissionLevel.READER)], user_id=2
)
OTTO = User(
    "otto@example.com", "Otto Other", affiliations=[Affiliation("097", PermissionLevel.SUBMITTER)], user_id=3
)
ADMIN = User("root@example.com", "Ada Admin", website_admin=True, user_id=4)
NOBODY = User("no@example.com", "No Body", user_id=5)  # no affiliation at all
USERS = (ANN, REED, OTTO, ADMIN, NOBODY)
TREASURY = "Department of the Treasury"
NAMES = {
    FileType.A: ("1/approp.csv", "approp.csv"),
    FileType.B: ("1/pa.csv", "pa.csv"),
    FileType.C: ("1/award_fin.csv", "award_fin.csv"),
}
VALIDATED = (FileType.A, FileType.B, FileType.C, FileType.D1, FileType.D2)
DENIED = "User does not have permission to access that submission"


class FakeObligations:
    def __init__(self) -> None:
        self.asked: list[int] = []

    def totals(self, submission_id: int) -> Obligations:
        self.asked.append(submission_id)
        return Obligations(Decimal("75000.01"), Decimal("32500.01"), Decimal("42500"))


@attrs.define
class World:
    uows: FakeUnitOfWorkFactory
    storage: FakeStorage
    obligations: FakeObligations
    views: SubmissionViews

    def create(
        self,
        owner: User | None = ANN,
        cgac: str | None = "020",
        frec: str | None = None,
        *,
        start: dt.date = dt.date(2016, 10, 1),
        end: dt.date = dt.date(2016, 12, 1),
        quarter: bool = True,
        created: dt.datetime = CREATED,
        **fields: Any,
    ) -> tuple[int, dict[str, int]]:
        """A new submission with its 13 jobs: (submission id, job id by job graph key)."""
        with self.uows() as uow:
            owner_id = owner.user_id if owner is not None else None
            submission = new_dabs_submission(
                user_id=owner_id,
                cgac_code=cgac,
                frec_code=frec,
                start=start,
                end=end,
                is_quarter=quarter,
                now=created,
            )
            for name, value in fields.items():
                setattr(submission, name, value)
            uow.submissions.add(submission)
            assert submission.submission_id is not None
            jobs, _ = new_submission_jobs(submission.submission_id, NAMES, created)
            for job in jobs.values():
                uow.jobs.add(job)
            uow.commit()
        return submission.submission_id, {key: _job_id(job) for key, job in jobs.items()}

    def change(self, fn: Callable[[FakeUnitOfWork], None]) -> None:
        with self.uows() as uow:
            fn(uow)
            uow.commit()

    def update_job(self, job_id: int, **fields: Any) -> None:
        def apply(uow: FakeUnitOfWork) -> None:
            job = uow.jobs.get(job_id)
            assert job is not None
            for name, value in fields.items():
                setattr(job, name, value)

        self.change(apply)

    def update_submission(self, submission_id: int, **fields: Any) -> None:
        def apply(uow: FakeUnitOfWork) -> None:
            submission = uow.submissions.get(submission_id)
            assert submission is not None
            for name, value in fields.items():
                setattr(submission, name, value)

        self.change(apply)

    def set_all_jobs(self, submission_id: int, status: JobStatus) -> None:
        def apply(uow: FakeUnitOfWork) -> None:
            for job in uow.jobs.for_submission(submission_id):
                job.status = status

        self.change(apply)

    def save_file(self, job_id: int, record: FileRecord, metadata: list[ErrorMetadata] | None = None) -> None:
        def apply(uow: FakeUnitOfWork) -> None:
            uow.validation_results.save_file(job_id, record)
            uow.validation_results.replace_error_metadata(job_id, metadata or [])

        self.change(apply)


def _job_id(job: Job) -> int:
    assert job.job_id is not None
    return job.job_id


def make_world() -> World:
    """A broker with the users and agency names above, and no submission yet."""
    uows = FakeUnitOfWorkFactory()
    for user in USERS:
        assert user.user_id is not None
        uows.store.users[user.user_id] = user
    uows.store.agency_names.update({"020": TREASURY, "097": "Department of Defense"})
    storage = FakeStorage()
    obligations = FakeObligations()
    views = SubmissionViews(uow_factory=uows, storage=storage, obligation_totals=obligations, url_expiry=60)
    return World(uows, storage, obligations, views)


@pytest.fixture
def world() -> World:
    return make_world()


def metadata(
    field: str,
    occurrences: int,
    severity: Severity = Severity.FATAL,
    *,
    label: str = "C23",
    rule: str = "Must have either a piid, fain, or uri",
    source: str | None = "award_financial",
    target: str | None = None,
    error_type: ErrorType = ErrorType.RULE_FAILED,
) -> ErrorMetadata:
    return ErrorMetadata(
        filename="award_fin.csv",
        field_name=field,
        error_type=error_type,
        rule_failed=rule,
        original_label=label,
        occurrences=occurrences,
        first_row=2,
        file_type=source,
        target_file_type=target,
        severity=severity,
    )


def job_entry(job_id: int, file_type: FileType | None, **changes: Any) -> dict[str, Any]:
    """A check_status job entry of a job never validated, with ``changes``."""
    cross = file_type is None
    entry: dict[str, Any] = {
        "job_id": job_id,
        "job_status": "waiting",
        "job_type": "validation" if cross else "csv_record_validation",
        "filename": None if cross or file_type not in NAMES else NAMES[file_type][1],
        "file_size": None,
        "number_of_rows": None,
        "file_type": "" if cross else file_type.type_name,  # type: ignore[union-attr]
        "file_status": "",
        "missing_headers": [],
        "duplicated_headers": [],
        "error_type": "none",
        "error_data": [],
        "warning_data": [],
    }
    entry.update(changes)
    return entry


def report_key(letter: str, kind: str = "error", cross: str | None = None) -> str:
    if cross is None:
        return f"errors/SubID-1_File-{letter}-{kind}-report_FY17P03.csv"
    return f"errors/SubID-1_File-{letter}-to-{cross}-crossfile-{kind}-report_FY17P03.csv"


def url(key: str) -> str:
    return f"https://files.example/{key}?expires_in=60"


# ---------------------------------------------------------------------- check_status


def test_check_status_of_a_new_submission(world: World) -> None:
    sid, jobs = world.create()
    status = world.views.check_status(ANN, {"submission_id": sid})
    assert status == {
        "cgac_code": "020",
        "agency_name": TREASURY,
        "created_on": "03/15/2024",
        "number_of_errors": 0,
        "number_of_rows": 0,
        "last_updated": "2024-03-15T09:10:11",
        "last_validated": "",
        "revalidation_threshold": "",
        "reporting_period_start_date": "Q1/2017",
        "reporting_period_end_date": "Q1/2017",
        "publish_status": "unpublished",
        "quarterly_submission": True,
        # Validation jobs only (no upload jobs), in the order they were created.
        "jobs": [job_entry(jobs[validation_key(ft)], ft) for ft in VALIDATED]
        + [job_entry(jobs[CROSS_FILE], None)],
    }


def test_check_status_monthly_period_and_unknown_agency(world: World) -> None:
    sid, _ = world.create(cgac="999", start=dt.date(2015, 10, 1), end=dt.date(2015, 10, 1), quarter=False)
    status = world.views.check_status(ADMIN, {"submission": str(sid)})
    assert status["reporting_period_start_date"] == status["reporting_period_end_date"] == "Oct 2015"
    assert status["agency_name"] == ""
    assert status["quarterly_submission"] is False


def test_check_status_header_error(world: World) -> None:
    sid, jobs = world.create()
    a_job = jobs[validation_key(FileType.A)]
    world.update_job(a_job, status=JobStatus.INVALID, file_size=4508)
    world.save_file(
        a_job, FileRecord("approp.csv", FileStatus.HEADER_ERROR, ("header_1", "header_2"), ("header_3",))
    )
    entry = world.views.check_status(ANN, {"submission_id": sid})["jobs"][0]  # type: ignore[index]
    file_level = {
        "field_name": "File Level Error",
        "error_name": "header_error",
        "error_description": "The file has errors in the header row",
        "occurrences": 1,
        "rule_failed": "",
        "original_label": "",
    }
    assert entry == job_entry(
        a_job,
        FileType.A,
        job_status="invalid",
        file_size=4508,
        file_status="header_error",
        missing_headers=["header_1", "header_2"],
        duplicated_headers=["header_3"],
        error_type="header_errors",
        error_data=[file_level],
        warning_data=[file_level],
    )


def test_check_status_other_file_level_error_is_not_a_header_error(world: World) -> None:
    sid, jobs = world.create()
    b_job = jobs[validation_key(FileType.B)]
    world.update_job(b_job, status=JobStatus.INVALID)
    world.save_file(b_job, FileRecord("pa.csv", FileStatus.ENCODING_ERROR))
    entry = world.views.check_status(ANN, {"submission_id": sid})["jobs"][1]  # type: ignore[index]
    assert entry["file_status"] == "encoding_error"
    assert entry["error_type"] == "none"
    assert [e["error_name"] for e in entry["error_data"]] == ["encoding_error"]
    assert entry["warning_data"] == entry["error_data"]


def test_check_status_row_errors_with_metadata(world: World) -> None:
    sid, jobs = world.create()
    c_job, a_job = jobs[validation_key(FileType.C)], jobs[validation_key(FileType.A)]
    world.update_submission(sid, number_of_errors=7, number_of_warnings=3)
    world.update_job(c_job, status=JobStatus.FINISHED, number_of_rows=11, file_size=900, number_of_errors=7)
    world.update_job(a_job, status=JobStatus.FINISHED, number_of_rows=5, file_size=100)
    world.save_file(a_job, FileRecord("approp.csv", FileStatus.COMPLETE))
    world.save_file(
        c_job,
        FileRecord("award_fin.csv", FileStatus.COMPLETE),
        [
            metadata("piid, fain, uri", 7),
            metadata(
                "availabilitytypecode",
                3,
                Severity.WARNING,
                label="",
                rule="",
                error_type=ErrorType.TYPE_ERROR,
            ),
        ],
    )
    status = world.views.check_status(REED, {"submission_id": sid})
    assert status["number_of_errors"] == 7
    assert status["number_of_rows"] == 16  # data rows of the validated files
    entries = status["jobs"]
    assert isinstance(entries, list)
    assert entries[0]["error_type"] == "none"
    assert entries[0]["error_data"] == entries[0]["warning_data"] == []
    c_entry = entries[2]
    assert c_entry["error_type"] == "row_errors"
    assert c_entry["file_status"] == "complete"
    assert c_entry["error_data"] == [
        {
            "field_name": "piid, fain, uri",
            "error_name": "rule_failed",
            "error_description": "A rule failed for this value.",
            "occurrences": 7,
            "rule_failed": "Must have either a piid, fain, or uri",
            "original_label": "C23",
        }
    ]
    assert c_entry["warning_data"] == [
        {
            "field_name": "availabilitytypecode",
            "error_name": "type_error",
            "error_description": ErrorType.TYPE_ERROR.description,
            "occurrences": 3,
            "rule_failed": "",
            "original_label": "",
        }
    ]


def test_check_status_cross_file_entries(world: World) -> None:
    sid, jobs = world.create()
    cross = jobs[CROSS_FILE]
    world.update_job(cross, status=JobStatus.FINISHED, number_of_errors=11)
    world.save_file(
        cross,
        FileRecord("cross_file", FileStatus.COMPLETE),
        [
            metadata(
                "appropriations",
                11,
                label="A18",
                rule="A/B mismatch",
                source="appropriations",
                target="program_activity",
            ),
            metadata(
                "award_financial",
                2,
                Severity.WARNING,
                label="C8",
                rule="C/D2",
                source="award_financial",
                target="award",
            ),
        ],
    )
    entry = world.views.check_status(ANN, {"submission_id": sid})["jobs"][-1]  # type: ignore[index]
    assert entry["job_type"] == "validation"
    assert entry["file_type"] == ""
    assert entry["filename"] is None
    assert entry["error_type"] == "row_errors"
    assert [(e["source_file"], e["target_file"], e["occurrences"]) for e in entry["error_data"]] == [
        ("appropriations", "program_activity", 11)
    ]
    assert [(e["source_file"], e["target_file"], e["original_label"]) for e in entry["warning_data"]] == [
        ("award_financial", "award", "C8")
    ]


def test_check_status_cross_file_job_being_validated(world: World) -> None:
    sid, jobs = world.create()
    world.update_job(jobs[CROSS_FILE], status=JobStatus.RUNNING)
    world.save_file(jobs[CROSS_FILE], FileRecord("cross_file", FileStatus.INCOMPLETE))
    entry = world.views.check_status(ANN, {"submission_id": sid})["jobs"][-1]  # type: ignore[index]
    assert entry["file_status"] == "incomplete"
    assert entry["error_data"] == [
        {
            "field_name": "File Level Error",
            "error_name": "incomplete",
            "error_description": "File has not yet been validated",
            "occurrences": 1,
            "rule_failed": "",
            "original_label": "",
            "source_file": "",
            "target_file": "",
        }
    ]


def test_last_validated_is_the_oldest_once_every_validation_job_ran(world: World) -> None:
    sid, jobs = world.create()
    keys = [validation_key(ft) for ft in VALIDATED] + [CROSS_FILE]
    for day, key in enumerate(keys[:-1], start=10):
        world.update_job(jobs[key], last_validated=dt.datetime(2024, 4, day, 8))
    assert world.views.check_status(ANN, {"submission_id": sid})["last_validated"] == ""
    world.update_job(jobs[CROSS_FILE], last_validated=dt.datetime(2024, 4, 20))
    # Upload jobs do not count.
    world.update_job(jobs["A_upload"], last_validated=dt.datetime(2020, 1, 1))
    assert world.views.check_status(ANN, {"submission_id": sid})["last_validated"] == "04/10/2024"


# ---------------------------------------------------------------------- access, every route


def _call_route(world: World, route: str, user: User | None, params: dict[str, object]) -> object:
    views = world.views
    if route == "check_status":
        return views.check_status(user, params)
    if route == "error_reports":
        return views.error_reports(user, params, warning=False)
    if route == "warning_reports":
        return views.error_reports(user, params, warning=True)
    if route == "obligations":
        return views.obligations(user, params)
    assert route == "report_url"
    body = {k: v for k, v in params.items() if k not in ("submission_id", "submission")}
    explicit = params.get("submission_id", params.get("submission"))
    return views.report_url(user, explicit, {"file_type": "appropriations", **body})


ROUTES = ["check_status", "error_reports", "warning_reports", "obligations", "report_url"]


@pytest.mark.parametrize("route", ROUTES)
def test_access_refusals(world: World, route: str) -> None:
    sid, _ = world.create()

    def refusal(user: User | None, params: dict[str, object]) -> tuple[type[BrokerError], int, str]:
        with pytest.raises(BrokerError) as caught:
            _call_route(world, route, user, params)
        return type(caught.value), caught.value.status, caught.value.message

    assert refusal(None, {"submission_id": sid}) == (LoginRequired, 401, "Login Required")
    if route != "report_url":  # its id is part of the path
        assert refusal(ANN, {}) == (RequestInvalid, 400, "submission_id is required")
    assert refusal(ANN, {"submission_id": sid + 1000}) == (RequestInvalid, 400, "No such submission")
    assert refusal(ANN, {"submission_id": -1}) == (RequestInvalid, 400, "No such submission")
    assert refusal(ANN, {"submission_id": 2**40}) == (RequestInvalid, 400, "No such submission")
    assert refusal(ANN, {"submission_id": "abc"})[2] == "submission_id: Not a valid integer."
    # The original had no check at all on the report lists (quirk 10).
    assert refusal(OTTO, {"submission_id": sid}) == (PermissionDenied, 403, DENIED)
    assert refusal(NOBODY, {"submission_id": sid}) == (PermissionDenied, 403, DENIED)


@pytest.mark.parametrize("route", ROUTES)
def test_reader_owner_and_admin_may_look(world: World, route: str) -> None:
    sid, jobs = world.create(owner=NOBODY)
    world.update_job(jobs[validation_key(FileType.A)], status=JobStatus.FINISHED)
    world.storage.objects[report_key("A")] = b"x"
    for user in (REED, ANN, NOBODY, ADMIN):
        assert _call_route(world, route, user, {"submission": sid}) is not None


# ---------------------------------------------------------------------- list_submissions


def _list(world: World, user: User | None, **query: object) -> dict[str, Any]:
    return world.views.list_submissions(user, query)


def _statuses(world: World, user: User, **query: object) -> dict[int, str]:
    return {
        row["submission_id"]: row["status"] for row in _list(world, user, limit=100, **query)["submissions"]
    }


def test_list_row_shape(world: World) -> None:
    sid, jobs = world.create(cgac="097", owner=OTTO)
    world.update_submission(sid, number_of_errors=582, updated_at=dt.datetime(2024, 4, 2, 23, 59))
    # A generated D1 file: its size is on both its upload and its validation job, counted once.
    world.update_job(jobs["D1_upload"], file_size=1000)
    world.update_job(jobs[validation_key(FileType.D1)], file_size=1000)
    world.update_job(jobs[validation_key(FileType.A)], file_size=34)
    assert _list(world, OTTO) == {
        "submissions": [
            {
                "submission_id": sid,
                "last_modified": "2024-04-02",
                "size": 1034,
                "status": "validation_errors",
                "errors": 582,
                "agency": "Department of Defense",
                "reporting_start_date": "2016-10-01",
                "reporting_end_date": "2016-12-31",
                "user": {"user_id": OTTO.user_id, "name": "Otto Other"},
            }
        ],
        "total": 1,
    }


def test_list_without_owner_or_known_agency(world: World) -> None:
    world.create(owner=None, cgac="999")
    (row,) = _list(world, ADMIN)["submissions"]
    assert row["user"] == {"user_id": None, "name": "No user"}
    assert row["agency"] == "N/A"
    assert row["size"] == 0


def test_list_statuses(world: World) -> None:
    waiting, _ = world.create()
    successful, _ = world.create()
    world.set_all_jobs(successful, JobStatus.FINISHED)
    warnings, _ = world.create(number_of_warnings=2)
    world.set_all_jobs(warnings, JobStatus.FINISHED)
    certified, _ = world.create(publish_status=PublishStatus.PUBLISHED)
    world.set_all_jobs(certified, JobStatus.FINISHED)
    updated, _ = world.create(publish_status=PublishStatus.UPDATED)
    world.set_all_jobs(updated, JobStatus.FINISHED)
    errors, _ = world.create(number_of_errors=1)
    file_errors, jobs = world.create()
    world.update_job(jobs[validation_key(FileType.B)], status=JobStatus.INVALID)
    failed, jobs = world.create()
    world.update_job(jobs[validation_key(FileType.B)], status=JobStatus.INVALID)
    world.update_job(jobs[validation_key(FileType.C)], status=JobStatus.FAILED)
    running, _ = world.create()  # a new submission: A, B and C are being uploaded
    ready, jobs = world.create()
    world.set_all_jobs(ready, JobStatus.FINISHED)
    world.update_job(jobs[CROSS_FILE], status=JobStatus.READY)
    world.set_all_jobs(waiting, JobStatus.WAITING)
    expected = {
        waiting: "waiting",
        successful: "validation_successful",
        warnings: "validation_successful_warnings",
        certified: "certified",
        updated: "validation_successful",
        errors: "validation_errors",
        file_errors: "file_errors",
        failed: "failed",
        running: "running",
        ready: "ready",
    }
    assert _statuses(world, ANN) == expected
    # Sorting by status computes every submission's status first: same answers.
    assert _statuses(world, ANN, sort="status") == expected
    assert _statuses(world, ANN, certified="true") == {certified: "certified"}
    assert set(_statuses(world, ANN, certified="false")) == set(expected) - {certified}
    assert _list(world, ANN, certified="mixed")["total"] == len(expected)


def test_list_visibility(world: World) -> None:
    agency, _ = world.create(owner=ADMIN, cgac="020")
    own, _ = world.create(owner=NOBODY, cgac="097")
    other, _ = world.create(owner=OTTO, cgac="097")
    frec, _ = world.create(owner=OTTO, cgac=None, frec="0200")
    fabs, _ = world.create(owner=NOBODY, cgac="020", is_fabs=True)
    assert set(_statuses(world, ANN)) == {agency}
    assert set(_statuses(world, REED)) == {agency}
    assert set(_statuses(world, NOBODY)) == {own}
    assert set(_statuses(world, OTTO)) == {own, other, frec}
    assert set(_statuses(world, ADMIN)) == {agency, own, other, frec}
    assert fabs not in _statuses(world, ADMIN)


def test_list_sorting_and_paging(world: World) -> None:
    ids = []
    for day, cgac in zip((3, 1, 2), ("020", "097", "999"), strict=True):
        sid, _ = world.create(
            owner=ANN, cgac=cgac, start=dt.date(2016, day, 1), end=dt.date(2016, day, 1), quarter=False
        )
        world.update_submission(sid, updated_at=dt.datetime(2024, 1, day))
        ids.append(sid)
    first, second, third = ids
    listed = _list(world, ANN)
    assert [row["submission_id"] for row in listed["submissions"]] == [first, third, second]  # newest first
    assert listed["total"] == 3
    page = _list(world, ANN, sort="reporting", order="asc", limit="2", page="2")
    assert [row["submission_id"] for row in page["submissions"]] == [first]
    assert page["total"] == 3
    by_agency = _list(world, ANN, sort="agency", order="asc")["submissions"]
    assert [row["agency"] for row in by_agency] == ["Department of Defense", TREASURY, "N/A"]
    assert _list(world, ANN, page="9")["submissions"] == []


def test_list_refusals(world: World) -> None:
    with pytest.raises(LoginRequired):
        _list(world, None)
    with pytest.raises(RequestInvalid, match=r"^certified must be one of: mixed, true, false$"):
        _list(world, ANN, certified="maybe")
    with pytest.raises(RequestInvalid, match=r"^page must be"):
        _list(world, ANN, page="0")


# ---------------------------------------------------------------------- report lists


def _finish_everything(world: World, sid: int, jobs: dict[str, int]) -> None:
    world.set_all_jobs(sid, JobStatus.FINISHED)
    for letter in ("A", "B", "C", "D1", "D2"):
        for kind in ("error", "warning"):
            world.storage.objects[report_key(letter, kind)] = b"x"
    for first, second in (("A", "B"), ("B", "C"), ("C", "D1"), ("C", "D2")):
        for kind in ("error", "warning"):
            world.storage.objects[report_key(first, kind, second)] = b"x"


def test_report_lists_of_a_validated_submission(world: World) -> None:
    sid, jobs = world.create()
    _finish_everything(world, sid, jobs)
    errors = world.views.error_reports(ANN, {"submission_id": sid}, warning=False)
    job_keys = {f"job_{jobs[validation_key(ft)]}_error_url": ft.letter for ft in VALIDATED}
    assert errors == {
        **{key: url(report_key(letter)) for key, letter in job_keys.items()},
        "cross_appropriations-program_activity": url(report_key("A", cross="B")),
        "cross_program_activity-award_financial": url(report_key("B", cross="C")),
        "cross_award_financial-award_procurement": url(report_key("C", cross="D1")),
        "cross_award_financial-award": url(report_key("C", cross="D2")),
    }
    warnings = world.views.error_reports(REED, {"submission_id": str(sid)}, warning=True)
    assert len(warnings) == 9
    assert warnings[f"job_{jobs[validation_key(FileType.C)]}_warning_url"] == url(report_key("C", "warning"))
    assert warnings["cross_warning_award_financial-award"] == url(report_key("C", "warning", "D2"))


def test_report_lists_leave_out_reports_not_there_or_stale(world: World) -> None:
    sid, jobs = world.create()
    assert world.views.error_reports(ANN, {"submission_id": sid}, warning=False) == {}
    _finish_everything(world, sid, jobs)
    # A header error: its error report only (the validator writes no warning report).
    a_job = jobs[validation_key(FileType.A)]
    world.update_job(a_job, status=JobStatus.INVALID)
    del world.storage.objects[report_key("A", "warning")]
    # B re-uploaded: waiting again, its old reports (still stored) are not offered, nor the cross-file ones.
    world.update_job(jobs[validation_key(FileType.B)], status=JobStatus.WAITING)
    world.update_job(jobs[CROSS_FILE], status=JobStatus.WAITING)
    errors = world.views.error_reports(ANN, {"submission_id": sid}, warning=False)
    warnings = world.views.error_reports(ANN, {"submission_id": sid}, warning=True)
    letters = {"C", "D1", "D2"}
    assert set(errors) == {f"job_{a_job}_error_url"} | {
        f"job_{jobs[validation_key(FileType.from_letter(x))]}_error_url" for x in letters
    }
    assert set(warnings) == {
        f"job_{jobs[validation_key(FileType.from_letter(x))]}_warning_url" for x in letters
    }


# ---------------------------------------------------------------------- report_url


def test_report_url(world: World) -> None:
    sid, jobs = world.create()
    _finish_everything(world, sid, jobs)
    views = world.views
    assert views.report_url(ANN, sid, {"file_type": "appropriations"}) == {"url": url(report_key("A"))}
    assert views.report_url(ANN, sid, {"file_type": "award", "warning": True}) == {
        "url": url(report_key("D2", "warning"))
    }
    assert views.report_url(ANN, sid, {"file_type": "award_procurement", "warning": "false"}) == {
        "url": url(report_key("D1"))
    }
    # Either order of a pair names the same report.
    for file_type, cross_type in (
        ("award_financial", "program_activity"),
        ("program_activity", "award_financial"),
    ):
        result = views.report_url(
            REED, sid, {"file_type": file_type, "cross_type": cross_type, "warning": "true"}
        )
        assert result == {"url": url(report_key("B", "warning", "C"))}
    assert views.report_url(ADMIN, str(sid), {"file_type": " Award_Financial ", "cross_type": "award"}) == {
        "url": url(report_key("C", cross="D2"))
    }


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({}, FILE_TYPE_REQUIRED),
        ({"file_type": ""}, FILE_TYPE_REQUIRED),
        ({"file_type": "executive_compensation"}, FILE_TYPE_CHOICES),
        ({"file_type": "A"}, FILE_TYPE_CHOICES),
        ({"file_type": 3}, FILE_TYPE_CHOICES),
        (
            {"file_type": "appropriations", "cross_type": "award_financial"},
            "appropriations and award_financial is not a valid cross-pair.",
        ),
        ({"file_type": "award", "cross_type": "award"}, "award and award is not a valid cross-pair."),
        ({"file_type": "award", "cross_type": "sub_award"}, "award and sub_award is not a valid cross-pair."),
        ({"file_type": "award", "cross_type": 7}, "award and 7 is not a valid cross-pair."),
        ({"file_type": "award", "warning": "maybe"}, WARNING_NOT_BOOLEAN),
        ({"file_type": "award", "warning": 2}, WARNING_NOT_BOOLEAN),
    ],
)
def test_report_url_refusals(world: World, body: dict[str, object], message: str) -> None:
    sid, jobs = world.create()
    _finish_everything(world, sid, jobs)
    with pytest.raises(RequestInvalid) as caught:
        world.views.report_url(ANN, sid, body)
    assert caught.value.message == message


def test_report_url_messages_are_documented_values() -> None:
    assert FILE_TYPE_CHOICES == (
        "file_type: Must be one of: appropriations, program_activity, award_financial, award, award_procurement."
    )
    assert REPORT_NOT_GENERATED == "The report has not been generated yet"


def test_report_url_of_a_report_not_generated(world: World) -> None:
    sid, jobs = world.create()
    views = world.views

    def refused(body: dict[str, object]) -> str:
        with pytest.raises(RequestInvalid) as caught:
            views.report_url(ANN, sid, body)
        return caught.value.message

    assert refused({"file_type": "appropriations"}) == REPORT_NOT_GENERATED  # never validated
    world.update_job(jobs[validation_key(FileType.A)], status=JobStatus.FINISHED)
    assert refused({"file_type": "appropriations"}) == REPORT_NOT_GENERATED  # finished, no object
    world.storage.objects[report_key("A")] = b"x"
    assert views.report_url(ANN, sid, {"file_type": "appropriations"}) == {"url": url(report_key("A"))}
    world.storage.objects[report_key("A", cross="B")] = b"x"
    assert refused({"file_type": "appropriations", "cross_type": "program_activity"}) == REPORT_NOT_GENERATED
    world.update_job(jobs[CROSS_FILE], status=JobStatus.FINISHED)
    assert views.report_url(ANN, sid, {"file_type": "appropriations", "cross_type": "program_activity"}) == {
        "url": url(report_key("A", cross="B"))
    }


def test_report_url_checks_access_before_the_body(world: World) -> None:
    sid, _ = world.create()
    with pytest.raises(PermissionDenied):
        world.views.report_url(OTTO, sid, {})
    with pytest.raises(RequestInvalid, match=r"^No such submission$"):
        world.views.report_url(ANN, sid + 99, {"file_type": "bogus"})


# ---------------------------------------------------------------------- obligations


def test_obligations(world: World) -> None:
    sid, _ = world.create()
    assert world.views.obligations(REED, {"submission_id": str(sid)}) == {
        "total_obligations": 75000.01,
        "total_procurement_obligations": 32500.01,
        "total_assistance_obligations": 42500.0,
    }
    assert world.obligations.asked == [sid]


def test_obligations_refused_without_asking_the_port(world: World) -> None:
    sid, _ = world.create()
    with pytest.raises(PermissionDenied):
        world.views.obligations(OTTO, {"submission_id": sid})
    assert world.obligations.asked == []


def test_job_types_listed_are_the_validation_ones(world: World) -> None:
    sid, _ = world.create()
    entries = world.views.check_status(ANN, {"submission_id": sid})["jobs"]
    assert isinstance(entries, list)
    with world.uows() as uow:
        validation_ids = [
            j.job_id for j in uow.jobs.for_submission(sid) if j.job_type is not JobType.FILE_UPLOAD
        ]
    assert [entry["job_id"] for entry in entries] == validation_ids

"""The submission use cases over the in-memory fakes: every refusal of their routes, and what each changes."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterator
from typing import Any

import attrs
import pytest

from broker_core.errors import (
    BrokerError,
    LoginRequired,
    PayloadTooLarge,
    PermissionDenied,
    RequestInvalid,
)
from broker_core.file_types import FileType
from broker_core.jobs import Job, JobStatus, JobType
from broker_core.queueing import Task, TaskKind
from broker_core.services.submission_results import SUCCESS, FinalizeResult
from broker_core.services.submission_uploads import (
    DETACHED_JOB,
    NO_SUCH_JOB,
    NOT_DABS,
    NOT_UPLOADED,
    WRONG_JOB_TYPE,
    SubmissionUploadService,
)
from broker_core.services.submissions import (
    CHANGED_WHILE_CERTIFYING,
    FABS_ALREADY_PUBLISHED,
    FABS_UNFINISHED,
    NOT_FABS,
    SubmissionService,
)
from broker_core.submissions.certification import ALREADY_CERTIFIED, CRITICAL_ERRORS, MONTHLY_REFUSED
from broker_core.submissions.deletion import CERTIFIED_NOT_DELETABLE, RUNNING_NOT_DELETABLE
from broker_core.submissions.job_graph import ALL_FILES_REQUIRED, ONE_FILE_REQUIRED, STILL_RUNNING
from broker_core.submissions.model import PublishStatus, Submission
from broker_core.submissions.narratives import NOT_AN_OBJECT
from broker_core.submissions.permissions import FINALIZE_DENIED, SUBMISSION_DENIED, SUBMIT_DENIED
from broker_core.submissions.records import FileRecord
from broker_core.submissions.uploads import (
    LOCAL_ONLY,
    NO_FILE,
    TemporaryCredentials,
    local_upload_key,
    safe_file_name,
    shown_name,
)
from broker_core.users import Affiliation, PermissionLevel, User
from broker_core.validation.metadata import FileStatus
from broker_core.validation.report_naming import NamingEra, report_file_name
from tests.unit.fakes import FakeClock, FakeQueue, FakeStorage, FakeUnitOfWorkFactory

EPOCH = 1714564800  # FakeClock's 2024-05-01 12:00:00 UTC
ANN = User("ann@example.com", "Ann", affiliations=[Affiliation("020", PermissionLevel.WRITER)], user_id=901)
BOB = User("bob@example.com", "Bob", affiliations=[Affiliation("097", PermissionLevel.WRITER)], user_id=902)
READER = User(
    "rae@example.com", "Rae", affiliations=[Affiliation("020", PermissionLevel.READER)], user_id=903
)
SUBMITTER = User(
    "sue@example.com", "Sue", affiliations=[Affiliation("020", PermissionLevel.SUBMITTER)], user_id=904
)
NEW = {
    "cgac_code": "020",
    "reporting_period_start_date": "10/2016",
    "reporting_period_end_date": "12/2016",
    "is_quarter": True,
    "appropriations": "approp.csv",
    "program_activity": "program activity.csv",
    "award_financial": "award_financial.csv",
}
CREDENTIALS = TemporaryCredentials("ASIAKEY", "secret", "token", "2024-05-01T12:33:20Z")


class FakeUploadCredentials:
    bucket_name = "submission-bucket"

    def __init__(self) -> None:
        self.calls: list[tuple[int, str]] = []
        self.broken = False

    def object_key(self, key: str) -> str:
        return f"broker/{key}"

    def for_user(self, user_id: int, key_prefix: str) -> TemporaryCredentials:
        if self.broken:
            raise ConnectionError("STS unreachable")
        self.calls.append((user_id, key_prefix))
        return CREDENTIALS


class MissingAwareStorage(FakeStorage):
    """Reads of missing objects fail at once with FileNotFoundError, like the real adapters."""

    def read(self, key: str) -> Iterator[bytes]:
        if key not in self.objects:
            raise FileNotFoundError(key)
        return iter([self.objects[key]])


@attrs.define
class World:
    factory: FakeUnitOfWorkFactory
    storage: MissingAwareStorage
    queue: FakeQueue
    clock: FakeClock
    credentials: FakeUploadCredentials
    uploads: SubmissionUploadService
    service: SubmissionService

    @property
    def store(self) -> Any:
        return self.factory.store

    def jobs(self, submission_id: int) -> list[Job]:
        return sorted(
            (j for j in self.store.jobs.values() if j.submission_id == submission_id), key=lambda j: j.job_id
        )

    def job(self, submission_id: int, job_type: JobType, file_type: FileType | None) -> Job:
        return next(j for j in self.jobs(submission_id) if (j.job_type, j.file_type) == (job_type, file_type))

    def submission(self, submission_id: int) -> Submission:
        submission: Submission = self.store.submissions[submission_id]
        return submission

    def change(self, submission_id: int, **changes: Any) -> None:
        for name, value in changes.items():
            setattr(self.store.submissions[submission_id], name, value)

    def set_status(self, submission_id: int, status: JobStatus, **where: Any) -> None:
        for job in self.jobs(submission_id):
            if all(getattr(job, k) == v for k, v in where.items()):
                job.status = status


def _world(local_mode: bool) -> World:
    factory, storage, queue, clock = FakeUnitOfWorkFactory(), MissingAwareStorage(), FakeQueue(), FakeClock()
    credentials = FakeUploadCredentials()
    tokens = (f"{n:08x}" for n in itertools.count(0xA0))
    uploads = SubmissionUploadService(
        uow_factory=factory,
        storage=storage,
        queue=queue,
        clock=clock,
        upload_credentials=credentials,
        local_mode=local_mode,
        max_upload_bytes=1000,
        upload_token=lambda: next(tokens),
    )
    service = SubmissionService(
        uow_factory=factory, storage=storage, queue=queue, clock=clock, url_expiry=120
    )
    return World(factory, storage, queue, clock, credentials, uploads, service)


@pytest.fixture
def world() -> World:
    return _world(local_mode=False)


@pytest.fixture
def local() -> World:
    return _world(local_mode=True)


def _new(world: World, user: User = ANN, **changes: Any) -> int:
    body = {**NEW, **changes}
    return world.uploads.submit_files(user, body).submission_id


def _refused(error: type[BrokerError], message: str, call: Any, *args: Any) -> None:
    with pytest.raises(error) as raised:
        call(*args)
    assert raised.value.message == message


def _upload_all(world: World, submission_id: int) -> None:
    for job in world.jobs(submission_id):
        if job.job_type is JobType.FILE_UPLOAD and job.filename:
            world.storage.objects[job.filename] = b"header\nrow\n"


# --------------------------------------------------------------------------- submit_files: a new submission


def test_new_submission_creates_the_13_jobs_and_their_edges(world: World) -> None:
    result = world.uploads.submit_files(ANN, NEW)

    sid = result.submission_id
    submission = world.submission(sid)
    assert (submission.cgac_code, submission.user_id, submission.publish_status) == (
        "020",
        ANN.user_id,
        PublishStatus.UNPUBLISHED,
    )
    assert (submission.reporting_fiscal_year, submission.reporting_fiscal_period) == (2017, 3)
    jobs = world.jobs(sid)
    table = [(j.job_type, j.file_type, j.status) for j in jobs]
    up, val, RU, RD, W = (
        JobType.FILE_UPLOAD,
        JobType.CSV_RECORD_VALIDATION,
        *(
            JobStatus.RUNNING,
            JobStatus.READY,
            JobStatus.WAITING,
        ),
    )
    assert table == [
        (up, FileType.A, RU), (val, FileType.A, W),
        (up, FileType.B, RU), (val, FileType.B, W),
        (up, FileType.C, RU), (val, FileType.C, W),
        (up, FileType.D1, RD), (val, FileType.D1, W),
        (up, FileType.D2, RD), (val, FileType.D2, W),
        (up, FileType.E, W), (up, FileType.F, W),
        (JobType.VALIDATION, None, W),
    ]  # fmt: skip
    assert all(j.user_id == ANN.user_id for j in jobs)
    by_key = {(j.job_type, j.file_type): j.job_id for j in jobs}
    edges = set(world.store.dependencies)
    for ft in (FileType.A, FileType.B, FileType.C, FileType.D1, FileType.D2):
        assert (by_key[val, ft], by_key[up, ft]) in edges
        assert (by_key[JobType.VALIDATION, None], by_key[val, ft]) in edges
    assert (by_key[up, FileType.E], by_key[val, FileType.D1]) in edges
    assert (by_key[up, FileType.F], by_key[val, FileType.C]) in edges
    assert len(edges) == 12

    a_upload, a_validation = jobs[0], jobs[1]
    assert a_upload.filename == a_validation.filename == f"{sid}/{EPOCH}_approp.csv"
    assert a_upload.original_filename == "approp.csv"
    assert jobs[2].filename == f"{sid}/{EPOCH}_program_activity.csv"
    assert jobs[2].original_filename == "program activity.csv"
    assert (result.bucket_name, result.credentials) == ("submission-bucket", CREDENTIALS)
    assert world.credentials.calls == [(ANN.user_id, f"{sid}/")]
    slots = {slot.file_type: (slot.job_id, slot.key) for slot in result.files}
    assert slots == {
        "appropriations": (a_upload.job_id, f"broker/{sid}/{EPOCH}_approp.csv"),
        "program_activity": (jobs[2].job_id, f"broker/{sid}/{EPOCH}_program_activity.csv"),
        "award_financial": (jobs[4].job_id, f"broker/{sid}/{EPOCH}_award_financial.csv"),
        "award_procurement": (jobs[6].job_id, None),
        "award": (jobs[8].job_id, None),
        "executive_compensation": (jobs[10].job_id, None),
        "sub_award": (jobs[11].job_id, None),
    }
    assert world.queue.tasks == []  # nothing to validate before the uploads are finalized


def test_frec_agencies_and_form_strings(world: World) -> None:
    frec_user = User(
        "f@example.com", "F", affiliations=[Affiliation("1601", PermissionLevel.WRITER)], user_id=7
    )
    body = {
        **NEW,
        "cgac_code": "",
        "frec_code": "1601",
        "is_quarter": "false",
        "reporting_period_end_date": "10/2016",
    }
    sid = world.uploads.submit_files(frec_user, body).submission_id
    submission = world.submission(sid)
    assert (submission.cgac_code, submission.frec_code, submission.is_quarter_format) == (None, "1601", False)


def test_two_files_of_one_name_get_different_keys(world: World) -> None:
    sid = _new(world, appropriations="data.csv", program_activity="data.csv", award_financial="dir/data.csv")
    names = [j.filename for j in world.jobs(sid) if j.job_type is JobType.FILE_UPLOAD and j.filename]
    assert names == [f"{sid}/{EPOCH}_data.csv", f"{sid}/{EPOCH}_B_data.csv", f"{sid}/{EPOCH}_C_data.csv"]


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"cgac_code": None}, "cgac_code is required"),
        ({"cgac_code": "  "}, "cgac_code is required"),
        ({"frec_code": "1601"}, "A submission belongs to a CGAC or a FREC agency, not both"),
        ({"reporting_period_start_date": None}, "reporting_period_start_date is required"),
        ({"reporting_period_end_date": ""}, "reporting_period_end_date is required"),
        ({"is_quarter": None}, "is_quarter is required"),
        ({"is_quarter": "maybe"}, "is_quarter must be true or false"),
        ({"reporting_period_start_date": "2016-10"}, "Date must be provided as MM/YYYY"),
        (
            {"reporting_period_start_date": "01/2017"},
            "Submission start date 2017-01-01 is after the end date 2016-12-31",
        ),
        ({"reporting_period_start_date": "11/2016"}, "Quarterly submission must span 3 months"),
        (
            {"reporting_period_start_date": "09/2016", "reporting_period_end_date": "11/2016"},
            "Invalid end month for a quarterly submission: 11",
        ),
        ({"award_financial": None}, ALL_FILES_REQUIRED),
        ({"appropriations": ""}, ALL_FILES_REQUIRED),
        ({"appropriations": "..."}, "appropriations: Not a valid file name"),
        ({"program_activity": 12}, "program_activity: Not a valid string."),
        ({"existing_submission_id": "seven"}, "existing_submission_id: Not a valid integer."),
        ({"existing_submission_id": 424242}, "No such submission"),
    ],
)
def test_new_submission_refusals_write_nothing(world: World, changes: dict[str, Any], message: str) -> None:
    _refused(RequestInvalid, message, world.uploads.submit_files, ANN, {**NEW, **changes})
    assert world.store.submissions == {} and world.store.jobs == {}  # no orphan submission (quirk 12)


def test_new_submission_for_another_agency_is_403(world: World) -> None:
    _refused(PermissionDenied, SUBMIT_DENIED, world.uploads.submit_files, BOB, NEW)
    assert world.store.submissions == {}


def test_submit_files_needs_a_login(world: World) -> None:
    with pytest.raises(LoginRequired):
        world.uploads.submit_files(None, NEW)


def test_failing_credentials_leave_no_submission(world: World) -> None:
    world.credentials.broken = True
    with pytest.raises(ConnectionError):
        world.uploads.submit_files(ANN, NEW)
    assert world.store.submissions == {} and world.store.jobs == {}


# --------------------------------------------------------------------------- submit_files: a correction


def test_correction_replaces_a_file_and_marks_a_published_submission_updated(world: World) -> None:
    sid = _new(world)
    a_validation = world.job(sid, JobType.CSV_RECORD_VALIDATION, FileType.A)
    b_validation = world.job(sid, JobType.CSV_RECORD_VALIDATION, FileType.B)
    for job in world.jobs(sid):
        job.status = JobStatus.FINISHED
    a_validation.number_of_errors, b_validation.number_of_warnings = 4, 2
    world.store.results.files[a_validation.job_id] = FileRecord("approp.csv", FileStatus.COMPLETE)
    world.store.results.files[b_validation.job_id] = FileRecord("b.csv", FileStatus.COMPLETE)
    world.change(sid, publish_status=PublishStatus.PUBLISHED, publishable=True, number_of_errors=4)
    world.clock.advance(seconds=5)

    result = world.uploads.submit_files(
        ANN, {"existing_submission_id": str(sid), "appropriations": "new.csv"}
    )

    assert result.submission_id == sid
    assert [(s.file_type, s.key) for s in result.files] == [
        ("appropriations", f"broker/{sid}/{EPOCH + 5}_new.csv")
    ]
    submission = world.submission(sid)
    assert (submission.publish_status, submission.publishable) == (PublishStatus.UPDATED, False)
    assert (submission.number_of_errors, submission.number_of_warnings) == (0, 2)
    a_upload = world.job(sid, JobType.FILE_UPLOAD, FileType.A)
    a_validation = world.job(sid, JobType.CSV_RECORD_VALIDATION, FileType.A)
    assert (a_upload.status, a_upload.filename) == (JobStatus.RUNNING, f"{sid}/{EPOCH + 5}_new.csv")
    assert (a_validation.status, a_validation.original_filename) == (JobStatus.WAITING, "new.csv")
    assert world.job(sid, JobType.VALIDATION, None).status is JobStatus.WAITING
    assert world.job(sid, JobType.FILE_UPLOAD, FileType.B).status is JobStatus.FINISHED
    assert a_validation.job_id not in world.store.results.files
    assert b_validation.job_id in world.store.results.files


def test_correction_may_move_the_dates(world: World) -> None:
    sid = _new(world)
    world.uploads.submit_files(
        ANN,
        {
            "existing_submission_id": sid,
            "reporting_period_start_date": "01/2017",
            "reporting_period_end_date": "03/2017",
            "appropriations": "a.csv",
        },
    )
    submission = world.submission(sid)
    assert (submission.reporting_start_date, submission.reporting_end_date) == (
        dt.date(2017, 1, 1),
        dt.date(2017, 3, 31),
    )
    assert (submission.reporting_fiscal_year, submission.reporting_fiscal_period) == (2017, 6)


def test_correction_without_files_is_refused_and_changes_nothing(world: World) -> None:
    sid = _new(world)
    world.change(sid, publish_status=PublishStatus.PUBLISHED, publishable=True)
    _refused(
        RequestInvalid, ONE_FILE_REQUIRED, world.uploads.submit_files, ANN, {"existing_submission_id": sid}
    )
    assert (world.submission(sid).publish_status, world.submission(sid).publishable) == (
        PublishStatus.PUBLISHED,
        True,
    )  # the original flipped it to updated anyway (quirk 12)


def test_correction_by_another_agency_is_403(world: World) -> None:
    sid = _new(world)
    body = {"existing_submission_id": sid, "appropriations": "a.csv"}
    _refused(PermissionDenied, SUBMIT_DENIED, world.uploads.submit_files, BOB, body)


def test_correction_of_a_fabs_submission_is_refused(world: World) -> None:
    sid = _new(world)
    world.change(sid, is_fabs=True)
    body = {"existing_submission_id": sid, "appropriations": "a.csv"}
    _refused(RequestInvalid, NOT_DABS, world.uploads.submit_files, ANN, body)


# --------------------------------------------------------------------------- local mode: uploads and keys


def test_local_upload_stores_a_safe_name_under_the_users_folder(local: World) -> None:
    result = local.uploads.local_upload(ANN, "../../etc/pass wd.csv", iter([b"a,b\n", b"1,2\n"]))
    assert result.path == f"uploads/{ANN.user_id}/{EPOCH}_000000a0_pass_wd.csv"
    assert local.storage.objects[result.path] == b"a,b\n1,2\n"


def test_local_upload_only_in_local_mode(world: World) -> None:
    _refused(RequestInvalid, LOCAL_ONLY, world.uploads.local_upload, ANN, "a.csv", iter([b"x"]))
    _refused(RequestInvalid, LOCAL_ONLY, world.uploads.require_local_mode)


@pytest.mark.parametrize("filename", [None, "", "///", "..."])
def test_local_upload_without_a_file_name(local: World, filename: str | None) -> None:
    _refused(RequestInvalid, NO_FILE, local.uploads.local_upload, ANN, filename, iter([b"x"]))
    assert local.storage.objects == {}


def test_local_upload_over_the_limit_is_413_and_stores_nothing(local: World) -> None:
    with pytest.raises(PayloadTooLarge) as raised:
        local.uploads.local_upload(ANN, "big.csv", iter([b"x" * 600, b"y" * 600]))
    assert raised.value.status == 413
    assert local.storage.objects == {}


def test_local_submission_uses_the_uploaded_keys(local: World) -> None:
    keys = {
        field: local.uploads.local_upload(ANN, f"{field}.csv", iter([b"h\n"])).path
        for field in ("appropriations", "program_activity", "award_financial")
    }
    result = local.uploads.submit_files(ANN, {**NEW, **keys})
    assert result.credentials == TemporaryCredentials("local", "local", "local", "local")
    assert local.credentials.calls == []
    upload = local.job(result.submission_id, JobType.FILE_UPLOAD, FileType.A)
    assert (upload.filename, upload.original_filename) == (keys["appropriations"], "appropriations.csv")
    assert {s.file_type: s.key for s in result.files}["appropriations"] == f"broker/{keys['appropriations']}"


@pytest.mark.parametrize(
    "value",
    [
        "/etc/passwd",
        "approp.csv",
        f"uploads/{BOB.user_id}/{EPOCH}_000000a0_a.csv",  # another user's upload
        f"uploads/{ANN.user_id}/../../secret_key",
        f"uploads/{ANN.user_id}/{EPOCH}_000000a0_a.csv/../../x",
        f"uploads/{ANN.user_id}/{EPOCH}_a.csv",
    ],
)
def test_local_submission_refuses_anything_but_the_users_uploads(local: World, value: str) -> None:
    body = {**NEW, "appropriations": value}
    _refused(
        RequestInvalid,
        "appropriations: Not a file uploaded through /v1/local_upload/",
        local.uploads.submit_files,
        ANN,
        body,
    )
    assert local.store.submissions == {}


def test_upload_name_helpers() -> None:
    assert safe_file_name("C:\\Users\\me\\Ångström file.csv") == "Angstrom_file.csv"
    assert safe_file_name(".hidden") == "_hidden"
    long = safe_file_name("x" * 400 + ".csv")
    assert len(long) == 150 and long.endswith(".csv")
    assert local_upload_key(3, "a b.csv", 5, "0123abcd") == "uploads/3/5_0123abcd_a_b.csv"
    assert shown_name("uploads/3/5_0123abcd_a_b.csv") == "a_b.csv"
    assert shown_name("12/5_a.csv") == "5_a.csv"


# --------------------------------------------------------------------------- finalize_job


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({}, "upload_id: Missing data for required field."),
        ({"upload_id": ""}, "upload_id: Missing data for required field."),
        ({"upload_id": "x"}, "upload_id: Not a valid integer."),
        ({"upload_id": True}, "upload_id: Not a valid integer."),
        ({"upload_id": 1.5}, "upload_id: Not a valid integer."),
        ({"upload_id": 999}, NO_SUCH_JOB),
        ({"upload_id": -3}, NO_SUCH_JOB),
        ({"upload_id": 2**40}, NO_SUCH_JOB),
    ],
)
def test_finalize_refusals(world: World, body: dict[str, Any], message: str) -> None:
    _refused(RequestInvalid, message, world.uploads.finalize_job, ANN, body)


def test_finalize_a_detached_job_is_400(world: World) -> None:
    with world.factory() as uow:
        job = Job(JobType.FILE_UPLOAD, FileType.D1, JobStatus.FINISHED, filename="generated/d1/x.csv")
        uow.jobs.add(job)
        uow.commit()
    _refused(RequestInvalid, DETACHED_JOB, world.uploads.finalize_job, ANN, {"upload_id": job.job_id})


def test_finalize_for_another_agency_is_403(world: World) -> None:
    sid = _new(world)
    _upload_all(world, sid)
    upload = world.job(sid, JobType.FILE_UPLOAD, FileType.A)
    _refused(PermissionDenied, FINALIZE_DENIED, world.uploads.finalize_job, BOB, {"upload_id": upload.job_id})
    assert world.job(sid, JobType.FILE_UPLOAD, FileType.A).status is JobStatus.RUNNING


def test_finalize_of_a_validation_job_is_400(world: World) -> None:
    sid = _new(world)
    validation = world.job(sid, JobType.CSV_RECORD_VALIDATION, FileType.A)
    _refused(
        RequestInvalid, WRONG_JOB_TYPE, world.uploads.finalize_job, ANN, {"upload_id": validation.job_id}
    )


def test_finalize_before_the_upload_is_400(world: World) -> None:
    sid = _new(world)
    for file_type in (FileType.A, FileType.E):  # A: not uploaded yet; E: has no file at all
        upload = world.job(sid, JobType.FILE_UPLOAD, file_type)
        _refused(RequestInvalid, NOT_UPLOADED, world.uploads.finalize_job, ANN, {"upload_id": upload.job_id})


def test_finalize_readies_the_validation_and_enqueues_it(world: World) -> None:
    sid = _new(world)
    _upload_all(world, sid)
    upload = world.job(sid, JobType.FILE_UPLOAD, FileType.A)

    result = world.uploads.finalize_job(ANN, {"upload_id": str(upload.job_id)})

    assert result == FinalizeResult(success=True, submission_id=sid)
    validation = world.job(sid, JobType.CSV_RECORD_VALIDATION, FileType.A)
    assert world.job(sid, JobType.FILE_UPLOAD, FileType.A).status is JobStatus.FINISHED
    assert validation.status is JobStatus.READY
    assert world.queue.tasks == [Task(TaskKind.VALIDATE_FILE, validation.job_id)]
    # Again: nothing changes and nothing more is queued.
    assert world.uploads.finalize_job(ANN, {"upload_id": upload.job_id}) == result
    assert len(world.queue.tasks) == 1


def test_finalize_by_the_owner_without_an_affiliation(world: World) -> None:
    sid = _new(world)
    _upload_all(world, sid)
    world.change(sid, cgac_code="097")  # Ann no longer writes for the submission's agency
    upload = world.job(sid, JobType.FILE_UPLOAD, FileType.B)
    assert world.uploads.finalize_job(ANN, {"upload_id": upload.job_id}).success


def test_finalize_with_the_queue_down_still_succeeds(world: World) -> None:
    sid = _new(world)
    _upload_all(world, sid)
    world.queue.broken = True
    upload = world.job(sid, JobType.FILE_UPLOAD, FileType.C)
    assert world.uploads.finalize_job(ANN, {"upload_id": upload.job_id}).success
    assert world.job(sid, JobType.CSV_RECORD_VALIDATION, FileType.C).status is JobStatus.READY


# --------------------------------------------------------------------------- restart_validation


def test_restart_while_uploading_is_refused(world: World) -> None:
    sid = _new(world)
    _refused(RequestInvalid, STILL_RUNNING, world.service.restart_validation, ANN, {"submission_id": sid})


def test_restart_requeues_the_validations_of_the_files_it_has(world: World) -> None:
    sid = _new(world)
    _upload_all(world, sid)
    for job in world.jobs(sid):
        if job.file_type in (FileType.A, FileType.B, FileType.C) or job.job_type is JobType.VALIDATION:
            job.status = JobStatus.FINISHED
            if job.job_type is not JobType.FILE_UPLOAD:
                job.number_of_errors = 1
                world.store.results.files[job.job_id] = FileRecord("x", FileStatus.COMPLETE)
    world.change(sid, number_of_errors=4, publishable=True)

    assert world.service.restart_validation(ANN, {"submission_id": str(sid)}) == SUCCESS

    validations = [
        world.job(sid, JobType.CSV_RECORD_VALIDATION, ft) for ft in (FileType.A, FileType.B, FileType.C)
    ]
    assert [v.status for v in validations] == [JobStatus.READY] * 3
    assert world.queue.tasks == [Task(TaskKind.VALIDATE_FILE, v.job_id) for v in validations]
    assert world.job(sid, JobType.VALIDATION, None).status is JobStatus.WAITING
    assert world.job(sid, JobType.FILE_UPLOAD, FileType.A).status is JobStatus.FINISHED
    assert world.job(sid, JobType.FILE_UPLOAD, FileType.D1).status is JobStatus.READY
    assert all(j.number_of_errors == 0 for j in world.jobs(sid))
    assert world.store.results.files == {}
    submission = world.submission(sid)
    assert (submission.number_of_errors, submission.publishable) == (0, False)


def test_restart_needs_writer_on_the_submission(world: World) -> None:
    sid = _new(world)
    _refused(
        PermissionDenied, SUBMISSION_DENIED, world.service.restart_validation, READER, {"submission_id": sid}
    )
    _refused(
        RequestInvalid, "No such submission", world.service.restart_validation, ANN, {"submission_id": 777}
    )
    _refused(RequestInvalid, "submission_id is required", world.service.restart_validation, ANN, {})
    with pytest.raises(LoginRequired):
        world.service.restart_validation(None, {"submission_id": sid})


# --------------------------------------------------------------------------- delete_submission


def test_delete_removes_the_rows_and_the_stored_files(world: World) -> None:
    sid = _new(world)
    other = _new(world)
    _upload_all(world, sid)
    _upload_all(world, other)
    d1 = world.job(sid, JobType.FILE_UPLOAD, FileType.D1)
    d1.filename, d1.status = "generated/d5/File-D1.csv", JobStatus.FINISHED  # shared with the cache
    world.storage.objects[d1.filename] = b"d1"
    world.storage.objects[f"{sid}/SubID-{sid}_File-E_FY17Q1.csv"] = b"e"
    submission = world.submission(sid)
    reports = [
        "errors/" + report_file_name(sid, False, FileType.A, fiscal_year=2017, period=3, is_quarter=True),
        "errors/" + report_file_name(sid, True, FileType.B, FileType.C, fiscal_year=2017, period=3),
        "errors/" + report_file_name(sid, True, FileType.C, FileType.D2, era=NamingEra.PRE_DAIMS_2),
        "errors/" + report_file_name(sid, False, FileType.D1, era=NamingEra.DAIMS_2),
    ]
    kept = [
        "errors/" + report_file_name(other, False, FileType.A, fiscal_year=2017, period=3, is_quarter=True),
        f"errors/SubID-{sid}_notes.txt",  # not a report name
        "help/guide.pdf",
    ]
    for key in reports + kept:
        world.storage.objects[key] = b"r"
    assert submission.submission_id == sid
    world.store.narratives[sid] = {"A": "note"}

    assert world.service.delete_submission(ANN, {"submission_id": sid}) == SUCCESS

    assert sid not in world.store.submissions and world.jobs(sid) == []
    assert sid not in world.store.narratives
    assert sorted(k for k in world.storage.objects if k.startswith(f"{sid}/")) == []
    assert not any(key in world.storage.objects for key in reports)
    assert all(key in world.storage.objects for key in kept)
    assert d1.filename in world.storage.objects  # a generation's file stays for the cache
    assert world.jobs(other) and any(k.startswith(f"{other}/") for k in world.storage.objects)


def test_a_submission_never_uploaded_can_be_deleted(world: World) -> None:
    sid = _new(world)  # A, B and C stay "running" until the client finalizes them
    assert world.service.delete_submission(ANN, {"submission_id": sid}) == SUCCESS
    assert world.store.submissions == {}


def test_delete_refusals(world: World) -> None:
    sid = _new(world)
    world.set_status(sid, JobStatus.RUNNING, job_type=JobType.CSV_RECORD_VALIDATION, file_type=FileType.B)
    _refused(
        RequestInvalid, RUNNING_NOT_DELETABLE, world.service.delete_submission, ANN, {"submission_id": sid}
    )
    world.change(sid, publish_status=PublishStatus.UPDATED)
    _refused(
        RequestInvalid, CERTIFIED_NOT_DELETABLE, world.service.delete_submission, ANN, {"submission_id": sid}
    )
    _refused(
        PermissionDenied, SUBMISSION_DENIED, world.service.delete_submission, READER, {"submission_id": sid}
    )
    assert sid in world.store.submissions


# --------------------------------------------------------------------------- certify_submission


def _certifiable(world: World) -> int:
    sid = _new(world)
    _upload_all(world, sid)
    world.set_status(sid, JobStatus.FINISHED)
    world.change(sid, publishable=True)
    return sid


def test_certify_copies_the_files_and_publishes(world: World) -> None:
    sid = _certifiable(world)

    assert world.service.certify_submission(SUBMITTER, {"submission_id": sid}) == SUCCESS

    assert world.submission(sid).publish_status is PublishStatus.PUBLISHED
    certified = sorted(k for k in world.storage.objects if k.startswith("certified/"))
    assert certified == [
        f"certified/020/2017/1/{EPOCH}_approp.csv",
        f"certified/020/2017/1/{EPOCH}_award_financial.csv",
        f"certified/020/2017/1/{EPOCH}_program_activity.csv",
    ]
    assert world.storage.objects[certified[0]] == b"header\nrow\n"


def test_certify_refusals(world: World) -> None:
    sid = _certifiable(world)
    # Certifying needs a submitter: having written it, or writing for the agency, is not enough.
    _refused(
        PermissionDenied, SUBMISSION_DENIED, world.service.certify_submission, ANN, {"submission_id": sid}
    )
    world.change(sid, publishable=False)
    _refused(
        RequestInvalid, CRITICAL_ERRORS, world.service.certify_submission, SUBMITTER, {"submission_id": sid}
    )
    world.change(sid, publishable=True, is_quarter_format=False)
    _refused(
        RequestInvalid, MONTHLY_REFUSED, world.service.certify_submission, SUBMITTER, {"submission_id": sid}
    )
    world.change(sid, is_quarter_format=True, publish_status=PublishStatus.PUBLISHED)
    _refused(
        RequestInvalid, ALREADY_CERTIFIED, world.service.certify_submission, SUBMITTER, {"submission_id": sid}
    )
    assert not any(k.startswith("certified/") for k in world.storage.objects)


def test_certify_with_a_missing_file_is_400(world: World) -> None:
    sid = _certifiable(world)
    del world.storage.objects[world.job(sid, JobType.FILE_UPLOAD, FileType.B).filename or ""]
    message = "The B file of this submission is missing; upload or generate it again"
    _refused(RequestInvalid, message, world.service.certify_submission, SUBMITTER, {"submission_id": sid})
    assert world.submission(sid).publish_status is PublishStatus.UNPUBLISHED


def test_certify_refuses_when_the_files_changed_while_copying(world: World) -> None:
    sid = _certifiable(world)
    copy = world.storage.write

    def write_and_reupload(key: str, chunks: Any) -> int:
        size = copy(key, chunks)
        world.job(sid, JobType.FILE_UPLOAD, FileType.A).filename = f"{sid}/{EPOCH + 9}_new.csv"
        return size

    world.storage.write = write_and_reupload  # type: ignore[method-assign]
    _refused(
        RequestInvalid,
        CHANGED_WHILE_CERTIFYING,
        world.service.certify_submission,
        SUBMITTER,
        {"submission_id": sid},
    )
    assert world.submission(sid).publish_status is PublishStatus.UNPUBLISHED


# --------------------------------------------------------------------------- narratives and help files


def test_narratives_round_trip(world: World) -> None:
    sid = _new(world)
    empty = world.service.narratives(READER, sid)
    assert empty == {letter: "" for letter in ("A", "B", "C", "D1", "D2", "E", "F", "D2_detached")}
    assert world.service.set_narratives(ANN, sid, {"a": "  About A ", "D1": "", "X": "ignored", "C": 3}) == {}
    assert world.service.narratives(READER, sid) == {**empty, "A": "About A"}
    world.service.set_narratives(ANN, sid, {"B": "only B"})
    assert world.service.narratives(ANN, sid) == {**empty, "B": "only B"}


def test_narrative_refusals(world: World) -> None:
    sid = _new(world)
    _refused(RequestInvalid, NOT_AN_OBJECT, world.service.set_narratives, ANN, sid, ["A"])
    _refused(PermissionDenied, SUBMISSION_DENIED, world.service.set_narratives, READER, sid, {"A": "x"})
    _refused(PermissionDenied, SUBMISSION_DENIED, world.service.narratives, BOB, sid)
    _refused(RequestInvalid, "No such submission", world.service.narratives, ANN, sid + 100)


def test_protected_files_lists_the_help_folder(world: World) -> None:
    world.storage.objects.update({"help/Guide.pdf": b"g", "help/rss/Labels.xlsx": b"l", "helpdesk.txt": b"x"})
    urls = world.service.protected_files(READER).urls
    assert urls == {
        "Guide.pdf": "https://files.example/help/Guide.pdf?expires_in=120",
        "rss/Labels.xlsx": "https://files.example/help/rss/Labels.xlsx?expires_in=120",
    }
    assert world.service.protected_files(ANN).urls == urls
    with pytest.raises(LoginRequired):
        world.service.protected_files(None)


# ----------------------------------------------------------------------------- submit_detached_file


def test_publishing_a_dabs_submission_as_fabs_is_refused(world: World) -> None:
    sid = _new(world)
    _refused(RequestInvalid, NOT_FABS, world.service.publish_fabs, ANN, {"submission_id": sid})


def test_a_fabs_submission_is_published_once_its_jobs_are_done(world: World) -> None:
    sid = _new(world)
    world.change(sid, is_fabs=True)
    _refused(RequestInvalid, FABS_UNFINISHED, world.service.publish_fabs, ANN, {"submission_id": sid})
    for job in world.jobs(sid):
        job.status = JobStatus.FINISHED
    assert world.service.publish_fabs(ANN, {"submission_id": sid}).submission_id == sid
    assert world.submission(sid).publish_status is PublishStatus.PUBLISHED
    _refused(RequestInvalid, FABS_ALREADY_PUBLISHED, world.service.publish_fabs, ANN, {"submission_id": sid})


def test_publishing_fabs_needs_write_access(world: World) -> None:
    sid = _new(world)
    _refused(PermissionDenied, SUBMISSION_DENIED, world.service.publish_fabs, READER, {"submission_id": sid})

"""Use cases that bring a DABS submission's files in: submit_files, local_upload, finalize_job.

Changes to a submission's jobs are made under the submission's lock (``get_for_update``),
committed, and only then are the validations they made ready handed to the queue (a worker must
never see a job the database does not show yet).

Fixes of the original's quirks (spec §7) made here:

- submit_files checks everything (metadata, dates, permission, that all of A, B and C are named
  and that every name is usable) before it writes anything: a refused request leaves no orphan
  submission and does not flip a published submission to ``updated`` (quirk 12). An unknown
  ``existing_submission_id`` is a 400 "No such submission", not a 500.
- Local mode: submit_files takes only keys ``/v1/local_upload/`` handed to the same user, never
  a path (the original used any path it was given as the file to validate).
- finalize_job: an unknown or detached job is a 400 (the original crashed, quirk 21), a job
  whose file was never uploaded is refused, and a refusal of permission is a 403 (quirk 4).
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Callable, Iterable, Mapping

import attrs

from broker_core.errors import LoginRequired, RequestInvalid
from broker_core.file_types import FileType
from broker_core.jobs import Job, JobType, stored_job_id
from broker_core.ports import Clock, FileStorage, JobQueue, UnitOfWork, UnitOfWorkFactory, UploadCredentials
from broker_core.services.job_flow import enqueue_all, finish_job
from broker_core.services.submission_results import (
    FinalizeResult,
    LocalUploadResult,
    SubmitFilesResult,
    UploadSlot,
)
from broker_core.submissions.dates import parse_submission_dates
from broker_core.submissions.job_graph import (
    UPLOADED_FILES,
    apply_reupload,
    check_new_submission_files,
    new_submission_jobs,
    recount_totals,
    reupload_plan,
    upload_key,
)
from broker_core.submissions.model import Submission, new_dabs_submission, stored_submission_id
from broker_core.submissions.permissions import (
    NO_SUCH_SUBMISSION,
    ROUTE_PERMISSIONS,
    authorize,
    check_submit_files,
)
from broker_core.submissions.publish_status import mark_reuploaded
from broker_core.submissions.request_fields import agency_fields, integer_field, is_blank, text_field
from broker_core.submissions.uploads import (
    LOCAL_CREDENTIALS,
    LOCAL_ONLY,
    NO_FILE,
    TemporaryCredentials,
    base_name,
    epoch_seconds,
    limited,
    local_key_of,
    local_upload_key,
    s3_upload_key,
    safe_file_name,
)
from broker_core.users import User

# Keys of ROUTE_PERMISSIONS.
SUBMIT_FILES = "POST /v1/submit_files"
FINALIZE_JOB = "POST /v1/finalize_job"

NO_SUCH_JOB = "No such job"
DETACHED_JOB = "This job is not part of a submission"
WRONG_JOB_TYPE = "Wrong job type for finalize route"
NOT_UPLOADED = "The file for this job has not been uploaded"
NOT_DABS = "Existing submission must be a DABS submission"
#: The request fields of a new submission's reporting period, in the order they are checked.
DATE_FIELDS = ("reporting_period_start_date", "reporting_period_end_date", "is_quarter")

_MAX_ID = 2**31 - 1
#: The order of the files in a submit_files answer: the uploads, then the generated files.
_ANSWER_ORDER = (FileType.A, FileType.B, FileType.C, FileType.D1, FileType.D2, FileType.E, FileType.F)


@attrs.frozen
class _Upload:
    """A file named by submit_files, checked before anything is written."""

    file_type: FileType
    #: Local mode: the storage key local_upload made. S3: None (the key needs the submission id).
    key: str | None
    #: The name users see (S3: the name given; local: the uploaded file's name).
    shown: str


@attrs.define
class SubmissionUploadService:
    uow_factory: UnitOfWorkFactory
    storage: FileStorage
    queue: JobQueue
    clock: Clock
    upload_credentials: UploadCredentials
    #: Local install: files come through ``/v1/local_upload/`` instead of straight to S3.
    local_mode: bool
    #: Largest file ``/v1/local_upload/`` accepts.
    max_upload_bytes: int = 2 * 1024**3
    #: Makes the random part of local upload keys (8 hex digits).
    upload_token: Callable[[], str] = attrs.field(default=lambda: secrets.token_hex(4))

    # ------------------------------------------------------------------ submit_files

    def submit_files(self, user: User | None, body: Mapping[str, object]) -> SubmitFilesResult:
        """Create a DABS submission and its 13 jobs, or correct one (``existing_submission_id``)."""
        if user is None:
            raise LoginRequired()
        existing_id = integer_field(body, "existing_submission_id", required=False)
        if existing_id is None:
            return self._create(user, body)
        return self._correct(user, existing_id, body)

    def _create(self, user: User, body: Mapping[str, object]) -> SubmitFilesResult:
        cgac_code, frec_code = agency_fields(body, required=True)
        for field in DATE_FIELDS:
            if is_blank(body.get(field)):
                raise RequestInvalid(f"{field} is required")
        dates = parse_submission_dates(
            text_field(body, DATE_FIELDS[0]), text_field(body, DATE_FIELDS[1]), body.get(DATE_FIELDS[2]), None
        )
        check_submit_files(user, cgac_code or frec_code, None)
        check_new_submission_files([ft for ft in UPLOADED_FILES if not is_blank(body.get(ft.type_name))])
        uploads = self._uploads(user, body)
        # Every check passed: nothing above wrote anything (the original had already stored the
        # submission when it found a file missing, quirk 12).
        now = self.clock.now()
        with self.uow_factory() as uow:
            submission = new_dabs_submission(
                user_id=user.user_id,
                cgac_code=cgac_code,
                frec_code=frec_code,
                start=dates.start,
                end=dates.end,
                is_quarter=dates.is_quarter,
                now=now,
            )
            uow.submissions.add(submission)
            submission_id = stored_submission_id(submission)
            names = self._storage_names(submission_id, uploads, now)
            jobs, edges = new_submission_jobs(submission_id, names, now)
            for job in jobs.values():
                job.user_id = user.user_id
                uow.jobs.add(job)
            for job_key, prerequisite_key in edges:
                uow.jobs.add_dependency(stored_job_id(jobs[job_key]), stored_job_id(jobs[prerequisite_key]))
            slots = tuple(self._slot(jobs[upload_key(ft)], names.get(ft)) for ft in _ANSWER_ORDER)
            # Before the commit: if the credentials cannot be had, no submission is left behind.
            credentials = self._credentials(user, submission_id)
            uow.commit()
        return SubmitFilesResult(submission_id, self.upload_credentials.bucket_name, credentials, slots)

    def _correct(self, user: User, submission_id: int, body: Mapping[str, object]) -> SubmitFilesResult:
        now = self.clock.now()
        with self.uow_factory() as uow:
            submission = _locked(uow, submission_id)
            cgac_code, frec_code = agency_fields(body, required=False)
            check_submit_files(user, cgac_code or frec_code, submission)
            if submission.is_fabs:
                raise RequestInvalid(NOT_DABS)
            start, end = text_field(body, DATE_FIELDS[0]), text_field(body, DATE_FIELDS[1])
            is_quarter = None if is_blank(body.get(DATE_FIELDS[2])) else body.get(DATE_FIELDS[2])
            dates = parse_submission_dates(start, end, is_quarter, submission)
            plan = reupload_plan(ft for ft in UPLOADED_FILES if not is_blank(body.get(ft.type_name)))
            uploads = self._uploads(user, body)
            # Every check passed: only now does the request change the submission (the original
            # flipped a published one to updated before it checked the files, quirk 12).
            names = self._storage_names(submission_id, uploads, now)
            jobs = uow.jobs.for_submission(submission_id)
            apply_reupload(plan, jobs, names, now)
            for job in jobs:
                if job.job_type is JobType.CSV_RECORD_VALIDATION and job.file_type in plan.file_types:
                    uow.validation_results.clear(stored_job_id(job))
            if cgac_code or frec_code:
                submission.cgac_code, submission.frec_code = cgac_code, frec_code
            if start is not None or end is not None or is_quarter is not None:
                submission.set_reporting_period(dates.start, dates.end, dates.is_quarter, now)
            mark_reuploaded(submission, now)
            recount_totals(submission, jobs)
            upload_jobs = {job.file_type: job for job in jobs if job.job_type is JobType.FILE_UPLOAD}
            slots = tuple(
                self._slot(upload_jobs[ft], names[ft]) for ft in _ANSWER_ORDER if ft in plan.file_types
            )
            credentials = self._credentials(user, submission_id)
            uow.commit()
        return SubmitFilesResult(submission_id, self.upload_credentials.bucket_name, credentials, slots)

    def _uploads(self, user: User, body: Mapping[str, object]) -> dict[FileType, _Upload]:
        """The A/B/C files the body names, each checked (400 for an unusable name or key)."""
        uploads: dict[FileType, _Upload] = {}
        for file_type in UPLOADED_FILES:
            field = file_type.type_name
            value = body.get(field)
            if is_blank(value):
                continue
            if self.local_mode:
                key, shown = local_key_of(value, user.user_id, field)
                uploads[file_type] = _Upload(file_type, key, shown)
                continue
            if not isinstance(value, str):
                raise RequestInvalid(f"{field}: Not a valid string.")
            try:
                safe_file_name(value)
            except RequestInvalid:
                raise RequestInvalid(f"{field}: Not a valid file name") from None
            uploads[file_type] = _Upload(file_type, None, base_name(value))
        return uploads

    def _storage_names(
        self, submission_id: int, uploads: Mapping[FileType, _Upload], now: dt.datetime
    ) -> dict[FileType, tuple[str, str]]:
        """(storage key, shown name) of each file; S3 keys are ``<submission id>/<epoch>_<name>``."""
        names: dict[FileType, tuple[str, str]] = {}
        used: set[str] = set()
        epoch = epoch_seconds(now)
        for file_type, upload in uploads.items():
            if upload.key is not None:  # local mode: the file is already stored
                names[file_type] = (upload.key, upload.shown)
                continue
            key = s3_upload_key(submission_id, epoch, upload.shown)
            if key in used:  # two files of one name: keep them apart (the original overwrote one)
                key = s3_upload_key(submission_id, epoch, f"{file_type.letter}_{upload.shown}")
            used.add(key)
            names[file_type] = (key, upload.shown)
        return names

    def _credentials(self, user: User, submission_id: int) -> TemporaryCredentials:
        if self.local_mode:
            return LOCAL_CREDENTIALS
        return self.upload_credentials.for_user(user.user_id or 0, f"{submission_id}/")

    def _slot(self, job: Job, names: tuple[str, str] | None) -> UploadSlot:
        file_type = job.file_type
        assert file_type is not None  # upload jobs always have one
        key = None if names is None else self.upload_credentials.object_key(names[0])
        return UploadSlot(file_type.type_name, stored_job_id(job), key)

    # ------------------------------------------------------------------ local uploads

    def require_local_mode(self) -> None:
        """400 "Route Only Valid For Local Installs" unless files are kept locally."""
        if not self.local_mode:
            raise RequestInvalid(LOCAL_ONLY)

    def local_upload(
        self, user: User | None, filename: str | None, chunks: Iterable[bytes]
    ) -> LocalUploadResult:
        """Store a posted file under ``uploads/<user id>/`` (streamed, at most ``max_upload_bytes``)."""
        if user is None or user.user_id is None:
            raise LoginRequired()
        self.require_local_mode()
        if not filename:
            raise RequestInvalid(NO_FILE)
        key = local_upload_key(user.user_id, filename, epoch_seconds(self.clock.now()), self.upload_token())
        self.storage.write(key, limited(chunks, self.max_upload_bytes))
        return LocalUploadResult(path=key)

    # ------------------------------------------------------------------ finalize_job

    def finalize_job(self, user: User | None, body: Mapping[str, object]) -> FinalizeResult:
        """The client has uploaded a file: finish its upload job and ready its validation."""
        if user is None:
            raise LoginRequired()
        job_id = integer_field(body, "upload_id", required=True)
        assert job_id is not None
        with self.uow_factory() as uow:
            job = uow.jobs.get(job_id) if 0 < job_id <= _MAX_ID else None
            if job is None:
                raise RequestInvalid(NO_SUCH_JOB)
            if job.submission_id is None:
                raise RequestInvalid(DETACHED_JOB)
            submission = uow.submissions.get_for_update(job.submission_id)
            job = uow.jobs.get(job_id)  # as the previous holder of the lock left it
            if submission is None or job is None:
                raise RequestInvalid(NO_SUCH_JOB)  # deleted meanwhile
            authorize(ROUTE_PERMISSIONS[FINALIZE_JOB], user, submission=submission)
            if job.job_type is not JobType.FILE_UPLOAD:
                raise RequestInvalid(WRONG_JOB_TYPE)
            if not job.filename or not self._stored(job.filename):
                raise RequestInvalid(NOT_UPLOADED)
            tasks = finish_job(uow, job, self.clock.now())
            uow.commit()
        enqueue_all(self.queue, tasks)
        return FinalizeResult(success=True, submission_id=stored_submission_id(submission))

    def _stored(self, key: str) -> bool:
        try:
            return self.storage.exists(key)
        except ValueError:  # not a key this storage could hold
            return False


def _locked(uow: UnitOfWork, submission_id: int) -> Submission:
    submission = uow.submissions.get_for_update(submission_id) if 0 < submission_id <= _MAX_ID else None
    if submission is None:
        raise RequestInvalid(NO_SUCH_SUBMISSION)
    return submission

"""Use cases that create and change DABS submissions: submit, upload, finalize, restart, certify, delete.

Every route that names a submission starts with :func:`load_for` (401, then 400 "No such
submission", then 403, in the original's order). Changes to a submission's jobs are made under
the submission's lock (``get_for_update``), committed, and only then are the validations they
made ready handed to the queue (a worker must never see a job the database does not show yet).

Fixes of the original's quirks (spec §7) made here:

- submit_files checks everything (metadata, dates, permission, that all of A, B and C are named
  and that every name is usable) before it writes anything: a refused request leaves no orphan
  submission and does not flip a published submission to ``updated`` (quirk 12). An unknown
  ``existing_submission_id`` is a 400 "No such submission", not a 500.
- Local mode: submit_files takes only keys ``/v1/local_upload/`` handed to the same user, never
  a path (the original used any path it was given as the file to validate).
- finalize_job: an unknown or detached job is a 400 (the original crashed, quirk 21), a job
  whose file was never uploaded is refused, and a refusal of permission is a 403 (quirk 4).
- delete_submission also deletes the submission's stored files and reports (quirk 22).
- certify_submission copies the files in local mode too; the copies are made outside any
  transaction, and the submission is certified only if its files did not change meanwhile.
- restart_validation keeps the files already uploaded or generated (quirk 19), clears the old
  validation results and counts, and refuses while a job runs.
- get_protected_files lists the help files in local mode too (200, quirk 28).
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import secrets
from collections.abc import Callable, Iterable, Mapping

import attrs

from broker_core.errors import LoginRequired, RequestInvalid
from broker_core.file_types import FileType
from broker_core.jobs import Job, JobStatus, JobType
from broker_core.ports import Clock, FileStorage, JobQueue, UnitOfWork, UnitOfWorkFactory, UploadCredentials
from broker_core.services.job_flow import enqueue_all, finish_job, task_for
from broker_core.services.submission_access import load_for
from broker_core.services.submission_views import REPORT_PREFIX
from broker_core.submissions.certification import certified_file_key, certify, check_certifiable
from broker_core.submissions.dates import parse_submission_dates
from broker_core.submissions.deletion import check_deletable
from broker_core.submissions.job_graph import (
    UPLOADED_FILES,
    apply_restart,
    apply_reupload,
    check_new_submission_files,
    new_submission_jobs,
    restart_plan,
    reupload_plan,
    upload_key,
)
from broker_core.submissions.model import (
    CGAC_REQUIRED,
    ONE_AGENCY_ONLY,
    PublishStatus,
    Submission,
    new_dabs_submission,
)
from broker_core.submissions.narratives import narrative_view, normalise_narratives
from broker_core.submissions.permissions import (
    NO_SUCH_SUBMISSION,
    ROUTE_PERMISSIONS,
    authorize,
    check_submit_files,
)
from broker_core.submissions.publish_status import change_publish_status, mark_reuploaded
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
from broker_core.validation.report_naming import NamingEra, report_file_name

log = logging.getLogger(__name__)

# Keys of ROUTE_PERMISSIONS.
SUBMIT_FILES = "POST /v1/submit_files"
FINALIZE_JOB = "POST /v1/finalize_job"
DELETE_SUBMISSION = "POST /v1/delete_submission"
CERTIFY_SUBMISSION = "POST /v1/certify_submission"
RESTART_VALIDATION = "POST /v1/restart_validation"
GET_NARRATIVES = "GET /v1/submission/{submission_id}/narrative"
SET_NARRATIVES = "POST /v1/submission/{submission_id}/narrative"
PUBLISH_FABS = "POST /v1/submit_detached_file"

NO_SUCH_JOB = "No such job"
NOT_FABS = "Submission is not a FABS submission"
FABS_ALREADY_PUBLISHED = "Submission has already been published"
FABS_UNFINISHED = "Submission has unfinished jobs and cannot be published"
DETACHED_JOB = "This job is not part of a submission"
WRONG_JOB_TYPE = "Wrong job type for finalize route"
NOT_UPLOADED = "The file for this job has not been uploaded"
NOT_DABS = "Existing submission must be a DABS submission"
CHANGED_WHILE_CERTIFYING = "The submission's files changed while it was being certified; please try again"
#: The request fields of a new submission's reporting period, in the order they are checked.
DATE_FIELDS = ("reporting_period_start_date", "reporting_period_end_date", "is_quarter")

#: Storage key prefixes: the help page's files, certified copies (the reports': REPORT_PREFIX).
HELP_PREFIX = "help/"
CERTIFIED_PREFIX = "certified/"
#: Files of file generations, shared through the generation cache: never a submission's own.
_SHARED_PREFIX = "generated/"
#: Files that have reports, and the pairs of files a cross-file report can be about.
_REPORTED = (FileType.A, FileType.B, FileType.C, FileType.D1, FileType.D2)
_VALIDATIONS = (JobType.CSV_RECORD_VALIDATION, JobType.VALIDATION)
_MAX_ID = 2**31 - 1
_INTEGER = re.compile(r"\s*[+-]?[0-9]+\s*")


# --------------------------------------------------------------------------- answers


@attrs.frozen
class UploadSlot:
    """One file of a submit_files answer: ``<file_type>_id`` and ``<file_type>_key``."""

    file_type: str
    job_id: int
    #: Where the client uploads the file; None for the files the Broker generates.
    key: str | None


@attrs.frozen
class SubmitFilesResult:
    submission_id: int
    bucket_name: str
    credentials: TemporaryCredentials
    files: tuple[UploadSlot, ...]


@attrs.frozen
class FinalizeResult:
    success: bool
    submission_id: int


@attrs.frozen
class LocalUploadResult:
    #: The storage key to pass back to submit_files.
    path: str


@attrs.frozen
class ProtectedFiles:
    #: Help file name -> signed download link.
    urls: dict[str, str]


@attrs.frozen
class Message:
    message: str


SUCCESS = Message("Success")


@attrs.frozen
class PublishedFabs:
    submission_id: int


@attrs.frozen
class _Upload:
    """A file named by submit_files, checked before anything is written."""

    file_type: FileType
    #: Local mode: the storage key local_upload made. S3: None (the key needs the submission id).
    key: str | None
    #: The name users see (S3: the name given; local: the uploaded file's name).
    shown: str


# --------------------------------------------------------------------------- the service


@attrs.define
class SubmissionService:
    uow_factory: UnitOfWorkFactory
    storage: FileStorage
    queue: JobQueue
    clock: Clock
    upload_credentials: UploadCredentials
    #: Local install: files come through ``/v1/local_upload/`` instead of straight to S3.
    local_mode: bool
    #: Lifetime of download links (help files) in seconds.
    url_expiry: int = 60
    #: Largest file ``/v1/local_upload/`` accepts.
    max_upload_bytes: int = 2 * 1024**3
    report_prefix: str = REPORT_PREFIX
    help_prefix: str = HELP_PREFIX
    certified_prefix: str = CERTIFIED_PREFIX
    #: Makes the random part of local upload keys (8 hex digits).
    upload_token: Callable[[], str] = attrs.field(default=lambda: secrets.token_hex(4))

    # ------------------------------------------------------------------ submit_files

    def submit_files(self, user: User | None, body: Mapping[str, object]) -> SubmitFilesResult:
        """Create a DABS submission and its 13 jobs, or correct one (``existing_submission_id``)."""
        if user is None:
            raise LoginRequired()
        existing_id = _integer(body, "existing_submission_id", required=False)
        if existing_id is None:
            return self._create(user, body)
        return self._correct(user, existing_id, body)

    def _create(self, user: User, body: Mapping[str, object]) -> SubmitFilesResult:
        cgac_code, frec_code = _agency(body, required=True)
        for field in DATE_FIELDS:
            if _blank(body.get(field)):
                raise RequestInvalid(f"{field} is required")
        dates = parse_submission_dates(
            _text(body, DATE_FIELDS[0]), _text(body, DATE_FIELDS[1]), body.get(DATE_FIELDS[2]), None
        )
        check_submit_files(user, cgac_code or frec_code, None)
        check_new_submission_files([ft for ft in UPLOADED_FILES if not _blank(body.get(ft.type_name))])
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
            submission_id = _submission_id(submission)
            names = self._storage_names(submission_id, uploads, now)
            jobs, edges = new_submission_jobs(submission_id, names, now)
            for job in jobs.values():
                job.user_id = user.user_id
                uow.jobs.add(job)
            for job_key, prerequisite_key in edges:
                uow.jobs.add_dependency(_job_id(jobs[job_key]), _job_id(jobs[prerequisite_key]))
            slots = tuple(self._slot(jobs[upload_key(ft)], names.get(ft)) for ft in _ANSWER_ORDER)
            # Before the commit: if the credentials cannot be had, no submission is left behind.
            credentials = self._credentials(user, submission_id)
            uow.commit()
        return SubmitFilesResult(submission_id, self.upload_credentials.bucket_name, credentials, slots)

    def _correct(self, user: User, submission_id: int, body: Mapping[str, object]) -> SubmitFilesResult:
        now = self.clock.now()
        with self.uow_factory() as uow:
            submission = _locked(uow, submission_id)
            cgac_code, frec_code = _agency(body, required=False)
            check_submit_files(user, cgac_code or frec_code, submission)
            if submission.is_fabs:
                raise RequestInvalid(NOT_DABS)
            start, end = _text(body, DATE_FIELDS[0]), _text(body, DATE_FIELDS[1])
            is_quarter = None if _blank(body.get(DATE_FIELDS[2])) else body.get(DATE_FIELDS[2])
            dates = parse_submission_dates(start, end, is_quarter, submission)
            plan = reupload_plan(ft for ft in UPLOADED_FILES if not _blank(body.get(ft.type_name)))
            uploads = self._uploads(user, body)
            # Every check passed: only now does the request change the submission (the original
            # flipped a published one to updated before it checked the files, quirk 12).
            names = self._storage_names(submission_id, uploads, now)
            jobs = uow.jobs.for_submission(submission_id)
            apply_reupload(plan, jobs, names, now)
            for job in jobs:
                if job.job_type is JobType.CSV_RECORD_VALIDATION and job.file_type in plan.file_types:
                    uow.validation_results.clear(_job_id(job))
            if cgac_code or frec_code:
                submission.cgac_code, submission.frec_code = cgac_code, frec_code
            if start is not None or end is not None or is_quarter is not None:
                submission.set_reporting_period(dates.start, dates.end, dates.is_quarter, now)
            mark_reuploaded(submission, now)
            _recount(submission, jobs)
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
            if _blank(value):
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
        return UploadSlot(file_type.type_name, _job_id(job), key)

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
        job_id = _integer(body, "upload_id", required=True)
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
        return FinalizeResult(success=True, submission_id=_submission_id(submission))

    # ------------------------------------------------------------------ restart, delete, certify

    def restart_validation(self, user: User | None, params: Mapping[str, object]) -> Message:
        """Validate the submission's files again, keeping the files it has."""
        with self.uow_factory() as uow:
            _, submission = load_for(uow, RESTART_VALIDATION, user, params, for_update=True)
            jobs = uow.jobs.for_submission(_submission_id(submission))
            plan = restart_plan(jobs)
            apply_restart(plan, submission, jobs, self.clock.now())
            for job in jobs:
                if job.job_type in _VALIDATIONS:
                    # Every validation runs again: what the last run found no longer holds.
                    uow.validation_results.clear(_job_id(job))
                    job.number_of_errors = job.number_of_warnings = 0
            _recount(submission, jobs)
            tasks = [task_for(job) for job in jobs if job.job_id in plan.enqueue]
            uow.commit()
        enqueue_all(self.queue, tasks)
        return SUCCESS

    def delete_submission(self, user: User | None, params: Mapping[str, object]) -> Message:
        """Delete an unpublished submission without running jobs, its rows and its stored files."""
        with self.uow_factory() as uow:
            _, submission = load_for(uow, DELETE_SUBMISSION, user, params, for_update=True)
            submission_id = _submission_id(submission)
            jobs = uow.jobs.for_submission(submission_id)
            # An A/B/C upload is "running" from submit_files until the client finalizes it, but no
            # worker runs it: an abandoned submission must stay deletable.
            check_deletable(submission, [job.status for job in jobs if not _awaits_client(job)])
            keys = {
                job.filename for job in jobs if job.filename and not job.filename.startswith(_SHARED_PREFIX)
            }
            reports = {self.report_prefix + name for name in _report_file_names(submission)}
            uow.submissions.delete(submission_id)
            uow.commit()
        # The rows are gone first: a file left behind by a failure below is only litter.
        keys.update(self._listed(f"{submission_id}/"))
        for prefix in (f"submission_{submission_id}_", f"SubID-{submission_id}_"):
            keys.update(key for key in self._listed(self.report_prefix + prefix) if key in reports)
        for key in sorted(keys):
            try:
                self.storage.delete(key)
            except Exception:  # storage trouble must not turn a done deletion into an error
                log.exception("could not delete %s of deleted submission %s", key, submission_id)
        return SUCCESS

    def certify_submission(self, user: User | None, params: Mapping[str, object]) -> Message:
        """Copy the submission's files to ``certified/<agency>/<FY>/<quarter>/`` and publish it."""
        with self.uow_factory() as uow:
            _, submission = load_for(uow, CERTIFY_SUBMISSION, user, params)
            check_certifiable(submission)
            copies = self._certified_copies(uow, submission)
        # Outside any transaction: copying large files must not hold the database.
        for source, target, file_type in copies:
            try:
                self.storage.write(target, self.storage.read(source))
            except FileNotFoundError:
                raise RequestInvalid(
                    f"The {file_type.letter} file of this submission is missing; upload or generate it again"
                ) from None
        with self.uow_factory() as uow:
            _, submission = load_for(uow, CERTIFY_SUBMISSION, user, params, for_update=True)
            check_certifiable(submission)
            if self._certified_copies(uow, submission) != copies:
                raise RequestInvalid(CHANGED_WHILE_CERTIFYING)
            certify(submission, self.clock.now())
            uow.commit()
        return SUCCESS

    def publish_fabs(self, user: User | None, params: Mapping[str, object]) -> PublishedFabs:
        """``submit_detached_file``: publish a FABS submission whose validation is done.

        This broker validates and generates DABS files only; FABS submissions come from the
        FABS system, so here publishing records the status change with the original's checks
        (and HEAD's refusal of unfinished jobs, which the original let through).
        """
        with self.uow_factory() as uow:
            _, submission = load_for(uow, PUBLISH_FABS, user, params, for_update=True)
            if not submission.is_fabs:
                raise RequestInvalid(NOT_FABS)
            if submission.publish_status is not PublishStatus.UNPUBLISHED:
                raise RequestInvalid(FABS_ALREADY_PUBLISHED)
            if any(
                job.status is not JobStatus.FINISHED
                for job in uow.jobs.for_submission(_submission_id(submission))
            ):
                raise RequestInvalid(FABS_UNFINISHED)
            change_publish_status(submission, PublishStatus.PUBLISHED, self.clock.now())
            uow.commit()
            return PublishedFabs(_submission_id(submission))

    def _certified_copies(self, uow: UnitOfWork, submission: Submission) -> list[tuple[str, str, FileType]]:
        """(stored key, certified key, file type) of every file of the submission."""
        return [
            (
                job.filename,
                self.certified_prefix + certified_file_key(submission, job.filename),
                job.file_type,
            )
            for job in uow.jobs.for_submission(_submission_id(submission))
            if job.job_type is JobType.FILE_UPLOAD and job.filename and job.file_type is not None
        ]

    # ------------------------------------------------------------------ narratives, help files

    def narratives(self, user: User | None, submission_id: object) -> dict[str, str]:
        """Every file letter's narrative ("" where there is none)."""
        with self.uow_factory() as uow:
            _, submission = load_for(uow, GET_NARRATIVES, user, {}, explicit_id=submission_id)
            return narrative_view(uow.narratives.get(_submission_id(submission)))

    def set_narratives(self, user: User | None, submission_id: object, body: object) -> dict[str, str]:
        """Replace all narratives with the body's (letters left out are deleted); answers ``{}``."""
        with self.uow_factory() as uow:
            _, submission = load_for(uow, SET_NARRATIVES, user, {}, explicit_id=submission_id)
            uow.narratives.replace(_submission_id(submission), normalise_narratives(body))
            uow.commit()
        return {}

    def protected_files(self, user: User | None) -> ProtectedFiles:
        """Signed links to every file under the help prefix, by name."""
        if user is None:
            raise LoginRequired()
        urls: dict[str, str] = {}
        for key in sorted(self._listed(self.help_prefix)):
            name = key[len(self.help_prefix) :]
            urls[name] = self.storage.url(key, filename=base_name(name), expires_in=self.url_expiry)
        return ProtectedFiles(urls)

    # ------------------------------------------------------------------ helpers

    def _stored(self, key: str) -> bool:
        try:
            return self.storage.exists(key)
        except ValueError:  # not a key this storage could hold
            return False

    def _listed(self, prefix: str) -> list[str]:
        return [key for key in self.storage.list(prefix) if key.startswith(prefix)]


def _report_file_names(submission: Submission) -> set[str]:
    """Every name a report of the submission could have: each file and pair, in every naming era."""
    submission_id = _submission_id(submission)
    names: set[str] = set()
    subjects: list[tuple[FileType, FileType | None]] = [(ft, None) for ft in _REPORTED]
    subjects += [(a, b) for i, a in enumerate(_REPORTED) for b in _REPORTED[i + 1 :]]
    for era in NamingEra:
        for quarterly in (False, True):
            for warning in (False, True):
                for file_type, cross_type in subjects:
                    names.add(
                        report_file_name(
                            submission_id,
                            warning,
                            file_type,
                            cross_type,
                            fiscal_year=submission.reporting_fiscal_year,
                            period=submission.reporting_fiscal_period,
                            is_quarter=quarterly,
                            era=era,
                        )
                    )
    return names


#: The order of the files in a submit_files answer: the uploads, then the generated files.
_ANSWER_ORDER = (FileType.A, FileType.B, FileType.C, FileType.D1, FileType.D2, FileType.E, FileType.F)


def _locked(uow: UnitOfWork, submission_id: int) -> Submission:
    submission = uow.submissions.get_for_update(submission_id) if 0 < submission_id <= _MAX_ID else None
    if submission is None:
        raise RequestInvalid(NO_SUCH_SUBMISSION)
    return submission


def _awaits_client(job: Job) -> bool:
    return job.job_type is JobType.FILE_UPLOAD and job.file_type in UPLOADED_FILES


def _recount(submission: Submission, jobs: Iterable[Job]) -> None:
    """The submission's totals are the sums over its jobs."""
    jobs = list(jobs)
    submission.number_of_errors = sum(job.number_of_errors for job in jobs)
    submission.number_of_warnings = sum(job.number_of_warnings for job in jobs)


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _text(body: Mapping[str, object], field: str) -> str | None:
    value = body.get(field)
    if _blank(value):
        return None
    if not isinstance(value, str):
        raise RequestInvalid(f"{field}: Not a valid string.")
    return value.strip()


def _agency(body: Mapping[str, object], *, required: bool) -> tuple[str | None, str | None]:
    """(cgac_code, frec_code): exactly one of them for a new submission, at most one for a correction."""
    cgac_code, frec_code = _text(body, "cgac_code"), _text(body, "frec_code")
    if cgac_code and frec_code:
        raise RequestInvalid(ONE_AGENCY_ONLY)
    if required and not (cgac_code or frec_code):
        raise RequestInvalid(CGAC_REQUIRED)
    return cgac_code, frec_code


def _integer(body: Mapping[str, object], field: str, *, required: bool) -> int | None:
    """An integer field, with the messages the original's webargs gave."""
    value = body.get(field)
    if value is None or value == "":
        if required:
            raise RequestInvalid(f"{field}: Missing data for required field.")
        return None
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and _INTEGER.fullmatch(value):
        return int(value)
    raise RequestInvalid(f"{field}: Not a valid integer.")


def _submission_id(submission: Submission) -> int:
    if submission.submission_id is None:
        raise ValueError("a stored submission has an id")
    return submission.submission_id


def _job_id(job: Job) -> int:
    if job.job_id is None:
        raise ValueError("a stored job has an id")
    return job.job_id

"""Generating a submission's D1, D2, E and F files: the request, its status, and the E/F worker side.

D1 and D2 go through :class:`GenerationService`'s cache, so a submission and a detached request
for the same agency and dates share one file; when the file is there, the submission's upload
job finishes and its validation is queued (job_flow). E and F are built from the submission's own
staged D1/D2 rows, by a task of their own, into a file named when the submission was created.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence

import attrs

from broker_core.errors import RequestInvalid
from broker_core.file_types import FileType
from broker_core.generation.model import DetachedGenerationRequest, GenerationStatus
from broker_core.generation.periods import format_date
from broker_core.generation.status import (
    FAILED_WITHOUT_MESSAGE,
    STATUS_MAP,
    VALIDATION_STATUS_MAP,
    format_generated_at,
)
from broker_core.generation.submission_files import submission_file_chunks, submission_file_name
from broker_core.generation.submission_ports import SubmissionFileSource
from broker_core.generation.submission_request import (
    FABS_REFUSED,
    SubmissionGenerationRequest,
    parse_file_type,
    parse_generation_request,
)
from broker_core.jobs import Job, JobStatus, JobType
from broker_core.ports import Clock, FileStorage, TaskLocks, UnitOfWork, UnitOfWorkFactory
from broker_core.queueing import Task, TaskKind, ThreadTaskLocks
from broker_core.services.generation import GenerationService
from broker_core.services.job_flow import enqueue_all, finish_job
from broker_core.services.submission_access import load_for
from broker_core.submissions.model import PublishStatus, Submission
from broker_core.submissions.publish_status import mark_reuploaded
from broker_core.users import User

log = logging.getLogger(__name__)

PREREQUISITES_PENDING = "Must wait for completion of prerequisite validation job"
NO_SUCH_FILE = "This submission has no {letter} file to generate"
VALIDATION_ERRORS = "Validation completed but row-level errors were found"
FILE_LEVEL_ERRORS = "Generated file had file-level errors"
VALIDATION_FAILED = "Validation job had an internal error"
GENERATION_FAILED = "The file could not be generated because of an internal error. Please try again."
_UPLOADED = (FileType.A, FileType.B, FileType.C)


@attrs.define
class SubmissionGenerationService:
    uow_factory: UnitOfWorkFactory
    storage: FileStorage
    clock: Clock
    generation: GenerationService
    files: SubmissionFileSource
    url_expiry: int = 60
    task_locks: TaskLocks = attrs.field(factory=ThreadTaskLocks)

    # ------------------------------------------------------------------ API side

    def generate_file(self, user: User | None, params: Mapping[str, object]) -> GenerationStatus:
        """``POST /v1/generate_file/``: start (or share) the generation of one of the submission's files."""
        with self.uow_factory() as uow:
            _, submission = load_for(uow, "POST /v1/generate_file", user, params, for_update=True)
            request = parse_generation_request(params)
            if submission.is_fabs:
                raise RequestInvalid(FABS_REFUSED)
            jobs = uow.jobs.for_submission(_id(submission.submission_id))
            upload = _upload_job(jobs, request.file_type)
            _check_prerequisites(jobs, request.file_type)
            if request.file_type.is_d_file:
                tasks = self._start_d_file(uow, submission, jobs, upload, request)
            else:
                upload.transition(JobStatus.RUNNING, self.clock.now())
                tasks = [Task(TaskKind.GENERATE_SUBMISSION_FILE, _id(upload.job_id))]
            uow.commit()
            status = self._status(jobs, upload)
        enqueue_all(self.generation.queue, tasks)
        return status

    def generation_status(self, user: User | None, params: Mapping[str, object]) -> GenerationStatus:
        """``GET /v1/check_generation_status/``: the file's status, combined with its validation for D1/D2."""
        with self.uow_factory() as uow:
            _, submission = load_for(uow, "POST /v1/check_generation_status", user, params)
            file_type = parse_file_type(params)
            jobs = uow.jobs.for_submission(_id(submission.submission_id))
            return self._status(jobs, _upload_job(jobs, file_type))

    def _start_d_file(
        self,
        uow: UnitOfWork,
        submission: Submission,
        jobs: Sequence[Job],
        upload: Job,
        request: SubmissionGenerationRequest,
    ) -> list[Task]:
        now = self.clock.now()
        assert request.start is not None and request.end is not None and submission.agency_code is not None
        if submission.publish_status is PublishStatus.PUBLISHED:
            mark_reuploaded(submission, now)  # new D data: the published submission is now updated
        validation = _validation_job(jobs, request.file_type)
        for job in (upload, validation):
            if job is None:
                continue
            job.start_date, job.end_date = request.start, request.end
            job.filename = job.original_filename = None
            job.file_size = job.number_of_rows = job.number_of_rows_valid = None
            job.number_of_errors = job.number_of_warnings = 0
            job.file_generation_id = None
            job.transition(JobStatus.WAITING, now)
            if job is validation:
                uow.validation_results.clear(_id(job.job_id))
        for job in jobs:
            if job.job_type is JobType.VALIDATION and job.status is not JobStatus.WAITING:
                job.transition(JobStatus.WAITING, now)
        submission.updated_at = now
        return self.generation.attach_d_generation(
            uow,
            upload,
            DetachedGenerationRequest(
                file_type=request.file_type,
                agency_code=submission.agency_code,
                start=request.start,
                end=request.end,
                agency_type=request.agency_type,
                file_format=request.file_format,
            ),
        )

    def _status(self, jobs: Sequence[Job], upload: Job) -> GenerationStatus:
        """The status object of spec §4.1, computed without writing anything."""
        file_type = upload.file_type
        assert file_type is not None
        status = STATUS_MAP[upload.status]
        message = upload.error_message or ""
        if status == "failed" and not message:
            message = FAILED_WITHOUT_MESSAGE
        validation = _validation_job(jobs, file_type) if file_type.is_d_file else None
        if validation is not None and status == "finished":
            status = VALIDATION_STATUS_MAP[validation.status]
            if status == "finished" and validation.number_of_errors > 0:
                status, message = "failed", VALIDATION_ERRORS
            elif status == "failed":
                message = validation.error_message or (
                    FILE_LEVEL_ERRORS if validation.status is JobStatus.INVALID else VALIDATION_FAILED
                )
        url = "#"
        if status == "finished" and upload.filename:
            url = self.storage.url(
                upload.filename,
                filename=upload.original_filename or upload.filename.rsplit("/", 1)[-1],
                expires_in=self.url_expiry,
            )
        return GenerationStatus(
            job_id=_id(upload.job_id),
            status=status,
            file_type=file_type.letter,
            message=message,
            url=url,
            size=upload.file_size,
            generated_at=format_generated_at(upload.updated_at),
            start=format_date(upload.start_date) if file_type.is_d_file else None,
            end=format_date(upload.end_date) if file_type.is_d_file else None,
        )

    # ------------------------------------------------------------------ worker side (E and F)

    def run(self, task: Task) -> None:
        """Write an E or F file for the job the task names (a second runner returns at once)."""
        if task.kind is not TaskKind.GENERATE_SUBMISSION_FILE:
            raise ValueError(f"not a submission file task: {task}")
        with self.task_locks.hold(task) as held:
            if held:
                self._write_submission_file(task.ref_id)

    def _write_submission_file(self, job_id: int) -> None:
        with self.uow_factory() as uow:
            job = uow.jobs.get(job_id)
            if job is None or job.status is not JobStatus.RUNNING or job.submission_id is None:
                return
            submission = uow.submissions.get(job.submission_id)
            if submission is None or job.file_type not in (FileType.E, FileType.F):
                return
            file_type, submission_id = job.file_type, job.submission_id
            created = job.created_at or self.clock.now()
            # The name is fixed at creation (spec §5.2): every regeneration replaces the same file.
            name = submission_file_name(
                submission_id,
                file_type,
                submission.reporting_fiscal_year,
                submission.reporting_fiscal_period,
                submission.is_quarter_format,
                int(created.timestamp()),
            )
        key = f"{submission_id}/{name}"
        try:
            size = self.storage.write(key, submission_file_chunks(file_type, self.files, submission_id))
        except Exception:
            log.exception("%s generation for job %s failed", file_type.letter, job_id)
            with self.uow_factory() as uow:
                job = uow.jobs.get(job_id)
                if job is not None and job.status is JobStatus.RUNNING:
                    job.fail(GENERATION_FAILED, self.clock.now())
                    uow.commit()
            return
        with self.uow_factory() as uow:
            job = uow.jobs.get(job_id)
            if job is None or job.status is not JobStatus.RUNNING:
                return
            job.filename, job.original_filename, job.file_size = key, name, size
            tasks = finish_job(uow, job, self.clock.now())
            uow.commit()
        enqueue_all(self.generation.queue, tasks)


def _upload_job(jobs: Sequence[Job], file_type: FileType) -> Job:
    for job in jobs:
        if job.job_type is JobType.FILE_UPLOAD and job.file_type is file_type:
            return job
    raise RequestInvalid(NO_SUCH_FILE.format(letter=file_type.letter))


def _validation_job(jobs: Sequence[Job], file_type: FileType) -> Job | None:
    return next(
        (j for j in jobs if j.job_type is JobType.CSV_RECORD_VALIDATION and j.file_type is file_type), None
    )


def _check_prerequisites(jobs: Sequence[Job], file_type: FileType) -> None:
    """D1/D2 need clean A, B and C; E and F need a clean cross-file validation (spec §1.1 step 7)."""
    if file_type.is_d_file:
        blocking = [j for j in jobs if j.file_type in _UPLOADED]
    else:
        blocking = [j for j in jobs if j.job_type is JobType.VALIDATION]
    if not blocking or any(j.status is not JobStatus.FINISHED or j.number_of_errors > 0 for j in blocking):
        raise RequestInvalid(PREREQUISITES_PENDING)


def _id(value: int | None) -> int:
    if value is None:
        raise RuntimeError("entity has no id yet")
    return value

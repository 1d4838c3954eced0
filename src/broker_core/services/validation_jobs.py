"""The worker side of a submission's validations: one file's validation job, and the cross-file job.

A task names a job; the job row says whether there is still work to do. A validation runs in
three steps: claim the job (``running``, its ``file`` row ``incomplete``) in one transaction,
validate outside any transaction (a large file takes minutes), then record the outcome and move
the submission on in another. A worker killed in the middle leaves the job ``running``; the
sweep hands the task to another worker, whose run starts the file again from scratch (staging
is cleared first), so a job never stays stuck and never reports half a result.
"""

from __future__ import annotations

import datetime as dt
import logging

import attrs

from broker_core.jobs import Job, JobStatus, JobType
from broker_core.ports import Clock, FileStorage, JobQueue, TaskLocks, UnitOfWork, UnitOfWorkFactory
from broker_core.queueing import Task, TaskKind, ThreadTaskLocks
from broker_core.services.job_flow import enqueue_all, finish_job
from broker_core.submissions.job_graph import prerequisite_clear
from broker_core.submissions.model import Submission
from broker_core.submissions.records import FileRecord
from broker_core.validation.cross_service import CrossFileOutcome, CrossFileValidationService
from broker_core.validation.metadata import CROSS_FILE_NAME, FileStatus, Totals
from broker_core.validation.run import CrossFileRun, ValidationRun
from broker_core.validation.service import FileValidationService, ValidationOutcome

log = logging.getLogger(__name__)

FAILED_MESSAGE = "The file could not be validated because of an internal error. Please try again."
_CLAIMABLE = (JobStatus.READY, JobStatus.RUNNING)


@attrs.define
class ValidationJobService:
    uow_factory: UnitOfWorkFactory
    storage: FileStorage
    queue: JobQueue
    clock: Clock
    file_validation: FileValidationService
    cross_file_validation: CrossFileValidationService
    task_locks: TaskLocks = attrs.field(factory=ThreadTaskLocks)

    def run(self, task: Task) -> None:
        """Carry out a validation task; a second runner of the same task returns at once."""
        with self.task_locks.hold(task) as held:
            if not held:
                log.info("%s is already running elsewhere", task)
                return
            if task.kind is TaskKind.VALIDATE_FILE:
                self._validate_file(task.ref_id)
            elif task.kind is TaskKind.VALIDATE_CROSS_FILE:
                self._validate_cross_file(task.ref_id)
            else:
                raise ValueError(f"not a validation task: {task}")

    # ------------------------------------------------------------------ one file

    def _validate_file(self, job_id: int) -> None:
        claimed = self._claim(job_id, JobType.CSV_RECORD_VALIDATION)
        if claimed is None:
            return
        job, submission = claimed
        if not job.filename:
            self._fail(job_id, "The file to validate is missing. Upload it again.")
            return
        file_type = job.file_type
        assert file_type is not None  # a csv_record_validation job always has one
        start, end = _reporting_dates(submission)
        run = ValidationRun(
            job_id=job_id,
            file_type=file_type,
            fiscal_year=submission.reporting_fiscal_year,
            period=submission.reporting_fiscal_period,
            reporting_start=start,
            reporting_end=end,
            submission_id=submission.submission_id,
            cgac_code=submission.cgac_code,
            frec_code=submission.frec_code,
        )
        name = job.original_filename or job.filename
        try:
            outcome = self.file_validation.validate(self.storage.read(job.filename), name, run)
        except Exception:
            log.exception("validation of job %s failed", job_id)
            self._fail(job_id, FAILED_MESSAGE)
            return
        self._record_file_outcome(job_id, name, outcome)

    def _record_file_outcome(self, job_id: int, name: str, outcome: ValidationOutcome) -> None:
        tasks: list[Task] = []
        with self.uow_factory() as uow:
            job = self._still_running(uow, job_id)
            if job is None:
                return
            now = self.clock.now()
            job.number_of_rows = outcome.number_of_rows
            job.number_of_rows_valid = outcome.number_of_rows_valid
            job.number_of_errors = outcome.totals.number_of_errors
            job.number_of_warnings = outcome.totals.number_of_warnings
            job.last_validated = now
            uow.validation_results.save_file(
                job_id,
                FileRecord(name, outcome.file_status, outcome.missing_headers, outcome.duplicated_headers),
            )
            uow.validation_results.replace_error_metadata(job_id, outcome.metadata)
            if outcome.file_status is FileStatus.COMPLETE:
                tasks = finish_job(uow, job, now)
            else:
                job.error_message = outcome.message
                job.transition(JobStatus.INVALID, now)
            self._update_submission(uow, job)
            uow.commit()
        enqueue_all(self.queue, tasks)

    # ------------------------------------------------------------------ cross-file

    def _validate_cross_file(self, job_id: int) -> None:
        claimed = self._claim(job_id, JobType.VALIDATION)
        if claimed is None:
            return
        _, submission = claimed
        assert submission.submission_id is not None
        start, end = _reporting_dates(submission)
        run = CrossFileRun(
            submission_id=submission.submission_id,
            fiscal_year=submission.reporting_fiscal_year,
            period=submission.reporting_fiscal_period,
            reporting_start=start,
            reporting_end=end,
            cgac_code=submission.cgac_code,
            frec_code=submission.frec_code,
        )
        try:
            outcome = self.cross_file_validation.validate(run)
        except Exception:
            log.exception("cross-file validation of job %s failed", job_id)
            self._fail(job_id, FAILED_MESSAGE)
            return
        self._record_cross_file_outcome(job_id, outcome)

    def _record_cross_file_outcome(self, job_id: int, outcome: CrossFileOutcome) -> None:
        with self.uow_factory() as uow:
            job = self._still_running(uow, job_id)
            if job is None:
                return
            now = self.clock.now()
            job.number_of_errors = outcome.totals.number_of_errors
            job.number_of_warnings = outcome.totals.number_of_warnings
            job.last_validated = now
            uow.validation_results.save_file(job_id, FileRecord(CROSS_FILE_NAME, FileStatus.COMPLETE))
            uow.validation_results.replace_error_metadata(job_id, outcome.metadata)
            tasks = finish_job(uow, job, now)
            submission = self._update_submission(uow, job)
            if submission is not None:
                # Publishable exactly when the whole submission is clean; the original only ever
                # set it, so a revalidation with new errors left it certifiable (quirk 18).
                submission.publishable = submission.number_of_errors == 0
            uow.commit()
        enqueue_all(self.queue, tasks)

    # ------------------------------------------------------------------ shared steps

    def _claim(self, job_id: int, job_type: JobType) -> tuple[Job, Submission] | None:
        """Mark the job running if it is a ready (or orphaned running) job of this type whose
        prerequisites are clear; None when there is nothing to do (done, restarted, deleted)."""
        with self.uow_factory() as uow:
            job = uow.jobs.get(job_id)
            if job is None or job.job_type is not job_type or job.submission_id is None:
                return None
            submission = uow.submissions.get_for_update(job.submission_id)
            job = uow.jobs.get(job_id)  # read again under the submission's lock
            if submission is None or job is None or job.status not in _CLAIMABLE:
                return None
            if not self._prerequisites_clear(uow, job):
                log.warning("job %s: prerequisites are not complete; left %s", job_id, job.status.label)
                return None
            now = self.clock.now()
            job.transition(JobStatus.RUNNING, now)
            job.error_message = None
            if job.filename and self.storage.exists(job.filename):
                job.file_size = self.storage.size(job.filename)
            name = job.original_filename or (CROSS_FILE_NAME if job_type is JobType.VALIDATION else "")
            uow.validation_results.save_file(job_id, FileRecord(name or "", FileStatus.INCOMPLETE))
            uow.commit()
            return job, submission

    @staticmethod
    def _prerequisites_clear(uow: UnitOfWork, job: Job) -> bool:
        assert job.submission_id is not None and job.job_id is not None
        jobs = {j.job_id: j for j in uow.jobs.for_submission(job.submission_id)}
        prerequisites = [p for j, p in uow.jobs.dependencies(job.submission_id) if j == job.job_id]
        return all(prerequisite_clear(jobs.get(p)) for p in prerequisites)

    def _still_running(self, uow: UnitOfWork, job_id: int) -> Job | None:
        """The job under its submission's lock, if nothing restarted or deleted it meanwhile."""
        job = uow.jobs.get(job_id)
        if job is None or job.submission_id is None:
            return None
        if uow.submissions.get_for_update(job.submission_id) is None:
            return None
        job = uow.jobs.get(job_id)
        if job is None or job.status is not JobStatus.RUNNING:
            log.info("job %s changed while it was validated; its outcome is dropped", job_id)
            return None
        return job

    @staticmethod
    def _update_submission(uow: UnitOfWork, job: Job) -> Submission | None:
        """Recompute the submission's error and warning totals from its jobs."""
        assert job.submission_id is not None
        submission = uow.submissions.get(job.submission_id)
        if submission is None:
            return None
        totals = sum(
            (
                Totals(j.number_of_errors, j.number_of_warnings)
                for j in uow.jobs.for_submission(job.submission_id)
            ),
            Totals(),
        )
        submission.number_of_errors = totals.number_of_errors
        submission.number_of_warnings = totals.number_of_warnings
        submission.updated_at = job.updated_at
        return submission

    def _fail(self, job_id: int, message: str) -> None:
        with self.uow_factory() as uow:
            job = self._still_running(uow, job_id)
            if job is None:
                return
            name = job.original_filename or (CROSS_FILE_NAME if job.job_type is JobType.VALIDATION else "")
            uow.validation_results.save_file(job_id, FileRecord(name or "", FileStatus.UNKNOWN_ERROR))
            job.fail(message, self.clock.now())
            uow.commit()


def _reporting_dates(submission: Submission) -> tuple[dt.date, dt.date]:
    start, end = submission.reporting_start_date, submission.reporting_end_date
    if start is None or end is None:  # only FABS submissions lack them, and they have no such jobs
        raise ValueError(f"submission {submission.submission_id} has no reporting period")
    return start, end

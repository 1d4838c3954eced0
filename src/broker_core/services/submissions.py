"""Use cases that change a DABS submission once it exists: restart, delete, certify, publish.

Also a submission's narratives and the help page's files. Every route that names a submission
starts with :func:`load_for` (401, then 400 "No such submission", then 403, in the original's
order). Changes to a submission's jobs are made under the submission's lock (``get_for_update``),
committed, and only then are the validations they made ready handed to the queue (a worker must
never see a job the database does not show yet).

Fixes of the original's quirks (spec §7) made here:

- delete_submission also deletes the submission's stored files and reports (quirk 22).
- certify_submission copies the files in local mode too; the copies are made outside any
  transaction, and the submission is certified only if its files did not change meanwhile.
- restart_validation keeps the files already uploaded or generated (quirk 19), clears the old
  validation results and counts, and refuses while a job runs.
- get_protected_files lists the help files in local mode too (200, quirk 28).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping

import attrs

from broker_core.errors import LoginRequired, RequestInvalid
from broker_core.file_types import FileType
from broker_core.jobs import Job, JobStatus, JobType, stored_job_id
from broker_core.ports import Clock, FileStorage, JobQueue, UnitOfWork, UnitOfWorkFactory
from broker_core.services.job_flow import enqueue_all, task_for
from broker_core.services.submission_access import load_for
from broker_core.services.submission_results import SUCCESS, Message, ProtectedFiles, PublishedFabs
from broker_core.services.submission_views import REPORT_PREFIX
from broker_core.submissions.certification import certified_file_key, certify, check_certifiable
from broker_core.submissions.deletion import check_deletable
from broker_core.submissions.job_graph import UPLOADED_FILES, apply_restart, recount_totals, restart_plan
from broker_core.submissions.model import PublishStatus, Submission, stored_submission_id
from broker_core.submissions.narratives import narrative_view, normalise_narratives
from broker_core.submissions.publish_status import change_publish_status
from broker_core.submissions.uploads import base_name
from broker_core.users import User
from broker_core.validation.report_naming import NamingEra, report_file_name

log = logging.getLogger(__name__)

# Keys of ROUTE_PERMISSIONS.
DELETE_SUBMISSION = "POST /v1/delete_submission"
CERTIFY_SUBMISSION = "POST /v1/certify_submission"
RESTART_VALIDATION = "POST /v1/restart_validation"
GET_NARRATIVES = "GET /v1/submission/{submission_id}/narrative"
SET_NARRATIVES = "POST /v1/submission/{submission_id}/narrative"
PUBLISH_FABS = "POST /v1/submit_detached_file"

NOT_FABS = "Submission is not a FABS submission"
FABS_ALREADY_PUBLISHED = "Submission has already been published"
FABS_UNFINISHED = "Submission has unfinished jobs and cannot be published"
CHANGED_WHILE_CERTIFYING = "The submission's files changed while it was being certified; please try again"

#: Storage key prefixes: the help page's files, certified copies (the reports': REPORT_PREFIX).
HELP_PREFIX = "help/"
CERTIFIED_PREFIX = "certified/"
#: Files of file generations, shared through the generation cache: never a submission's own.
_SHARED_PREFIX = "generated/"
#: Files that have reports, and the pairs of files a cross-file report can be about.
_REPORTED = (FileType.A, FileType.B, FileType.C, FileType.D1, FileType.D2)
_VALIDATIONS = (JobType.CSV_RECORD_VALIDATION, JobType.VALIDATION)


@attrs.define
class SubmissionService:
    uow_factory: UnitOfWorkFactory
    storage: FileStorage
    queue: JobQueue
    clock: Clock
    #: Lifetime of download links (help files) in seconds.
    url_expiry: int = 60
    report_prefix: str = REPORT_PREFIX
    help_prefix: str = HELP_PREFIX
    certified_prefix: str = CERTIFIED_PREFIX

    # ------------------------------------------------------------------ restart, delete, certify

    def restart_validation(self, user: User | None, params: Mapping[str, object]) -> Message:
        """Validate the submission's files again, keeping the files it has."""
        with self.uow_factory() as uow:
            _, submission = load_for(uow, RESTART_VALIDATION, user, params, for_update=True)
            jobs = uow.jobs.for_submission(stored_submission_id(submission))
            plan = restart_plan(jobs)
            apply_restart(plan, submission, jobs, self.clock.now())
            for job in jobs:
                if job.job_type in _VALIDATIONS:
                    # Every validation runs again: what the last run found no longer holds.
                    uow.validation_results.clear(stored_job_id(job))
                    job.number_of_errors = job.number_of_warnings = 0
            recount_totals(submission, jobs)
            tasks = [task_for(job) for job in jobs if job.job_id in plan.enqueue]
            uow.commit()
        enqueue_all(self.queue, tasks)
        return SUCCESS

    def delete_submission(self, user: User | None, params: Mapping[str, object]) -> Message:
        """Delete an unpublished submission without running jobs, its rows and its stored files."""
        with self.uow_factory() as uow:
            _, submission = load_for(uow, DELETE_SUBMISSION, user, params, for_update=True)
            submission_id = stored_submission_id(submission)
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
                for job in uow.jobs.for_submission(stored_submission_id(submission))
            ):
                raise RequestInvalid(FABS_UNFINISHED)
            change_publish_status(submission, PublishStatus.PUBLISHED, self.clock.now())
            uow.commit()
            return PublishedFabs(stored_submission_id(submission))

    def _certified_copies(self, uow: UnitOfWork, submission: Submission) -> list[tuple[str, str, FileType]]:
        """(stored key, certified key, file type) of every file of the submission."""
        return [
            (
                job.filename,
                self.certified_prefix + certified_file_key(submission, job.filename),
                job.file_type,
            )
            for job in uow.jobs.for_submission(stored_submission_id(submission))
            if job.job_type is JobType.FILE_UPLOAD and job.filename and job.file_type is not None
        ]

    # ------------------------------------------------------------------ narratives, help files

    def narratives(self, user: User | None, submission_id: object) -> dict[str, str]:
        """Every file letter's narrative ("" where there is none)."""
        with self.uow_factory() as uow:
            _, submission = load_for(uow, GET_NARRATIVES, user, {}, explicit_id=submission_id)
            return narrative_view(uow.narratives.get(stored_submission_id(submission)))

    def set_narratives(self, user: User | None, submission_id: object, body: object) -> dict[str, str]:
        """Replace all narratives with the body's (letters left out are deleted); answers ``{}``."""
        with self.uow_factory() as uow:
            _, submission = load_for(uow, SET_NARRATIVES, user, {}, explicit_id=submission_id)
            uow.narratives.replace(stored_submission_id(submission), normalise_narratives(body))
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

    def _listed(self, prefix: str) -> list[str]:
        return [key for key in self.storage.list(prefix) if key.startswith(prefix)]


def _report_file_names(submission: Submission) -> set[str]:
    """Every name a report of the submission could have: each file and pair, in every naming era."""
    submission_id = stored_submission_id(submission)
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


def _awaits_client(job: Job) -> bool:
    return job.job_type is JobType.FILE_UPLOAD and job.file_type in UPLOADED_FILES

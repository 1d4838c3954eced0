"""Read-only views of submissions: check_status, list_submissions, report links, obligations.

Every route that names a submission goes through :func:`load_for` (401, then 400 for a missing
id or an unknown submission, then 403), including the error/warning report lists, which the
original left unchecked (quirk 10). Nothing here writes: each call is one short unit of work.

Fixes of the original's quirks (spec §7) made here:

- check_status (quirk 6): ``occurrences`` is always an integer; the file-level entry has the
  same keys as the others (``original_label`` "", and ``source_file``/``target_file`` "" on the
  cross-file job); ``error_type`` is one of ``header_errors``/``row_errors``/``none``, also for
  a job not validated yet; ``number_of_rows`` sums the data rows of the listed validation jobs
  (headers are not rows, quirk 7).
- list_submissions: ``size`` counts each file once (a generated D file's size is on both its
  upload and its validation job), and rows carry ``errors`` as the API documentation shows.
- Report links (quirk 9, 27): only reports that exist and belong to the job's finished run are
  offered; ``report_url`` refuses unknown file types and pairs the cross-file job never checks,
  and answers 400 instead of a link to nothing.
"""

from __future__ import annotations

import datetime as dt
import posixpath
from collections.abc import Iterable, Mapping

import attrs

from broker_core.errors import RequestInvalid
from broker_core.file_types import FileType
from broker_core.jobs import Job, JobStatus, JobType
from broker_core.ports import FileStorage, UnitOfWork, UnitOfWorkFactory
from broker_core.services.submission_access import load_for
from broker_core.submissions.derived_status import derived_status
from broker_core.submissions.listing import (
    ListingRow,
    SortField,
    certified_matches,
    parse_list_params,
    sort_and_page,
)
from broker_core.submissions.model import Submission, reporting_period_text
from broker_core.submissions.obligations import ObligationTotals
from broker_core.submissions.permissions import ROUTE_PERMISSIONS, authorize
from broker_core.users import User
from broker_core.validation.catalogue import CROSS_FILE_PAIRS, CrossFilePair
from broker_core.validation.metadata import FileStatus, api_data, file_level_error
from broker_core.validation.report_naming import report_file_name

# Keys of ROUTE_PERMISSIONS. The GET forms of check_status and get_obligations need the same.
CHECK_STATUS = "POST /v1/check_status"
LIST_SUBMISSIONS = "GET /v1/list_submissions"
ERROR_REPORTS = "POST /v1/submission_error_reports"
WARNING_REPORTS = "POST /v1/submission_warning_reports"
REPORT_URL = "POST /v1/submission/{submission_id}/report_url"
GET_OBLIGATIONS = "POST /v1/get_obligations"

#: Storage key prefix under which the validator writes its reports.
REPORT_PREFIX = "errors/"

#: The file types that have reports: the validated ones, in file type id order.
REPORT_FILE_TYPES: tuple[FileType, ...] = (FileType.A, FileType.B, FileType.C, FileType.D2, FileType.D1)
_BY_NAME = {file_type.type_name: file_type for file_type in REPORT_FILE_TYPES}
#: The pairs the cross-file job checks, in either order.
_CROSS_PAIRS: dict[frozenset[FileType], CrossFilePair] = {
    frozenset((pair.file_type, pair.cross_type)): pair for pair in CROSS_FILE_PAIRS
}

FILE_TYPE_REQUIRED = "file_type: Missing data for required field."
FILE_TYPE_CHOICES = "file_type: Must be one of: " + ", ".join(_BY_NAME) + "."
WARNING_NOT_BOOLEAN = "warning: Not a valid boolean."
REPORT_NOT_GENERATED = "The report has not been generated yet"

_VALIDATION_TYPES = (JobType.CSV_RECORD_VALIDATION, JobType.VALIDATION)
#: A job in one of these has completed its current run: its reports are that run's.
_DONE = (JobStatus.FINISHED, JobStatus.INVALID)
_TRUE_WORDS = frozenset({"true", "1", "yes", "on"})
_FALSE_WORDS = frozenset({"false", "0", "no", "off"})


def cross_pair_message(file_type: object, cross_type: object) -> str:
    return f"{file_type} and {cross_type} is not a valid cross-pair."


@attrs.define
class SubmissionViews:
    uow_factory: UnitOfWorkFactory
    storage: FileStorage
    obligation_totals: ObligationTotals
    #: Lifetime of report links in seconds.
    url_expiry: int = 60
    report_prefix: str = REPORT_PREFIX

    # ------------------------------------------------------------------ check_status

    def check_status(self, user: User | None, params: Mapping[str, object]) -> dict[str, object]:
        """The submission and each of its validation jobs (spec §2.7)."""
        with self.uow_factory() as uow:
            _, submission = load_for(uow, CHECK_STATUS, user, params)
            jobs = [job for job in _jobs(uow, submission) if job.job_type in _VALIDATION_TYPES]
            job_entries = [_job_status(uow, job) for job in jobs]
            agency_name = _agency_name(uow, submission) or ""
        period = reporting_period_text(submission)
        return {
            "cgac_code": submission.cgac_code,
            "agency_name": agency_name,
            "created_on": _month_day_year(submission.created_at),
            "number_of_errors": submission.number_of_errors,
            "number_of_rows": sum(job.number_of_rows or 0 for job in jobs),
            "last_updated": _timestamp(submission.updated_at),
            "last_validated": _last_validated(jobs),
            # The original read a single configured threshold row; this broker has no
            # revalidation threshold (nothing is ever refused for lack of revalidation), so
            # there is never a date to show.
            "revalidation_threshold": "",
            "reporting_period_start_date": period,
            "reporting_period_end_date": period,
            "publish_status": submission.publish_status.label,
            "quarterly_submission": submission.is_quarter_format,
            "jobs": job_entries,
        }

    # ------------------------------------------------------------------ list_submissions

    def list_submissions(self, user: User | None, query: Mapping[str, object]) -> dict[str, object]:
        """The page of DABS submissions the user may see (spec §2.9) and how many there are."""
        user = authorize(ROUTE_PERMISSIONS[LIST_SUBMISSIONS], user)
        params = parse_list_params(query)
        with self.uow_factory() as uow:
            codes = None if user.website_admin else frozenset(a.agency_code for a in user.affiliations)
            submissions = [
                submission
                for submission in uow.submissions.visible(codes, user.user_id)
                if certified_matches(submission.publish_status, params.certified)
            ]
            by_id = {_id(submission): submission for submission in submissions}
            owners = uow.submissions.owner_names({s.user_id for s in submissions if s.user_id is not None})
            agency_names: dict[str | None, str] = {}
            for submission in submissions:
                code = submission.agency_code
                if code not in agency_names:
                    agency_names[code] = _agency_name(uow, submission) or "N/A"
            # The status needs the submission's jobs: read them for every submission only to
            # sort by it, otherwise for the rows of the page alone.
            jobs: dict[int, list[Job]] = {}
            if params.sort is SortField.STATUS:
                jobs = {_id(s): _jobs(uow, s) for s in submissions}
            page = sort_and_page(
                [
                    ListingRow(
                        submission_id=_id(s),
                        last_modified=s.updated_at or s.created_at or dt.datetime.min,
                        reporting_start_date=s.reporting_start_date,
                        status=_status(s, jobs[_id(s)]) if jobs else "",
                        agency=agency_names[s.agency_code],
                        submitted_by=_owner_name(s, owners),
                    )
                    for s in submissions
                ],
                params,
            )
            rows = []
            for row in page.rows:
                submission = by_id[row.submission_id]
                submission_jobs = jobs.get(row.submission_id) or _jobs(uow, submission)
                rows.append(_list_entry(submission, row, submission_jobs, owners))
        return {"submissions": rows, "total": page.total}

    # ------------------------------------------------------------------ reports

    def error_reports(
        self, user: User | None, params: Mapping[str, object], *, warning: bool
    ) -> dict[str, str]:
        """Links to the submission's error (or warning) reports that exist (spec §2.14).

        ``job_<id>_error_url`` / ``job_<id>_warning_url`` per file validation job, and
        ``cross_<a>-<b>`` / ``cross_warning_<a>-<b>`` per pair of the cross-file job (file type
        names, e.g. ``cross_appropriations-program_activity``). A report is offered only once
        the job's current run has written it: a job not validated yet, or stopped by a
        file-level error (no warning report then, and no report at all for an unreadable
        file), leaves its key out, as the API documentation says ("no error reports will be
        created"). The original listed every key, pointing at files that did not exist.
        """
        route = WARNING_REPORTS if warning else ERROR_REPORTS
        suffix = "warning_url" if warning else "error_url"
        cross_prefix = "cross_warning_" if warning else "cross_"
        with self.uow_factory() as uow:
            _, submission = load_for(uow, route, user, params)
            jobs = _jobs(uow, submission)
        urls: dict[str, str] = {}
        for job in jobs:
            if job.job_type is JobType.CSV_RECORD_VALIDATION and job.file_type in REPORT_FILE_TYPES:
                url = self._report_link(submission, job, warning, job.file_type)
                if url is not None:
                    urls[f"job_{job.job_id}_{suffix}"] = url
        cross_job = _cross_file_job(jobs)
        if cross_job is not None:
            for pair in CROSS_FILE_PAIRS:
                url = self._report_link(submission, cross_job, warning, pair.file_type, pair.cross_type)
                if url is not None:
                    key = f"{pair.file_type.type_name}-{pair.cross_type.type_name}"
                    urls[cross_prefix + key] = url
        return urls

    def report_url(
        self, user: User | None, submission_id: object, body: Mapping[str, object]
    ) -> dict[str, str]:
        """``{"url": ...}`` of one error or warning report of the submission (spec §2.14).

        ``file_type`` (a validated file type's name) is required; ``cross_type`` asks for the
        cross-file report of one of the four pairs the cross-file job checks (either order);
        ``warning`` (default false) for the warning report instead of the error report.
        """
        with self.uow_factory() as uow:
            _, submission = load_for(uow, REPORT_URL, user, body, explicit_id=submission_id)
            jobs = _jobs(uow, submission)
        file_type, cross_type, warning = _report_request(body)
        if cross_type is None:
            job = next(
                (j for j in jobs if j.job_type is JobType.CSV_RECORD_VALIDATION and j.file_type is file_type),
                None,
            )
        else:
            job = _cross_file_job(jobs)
        url = None if job is None else self._report_link(submission, job, warning, file_type, cross_type)
        if url is None:
            raise RequestInvalid(REPORT_NOT_GENERATED)
        return {"url": url}

    def report_key(
        self,
        submission: Submission,
        warning: bool,
        file_type: FileType,
        cross_type: FileType | None = None,
    ) -> str:
        """The storage key of a report, as the validator names it (spec §2.14, current names)."""
        name = report_file_name(
            _id(submission),
            warning,
            file_type,
            cross_type=cross_type,
            fiscal_year=submission.reporting_fiscal_year,
            period=submission.reporting_fiscal_period,
        )
        return self.report_prefix + name

    def _report_link(
        self,
        submission: Submission,
        job: Job,
        warning: bool,
        file_type: FileType,
        cross_type: FileType | None = None,
    ) -> str | None:
        if job.status not in _DONE:
            return None  # not run yet, running again, or failed: what is stored is stale
        key = self.report_key(submission, warning, file_type, cross_type)
        if not self.storage.exists(key):
            return None
        return self.storage.url(key, filename=posixpath.basename(key), expires_in=self.url_expiry)

    # ------------------------------------------------------------------ obligations

    def obligations(self, user: User | None, params: Mapping[str, object]) -> dict[str, float]:
        """Obligation totals of the submission's File C (spec §2.15)."""
        with self.uow_factory() as uow:
            _, submission = load_for(uow, GET_OBLIGATIONS, user, params)
        return self.obligation_totals.totals(_id(submission)).api_dict()


# ---------------------------------------------------------------------- helpers


def _id(submission: Submission) -> int:
    assert submission.submission_id is not None  # stored submissions have one
    return submission.submission_id


def _jobs(uow: UnitOfWork, submission: Submission) -> list[Job]:
    return uow.jobs.for_submission(_id(submission))


def _cross_file_job(jobs: Iterable[Job]) -> Job | None:
    return next((job for job in jobs if job.job_type is JobType.VALIDATION), None)


def _agency_name(uow: UnitOfWork, submission: Submission) -> str | None:
    code = submission.agency_code
    return None if code is None else uow.agencies.name_of(code)


def _owner_name(submission: Submission, owners: Mapping[int, str]) -> str:
    if submission.user_id is None:
        return "No user"
    return owners.get(submission.user_id, "No user")


def _month_day_year(value: dt.date | None) -> str:
    return "" if value is None else f"{value.month:02d}/{value.day:02d}/{value.year:04d}"


def _timestamp(value: dt.datetime | None) -> str:
    return "" if value is None else value.replace(microsecond=0).isoformat()


def _iso_date(value: dt.date | None) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        value = value.date()
    return value.isoformat()


def _last_validated(jobs: list[Job]) -> str:
    """The oldest validation of the jobs, "" unless every one of them has been validated."""
    stamps = [job.last_validated for job in jobs]
    if not stamps or any(stamp is None for stamp in stamps):
        return ""
    return _month_day_year(min(stamp for stamp in stamps if stamp is not None))


def _job_status(uow: UnitOfWork, job: Job) -> dict[str, object]:
    assert job.job_id is not None
    cross_file = job.job_type is JobType.VALIDATION
    entry: dict[str, object] = {
        "job_id": job.job_id,
        "job_status": job.status.label,
        "job_type": job.job_type.label,
        "filename": job.original_filename,
        "file_size": job.file_size,
        "number_of_rows": job.number_of_rows,
        "file_type": job.file_type.type_name if job.file_type is not None else "",
    }
    record = uow.validation_results.file(job.job_id)
    errors: list[dict[str, object]] = []
    warnings: list[dict[str, object]] = []
    if record is None:  # not validated yet
        entry.update(file_status="", missing_headers=[], duplicated_headers=[])
    else:
        entry.update(
            file_status=record.file_status.status_name,
            missing_headers=list(record.missing_headers),
            duplicated_headers=list(record.duplicated_headers),
        )
        if record.file_status is FileStatus.COMPLETE:
            errors, warnings = api_data(uow.validation_results.error_metadata(job.job_id))
        else:
            # The file as a whole failed (or is being validated): one entry, in both lists.
            file_level = {**file_level_error(record.file_status), "original_label": ""}
            errors, warnings = [file_level], [dict(file_level)]
    if record is not None and record.file_status is FileStatus.HEADER_ERROR:
        error_type = "header_errors"
    elif job.number_of_errors > 0:
        error_type = "row_errors"
    else:
        error_type = "none"
    entry.update(
        error_type=error_type,
        error_data=[_problem_entry(e, cross_file) for e in errors],
        warning_data=[_problem_entry(w, cross_file) for w in warnings],
    )
    return entry


def _problem_entry(entry: dict[str, object], cross_file: bool) -> dict[str, object]:
    """One ``error_data``/``warning_data`` entry with every key the job's entries have, never null."""
    result = dict(entry)
    result["original_label"] = result.get("original_label") or ""
    if cross_file:
        result["source_file"] = result.get("source_file") or ""
        result["target_file"] = result.get("target_file") or ""
    return result


def _status(submission: Submission, jobs: Iterable[Job]) -> str:
    return derived_status(
        (job.status for job in jobs),
        submission.number_of_errors,
        submission.number_of_warnings,
        submission.publish_status,
    )


def _size(jobs: Iterable[Job]) -> int:
    """Bytes of the submission's files, each once: a file's upload and validation jobs both know it."""
    sizes: dict[FileType, int] = {}
    for job in jobs:
        if job.file_type is not None and job.file_size:
            sizes[job.file_type] = max(sizes.get(job.file_type, 0), job.file_size)
    return sum(sizes.values())


def _list_entry(
    submission: Submission, row: ListingRow, jobs: list[Job], owners: Mapping[int, str]
) -> dict[str, object]:
    return {
        "submission_id": row.submission_id,
        "last_modified": _iso_date(submission.updated_at or submission.created_at),
        "size": _size(jobs),
        "status": row.status or _status(submission, jobs),
        "errors": submission.number_of_errors,
        "agency": row.agency,
        "reporting_start_date": _iso_date(submission.reporting_start_date),
        "reporting_end_date": _iso_date(submission.reporting_end_date),
        "user": {"user_id": submission.user_id, "name": _owner_name(submission, owners)},
    }


def _report_request(body: Mapping[str, object]) -> tuple[FileType, FileType | None, bool]:
    """(file type, cross type or None, warning) of a report_url body; 400 for anything else."""
    value = body.get("file_type")
    if value is None or value == "":
        raise RequestInvalid(FILE_TYPE_REQUIRED)
    file_type = _BY_NAME.get(value.strip().lower()) if isinstance(value, str) else None
    if file_type is None:
        raise RequestInvalid(FILE_TYPE_CHOICES)
    cross_value = body.get("cross_type")
    cross_type = None
    if cross_value is not None and cross_value != "":
        cross_type = _BY_NAME.get(cross_value.strip().lower()) if isinstance(cross_value, str) else None
        if cross_type is None or frozenset((file_type, cross_type)) not in _CROSS_PAIRS:
            raise RequestInvalid(cross_pair_message(file_type.type_name, cross_value))
    return file_type, cross_type, _boolean(body.get("warning"))


def _boolean(value: object) -> bool:
    if value is None or value == "":
        return False
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str):
        word = value.strip().lower()
        if word in _TRUE_WORDS:
            return True
        if word in _FALSE_WORDS:
            return False
    raise RequestInvalid(WARNING_NOT_BOOLEAN)

"""A submission's jobs from upload to E and F, over in-memory fakes: the task flow and its refusals.

The validator runs for real (row checks and reports) over a staging area with no rule queries;
generations read the fake award data. Tasks are taken off the fake queue and run by the router,
as a worker would.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence

import pytest

from broker_core.errors import RequestInvalid
from broker_core.file_types import FileType
from broker_core.generation.submission_request import FABS_REFUSED
from broker_core.jobs import Job, JobStatus, JobType
from broker_core.queueing import Task, TaskKind
from broker_core.services.generation import GenerationService
from broker_core.services.job_flow import finish_job
from broker_core.services.submission_generation import PREREQUISITES_PENDING, SubmissionGenerationService
from broker_core.services.tasks import TaskRouter
from broker_core.services.validation_jobs import ValidationJobService
from broker_core.submissions.job_graph import new_submission_jobs
from broker_core.submissions.model import PublishStatus, new_dabs_submission
from broker_core.users import Affiliation, PermissionLevel, User
from broker_core.validation.catalogue import Rule
from broker_core.validation.cleaning import CleanedRow
from broker_core.validation.cross_service import CrossFileValidationService
from broker_core.validation.ports import RuleResult
from broker_core.validation.run import CrossFileRun, ValidationRun
from broker_core.validation.schema import schema_for
from broker_core.validation.service import FileValidationService

from .fakes import FakeAwardData, FakeClock, FakeQueue, FakeStorage, FakeUnitOfWorkFactory

WRITER = User(email="w@example.com", name="W", user_id=99,
              affiliations=[Affiliation("020", PermissionLevel.WRITER)])  # fmt: skip
D_DATES = {"start": "10/01/2016", "end": "12/31/2016"}


class NoRules:
    """A staging area that keeps rows in memory and has no rule queries (the catalogue's rules are not run)."""

    def __init__(self) -> None:
        self.rows: dict[int, list[CleanedRow]] = {}

    def clear(self, run: ValidationRun) -> None:
        self.rows.pop(run.job_id, None)

    def insert(self, run: ValidationRun, rows: Sequence[CleanedRow]) -> None:
        self.rows.setdefault(run.job_id, []).extend(rows)

    def link_tas(self, run: ValidationRun) -> None:
        pass

    def implements(self, rule: Rule) -> bool:
        return False

    def failures(self, run: ValidationRun, rule: Rule) -> Iterator[RuleResult]:
        raise AssertionError("no rule is implemented")

    def cross_failures(self, run: CrossFileRun, rule: Rule) -> Iterator[RuleResult]:
        raise AssertionError("no rule is implemented")


class NoAwards:
    def executive_compensation_rows(self, submission_id: int) -> Iterator[tuple[object, ...]]:
        return iter([("UEI1", "Name", None, None, *([None] * 10))])

    def subaward_rows(self, submission_id: int) -> Iterator[tuple[object, ...]]:
        return iter(())


class Harness:
    def __init__(self) -> None:
        self.uows, self.storage, self.queue, self.clock = (
            FakeUnitOfWorkFactory(), FakeStorage(), FakeQueue(), FakeClock()
        )  # fmt: skip
        self.clock.current = dt.datetime(2017, 2, 1, 12)
        self.generation = GenerationService(self.uows, self.storage, self.queue, self.clock, FakeAwardData())
        staging = NoRules()
        self.validation = ValidationJobService(
            self.uows, self.storage, self.queue, self.clock,
            FileValidationService(staging=staging, storage=self.storage, report_prefix="errors/"),
            CrossFileValidationService(staging=staging, storage=self.storage, report_prefix="errors/"),
        )  # fmt: skip
        self.files = SubmissionGenerationService(
            self.uows, self.storage, self.clock, self.generation, NoAwards()
        )
        self.router = TaskRouter(self.uows, self.queue, self.generation, self.validation, self.files)

    def new_submission(self) -> int:
        """A quarterly FY17 Q1 submission of agency 020 whose A, B and C are uploaded (not finalized)."""
        now = self.clock.now()
        with self.uows() as uow:
            submission = new_dabs_submission(user_id=1, cgac_code="020", frec_code=None, is_quarter=True,
                                             start=dt.date(2016, 10, 1), end=dt.date(2016, 12, 1), now=now)  # fmt: skip
            uow.submissions.add(submission)
            sid = submission.submission_id
            assert sid is not None
            names = {
                ft: (f"{sid}/{ft.letter}.csv", f"{ft.letter}.csv")
                for ft in (FileType.A, FileType.B, FileType.C)
            }
            jobs, edges = new_submission_jobs(sid, names, now)
            for job in jobs.values():
                uow.jobs.add(job)
            for key, prerequisite in edges:
                uow.jobs.add_dependency(_id(jobs[key]), _id(jobs[prerequisite]))
            uow.commit()
        for ft in (FileType.A, FileType.B, FileType.C):
            self.storage.objects[f"{sid}/{ft.letter}.csv"] = header_only(ft)
        return sid

    def jobs(self, sid: int) -> list[Job]:
        with self.uows() as uow:
            return uow.jobs.for_submission(sid)

    def job(self, sid: int, job_type: JobType, file_type: FileType | None) -> Job:
        return next(j for j in self.jobs(sid) if j.job_type is job_type and j.file_type is file_type)

    def finalize(self, sid: int, file_type: FileType) -> None:
        with self.uows() as uow:
            job = next(j for j in uow.jobs.for_submission(sid)
                       if j.job_type is JobType.FILE_UPLOAD and j.file_type is file_type)  # fmt: skip
            tasks = finish_job(uow, job, self.clock.now())
            uow.commit()
        self.queue.tasks.extend(tasks)

    def work(self) -> None:
        while self.queue.tasks:
            self.router.run(self.queue.tasks.pop(0))


def header_only(file_type: FileType) -> bytes:
    return (",".join(f.short_name for f in schema_for(file_type).fields) + "\n").encode()


def _id(job: Job) -> int:
    assert job.job_id is not None
    return job.job_id


@pytest.fixture
def harness() -> Harness:
    return Harness()


def test_finalizing_queues_each_validation_and_clean_files_finish(harness: Harness) -> None:
    sid = harness.new_submission()
    for ft in (FileType.A, FileType.B, FileType.C):
        harness.finalize(sid, ft)
    assert [t.kind for t in harness.queue.tasks] == [TaskKind.VALIDATE_FILE] * 3
    harness.work()
    for ft in (FileType.A, FileType.B, FileType.C):
        validation = harness.job(sid, JobType.CSV_RECORD_VALIDATION, ft)
        assert validation.status is JobStatus.FINISHED
        assert validation.number_of_errors == 0 and validation.number_of_warnings == 1  # blank file
    # F waits for C's validation only; cross-file waits for D1 and D2 too.
    assert harness.job(sid, JobType.FILE_UPLOAD, FileType.F).status is JobStatus.READY
    assert harness.job(sid, JobType.VALIDATION, None).status is JobStatus.WAITING
    with harness.uows() as uow:
        assert uow.submissions.get(sid).number_of_warnings == 3  # type: ignore[union-attr]


def test_the_whole_graph_runs_to_e_and_f(harness: Harness) -> None:
    sid = harness.new_submission()
    with pytest.raises(RequestInvalid, match=PREREQUISITES_PENDING):
        harness.files.generate_file(WRITER, {"submission_id": sid, "file_type": "D1", **D_DATES})
    for ft in (FileType.A, FileType.B, FileType.C):
        harness.finalize(sid, ft)
    harness.work()
    with pytest.raises(RequestInvalid, match=PREREQUISITES_PENDING):
        harness.files.generate_file(WRITER, {"submission_id": sid, "file_type": "E"})
    for letter in ("D1", "D2"):
        status = harness.files.generate_file(WRITER, {"submission_id": sid, "file_type": letter, **D_DATES})
        assert (status.status, status.start, status.end) == ("waiting", "10/01/2016", "12/31/2016")
    harness.work()
    for ft in (FileType.D1, FileType.D2):
        assert harness.job(sid, JobType.CSV_RECORD_VALIDATION, ft).status is JobStatus.FINISHED
        status = harness.files.generation_status(WRITER, {"submission_id": sid, "file_type": ft.letter})
        assert status.status == "finished" and status.url.startswith("https://files.example/generated/")
    cross = harness.job(sid, JobType.VALIDATION, None)
    assert cross.status is JobStatus.FINISHED
    with harness.uows() as uow:
        submission = uow.submissions.get(sid)
        assert submission is not None and submission.publishable
        assert uow.validation_results.file(_id(cross)).file_status.status_name == "complete"  # type: ignore[union-attr]
    for letter in ("E", "F"):
        assert (
            harness.files.generate_file(WRITER, {"submission_id": sid, "file_type": letter}).status
            == "waiting"
        )
    harness.work()
    e = harness.files.generation_status(WRITER, {"submission_id": sid, "file_type": "E"})
    assert e.status == "finished" and e.start is None
    e_job = harness.job(sid, JobType.FILE_UPLOAD, FileType.E)
    assert e_job.filename == f"{sid}/SubID-{sid}_File-E_FY17Q1_{int(e_job.created_at.timestamp())}.csv"  # type: ignore[union-attr]
    assert harness.storage.objects[e_job.filename].startswith(b"AwardeeOrRecipientUEI,")  # type: ignore[index]


def test_a_file_with_row_errors_blocks_cross_file_and_generation(harness: Harness) -> None:
    sid = harness.new_submission()
    fields = schema_for(FileType.C).fields
    bad = ",".join("x" if f.type.is_number else "" for f in fields)
    harness.storage.objects[f"{sid}/C.csv"] = header_only(FileType.C) + (bad + "\n").encode()
    for ft in (FileType.A, FileType.B, FileType.C):
        harness.finalize(sid, ft)
    harness.work()
    c = harness.job(sid, JobType.CSV_RECORD_VALIDATION, FileType.C)
    assert c.status is JobStatus.FINISHED and c.number_of_errors > 0
    assert harness.job(sid, JobType.FILE_UPLOAD, FileType.F).status is JobStatus.WAITING
    with pytest.raises(RequestInvalid, match=PREREQUISITES_PENDING):
        harness.files.generate_file(WRITER, {"submission_id": sid, "file_type": "D1", **D_DATES})
    with harness.uows() as uow:
        submission = uow.submissions.get(sid)
        assert submission is not None and submission.number_of_errors == c.number_of_errors
        assert "type_error" in {m.error_type.type_name for m in uow.validation_results.error_metadata(_id(c))}


def test_a_header_error_makes_the_validation_invalid_with_the_lists(harness: Harness) -> None:
    sid = harness.new_submission()
    harness.storage.objects[f"{sid}/A.csv"] = b"agency_identifier,agency_identifier\n"
    harness.finalize(sid, FileType.A)
    harness.work()
    a = harness.job(sid, JobType.CSV_RECORD_VALIDATION, FileType.A)
    assert a.status is JobStatus.INVALID
    with harness.uows() as uow:
        record = uow.validation_results.file(_id(a))
    assert record is not None and record.file_status.status_name == "header_error"
    assert record.duplicated_headers == ("AgencyIdentifier",) and record.missing_headers


def test_a_validation_whose_worker_died_is_outstanding_and_runs_again(harness: Harness) -> None:
    sid = harness.new_submission()
    harness.finalize(sid, FileType.A)
    (task,) = harness.queue.tasks
    harness.queue.tasks.clear()  # the task was lost with its worker ...
    with harness.uows() as uow:  # ... after it had claimed the job
        job = uow.jobs.get(task.ref_id)
        assert job is not None
        job.transition(JobStatus.RUNNING, harness.clock.now())
        uow.commit()
    assert task in harness.router.outstanding()
    assert harness.router.sweep() == 1
    harness.work()
    assert harness.job(sid, JobType.CSV_RECORD_VALIDATION, FileType.A).status is JobStatus.FINISHED
    assert harness.router.sweep() == 0


def test_a_failing_e_generation_fails_its_job_with_a_message(harness: Harness) -> None:
    sid = harness.new_submission()
    with harness.uows() as uow:
        e_job = next(j for j in uow.jobs.for_submission(sid) if j.file_type is FileType.E)
        e_job.transition(JobStatus.RUNNING, harness.clock.now())
        uow.commit()
    harness.storage.fail_with = OSError("disk full")
    harness.router.run(Task(TaskKind.GENERATE_SUBMISSION_FILE, _id(e_job)))
    status = harness.files.generation_status(WRITER, {"submission_id": sid, "file_type": "E"})
    assert status.status == "failed" and "internal error" in status.message


def test_generating_d1_for_a_published_submission_makes_it_updated(harness: Harness) -> None:
    sid = harness.new_submission()
    for ft in (FileType.A, FileType.B, FileType.C):
        harness.finalize(sid, ft)
    harness.work()
    with harness.uows() as uow:
        submission = uow.submissions.get(sid)
        assert submission is not None
        submission.publish_status = PublishStatus.PUBLISHED
        uow.commit()
    harness.files.generate_file(WRITER, {"submission_id": sid, "file_type": "D1", **D_DATES})
    with harness.uows() as uow:
        submission = uow.submissions.get(sid)
        assert submission is not None
        assert submission.publish_status is PublishStatus.UPDATED and not submission.publishable


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({}, "file_type: Missing data for required field."),
        ({"file_type": "A"}, "file_type: Must be either D1, D2, E or F"),
        ({"file_type": "D1", "start": "2016-10-01", "end": "12/31/2016"}, "start: Must be in the format MM/DD/YYYY"),
        ({"file_type": "D1"}, "Must have a start and end date for D file generation."),
        ({"file_type": "D1", "start": "02/30/2016", "end": "12/31/2016"},
         "Start or end date cannot be parsed into a date of format MM/DD/YYYY"),
        ({"file_type": "D1", **D_DATES, "agency_type": "x"}, "agency_type: Must be either awarding or funding if provided"),
    ],
)  # fmt: skip
def test_generate_file_refusals(harness: Harness, body: dict[str, str], message: str) -> None:
    sid = harness.new_submission()
    with pytest.raises(RequestInvalid) as refused:
        harness.files.generate_file(WRITER, {"submission_id": sid, **body})
    assert refused.value.message == message


def test_fabs_submissions_get_no_generated_files(harness: Harness) -> None:
    sid = harness.new_submission()
    with harness.uows() as uow:
        submission = uow.submissions.get(sid)
        assert submission is not None
        submission.is_fabs = True
        uow.commit()
    with pytest.raises(RequestInvalid) as refused:
        harness.files.generate_file(WRITER, {"submission_id": sid, "file_type": "E"})
    assert refused.value.message == FABS_REFUSED


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({}, "file_type: Missing data for required field."),
        ({"file_type": "A"}, "file_type: Must be either D1, D2, E or F"),
    ],
)
def test_generation_status_refusals(harness: Harness, params: dict[str, str], message: str) -> None:
    sid = harness.new_submission()
    with pytest.raises(RequestInvalid) as refused:
        harness.files.generation_status(WRITER, {"submission_id": sid, **params})
    assert refused.value.message == message

"""Use cases of detached file generation: request, check, download link, and the worker side.

The database rows (jobs, file generations) are the truth about every
generation; a queued :class:`Task` only says "go and look at row N". That is
what lets a restarted process pick up outstanding work (:meth:`recover`), and
a periodic :meth:`sweep` enqueue again what the queue lost: a task that could
not be enqueued (queue down) or whose worker died.
"""

from __future__ import annotations

import logging
import posixpath
from collections.abc import Callable, Iterator, Mapping

import attrs

from broker_core.errors import GenerationFailed, RequestInvalid
from broker_core.file_types import FileType
from broker_core.generation import naming
from broker_core.generation.cache import cache_key, is_stale
from broker_core.generation.file_a import a_file_lines
from broker_core.generation.model import (
    DetachedGenerationRequest,
    FileFormat,
    FileGeneration,
    GenerationStatus,
)
from broker_core.generation.periods import dates_to_period
from broker_core.generation.rendering import file_chunks, header_line
from broker_core.generation.request import parse_detached_request, parse_job_id
from broker_core.generation.status import detached_status, unknown_job_status
from broker_core.jobs import Job, JobStatus, JobType
from broker_core.ports import (
    AwardDataReader,
    Clock,
    FileStorage,
    JobQueue,
    JobReader,
    TaskLocks,
    UnitOfWork,
    UnitOfWorkFactory,
)
from broker_core.queueing import Task, TaskKind, ThreadTaskLocks
from broker_core.services.job_flow import enqueue_all, finish_job, sweep_tasks
from broker_core.services.job_reader import UnitOfWorkJobReader

log = logging.getLogger(__name__)

Progress = Callable[[int], None]

#: Ids are 32-bit in the database; a larger one names no job (and must not reach the driver).
MAX_JOB_ID = 2**31 - 1


@attrs.define
class GenerationService:
    uow_factory: UnitOfWorkFactory
    storage: FileStorage
    queue: JobQueue
    clock: Clock
    award_data: AwardDataReader
    #: Lifetime of download URLs in seconds (the original's presigned URLs lasted 60 s).
    url_expiry: int = 60
    #: Keeps one runner per task; the default only sees this process's threads.
    task_locks: TaskLocks = attrs.field(factory=ThreadTaskLocks)
    #: Reads the job of a status check or download link (polled: adapters offer a cheap one).
    job_reader: JobReader = attrs.field(
        default=attrs.Factory(lambda self: UnitOfWorkJobReader(self.uow_factory), takes_self=True)
    )

    # ------------------------------------------------------------------ API side

    def request_detached(self, payload: Mapping[str, object], user_id: int | None) -> GenerationStatus:
        request = parse_detached_request(payload)
        with self.uow_factory() as uow:
            job = self._new_detached_job(uow, request, user_id)
            if request.file_type is FileType.A:
                tasks = [Task(TaskKind.GENERATE_A_FILE, _id(job.job_id))]
            else:
                tasks = self.attach_d_generation(uow, job, request)
            uow.commit()
        self.enqueue(tasks)
        return self.detached_status(job.job_id)

    def detached_status(self, job_id_value: object) -> GenerationStatus:
        job = self._read_job(job_id := parse_job_id(job_id_value))
        if job is None or job.file_type is None:
            return unknown_job_status(job_id)
        return detached_status(job, self._url_for(job))

    def detached_file_url(self, job_id_value: object) -> str:
        job = self._read_job(parse_job_id(job_id_value))
        if job is None:
            raise RequestInvalid("This job does not exist.")
        if not job.is_detached:
            raise RequestInvalid("This is not a detached generation job.")
        return self._url_for(job) or "#"

    def _read_job(self, job_id: int) -> Job | None:
        # An id no job can have (e.g. beyond the database's integers) is simply unknown.
        return self.job_reader.get(job_id) if 0 < job_id <= MAX_JOB_ID else None

    # ------------------------------------------------------------------ worker side

    def run(self, task: Task, progress: Progress | None = None) -> None:
        """Carry out one queued task. Safe to run twice: finished work is not redone.

        If another live worker is already running the task, this returns at
        once: that worker finishes it (or dies, freeing it for the next sweep).
        """
        with self.task_locks.hold(task) as held:
            if not held:
                log.info("%s is already running elsewhere", task)
                return
            if task.kind is TaskKind.GENERATE_D_FILE:
                self._run_d_generation(task.ref_id, progress)
            else:
                self._run_a_generation(task.ref_id, progress)

    def recover(self) -> int:
        """Re-enqueue every generation the database says is outstanding; returns how many.

        For a queue that forgets everything when its process stops (local mode,
        at start-up): it enqueues without asking the queue what it still holds.
        """
        tasks = self.outstanding_tasks()
        for task in tasks:
            self.queue.enqueue(task)
        return len(tasks)

    def sweep(self) -> int:
        """Enqueue every outstanding task that no worker will run otherwise; returns how many.

        Outstanding is what :meth:`recover` picks up; of that, a task still
        queued or running on a live worker (:meth:`JobQueue.is_pending`) is left
        alone. Catches tasks whose enqueue failed and tasks whose worker died.
        Errors of the queue (e.g. it is down) propagate: the next sweep tries again.
        """
        return sweep_tasks(self.queue, self.outstanding_tasks())

    def outstanding_tasks(self) -> list[Task]:
        """Tasks of every generation the database says is not done: some active job waits on it."""
        tasks: list[Task] = []
        with self.uow_factory() as uow:
            for generation in uow.file_generations.unfinished():
                if any(job.is_active for job in uow.jobs.linked_to(_id(generation.file_generation_id))):
                    tasks.append(Task(TaskKind.GENERATE_D_FILE, _id(generation.file_generation_id)))
            for job in uow.jobs.active_detached_a_jobs():
                tasks.append(Task(TaskKind.GENERATE_A_FILE, _id(job.job_id)))
        return tasks

    # ------------------------------------------------------------------ request helpers

    def _new_detached_job(
        self, uow: UnitOfWork, request: DetachedGenerationRequest, user_id: int | None
    ) -> Job:
        now = self.clock.now()
        job = Job(
            job_type=JobType.FILE_UPLOAD,
            file_type=request.file_type,
            status=JobStatus.READY,
            user_id=user_id,
            start_date=request.start,
            end_date=request.end,
            agency_code=request.agency_code,
            created_at=now,
            updated_at=now,
        )
        job.transition(JobStatus.WAITING, now)
        uow.jobs.add(job)
        return job

    def attach_d_generation(
        self, uow: UnitOfWork, job: Job, request: DetachedGenerationRequest
    ) -> list[Task]:
        """Link a D1/D2 job to a cached or new FileGeneration; return the tasks to enqueue after commit.

        The job (detached, or the upload job of a submission) shares the file of any identical
        request: finished at once when that file exists, waiting on it while it is written.
        """
        key = cache_key(request)
        uow.lock_cache_key(key)
        today = self.clock.today()
        loaded_at = self.award_data.fpds_loaded_at() if key.file_type is FileType.D1 else None
        fpds_date = loaded_at.date() if loaded_at is not None else None
        generation: FileGeneration | None = None
        for candidate in uow.file_generations.cached(key):
            if is_stale(candidate, fpds_date, today, loaded_at=loaded_at):
                candidate.is_cached_file = False
            elif generation is None:
                generation = candidate
            else:
                # Two live cache rows for one key would make the cache ambiguous;
                # keep the first and retire the other rather than fail the request.
                candidate.is_cached_file = False
        if generation is None:
            generation = FileGeneration.for_key(key, today)
            generation.created_at = generation.updated_at = self.clock.now()
            uow.file_generations.add(generation)
            job.file_generation_id = generation.file_generation_id
            return [Task(TaskKind.GENERATE_D_FILE, _id(generation.file_generation_id))]
        job.file_generation_id = generation.file_generation_id
        if generation.file_path is not None:
            return self._copy_to_job(uow, generation, job)
        return []

    def enqueue(self, tasks: list[Task]) -> None:
        enqueue_all(self.queue, tasks)

    # ------------------------------------------------------------------ worker helpers

    def _run_d_generation(self, generation_id: int, progress: Progress | None) -> None:
        with self.uow_factory() as uow:
            generation = uow.file_generations.get(generation_id)
            if generation is None:
                log.warning("file generation %s no longer exists", generation_id)
                return
            jobs = [job for job in uow.jobs.linked_to(generation_id) if job.is_active]
            if not jobs:
                return
            if generation.file_path is not None and self.storage.exists(generation.file_path):
                # A retry after the file was written but before the jobs heard of it.
                tasks = [task for job in jobs for task in self._copy_to_job(uow, generation, job)]
                uow.commit()
                self.enqueue(tasks)
                return
            now = self.clock.now()
            for job in jobs:
                job.transition(JobStatus.RUNNING, now)
            uow.commit()
        name = naming.d_file_name(
            generation.file_type,
            generation.start_date,
            generation.end_date,
            generation.agency_type,
            generation.file_format,
            int(self.clock.now().timestamp()),
        )
        key = posixpath.join("generated", f"d{generation_id}", name)
        header = header_line(generation.file_type, generation.file_format, generation.element_numbers)
        lines = self.award_data.award_lines(
            generation.file_type,
            generation.agency_code,
            generation.agency_type,
            generation.start_date,
            generation.end_date,
        )
        try:
            # We hold the task lock, so anything half-written here is a dead runner's leftover.
            self.storage.discard_partial(posixpath.dirname(key) + "/")
            size = self.storage.write(
                key, file_chunks(header, lines, generation.file_format, progress=progress)
            )
        except Exception as exc:
            log.exception("generation %s failed", generation_id)
            self._fail_task(Task(TaskKind.GENERATE_D_FILE, generation_id), _failure_message(exc))
            return
        with self.uow_factory() as uow:
            # Under the cache-key lock, so a request attaching a job right now
            # either commits first (and its job is finished below) or sees the file.
            uow.lock_cache_key(generation.cache_key)
            generation = uow.file_generations.get(generation_id)
            if generation is None:
                self.storage.delete(key)
                return
            generation.file_path = key
            generation.file_size = size
            generation.updated_at = self.clock.now()
            tasks = [
                task
                for job in uow.jobs.linked_to(generation_id)
                if job.is_active
                for task in self._copy_to_job(uow, generation, job)
            ]
            uow.commit()
        self.enqueue(tasks)

    def _run_a_generation(self, job_id: int, progress: Progress | None) -> None:
        with self.uow_factory() as uow:
            job = uow.jobs.get(job_id)
            if job is None or not job.is_active or job.end_date is None or job.agency_code is None:
                return
            job.transition(JobStatus.RUNNING, self.clock.now())
            uow.commit()
        year, period = dates_to_period(job.end_date)
        name = naming.a_file_name(year, period, int(self.clock.now().timestamp()))
        key = posixpath.join("generated", f"a{job_id}", name)
        try:
            self.storage.discard_partial(posixpath.dirname(key) + "/")
            size = self.storage.write(key, self._a_file_chunks(job.agency_code, year, period, progress))
        except Exception as exc:
            log.exception("A generation for job %s failed", job_id)
            self._fail_task(Task(TaskKind.GENERATE_A_FILE, job_id), _failure_message(exc))
            return
        with self.uow_factory() as uow:
            job = uow.jobs.get(job_id)
            if job is None or not job.is_active:
                self.storage.delete(key)
                return
            job.filename = key
            job.original_filename = name
            job.file_size = size
            job.number_of_errors = job.number_of_warnings = 0
            job.transition(JobStatus.FINISHED, self.clock.now())
            uow.commit()

    def _a_file_chunks(
        self, agency_code: str, year: int, period: int, progress: Progress | None
    ) -> Iterator[bytes]:
        frecs = self.award_data.frecs_of_cgac(agency_code) if len(agency_code) == 3 else set()
        lines = a_file_lines(
            self.award_data.tas_balances(year, period),
            agency_code,
            frecs,
            year,
            period,
            self.award_data.submission_window(year, period),
            self.award_data.failed_edits(year, period),
            self.clock.now(),
        )
        return file_chunks(header_line(FileType.A, FileFormat.CSV), lines, FileFormat.CSV, progress=progress)

    def _copy_to_job(self, uow: UnitOfWork, generation: FileGeneration, job: Job) -> list[Task]:
        """Point a job at the generation's file (the same stored object, no copy) and finish it.

        A submission's upload job then readies its validation: the tasks to enqueue are returned.
        """
        if job.status is JobStatus.FINISHED:
            return []
        job.file_generation_id = generation.file_generation_id
        job.filename = generation.file_path
        job.original_filename = posixpath.basename(generation.file_path or "")
        job.file_size = generation.file_size
        job.number_of_errors = job.number_of_warnings = 0
        return finish_job(uow, job, self.clock.now())

    def _fail_task(self, task: Task, message: str) -> None:
        """Mark everything waiting on the task failed, and retire the cache row (spec §4.3, fixed)."""
        with self.uow_factory() as uow:
            now = self.clock.now()
            if task.kind is TaskKind.GENERATE_D_FILE:
                generation = uow.file_generations.get(task.ref_id)
                if generation is not None:
                    # Before reading the linked jobs, so none attaches unseen.
                    uow.lock_cache_key(generation.cache_key)
                    generation.is_cached_file = False
                    generation.updated_at = now
                jobs = uow.jobs.linked_to(task.ref_id)
            else:
                job = uow.jobs.get(task.ref_id)
                jobs = [job] if job is not None else []
            for job in jobs:
                if job.is_active:
                    job.fail(message, now)
            uow.commit()

    def _url_for(self, job: Job) -> str | None:
        if job.status is not JobStatus.FINISHED or not job.filename:
            return None
        return self.storage.url(
            job.filename,
            filename=job.original_filename or posixpath.basename(job.filename),
            expires_in=self.url_expiry,
        )


def _failure_message(exc: BaseException) -> str:
    if isinstance(exc, GenerationFailed):
        return str(exc)
    return "The file could not be generated because of an internal error. Please try again."


def _id(value: int | None) -> int:
    if value is None:  # repositories assign ids on add; None here is a programming error
        raise RuntimeError("entity has no id yet")
    return value

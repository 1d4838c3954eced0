"""How a submission's jobs move on when one finishes: the dependants it clears get ready.

Shared by everything that finishes a job of a submission: the client finalizing an upload, a
generation writing its file, a validation ending. The caller holds the unit of work (and has
locked the submission, so two jobs finishing at once see each other) and enqueues the returned
tasks only after its commit: a worker must never see a job the database does not show yet.
"""

from __future__ import annotations

import datetime as dt
import logging

from broker_core.jobs import Job, JobStatus, JobType
from broker_core.ports import JobQueue, UnitOfWork
from broker_core.queueing import Task, TaskKind
from broker_core.submissions.job_graph import jobs_to_ready, should_enqueue

log = logging.getLogger(__name__)


def task_for(job: Job) -> Task:
    """The worker task that runs a validation job."""
    if job.job_id is None:
        raise ValueError("a job is stored before it is queued")
    kind = TaskKind.VALIDATE_CROSS_FILE if job.job_type is JobType.VALIDATION else TaskKind.VALIDATE_FILE
    return Task(kind, job.job_id)


def finish_job(uow: UnitOfWork, job: Job, now: dt.datetime) -> list[Task]:
    """Mark ``job`` finished and ready the dependants it clears; return the tasks to enqueue.

    Finishing an already finished job changes nothing (the original's finalize could be called
    twice). Dependants that are uploads (E and F) only become ready: they are generated on request.
    """
    if job.status is JobStatus.FINISHED:
        return []
    job.transition(JobStatus.FINISHED, now)
    return ready_dependants(uow, job, now)


def ready_dependants(uow: UnitOfWork, job: Job, now: dt.datetime) -> list[Task]:
    """Ready the waiting dependants of a finished job whose prerequisites are all clear."""
    if job.submission_id is None or job.job_id is None:
        return []
    jobs = uow.jobs.for_submission(job.submission_id)
    ready = set(jobs_to_ready(job.job_id, jobs, uow.jobs.dependencies(job.submission_id)))
    tasks: list[Task] = []
    for dependant in jobs:
        if dependant.job_id in ready:
            if dependant.job_type is JobType.CSV_RECORD_VALIDATION and job.job_type is JobType.FILE_UPLOAD:
                # A validation reads what its upload produced (a generated D file is named only now).
                dependant.filename, dependant.original_filename = job.filename, job.original_filename
            dependant.transition(JobStatus.READY, now)
            if should_enqueue(dependant):
                tasks.append(task_for(dependant))
    return tasks


def enqueue_all(queue: JobQueue, tasks: list[Task]) -> None:
    """Enqueue after a commit; a queue that is down leaves the jobs for the sweep.

    The committed rows already say the work is outstanding, so failing the jobs would throw
    away work a later sweep can still do.
    """
    for task in tasks:
        try:
            queue.enqueue(task)
        except Exception:  # the queue is outside our control (e.g. Redis down)
            log.exception("could not enqueue %s; it stays outstanding until the next sweep", task)


def sweep_tasks(queue: JobQueue, tasks: list[Task]) -> int:
    """Enqueue the tasks no worker will run otherwise (not pending in the queue); return how many.

    Errors of the queue (e.g. it is down) propagate: the next sweep tries again.
    """
    count = 0
    for task in tasks:
        if not queue.is_pending(task):
            queue.enqueue(task)
            count += 1
    if count:
        log.info("sweep: enqueued %d outstanding task(s)", count)
    return count

"""Every kind of worker task in one place: which service runs it, and what is still outstanding.

Workers (the in-process thread of local mode, RQ work horses in production) hand each task here.
:meth:`TaskRouter.recover` and :meth:`TaskRouter.sweep` ask the database what is still to do —
generations waited on, validations ready or orphaned while running, E/F files requested — so
that a task lost with a dead worker or a queue that was down is run again.
"""

from __future__ import annotations

import attrs

from broker_core.file_types import FileType
from broker_core.jobs import Job, JobStatus, JobType
from broker_core.ports import JobQueue, UnitOfWorkFactory
from broker_core.queueing import Task, TaskKind
from broker_core.services.generation import GenerationService
from broker_core.services.job_flow import sweep_tasks, task_for
from broker_core.services.submission_generation import SubmissionGenerationService
from broker_core.services.validation_jobs import ValidationJobService

_GENERATION_KINDS = (TaskKind.GENERATE_D_FILE, TaskKind.GENERATE_A_FILE)
_VALIDATION_KINDS = (TaskKind.VALIDATE_FILE, TaskKind.VALIDATE_CROSS_FILE)


@attrs.define
class TaskRouter:
    uow_factory: UnitOfWorkFactory
    queue: JobQueue
    generation: GenerationService
    validation_jobs: ValidationJobService
    submission_files: SubmissionGenerationService

    def run(self, task: Task) -> None:
        if task.kind in _GENERATION_KINDS:
            self.generation.run(task)
        elif task.kind in _VALIDATION_KINDS:
            self.validation_jobs.run(task)
        else:
            self.submission_files.run(task)

    def outstanding(self) -> list[Task]:
        """Every task the database says is not done (detached generations included)."""
        tasks = self.generation.outstanding_tasks()
        with self.uow_factory() as uow:
            tasks.extend(task for job in uow.jobs.active_submission_jobs() if (task := _task_of(job)))
        return tasks

    def recover(self) -> int:
        """Enqueue everything outstanding, for a queue that forgets its tasks when its process stops."""
        tasks = self.outstanding()
        for task in tasks:
            self.queue.enqueue(task)
        return len(tasks)

    def sweep(self) -> int:
        """Enqueue the outstanding tasks no live worker holds; queue errors propagate (next sweep retries)."""
        return sweep_tasks(self.queue, self.outstanding())


def _task_of(job: Job) -> Task | None:
    """The task behind an active job of a submission, if a worker (not the client) owes it."""
    if job.job_type in (JobType.CSV_RECORD_VALIDATION, JobType.VALIDATION):
        return task_for(job) if job.status in (JobStatus.READY, JobStatus.RUNNING) else None
    if (
        job.file_type in (FileType.E, FileType.F)
        and job.status is JobStatus.RUNNING
        and job.job_id is not None
    ):
        return Task(TaskKind.GENERATE_SUBMISSION_FILE, job.job_id)
    return None  # A/B/C uploads are the client's; D1/D2 uploads wait on a generation (above)

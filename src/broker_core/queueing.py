"""Tasks handed to workers. A task names the work; the database rows hold its state."""

from __future__ import annotations

import contextlib
import enum
import threading
from collections.abc import Iterator

import attrs


class TaskKind(enum.Enum):
    GENERATE_D_FILE = "generate_d_file"  # ref_id = file_generation_id
    GENERATE_A_FILE = "generate_a_file"  # ref_id = job_id
    VALIDATE_FILE = "validate_file"  # ref_id = job_id of a csv_record_validation job
    VALIDATE_CROSS_FILE = "validate_cross_file"  # ref_id = job_id of a submission's cross-file job
    GENERATE_SUBMISSION_FILE = "generate_submission_file"  # ref_id = job_id of an E or F upload job


@attrs.frozen
class Task:
    kind: TaskKind
    ref_id: int


class ThreadTaskLocks:
    """:class:`~broker_core.ports.TaskLocks` for one process (threads only).

    Enough when a single process runs every task (local mode, tests); the
    database adapters provide locks that also hold across processes.
    """

    def __init__(self) -> None:
        self._guard = threading.Lock()
        self._held: set[Task] = set()

    @contextlib.contextmanager
    def hold(self, task: Task) -> Iterator[bool]:
        with self._guard:
            if task in self._held:
                acquired = False
            else:
                self._held.add(task)
                acquired = True
        try:
            yield acquired
        finally:
            if acquired:
                with self._guard:
                    self._held.discard(task)

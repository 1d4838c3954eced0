"""Tasks handed to workers. A task names the work; the database rows hold its state."""

from __future__ import annotations

import enum

import attrs


class TaskKind(enum.Enum):
    GENERATE_D_FILE = "generate_d_file"  # ref_id = file_generation_id
    GENERATE_A_FILE = "generate_a_file"  # ref_id = job_id


@attrs.frozen
class Task:
    kind: TaskKind
    ref_id: int

"""Ports of the submissions: where submissions, their validation results and narratives are kept.

Re-exported by :mod:`broker_core.ports`; a unit of work offers them as ``uow.submissions``,
``uow.validation_results`` and ``uow.narratives``. The jobs of a submission and their
dependencies are on ``uow.jobs`` (:class:`broker_core.ports.JobRepository`).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from typing import Protocol

from broker_core.submissions.model import Submission
from broker_core.submissions.records import FileRecord
from broker_core.validation.metadata import ErrorMetadata


class SubmissionRepository(Protocol):
    def add(self, submission: Submission) -> None:
        """Persist a new submission; ``submission.submission_id`` is set when this returns."""

    def get(self, submission_id: int) -> Submission | None: ...

    def get_for_update(self, submission_id: int) -> Submission | None:
        """Like :meth:`get`, and no other unit of work gets it for update until this one ends.

        Call it before changing the submission or its jobs, so that two concurrent updates
        of one submission run one after the other. The submission and those of its jobs
        this unit of work read before are brought up to date: what it holds afterwards is
        what the previous holder of the lock committed. PostgreSQL:
        ``SELECT ... FOR UPDATE`` (a row lock held until commit/rollback). SQLite: every
        unit-of-work transaction begins ``IMMEDIATE``, so the write transaction this starts
        already excludes every other writer.
        """

    def listed(self, *, include_fabs: bool = False) -> list[Submission]:
        """Every DABS submission (and FABS ones if asked), by id; :func:`visible_to` filters."""

    def visible(
        self, agency_codes: frozenset[str] | None, user_id: int | None, *, include_fabs: bool = False
    ) -> list[Submission]:
        """The submissions :func:`~broker_core.submissions.permissions.visible_to` a user shows, by id.

        ``agency_codes`` are the user's affiliations' codes, matched against the CGAC and
        the FREC code; ``None`` means a website admin (everything). ``user_id`` also shows
        the user's own submissions (None: no ownership).
        """

    def delete(self, submission_id: int) -> None:
        """Delete the submission and everything of it.

        That is its jobs and their dependencies, file rows and error metadata, its
        narratives, and the validation staging rows of its jobs. Unknown ids are ignored. Entities of the deleted rows this unit of work handed out
        are no longer saved by it.
        """

    def owner_name(self, user_id: int) -> str | None:
        """The name of a submission's creator, None if there is no such user."""

    def owner_names(self, user_ids: Collection[int]) -> dict[int, str]:
        """Names of the given users that exist, by id (one query for a listing)."""


class ValidationResultRepository(Protocol):
    """What validation leaves on a job: its ``file`` row and its error metadata."""

    def save_file(self, job_id: int, record: FileRecord) -> None:
        """Store the job's file row, replacing the one it had."""

    def file(self, job_id: int) -> FileRecord | None: ...

    def replace_error_metadata(self, job_id: int, entries: Sequence[ErrorMetadata]) -> None:
        """Replace every error metadata entry of the job with ``entries``."""

    def error_metadata(self, job_id: int) -> list[ErrorMetadata]:
        """The job's entries in the order they were stored."""

    def clear(self, job_id: int) -> None:
        """Remove the job's file row and error metadata (a re-upload invalidates them)."""


class NarrativeRepository(Protocol):
    def replace(self, submission_id: int, narratives: Mapping[str, str]) -> None:
        """Make ``narratives`` (file letter -> text) the submission's only narratives."""

    def get(self, submission_id: int) -> dict[str, str]:
        """The submission's narratives, file letter -> text, in the order they were stored."""

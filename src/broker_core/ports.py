"""Ports: the interfaces the core needs from the outside world.

Adapters in ``broker_adapters`` implement them; ``tests/unit`` has in-memory
fakes; ``tests/contract`` runs one suite per port against every adapter.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from contextlib import AbstractContextManager
from typing import Protocol, Self

from broker_core.file_types import FileType
from broker_core.fpds.document import FpdsDocument
from broker_core.fpds.queries import FeedQuery
from broker_core.generation.model import AgencyType, CacheKey, FileGeneration
from broker_core.jobs import Job
from broker_core.queueing import Task
from broker_core.records import (
    AgencyRecord,
    FailedEdit,
    ProcurementDeletion,
    RenderedAwardRow,
    SF133Record,
    SubmissionWindow,
    TasBalance,
    TasRecord,
)
from broker_core.submissions.ports import (
    NarrativeRepository,
    SubmissionRepository,
    ValidationResultRepository,
)
from broker_core.submissions.uploads import TemporaryCredentials
from broker_core.users import Session, User

# --------------------------------------------------------------------------- repositories


class JobRepository(Protocol):
    def add(self, job: Job) -> None:
        """Persist a new job; ``job.job_id`` is set when this returns."""

    def get(self, job_id: int) -> Job | None: ...

    def linked_to(self, file_generation_id: int) -> list[Job]:
        """Every job whose ``file_generation_id`` is the given generation."""

    def active_detached_a_jobs(self) -> list[Job]:
        """Detached A generation jobs still waiting/ready/running (for recovery)."""

    def active_submission_jobs(self) -> list[Job]:
        """Jobs of submissions still waiting/ready/running, by id (for recovery sweeps)."""

    def for_submission(self, submission_id: int) -> list[Job]:
        """Every job of the submission, by id (the order they were created in)."""

    def dependencies(self, submission_id: int) -> list[tuple[int, int]]:
        """The (job id, prerequisite id) edges between the submission's jobs, in the order added."""

    def add_dependency(self, job_id: int, prerequisite_id: int) -> None:
        """Record that job ``job_id`` waits for job ``prerequisite_id`` (both stored already)."""


class FileGenerationRepository(Protocol):
    def add(self, generation: FileGeneration) -> None:
        """Persist; ``file_generation_id`` is set when this returns."""

    def get(self, file_generation_id: int) -> FileGeneration | None: ...

    def cached(self, key: CacheKey) -> list[FileGeneration]:
        """Generations with exactly this key and ``is_cached_file`` true."""

    def unfinished(self) -> list[FileGeneration]:
        """Cached generations whose file is not written yet (for recovery)."""


class UserRepository(Protocol):
    def add(self, user: User) -> None: ...

    def get(self, user_id: int) -> User | None: ...

    def by_email(self, email: str) -> User | None:
        """Case-insensitive lookup."""


class SessionRepository(Protocol):
    def add(self, session: Session) -> None: ...

    def get(self, uid: str) -> Session | None: ...

    def get_with_user(self, uid: str) -> tuple[Session, User | None] | None:
        """The session and its logged-in user (with affiliations) in one read, for the login
        check of every request. Read only: changes to what it returns are not saved."""
        ...

    def delete_expired(self, now: dt.datetime) -> int: ...


class AgencyRepository(Protocol):
    def name_of(self, agency_code: str) -> str | None:
        """Name of a CGAC (3 characters) or FREC (4 characters), if known."""

    def exists(self, agency_code: str) -> bool: ...


class UnitOfWork(Protocol):
    """One database transaction and the repositories that work inside it.

    ``with uow:`` starts it; leaving the block without ``commit()`` rolls back.
    """

    # Read-only properties, so that an adapter's concrete repository types fit.
    @property
    def jobs(self) -> JobRepository: ...

    @property
    def file_generations(self) -> FileGenerationRepository: ...

    @property
    def users(self) -> UserRepository: ...

    @property
    def sessions(self) -> SessionRepository: ...

    @property
    def agencies(self) -> AgencyRepository: ...

    @property
    def submissions(self) -> SubmissionRepository: ...

    @property
    def validation_results(self) -> ValidationResultRepository: ...

    @property
    def narratives(self) -> NarrativeRepository: ...

    def __enter__(self) -> Self: ...

    def __exit__(self, *exc: object) -> None: ...

    def commit(self) -> None: ...

    def rollback(self) -> None: ...

    def lock_cache_key(self, key: CacheKey) -> None:
        """Serialise every transaction touching this cache key until commit/rollback.

        Two identical generation requests racing (threads or processes) must
        see each other's FileGeneration so that they share one file.
        """


class UnitOfWorkFactory(Protocol):
    def __call__(self, *, read_only: bool = False) -> UnitOfWork:
        """A new unit of work. ``read_only``: the caller only reads and never commits, so
        an adapter may skip the transaction (each statement sees committed data)."""
        ...


class JobReader(Protocol):
    """Reads one job outside any unit of work: the status checks clients poll many times a second.

    The job is a snapshot of committed data, not tracked by anything; changing it saves nothing.
    """

    def get(self, job_id: int) -> Job | None: ...


# --------------------------------------------------------------------------- source data


class AwardDataReader(Protocol):
    """Streams the loaded source data the generators need. Never materialises a result set."""

    def award_lines(
        self,
        file_type: FileType,
        agency_code: str,
        agency_type: AgencyType,
        start: dt.date,
        end: dt.date,
    ) -> Iterator[str]:
        """Rendered CSV lines of D1 (procurement) or D2 (active assistance) rows

        whose ``action_date`` is in ``[start, end]`` and whose awarding or
        funding agency code (by ``agency_type``) is ``agency_code``.
        """

    def tas_balances(self, fiscal_year: int, period: int) -> Iterator[TasBalance]:
        """SF-133 rows of that period inner-joined to the TAS lookup on ``tas``."""

    def frecs_of_cgac(self, cgac_code: str) -> set[str]: ...

    def fpds_load_date(self) -> dt.date | None:
        """Date of the last procurement (FPDS) load, or None if never loaded."""

    def fpds_loaded_at(self) -> dt.datetime | None:
        """When the last procurement (FPDS) load started (naive UTC), or None if never loaded."""

    def submission_window(self, fiscal_year: int, period: int) -> SubmissionWindow | None: ...

    def failed_edits(self, fiscal_year: int, period: int) -> Iterator[FailedEdit]: ...


class AwardDataStore(Protocol):
    """Writes source data. Each method is one transaction: all rows or none.

    The iterables are consumed lazily; if they raise, nothing is kept.
    Each returns the number of rows written.
    """

    def upsert_award_rows(self, file_type: FileType, rows: Iterable[RenderedAwardRow]) -> int:
        """Insert or replace D1/D2 rows by ``unique_key``. For D1 also records the load date."""

    def replace_agencies(self, rows: Iterable[AgencyRecord]) -> int: ...

    def replace_sf133(self, rows: Iterable[SF133Record]) -> int:
        """Replace every row of the (fiscal_year, period) pairs present in ``rows``."""

    def replace_tas(self, rows: Iterable[TasRecord]) -> int: ...

    def replace_submission_windows(self, rows: Iterable[SubmissionWindow]) -> int: ...

    def replace_failed_edits(self, rows: Iterable[FailedEdit]) -> int: ...

    def record_fpds_load(self, when: dt.datetime) -> None: ...


class ProcurementStore(Protocol):
    """What an FPDS load reads and writes (procurement rows, agencies, the FPDS load date)."""

    def fpds_load_date(self) -> dt.date | None: ...

    def agency_records(self) -> Iterator[AgencyRecord]:
        """Every loaded sub-tier agency with its CGAC and FREC (for deriving agency codes)."""

    def apply_procurement_load(
        self,
        rows: Iterable[RenderedAwardRow],
        deletions: Iterable[ProcurementDeletion],
        loaded_at: dt.datetime,
    ) -> tuple[int, int]:
        """One transaction: upsert D1 ``rows``, apply ``deletions``, record the FPDS load date.

        A deletion removes the row with its key only if the row's ``last_modified``
        is older (or unknown). Returns (rows written, rows deleted).
        """


class ProcurementSource(Protocol):
    """Contract documents from FPDS (or a saved copy of its feed)."""

    def documents(self, query: FeedQuery) -> Iterator[FpdsDocument]:
        """Every document matching ``query``, page after page to the end of the result.

        Raises :class:`~broker_core.fpds.errors.FeedError` (FPDS unreachable, a
        malformed page, a result too large for one query), possibly after
        some documents were yielded: callers apply nothing until it is done.
        """


# --------------------------------------------------------------------------- files, queue, clock, hashing


class FileStorage(Protocol):
    def write(self, key: str, chunks: Iterable[bytes]) -> int:
        """Store the concatenated chunks under ``key`` and return the size in bytes.

        Atomic: if ``chunks`` raises, no object (not even a partial one) is
        left under ``key``. Chunks are written as they come (streaming).
        """

    def read(self, key: str) -> Iterator[bytes]: ...

    def size(self, key: str) -> int: ...

    def exists(self, key: str) -> bool: ...

    def delete(self, key: str) -> None: ...

    def url(self, key: str, *, filename: str, expires_in: int) -> str:
        """A URL from which the object can be downloaded until it expires."""

    def discard_partial(self, prefix: str) -> int:
        """Remove incomplete writes under a key prefix left by a writer that died; return how many.

        ``prefix`` is matched against keys as a plain string (``""``: everything).
        Completed objects are untouched. A write still in progress under ``prefix``
        would be discarded too (and then fail), so call it only when no writer is active there.
        """

    def list(self, prefix: str) -> Iterator[str]:
        """The keys of the stored objects that start with ``prefix``, in no particular order.

        ``prefix`` is matched as a plain string (``""``: everything). Only complete objects
        are listed (never the leftovers of a write in progress), and only keys that
        :meth:`read` accepts.
        """
        ...


class UploadCredentials(Protocol):
    """Where clients upload a submission's files themselves, and with which credentials."""

    @property
    def bucket_name(self) -> str:
        """The bucket (or, in local mode, the folder) the upload keys are in."""
        ...

    def object_key(self, key: str) -> str:
        """The key a client uploads to for the storage key ``key`` (S3: with the storage prefix)."""
        ...

    def for_user(self, user_id: int, key_prefix: str) -> TemporaryCredentials:
        """Short-lived credentials that may only put objects under the storage keys ``key_prefix*``."""
        ...


class JobQueue(Protocol):
    def enqueue(self, task: Task) -> None:
        """Hand a task to a worker. Called only after the creating transaction committed.

        May raise when the queue is unreachable; the database still says the
        work is outstanding, so a later sweep enqueues it again.
        """

    def is_pending(self, task: Task) -> bool:
        """Whether a worker will still run this task without being told again.

        True while the task waits in the queue or runs on a live worker; False
        once it has run (or failed), or when the worker running it has died.
        """


class TaskLocks(Protocol):
    """Makes sure one task runs in one place at a time, across threads and processes."""

    def hold(self, task: Task) -> AbstractContextManager[bool]:
        """Try to become the only runner of ``task``, without waiting.

        Enters with True when this caller now holds the task, False when another
        live runner does. The hold ends when the block exits or when the holding
        process dies (a killed worker must not keep the task forever).
        """
        ...


class Clock(Protocol):
    def now(self) -> dt.datetime:
        """Naive UTC."""

    def today(self) -> dt.date: ...


class PasswordHasher(Protocol):
    def hash(self, password: str) -> str: ...

    def verify(self, password_hash: str, password: str) -> bool: ...

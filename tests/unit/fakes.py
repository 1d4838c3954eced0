"""In-memory fakes of the core's ports, for unit tests of the services."""

from __future__ import annotations

import copy
import datetime as dt
import itertools
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence

from broker_core.file_types import FileType
from broker_core.generation.model import AgencyType, CacheKey, FileGeneration
from broker_core.identity import Identity, IdentityProviderUnavailable
from broker_core.jobs import Job, JobStatus
from broker_core.queueing import Task
from broker_core.records import (
    AgencyRecord,
    FailedEdit,
    ProcurementDeletion,
    RenderedAwardRow,
    SubmissionWindow,
    TasBalance,
)
from broker_core.submissions.model import Submission
from broker_core.submissions.records import FileRecord
from broker_core.users import Session, User
from broker_core.validation.metadata import ErrorMetadata


class _Store:
    """The 'database': committed state, copied in and out of each unit of work."""

    def __init__(self) -> None:
        self.jobs: dict[int, Job] = {}
        self.generations: dict[int, FileGeneration] = {}
        self.users: dict[int, User] = {}
        self.sessions: dict[str, Session] = {}
        self.agency_names: dict[str, str] = {}
        self.submissions: dict[int, Submission] = {}
        self.dependencies: list[tuple[int, int]] = []
        self.results = _Results()
        self.narratives: dict[int, dict[str, str]] = {}
        self.ids = itertools.count(1)


class _Results:
    """File rows and error metadata, by job id."""

    def __init__(self) -> None:
        self.files: dict[int, FileRecord] = {}
        self.metadata: dict[int, list[ErrorMetadata]] = {}


class FakeUnitOfWork:
    def __init__(self, store: _Store) -> None:
        self._store = store

    def __enter__(self) -> FakeUnitOfWork:
        s = self._store
        self._jobs = copy.deepcopy(s.jobs)
        self._generations = copy.deepcopy(s.generations)
        self._users = copy.deepcopy(s.users)
        self._sessions = copy.deepcopy(s.sessions)
        self._submissions = copy.deepcopy(s.submissions)
        self._dependencies = list(s.dependencies)
        self._results = copy.deepcopy(s.results)
        self._narratives = copy.deepcopy(s.narratives)
        self.jobs = _Jobs(self._jobs, s, self._dependencies)
        self.file_generations = _Generations(self._generations, s)
        self.users = _Users(self._users, s)
        self.sessions = _Sessions(self._sessions, self._users)
        self.agencies = _Agencies(s.agency_names)
        self.submissions = _Submissions(self, s)
        self.validation_results = _ValidationResults(self._results)
        self.narratives = _Narratives(self._narratives)
        self.committed = False
        return self

    def __exit__(self, *exc: object) -> None:
        pass

    def commit(self) -> None:
        s = self._store
        s.jobs, s.generations = copy.deepcopy(self._jobs), copy.deepcopy(self._generations)
        s.users, s.sessions = copy.deepcopy(self._users), copy.deepcopy(self._sessions)
        s.submissions, s.dependencies = copy.deepcopy(self._submissions), list(self._dependencies)
        s.results, s.narratives = copy.deepcopy(self._results), copy.deepcopy(self._narratives)
        self.committed = True

    def rollback(self) -> None:
        pass

    def lock_cache_key(self, key: CacheKey) -> None:
        pass


class PlainHasher:
    """A ``PasswordHasher`` that only marks the password: the unit tests need no slow hashing."""

    def hash(self, password: str) -> str:
        return "plain:" + password

    def verify(self, password_hash: str, password: str) -> bool:
        return password_hash == "plain:" + password


class FakeUnitOfWorkFactory:
    def __init__(self) -> None:
        self.store = _Store()

    def __call__(self, *, read_only: bool = False) -> FakeUnitOfWork:
        return FakeUnitOfWork(self.store)


class _Jobs:
    def __init__(self, rows: dict[int, Job], store: _Store, dependencies: list[tuple[int, int]]) -> None:
        self._rows, self._store, self._dependencies = rows, store, dependencies

    def add(self, job: Job) -> None:
        job.job_id = next(self._store.ids)
        self._rows[job.job_id] = job

    def get(self, job_id: int) -> Job | None:
        return self._rows.get(job_id)

    def linked_to(self, file_generation_id: int) -> list[Job]:
        return [j for j in self._rows.values() if j.file_generation_id == file_generation_id]

    def active_detached_a_jobs(self) -> list[Job]:
        return [j for j in self._rows.values() if j.is_detached and j.file_type is FileType.A and j.is_active]

    def active_submission_jobs(self) -> list[Job]:
        return [
            self._rows[i]
            for i in sorted(self._rows)
            if not self._rows[i].is_detached and self._rows[i].is_active
        ]

    def for_submission(self, submission_id: int) -> list[Job]:
        return [self._rows[i] for i in sorted(self._rows) if self._rows[i].submission_id == submission_id]

    def dependencies(self, submission_id: int) -> list[tuple[int, int]]:
        return [
            (job_id, prerequisite_id)
            for job_id, prerequisite_id in self._dependencies
            if job_id in self._rows and self._rows[job_id].submission_id == submission_id
        ]

    def add_dependency(self, job_id: int, prerequisite_id: int) -> None:
        if job_id not in self._rows or prerequisite_id not in self._rows:
            raise KeyError(f"no job {job_id} or {prerequisite_id}")  # the database's foreign keys
        self._dependencies.append((job_id, prerequisite_id))


class _Generations:
    def __init__(self, rows: dict[int, FileGeneration], store: _Store) -> None:
        self._rows, self._store = rows, store

    def add(self, generation: FileGeneration) -> None:
        generation.file_generation_id = next(self._store.ids)
        self._rows[generation.file_generation_id] = generation

    def get(self, file_generation_id: int) -> FileGeneration | None:
        return self._rows.get(file_generation_id)

    def cached(self, key: CacheKey) -> list[FileGeneration]:
        return [g for g in self._rows.values() if g.is_cached_file and g.cache_key == key]

    def unfinished(self) -> list[FileGeneration]:
        return [g for g in self._rows.values() if g.is_cached_file and g.file_path is None]


class _Users:
    def __init__(self, rows: dict[int, User], store: _Store) -> None:
        self._rows, self._store = rows, store

    def add(self, user: User) -> None:
        user.user_id = next(self._store.ids)
        self._rows[user.user_id] = user

    def get(self, user_id: int) -> User | None:
        return self._rows.get(user_id)

    def by_email(self, email: str) -> User | None:
        return next((u for u in self._rows.values() if u.email.lower() == email.lower()), None)


class _Sessions:
    def __init__(self, rows: dict[str, Session], users: dict[int, User]) -> None:
        self._rows, self._users = rows, users

    def add(self, session: Session) -> None:
        self._rows[session.uid] = session

    def get(self, uid: str) -> Session | None:
        return self._rows.get(uid)

    def get_with_user(self, uid: str) -> tuple[Session, User | None] | None:
        session = self._rows.get(uid)
        if session is None:
            return None
        user = None if session.user_id is None else self._users.get(session.user_id)
        return session, user

    def delete_expired(self, now: dt.datetime) -> int:
        dead = [uid for uid, s in self._rows.items() if not s.is_live(now)]
        for uid in dead:
            del self._rows[uid]
        return len(dead)


class _Agencies:
    def __init__(self, names: dict[str, str]) -> None:
        self._names = names

    def name_of(self, agency_code: str) -> str | None:
        return self._names.get(agency_code)

    def exists(self, agency_code: str) -> bool:
        return agency_code in self._names


class _Submissions:
    """Submissions of a fake unit of work; ``delete`` cascades as the database's foreign keys do."""

    def __init__(self, uow: FakeUnitOfWork, store: _Store) -> None:
        self._uow, self._store = uow, store
        self._rows = uow._submissions

    def add(self, submission: Submission) -> None:
        submission.submission_id = next(self._store.ids)
        self._rows[submission.submission_id] = submission

    def get(self, submission_id: int) -> Submission | None:
        return self._rows.get(submission_id)

    def get_for_update(self, submission_id: int) -> Submission | None:
        return self._rows.get(submission_id)  # one unit of work at a time: nothing to lock

    def listed(self, *, include_fabs: bool = False) -> list[Submission]:
        return [self._rows[i] for i in sorted(self._rows) if include_fabs or not self._rows[i].is_fabs]

    def visible(
        self, agency_codes: frozenset[str] | None, user_id: int | None, *, include_fabs: bool = False
    ) -> list[Submission]:
        return [
            s
            for s in self.listed(include_fabs=include_fabs)
            if agency_codes is None
            or (user_id is not None and s.user_id == user_id)
            or bool(s.agency_codes & agency_codes)
        ]

    def delete(self, submission_id: int) -> None:
        uow = self._uow
        job_ids = {i for i, job in uow._jobs.items() if job.submission_id == submission_id}
        for job_id in job_ids:
            del uow._jobs[job_id]
            uow._results.files.pop(job_id, None)
            uow._results.metadata.pop(job_id, None)
        uow._dependencies[:] = [
            edge for edge in uow._dependencies if edge[0] not in job_ids and edge[1] not in job_ids
        ]
        uow._narratives.pop(submission_id, None)
        self._rows.pop(submission_id, None)

    def owner_name(self, user_id: int) -> str | None:
        return self.owner_names([user_id]).get(user_id)

    def owner_names(self, user_ids: Collection[int]) -> dict[int, str]:
        users = self._uow._users
        return {i: users[i].name for i in user_ids if i in users}


class _ValidationResults:
    def __init__(self, results: _Results) -> None:
        self._results = results

    def save_file(self, job_id: int, record: FileRecord) -> None:
        self._results.files[job_id] = record

    def file(self, job_id: int) -> FileRecord | None:
        return self._results.files.get(job_id)

    def replace_error_metadata(self, job_id: int, entries: Sequence[ErrorMetadata]) -> None:
        self._results.metadata[job_id] = list(entries)

    def error_metadata(self, job_id: int) -> list[ErrorMetadata]:
        return list(self._results.metadata.get(job_id, []))

    def clear(self, job_id: int) -> None:
        self._results.files.pop(job_id, None)
        self._results.metadata.pop(job_id, None)


class _Narratives:
    def __init__(self, rows: dict[int, dict[str, str]]) -> None:
        self._rows = rows

    def replace(self, submission_id: int, narratives: Mapping[str, str]) -> None:
        self._rows[submission_id] = dict(narratives)

    def get(self, submission_id: int) -> dict[str, str]:
        return dict(self._rows.get(submission_id, {}))


class FakeStorage:
    def __init__(self) -> None:
        self.objects: dict[str, bytes] = {}
        self.fail_with: Exception | None = None

    def write(self, key: str, chunks: Iterable[bytes]) -> int:
        data = bytearray()
        for chunk in chunks:
            data += chunk
            if self.fail_with is not None:
                raise self.fail_with
        self.objects[key] = bytes(data)
        return len(data)

    def read(self, key: str) -> Iterator[bytes]:
        yield self.objects[key]

    def size(self, key: str) -> int:
        return len(self.objects[key])

    def exists(self, key: str) -> bool:
        return key in self.objects

    def delete(self, key: str) -> None:
        self.objects.pop(key, None)

    def url(self, key: str, *, filename: str, expires_in: int) -> str:
        return f"https://files.example/{key}?expires_in={expires_in}"

    def discard_partial(self, prefix: str) -> int:
        return 0  # writes here are all-or-nothing in memory: nothing partial is ever left

    def list(self, prefix: str) -> Iterator[str]:
        return iter([key for key in self.objects if key.startswith(prefix)])


class FakeQueue:
    """Collects tasks; tests hand them to the service's ``run`` (a worker, in tests' time).

    ``broken`` makes every call raise, like an unreachable Redis; ``running``
    holds tasks a (fake) live worker has taken off the queue and is still running.
    """

    def __init__(self) -> None:
        self.tasks: list[Task] = []
        self.running: set[Task] = set()
        self.broken = False

    def enqueue(self, task: Task) -> None:
        if self.broken:
            raise ConnectionError("queue unavailable")
        self.tasks.append(task)

    def is_pending(self, task: Task) -> bool:
        if self.broken:
            raise ConnectionError("queue unavailable")
        return task in self.tasks or task in self.running


class FakeClock:
    def __init__(self, now: dt.datetime = dt.datetime(2024, 5, 1, 12, 0, 0, 123456)) -> None:
        self.current = now

    def now(self) -> dt.datetime:
        return self.current

    def today(self) -> dt.date:
        return self.current.date()

    def advance(self, **kwargs: float) -> None:
        self.current += dt.timedelta(**kwargs)


class FakeAwardData:
    def __init__(self) -> None:
        self.rows: dict[FileType, list[RenderedAwardRow]] = {FileType.D1: [], FileType.D2: []}
        self.balances: list[TasBalance] = []
        self.frecs: dict[str, set[str]] = {}
        self.load_date: dt.date | None = None
        self.window: SubmissionWindow | None = None
        self.edits: list[FailedEdit] = []
        self.reads = 0

    def award_lines(
        self, file_type: FileType, agency_code: str, agency_type: AgencyType, start: dt.date, end: dt.date
    ) -> Iterator[str]:
        self.reads += 1
        for row in self.rows[file_type]:
            code = row.awarding_agency_code if agency_type is AgencyType.AWARDING else row.funding_agency_code
            if code == agency_code and start <= row.action_date <= end and row.is_active:
                yield row.line

    def tas_balances(self, fiscal_year: int, period: int) -> Iterator[TasBalance]:
        return iter(
            [b for b in self.balances if (b.sf133.fiscal_year, b.sf133.period) == (fiscal_year, period)]
        )

    def frecs_of_cgac(self, cgac_code: str) -> set[str]:
        return self.frecs.get(cgac_code, set())

    def fpds_load_date(self) -> dt.date | None:
        return self.load_date

    def fpds_loaded_at(self) -> dt.datetime | None:
        return None if self.load_date is None else dt.datetime.combine(self.load_date, dt.time())

    def submission_window(self, fiscal_year: int, period: int) -> SubmissionWindow | None:
        return self.window

    def failed_edits(self, fiscal_year: int, period: int) -> Iterator[FailedEdit]:
        return iter(self.edits)


__all__ = ["FakeAwardData", "FakeClock", "FakeQueue", "FakeStorage", "FakeUnitOfWorkFactory", "JobStatus"]


class FakeProcurementStore:
    """In-memory ProcurementStore: D1 rows by key; a load is applied whole or not at all."""

    def __init__(self, agencies: Iterable[AgencyRecord] = ()) -> None:
        self.rows: dict[str, RenderedAwardRow] = {}
        self.agencies = list(agencies)
        self.load_dates: list[dt.datetime] = []

    def fpds_load_date(self) -> dt.date | None:
        return self.load_dates[-1].date() if self.load_dates else None

    def agency_records(self) -> Iterator[AgencyRecord]:
        return iter(self.agencies)

    def apply_procurement_load(
        self,
        rows: Iterable[RenderedAwardRow],
        deletions: Iterable[ProcurementDeletion],
        loaded_at: dt.datetime,
    ) -> tuple[int, int]:
        new_rows, new_deletions = list(rows), list(deletions)  # raises before anything changes
        after = dict(self.rows)
        for row in new_rows:
            after[row.unique_key] = row
        deleted = 0
        for deletion in new_deletions:
            row = after.get(deletion.unique_key)
            if row is None:
                continue
            if (
                deletion.last_modified is None
                or row.last_modified is None
                or row.last_modified < deletion.last_modified
            ):
                del after[deletion.unique_key]
                deleted += 1
        self.rows = after
        self.load_dates.append(loaded_at)
        return len(new_rows), deleted


class FakeIdentityProvider:
    """An IdentityProvider answering from a dict of one-time tickets: (service, identity) each.

    Like CAS, a ticket is spent by its first validation. ``unavailable`` makes
    every call raise as if the provider could not be reached.
    """

    def __init__(self) -> None:
        self.tickets: dict[str, tuple[str, Identity]] = {}
        self.unavailable = False
        self.calls: list[tuple[str, str]] = []

    def grant(self, ticket: str, service: str, identity: Identity) -> None:
        self.tickets[ticket] = (service, identity)

    def validate(self, ticket: str, service: str) -> Identity | None:
        self.calls.append((ticket, service))
        if self.unavailable:
            raise IdentityProviderUnavailable("fake provider is down")
        granted = self.tickets.pop(ticket, None)
        if granted is None or granted[0] != service:
            return None
        return granted[1]


class InMemoryLoginAttempts:
    """The LoginAttemptLog port in memory (one process)."""

    def __init__(self) -> None:
        self.rows: list[tuple[str, dt.datetime]] = []

    def failures(self, subject: str, since: dt.datetime) -> list[dt.datetime]:
        return sorted(at for s, at in self.rows if s == subject and at >= since)

    def record(self, subjects: Sequence[str], at: dt.datetime, *, forget_before: dt.datetime) -> None:
        self.rows = [(s, t) for s, t in self.rows if t >= forget_before]
        self.rows.extend((s, at) for s in subjects)

    def clear(self, subject: str) -> None:
        self.rows = [(s, t) for s, t in self.rows if s != subject]

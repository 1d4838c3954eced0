"""The SQLAlchemy unit of work: one ORM session, one transaction, its repositories."""

from __future__ import annotations

from typing import Any, Self

from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session as OrmSession
from sqlalchemy.orm import sessionmaker

from broker_adapters.sqlalchemy.engine import SQLITE_BEGIN, advisory_lock_statement, cache_key_lock_id
from broker_adapters.sqlalchemy.mapping import start_mappers
from broker_adapters.sqlalchemy.repositories import (
    SqlAlchemyAgencyRepository,
    SqlAlchemyFileGenerationRepository,
    SqlAlchemyJobRepository,
    SqlAlchemySessionRepository,
    SqlAlchemyUserRepository,
    Tracker,
)
from broker_adapters.sqlalchemy.submission_repositories import (
    SqlAlchemyNarrativeRepository,
    SqlAlchemySubmissionRepository,
    SqlAlchemyValidationResultRepository,
)
from broker_core.generation.model import CacheKey


class SqlAlchemyUnitOfWork:
    """``with uow:`` opens a session; ``commit()`` commits; leaving the block without it rolls back.

    Entities read or added stay usable after the block (they are plain domain
    objects; nothing is expired). Not shared between threads: each thread
    makes its own unit of work from the factory.
    """

    jobs: SqlAlchemyJobRepository
    file_generations: SqlAlchemyFileGenerationRepository
    users: SqlAlchemyUserRepository
    sessions: SqlAlchemySessionRepository
    agencies: SqlAlchemyAgencyRepository
    submissions: SqlAlchemySubmissionRepository
    validation_results: SqlAlchemyValidationResultRepository
    narratives: SqlAlchemyNarrativeRepository

    def __init__(self, session_factory: sessionmaker[OrmSession], *, read_only: bool = False) -> None:
        self._session_factory = session_factory
        self._read_only = read_only
        self._session: OrmSession | None = None
        self._tracker: Tracker | None = None

    def __enter__(self) -> Self:
        if self._session is not None:
            raise RuntimeError("this unit of work is already open")
        self._session = self._session_factory()
        self._tracker = Tracker(self._session)
        self.jobs = SqlAlchemyJobRepository(self._tracker)
        self.jobs.untracked_reads = self._read_only
        self.file_generations = SqlAlchemyFileGenerationRepository(self._tracker)
        self.users = SqlAlchemyUserRepository(self._tracker)
        self.sessions = SqlAlchemySessionRepository(self._tracker)
        self.agencies = SqlAlchemyAgencyRepository(self._tracker)
        self.submissions = SqlAlchemySubmissionRepository(self._tracker)
        self.validation_results = SqlAlchemyValidationResultRepository(self._tracker)
        self.narratives = SqlAlchemyNarrativeRepository(self._tracker)
        return self

    def __exit__(self, *exc: object) -> None:
        session, tracker = self._session, self._tracker
        self._session = self._tracker = None
        if tracker is not None:
            tracker.clear()
        if session is not None:
            # close() rolls back whatever was not committed and detaches the rows
            # without expiring them.
            session.close()

    def commit(self) -> None:
        if self._read_only:
            raise RuntimeError("a read-only unit of work cannot commit")
        tracker = self._open()
        tracker.flush()
        tracker.session.commit()

    def rollback(self) -> None:
        tracker = self._open()
        tracker.session.rollback()
        # Entities keep their in-memory values but are no longer saved by this unit of work.
        tracker.clear()

    def lock_cache_key(self, key: CacheKey) -> None:
        """Take the lock that serialises transactions on ``key``; held until commit/rollback.

        SQLite: starting the transaction is enough, since every unit-of-work
        transaction begins with ``BEGIN IMMEDIATE`` (one writer at a time).
        PostgreSQL: an advisory transaction lock on a stable 64-bit hash of the key.
        """
        connection = self._open().session.connection()  # begins the transaction now
        if connection.dialect.name == "postgresql":
            lock_id = cache_key_lock_id(
                "file_generation",
                key.file_type.letter,
                key.start.isoformat(),
                key.end.isoformat(),
                key.agency_code,
                key.agency_type.value,
                key.file_format.value,
                key.element_numbers,
            )
            connection.execute(advisory_lock_statement(lock_id))

    def _open(self) -> Tracker:
        if self._tracker is None:
            raise RuntimeError("use the unit of work inside a 'with' block")
        return self._tracker


class SqlAlchemyUnitOfWorkFactory:
    """Makes a new :class:`SqlAlchemyUnitOfWork` on each call; share one per engine (thread-safe)."""

    def __init__(self, engine: Engine, **session_options: Any) -> None:
        start_mappers()
        self.engine = engine
        self.session_factory: sessionmaker[OrmSession] = sessionmaker(
            bind=engine, expire_on_commit=False, **session_options
        )
        # PostgreSQL: read-only units of work run in autocommit, which spares the
        # BEGIN and ROLLBACK round trips of a transaction around a single SELECT (the
        # status checks clients poll). SQLite keeps its transactions (they cost no round
        # trip there) but begins them deferred: a reader never waits for the write lock.
        if engine.dialect.name == "postgresql":
            read_only_engine = engine.execution_options(isolation_level="AUTOCOMMIT")
        else:
            read_only_engine = engine.execution_options(**{SQLITE_BEGIN: "DEFERRED"})
        self.read_only_session_factory = sessionmaker(
            bind=read_only_engine, expire_on_commit=False, **session_options
        )

    def __call__(self, *, read_only: bool = False) -> SqlAlchemyUnitOfWork:
        if read_only:
            return SqlAlchemyUnitOfWork(self.read_only_session_factory, read_only=True)
        return SqlAlchemyUnitOfWork(self.session_factory)

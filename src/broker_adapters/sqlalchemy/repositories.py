"""Repositories of one unit of work, and the identity map that ties entities to their rows."""

from __future__ import annotations

import datetime as dt
import functools
from typing import Any, TypeVar

from sqlalchemy import Select, bindparam, delete, func, insert, select
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.orm import Session as OrmSession

from broker_adapters.sqlalchemy import tables
from broker_adapters.sqlalchemy.mapping import (
    FILE_GENERATION,
    JOB,
    SESSION,
    USER,
    EntityMapping,
    FileGenerationRow,
    JobRow,
    SessionRow,
    UserRow,
    _Row,
)
from broker_core.file_types import FileType
from broker_core.generation.model import CacheKey, FileGeneration
from broker_core.jobs import Job, JobStatus
from broker_core.users import Affiliation, Session, User

D = TypeVar("D")

_ACTIVE = (JobStatus.WAITING, JobStatus.READY, JobStatus.RUNNING)


class Tracker:
    """The entities one unit of work handed out or was given, each paired with its ORM row.

    Asking twice for the same row returns the same entity. :meth:`flush` copies
    every entity into its row and lets the ORM write what changed; the unit of
    work calls it before each query and on commit, so queries see the
    transaction's own changes (like SQLAlchemy's autoflush).
    """

    def __init__(self, session: OrmSession) -> None:
        self.session = session
        self._by_row: dict[int, tuple[Any, _Row, EntityMapping[Any]]] = {}
        self._by_entity: dict[int, _Row] = {}

    def entity_for(self, mapping: EntityMapping[D], row: _Row) -> D:
        known = self._by_row.get(id(row))
        if known is not None:
            entity_: D = known[0]
            return entity_
        entity = mapping.to_entity(row)
        self._track(mapping, entity, row)
        return entity

    def entities(self, mapping: EntityMapping[D], rows: Any) -> list[D]:
        return [self.entity_for(mapping, row) for row in rows]

    def add(self, mapping: EntityMapping[D], entity: D) -> None:
        if id(entity) in self._by_entity:
            self.flush()
            return
        row = mapping.new_row(entity)
        self.session.add(row)
        self._track(mapping, entity, row)
        self.flush()
        mapping.copy_id_back(entity, row)

    def refreshed(self, mapping: EntityMapping[D], row: _Row) -> D:
        """The entity of a row the ORM has just re-read (``populate_existing``), with the row's values.

        An entity already handed out is updated in place, so that it cannot write stale
        values back over the row at the next flush.
        """
        known = self._by_row.get(id(row))
        if known is None:
            return self.entity_for(mapping, row)
        entity: D = known[0]
        mapping.copy_to_entity(row, entity)
        return entity

    def forget(self, row: _Row) -> None:
        known = self._by_row.pop(id(row), None)
        if known is not None:
            self._by_entity.pop(id(known[0]), None)
            self.session.expunge(row)

    def rows_of(self, row_class: type[_Row]) -> list[tuple[Any, _Row]]:
        return [(entity, row) for entity, row, _ in self._by_row.values() if isinstance(row, row_class)]

    def flush(self) -> None:
        for entity, row, mapping in self._by_row.values():
            mapping.copy_to_row(entity, row)
        self.session.flush()

    def clear(self) -> None:
        self._by_row.clear()
        self._by_entity.clear()

    def _track(self, mapping: EntityMapping[Any], entity: Any, row: _Row) -> None:
        self._by_row[id(row)] = (entity, row, mapping)
        self._by_entity[id(entity)] = row


class _Repository:
    def __init__(self, tracker: Tracker) -> None:
        self._tracker = tracker
        self._session = tracker.session


class SqlAlchemyJobRepository(_Repository):
    #: Set in read-only units of work: ``get`` reads the row with one Core statement and
    #: hands out an entity that is not tracked (the ORM's identity map is most of a
    #: status check's database time otherwise).
    untracked_reads = False

    def add(self, job: Job) -> None:
        self._tracker.add(JOB, job)

    def get(self, job_id: int) -> Job | None:
        if self.untracked_reads:
            found = self._session.connection().execute(job_by_id_statement(), {"job_id": job_id}).first()
            return None if found is None else Job(**found._mapping)
        self._tracker.flush()
        row = self._session.get(JobRow, job_id)
        return None if row is None else self._tracker.entity_for(JOB, row)

    def linked_to(self, file_generation_id: int) -> list[Job]:
        self._tracker.flush()
        rows = self._session.scalars(
            select(JobRow)
            .where(tables.job.c.file_generation_id == file_generation_id)
            .order_by(tables.job.c.job_id)
        )
        return self._tracker.entities(JOB, rows)

    def active_detached_a_jobs(self) -> list[Job]:
        self._tracker.flush()
        c = tables.job.c
        rows = self._session.scalars(
            select(JobRow)
            .where(
                c.submission_id.is_(None),
                c.file_type_id == FileType.A,
                c.job_status_id.in_(_ACTIVE),
            )
            .order_by(c.job_id)
        )
        return self._tracker.entities(JOB, rows)

    def active_submission_jobs(self) -> list[Job]:
        self._tracker.flush()
        c = tables.job.c
        rows = self._session.scalars(
            select(JobRow)
            .where(c.submission_id.is_not(None), c.job_status_id.in_(_ACTIVE))
            .order_by(c.job_id)
        )
        return self._tracker.entities(JOB, rows)

    def for_submission(self, submission_id: int) -> list[Job]:
        self._tracker.flush()
        c = tables.job.c
        rows = self._session.scalars(
            select(JobRow).where(c.submission_id == submission_id).order_by(c.job_id)
        )
        return self._tracker.entities(JOB, rows)

    def dependencies(self, submission_id: int) -> list[tuple[int, int]]:
        self._tracker.flush()
        dependency, job = tables.job_dependency, tables.job
        rows = self._session.connection().execute(
            select(dependency.c.job_id, dependency.c.prerequisite_id)
            .join(job, job.c.job_id == dependency.c.job_id)
            .where(job.c.submission_id == submission_id)
            .order_by(dependency.c.dependency_id)
        )
        return [(row.job_id, row.prerequisite_id) for row in rows]

    def add_dependency(self, job_id: int, prerequisite_id: int) -> None:
        self._tracker.flush()
        self._session.connection().execute(
            insert(tables.job_dependency).values(job_id=job_id, prerequisite_id=prerequisite_id)
        )


class SqlAlchemyFileGenerationRepository(_Repository):
    def add(self, generation: FileGeneration) -> None:
        self._tracker.add(FILE_GENERATION, generation)

    def get(self, file_generation_id: int) -> FileGeneration | None:
        self._tracker.flush()
        row = self._session.get(FileGenerationRow, file_generation_id)
        return None if row is None else self._tracker.entity_for(FILE_GENERATION, row)

    def cached(self, key: CacheKey) -> list[FileGeneration]:
        self._tracker.flush()
        c = tables.file_generation.c
        rows = self._session.scalars(
            select(FileGenerationRow)
            .where(
                c.file_type == key.file_type,
                c.agency_code == key.agency_code,
                c.start_date == key.start,
                c.end_date == key.end,
                c.agency_type == key.agency_type,
                c.file_format == key.file_format,
                c.element_numbers == key.element_numbers,
                c.is_cached_file.is_(True),
            )
            .order_by(c.file_generation_id)
        )
        return self._tracker.entities(FILE_GENERATION, rows)

    def unfinished(self) -> list[FileGeneration]:
        self._tracker.flush()
        c = tables.file_generation.c
        rows = self._session.scalars(
            select(FileGenerationRow)
            .where(c.is_cached_file.is_(True), c.file_path.is_(None))
            .order_by(c.file_generation_id)
        )
        return self._tracker.entities(FILE_GENERATION, rows)


class SqlAlchemyUserRepository(_Repository):
    def add(self, user: User) -> None:
        self._tracker.add(USER, user)

    def get(self, user_id: int) -> User | None:
        self._tracker.flush()
        row = self._session.get(UserRow, user_id)
        return None if row is None else self._tracker.entity_for(USER, row)

    def by_email(self, email: str) -> User | None:
        self._tracker.flush()
        row = self._session.scalars(
            select(UserRow).where(func.lower(tables.users.c.email) == email.lower())
        ).one_or_none()
        return None if row is None else self._tracker.entity_for(USER, row)


@functools.cache
def job_by_id_statement() -> Select[Any]:
    """``SELECT`` of one job row, its columns labelled with the entity's field names."""
    columns = sa_inspect(JobRow).column_attrs
    return select(*(columns[name].columns[0].label(name) for name in JOB.fields)).where(
        tables.job.c.job_id == bindparam("job_id")
    )


_s, _u, _a = tables.session_map.c, tables.users.c, tables.user_affiliation.c
_SESSION_WITH_USER = (
    select(
        _s.expiration,
        _s.user_id,
        _u.email,
        _u.name,
        _u.password_hash,
        _u.title,
        _u.skip_guide,
        _u.website_admin,
        _a.agency_code,
        _a.permission_type_id,
    )
    .select_from(
        tables.session_map.outerjoin(tables.users, _u.user_id == _s.user_id).outerjoin(
            tables.user_affiliation, _a.user_id == _u.user_id
        )
    )
    .where(_s.uid == bindparam("uid"))
    .order_by(_a.agency_code)
)


class SqlAlchemySessionRepository(_Repository):
    def add(self, session: Session) -> None:
        self._tracker.add(SESSION, session)

    def get(self, uid: str) -> Session | None:
        self._tracker.flush()
        row = self._session.scalars(select(SessionRow).where(tables.session_map.c.uid == uid)).one_or_none()
        return None if row is None else self._tracker.entity_for(SESSION, row)

    def get_with_user(self, uid: str) -> tuple[Session, User | None] | None:
        # One statement (session, user, one row per affiliation) in Core: this runs on
        # every authenticated request, where the ORM's three queries were most of its time.
        self._tracker.flush()
        rows = self._session.connection().execute(_SESSION_WITH_USER, {"uid": uid}).all()
        if not rows:
            return None
        first = rows[0]
        session = Session(uid=uid, expires_at=first.expiration, user_id=first.user_id)
        if first.user_id is None or first.email is None:
            return session, None
        user = User(
            email=first.email,
            name=first.name,
            password_hash=first.password_hash,
            title=first.title,
            skip_guide=first.skip_guide,
            website_admin=first.website_admin,
            affiliations=[Affiliation(r.agency_code, r.permission_type_id) for r in rows if r.agency_code],
            user_id=first.user_id,
        )
        return session, user

    def delete_expired(self, now: dt.datetime) -> int:
        self._tracker.flush()
        result = self._session.connection().execute(
            delete(tables.session_map).where(tables.session_map.c.expiration <= now)
        )
        # The rows are gone: stop tracking the sessions this unit of work holds for them.
        for entity, row in self._tracker.rows_of(SessionRow):
            if entity.expires_at <= now:
                self._tracker.forget(row)
        return int(result.rowcount)


class SqlAlchemyAgencyRepository(_Repository):
    """CGACs (3 characters) and FRECs (4 characters), as loaded by ``replace_agencies``."""

    def name_of(self, agency_code: str) -> str | None:
        found = self._lookup(agency_code)
        return None if found is None else found[0]

    def exists(self, agency_code: str) -> bool:
        return self._lookup(agency_code) is not None

    def _lookup(self, agency_code: str) -> tuple[str | None] | None:
        if len(agency_code) == 3:
            stmt = select(tables.cgac.c.agency_name).where(tables.cgac.c.cgac_code == agency_code)
        elif len(agency_code) == 4:
            stmt = select(tables.frec.c.agency_name).where(tables.frec.c.frec_code == agency_code)
        else:
            return None
        row = self._session.connection().execute(stmt).first()
        return None if row is None else (row[0],)

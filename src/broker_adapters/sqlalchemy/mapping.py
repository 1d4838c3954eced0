"""Imperative ORM mapping, kept out of the domain classes.

The domain entities (``Job``, ``Submission``, ``FileGeneration``, ``User``, ``Session``) are
slotted ``attrs`` classes, which SQLAlchemy cannot instrument (instrumentation
needs an instance ``__dict__``). So the ORM maps small private *row* classes
onto the tables with ``registry.map_imperatively``, and an :class:`EntityMapping`
copies fields between an entity and its row. The unit of work keeps every
entity it hands out paired with its row and copies the entity back into the
row before each flush (see ``repositories.Tracker``): services mutate plain
domain objects and ``commit()`` persists what changed, as with a classic
mapped class, while the domain stays free of any ORM state.
"""

from __future__ import annotations

import threading
from typing import Any, Generic, TypeVar

import attrs
from sqlalchemy.orm import registry, relationship

from broker_adapters.sqlalchemy import tables
from broker_core.generation.model import FileGeneration
from broker_core.jobs import Job
from broker_core.submissions.model import Submission
from broker_core.users import Affiliation, Session, User

D = TypeVar("D")

# --------------------------------------------------------------------------- row classes


class _Row:
    """Plain attribute bag; SQLAlchemy instruments the subclasses."""

    def __init__(self, **values: Any) -> None:
        for name, value in values.items():
            setattr(self, name, value)


class JobRow(_Row):
    job_id: int | None


class SubmissionRow(_Row):
    submission_id: int | None


class FileGenerationRow(_Row):
    file_generation_id: int | None


class UserRow(_Row):
    user_id: int | None
    affiliations: list[AffiliationRow]


class AffiliationRow(_Row):
    agency_code: str
    permission: Any


class SessionRow(_Row):
    session_id: int | None
    uid: str
    expires_at: Any


mapper_registry = registry(metadata=tables.metadata)
_started = False
_start_lock = threading.Lock()


def start_mappers() -> None:
    """Map the row classes. Safe to call more than once and from several threads."""
    global _started
    with _start_lock:
        if _started:
            return
        job = tables.job
        mapper_registry.map_imperatively(
            JobRow,
            job,
            properties={
                "job_type": job.c.job_type_id,
                "file_type": job.c.file_type_id,
                "status": job.c.job_status_id,
            },
        )
        mapper_registry.map_imperatively(
            SubmissionRow,
            tables.submission,
            properties={"publish_status": tables.submission.c.publish_status_id},
        )
        mapper_registry.map_imperatively(FileGenerationRow, tables.file_generation)
        mapper_registry.map_imperatively(
            AffiliationRow,
            tables.user_affiliation,
            properties={"permission": tables.user_affiliation.c.permission_type_id},
        )
        mapper_registry.map_imperatively(
            UserRow,
            tables.users,
            properties={
                "affiliations": relationship(
                    AffiliationRow,
                    cascade="all, delete-orphan",
                    passive_deletes=True,
                    lazy="selectin",
                    order_by=tables.user_affiliation.c.agency_code,
                )
            },
        )
        mapper_registry.map_imperatively(
            SessionRow, tables.session_map, properties={"expires_at": tables.session_map.c.expiration}
        )
        mapper_registry.configure()
        _started = True


# --------------------------------------------------------------------------- entity <-> row


@attrs.frozen
class EntityMapping(Generic[D]):
    """How one domain entity class corresponds to its row class."""

    entity_class: type[D]
    row_class: type[_Row]
    #: Attribute names with the same meaning on the entity and the row.
    fields: tuple[str, ...]
    #: The entity attribute holding the primary key the database assigns (None: none).
    id_field: str | None

    def new_row(self, entity: D) -> _Row:
        row = self.row_class(**{name: getattr(entity, name) for name in self.fields})
        self.copy_to_row(entity, row)
        return row

    def copy_to_row(self, entity: D, row: _Row) -> None:
        for name in self.fields:
            value = getattr(entity, name)
            # Assign only real changes: an equal assignment would still mark the row dirty.
            if getattr(row, name) != value:
                setattr(row, name, value)

    def to_entity(self, row: _Row) -> D:
        return self.entity_class(**{name: getattr(row, name) for name in self.fields})

    def copy_to_entity(self, row: _Row, entity: D) -> None:
        """Overwrite the entity's fields with the row's (a row re-read from the database)."""
        for name in self.fields:
            setattr(entity, name, getattr(row, name))

    def copy_id_back(self, entity: D, row: _Row) -> None:
        if self.id_field is not None:
            setattr(entity, self.id_field, getattr(row, self.id_field))


class _UserMapping(EntityMapping[User]):
    """Users also carry their affiliations (rows of ``user_affiliation``)."""

    def copy_to_row(self, entity: User, row: _Row) -> None:
        super().copy_to_row(entity, row)
        assert isinstance(row, UserRow)
        wanted = {a.agency_code: a.permission for a in entity.affiliations}
        current: list[AffiliationRow] = list(row.__dict__.get("affiliations") or [])
        if {a.agency_code: a.permission for a in current} == wanted and len(current) == len(wanted):
            return
        by_code = {a.agency_code: a for a in current}
        kept: list[AffiliationRow] = []
        for code in sorted(wanted):
            existing = by_code.get(code)
            if existing is None:
                existing = AffiliationRow(agency_code=code, permission=wanted[code])
            elif existing.permission != wanted[code]:
                existing.permission = wanted[code]
            kept.append(existing)
        row.affiliations = kept

    def to_entity(self, row: _Row) -> User:
        user = super().to_entity(row)
        assert isinstance(row, UserRow)
        user.affiliations = [Affiliation(a.agency_code, a.permission) for a in row.affiliations]
        return user


def _fields(entity_class: type[Any], *, exclude: tuple[str, ...] = ()) -> tuple[str, ...]:
    return tuple(f.name for f in attrs.fields(entity_class) if f.name not in exclude)


JOB = EntityMapping(Job, JobRow, _fields(Job), "job_id")
SUBMISSION = EntityMapping(Submission, SubmissionRow, _fields(Submission), "submission_id")
FILE_GENERATION = EntityMapping(
    FileGeneration, FileGenerationRow, _fields(FileGeneration), "file_generation_id"
)
USER = _UserMapping(User, UserRow, _fields(User, exclude=("affiliations",)), "user_id")
SESSION = EntityMapping(Session, SessionRow, _fields(Session), None)

ENTITY_MAPPINGS: tuple[EntityMapping[Any], ...] = (JOB, SUBMISSION, FILE_GENERATION, USER, SESSION)

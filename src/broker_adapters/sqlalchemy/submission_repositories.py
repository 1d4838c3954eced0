"""Repositories of submissions, their validation results and narratives (one unit of work each).

Submissions are ORM-mapped entities like jobs (see :mod:`.mapping`); ``file`` rows, error
metadata and narratives are values, read and replaced whole with SQLAlchemy Core.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy import ColumnElement, Table, delete, insert, or_, select

from broker_adapters.sqlalchemy import tables
from broker_adapters.sqlalchemy.mapping import JOB, SUBMISSION, JobRow, SubmissionRow
from broker_adapters.sqlalchemy.repositories import _Repository
from broker_adapters.sqlalchemy.validation.staging_tables import STAGING_TABLE_NAMES
from broker_core.submissions.model import Submission
from broker_core.submissions.records import FileRecord
from broker_core.validation.metadata import ErrorMetadata


def _staging_tables() -> list[Table]:
    """The validator's staging tables (A, B, C, D1, D2): rows keyed by ``job_id``, without a foreign key."""
    return [tables.metadata.tables[name] for name in STAGING_TABLE_NAMES.values()]


class SqlAlchemySubmissionRepository(_Repository):
    def add(self, submission: Submission) -> None:
        self._tracker.add(SUBMISSION, submission)

    def get(self, submission_id: int) -> Submission | None:
        self._tracker.flush()
        row = self._session.get(SubmissionRow, submission_id)
        return None if row is None else self._tracker.entity_for(SUBMISSION, row)

    def get_for_update(self, submission_id: int) -> Submission | None:
        """PostgreSQL: ``SELECT ... FOR UPDATE``. SQLite has no row locks (no ``FOR UPDATE``).

        On SQLite the transaction this query begins at the latest is ``BEGIN IMMEDIATE``,
        which already waits for and then excludes every other writer.

        After waiting for the lock, the row holds what the previous holder committed; it is
        re-read even if this unit of work has it, and so are the submission's jobs it holds
        (PostgreSQL reads each statement's own snapshot: a job read before the lock may be
        stale). The entities already handed out are updated in place.
        """
        self._tracker.flush()
        row = self._session.scalars(
            select(SubmissionRow)
            .where(tables.submission.c.submission_id == submission_id)
            .with_for_update()
            .execution_options(populate_existing=True)
        ).one_or_none()
        if row is None:
            return None
        held = [
            getattr(job_row, "job_id", None)
            for _, job_row in self._tracker.rows_of(JobRow)
            if getattr(job_row, "submission_id", None) == submission_id
        ]
        if held:
            job_rows = self._session.scalars(
                select(JobRow).where(tables.job.c.job_id.in_(held)).execution_options(populate_existing=True)
            )
            for job_row in job_rows:
                self._tracker.refreshed(JOB, job_row)
        return self._tracker.refreshed(SUBMISSION, row)

    def listed(self, *, include_fabs: bool = False) -> list[Submission]:
        return self._submissions(include_fabs=include_fabs)

    def visible(
        self, agency_codes: frozenset[str] | None, user_id: int | None, *, include_fabs: bool = False
    ) -> list[Submission]:
        if agency_codes is None:  # a website admin
            return self._submissions(include_fabs=include_fabs)
        c = tables.submission.c
        codes = sorted(agency_codes)
        shown: list[ColumnElement[bool]] = [c.cgac_code.in_(codes), c.frec_code.in_(codes)]
        if user_id is not None:
            shown.append(c.user_id == user_id)
        return self._submissions(or_(*shown), include_fabs=include_fabs)

    def delete(self, submission_id: int) -> None:
        self._tracker.flush()
        conn = self._session.connection()
        job, dependency = tables.job, tables.job_dependency
        job_ids = select(job.c.job_id).where(job.c.submission_id == submission_id).scalar_subquery()
        # The staging tables have no foreign key. The rest would go by ON DELETE CASCADE too;
        # deleting it explicitly keeps this right on a connection without foreign keys.
        for staging in _staging_tables():
            conn.execute(delete(staging).where(staging.c.job_id.in_(job_ids)))
        conn.execute(
            delete(dependency).where(
                or_(dependency.c.job_id.in_(job_ids), dependency.c.prerequisite_id.in_(job_ids))
            )
        )
        conn.execute(delete(tables.error_metadata).where(tables.error_metadata.c.job_id.in_(job_ids)))
        conn.execute(delete(tables.file).where(tables.file.c.job_id.in_(job_ids)))
        narrative = tables.submission_narrative
        conn.execute(delete(narrative).where(narrative.c.submission_id == submission_id))
        conn.execute(delete(job).where(job.c.submission_id == submission_id))
        conn.execute(delete(tables.submission).where(tables.submission.c.submission_id == submission_id))
        # The rows are gone: stop tracking the entities this unit of work holds for them
        # (the tracker flushed above, so a row's values are the entity's).
        for row_class in (JobRow, SubmissionRow):
            for _, row in self._tracker.rows_of(row_class):
                if getattr(row, "submission_id", None) == submission_id:
                    self._tracker.forget(row)

    def owner_name(self, user_id: int) -> str | None:
        return self.owner_names([user_id]).get(user_id)

    def owner_names(self, user_ids: Collection[int]) -> dict[int, str]:
        if not user_ids:
            return {}
        self._tracker.flush()
        users = tables.users.c
        rows = self._session.connection().execute(
            select(users.user_id, users.name).where(users.user_id.in_(sorted(set(user_ids))))
        )
        return {row.user_id: row.name for row in rows}

    def _submissions(self, *conditions: ColumnElement[bool], include_fabs: bool) -> list[Submission]:
        self._tracker.flush()
        c = tables.submission.c
        stmt = select(SubmissionRow).where(*conditions)
        if not include_fabs:
            stmt = stmt.where(c.is_fabs.is_(False))
        rows = self._session.scalars(stmt.order_by(c.submission_id))
        return self._tracker.entities(SUBMISSION, rows)


def _joined(headers: Iterable[str]) -> str | None:
    return ",".join(headers) or None


def _split(text: str | None) -> tuple[str, ...]:
    return tuple(part.strip() for part in (text or "").split(",") if part.strip())


class SqlAlchemyValidationResultRepository(_Repository):
    def save_file(self, job_id: int, record: FileRecord) -> None:
        self._tracker.flush()
        conn = self._session.connection()
        conn.execute(delete(tables.file).where(tables.file.c.job_id == job_id))
        conn.execute(
            insert(tables.file).values(
                job_id=job_id,
                filename=record.filename,
                file_status_id=record.file_status,
                headers_missing=_joined(record.missing_headers),
                headers_duplicated=_joined(record.duplicated_headers),
            )
        )

    def file(self, job_id: int) -> FileRecord | None:
        self._tracker.flush()
        c = tables.file.c
        row = (
            self._session.connection()
            .execute(
                select(c.filename, c.file_status_id, c.headers_missing, c.headers_duplicated).where(
                    c.job_id == job_id
                )
            )
            .first()
        )
        if row is None:
            return None
        return FileRecord(
            filename=row.filename,
            file_status=row.file_status_id,
            missing_headers=_split(row.headers_missing),
            duplicated_headers=_split(row.headers_duplicated),
        )

    def replace_error_metadata(self, job_id: int, entries: Sequence[ErrorMetadata]) -> None:
        self._tracker.flush()
        conn = self._session.connection()
        conn.execute(delete(tables.error_metadata).where(tables.error_metadata.c.job_id == job_id))
        if entries:
            # One executemany: ids (and so the order read back) follow the list.
            conn.execute(insert(tables.error_metadata), [_metadata_row(job_id, entry) for entry in entries])

    def error_metadata(self, job_id: int) -> list[ErrorMetadata]:
        self._tracker.flush()
        c = tables.error_metadata.c
        rows = self._session.connection().execute(
            select(tables.error_metadata).where(c.job_id == job_id).order_by(c.error_metadata_id)
        )
        return [
            ErrorMetadata(
                filename=row.filename,
                field_name=row.field_name,
                error_type=row.error_type_id,
                rule_failed=row.rule_failed,
                original_label=row.original_rule_label,
                occurrences=row.occurrences,
                first_row=row.first_row,
                file_type=row.file_type,
                target_file_type=row.target_file_type,
                severity=row.severity_id,
            )
            for row in rows
        ]

    def clear(self, job_id: int) -> None:
        self._tracker.flush()
        conn = self._session.connection()
        conn.execute(delete(tables.error_metadata).where(tables.error_metadata.c.job_id == job_id))
        conn.execute(delete(tables.file).where(tables.file.c.job_id == job_id))


def _metadata_row(job_id: int, entry: ErrorMetadata) -> dict[str, Any]:
    return {
        "job_id": job_id,
        "filename": entry.filename,
        "field_name": entry.field_name,
        "error_type_id": entry.error_type,
        "occurrences": entry.occurrences,
        "first_row": entry.first_row,
        "rule_failed": entry.rule_failed,
        "file_type": entry.file_type,
        "target_file_type": entry.target_file_type,
        "original_rule_label": entry.original_label,
        "severity_id": entry.severity,
    }


class SqlAlchemyNarrativeRepository(_Repository):
    def replace(self, submission_id: int, narratives: Mapping[str, str]) -> None:
        self._tracker.flush()
        conn = self._session.connection()
        narrative = tables.submission_narrative
        conn.execute(delete(narrative).where(narrative.c.submission_id == submission_id))
        if narratives:
            conn.execute(
                insert(narrative),
                [
                    {"submission_id": submission_id, "file_type": letter, "narrative": text}
                    for letter, text in narratives.items()
                ],
            )

    def get(self, submission_id: int) -> dict[str, str]:
        self._tracker.flush()
        c = tables.submission_narrative.c
        rows = self._session.connection().execute(
            select(c.file_type, c.narrative).where(c.submission_id == submission_id).order_by(c.narrative_id)
        )
        return {row.file_type: row.narrative for row in rows}

"""Contract of ``JobReader``: the driver-level reader reads jobs exactly as the repository does."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from broker_adapters.sqlalchemy.job_reader import SqlAlchemyJobReader
from broker_adapters.sqlalchemy.unit_of_work import SqlAlchemyUnitOfWork
from broker_core.file_types import FileType
from broker_core.jobs import Job, JobStatus, JobType
from broker_core.services.job_reader import UnitOfWorkJobReader
from broker_core.submissions.model import Submission

from .conftest import Adapter
from .test_unit_of_work import as_dict, full_job


def _stored(adapter: Adapter, job: Job, *, in_submission: bool = False) -> int:
    with adapter.uow_factory() as uow:
        if in_submission:
            submission = Submission(reporting_start_date=None, reporting_end_date=None)
            uow.submissions.add(submission)
            job.submission_id = submission.submission_id
        uow.jobs.add(job)
        uow.commit()
    assert job.job_id is not None
    return job.job_id


@pytest.fixture(params=["driver", "unit of work"])
def reader(request: pytest.FixtureRequest, adapter: Adapter) -> SqlAlchemyJobReader | UnitOfWorkJobReader:
    if request.param == "driver":
        return SqlAlchemyJobReader(adapter.engine)
    return UnitOfWorkJobReader(adapter.uow_factory)


def test_every_field_reads_as_the_repository_reads_it(
    adapter: Adapter, reader: SqlAlchemyJobReader | UnitOfWorkJobReader
) -> None:
    job_id = _stored(adapter, full_job(), in_submission=True)
    with adapter.uow_factory() as uow:
        expected = uow.jobs.get(job_id)
    loaded = reader.get(job_id)
    assert loaded is not None and expected is not None
    assert as_dict(loaded) == as_dict(expected)
    assert type(loaded.job_type) is JobType and type(loaded.file_type) is FileType
    assert type(loaded.status) is JobStatus


def test_nones_and_defaults(adapter: Adapter, reader: SqlAlchemyJobReader | UnitOfWorkJobReader) -> None:
    job = Job(job_type=JobType.FILE_UPLOAD, file_type=None, status=JobStatus.WAITING)
    loaded = reader.get(_stored(adapter, job))
    assert loaded is not None and as_dict(loaded) == as_dict(job)


@pytest.mark.parametrize("file_type", list(FileType))
@pytest.mark.parametrize("status", list(JobStatus))
def test_every_enum_member(adapter: Adapter, file_type: FileType, status: JobStatus) -> None:
    loaded = SqlAlchemyJobReader(adapter.engine).get(
        _stored(adapter, full_job(file_type=file_type, status=status))
    )
    assert loaded is not None and (loaded.file_type, loaded.status) == (file_type, status)


def test_unknown_job_is_none(adapter: Adapter, reader: SqlAlchemyJobReader | UnitOfWorkJobReader) -> None:
    _stored(adapter, full_job())
    assert reader.get(987_654) is None


def _change_status(uow: SqlAlchemyUnitOfWork, job_id: int, status: JobStatus) -> None:
    job = uow.jobs.get(job_id)
    assert job is not None
    job.status = status
    uow.jobs.get(job_id)  # flushes the change inside the open transaction


def test_sees_committed_changes_only(
    adapter: Adapter, reader: SqlAlchemyJobReader | UnitOfWorkJobReader
) -> None:
    job_id = _stored(adapter, full_job(status=JobStatus.RUNNING))
    with adapter.uow_factory() as uow:
        _change_status(uow, job_id, JobStatus.FINISHED)
        uow.commit()
    loaded = reader.get(job_id)
    assert loaded is not None and loaded.status is JobStatus.FINISHED
    with adapter.uow_factory() as uow:
        _change_status(uow, job_id, JobStatus.FAILED)
        uncommitted = reader.get(job_id)
        assert uncommitted is not None and uncommitted.status is JobStatus.FINISHED


def test_pooled_connections_come_back_clean(adapter: Adapter) -> None:
    """No transaction left open and PostgreSQL's autocommit switched back off for units of work."""
    reader = SqlAlchemyJobReader(adapter.engine)
    job_id = _stored(adapter, full_job())
    for _ in range(20):
        assert reader.get(job_id) is not None
    pooled = adapter.engine.raw_connection()
    try:
        if adapter.name == "postgresql":
            driver = pooled.driver_connection
            assert driver is not None and driver.autocommit is False  # type: ignore[attr-defined]
            assert driver.info.transaction_status.name == "IDLE"  # type: ignore[attr-defined]
        else:
            assert pooled.driver_connection.in_transaction is False  # type: ignore[union-attr]
    finally:
        pooled.close()
    # And a unit of work on the same pool still writes in a transaction of its own.
    with adapter.uow_factory() as uow:
        _change_status(uow, job_id, JobStatus.FAILED)
        before_commit = reader.get(job_id)
        uow.commit()
    assert before_commit is not None and before_commit.status is JobStatus.RUNNING
    loaded = reader.get(job_id)
    assert loaded is not None and loaded.status is JobStatus.FAILED


def test_driver_errors_arrive_as_sqlalchemy_errors(adapter: Adapter) -> None:
    """The API maps SQLAlchemy's errors (503 for a lost database); a raw driver error would be a 500."""
    reader = SqlAlchemyJobReader(adapter.engine)
    job_id = _stored(adapter, full_job())
    with adapter.engine.begin() as connection:
        connection.execute(text("ALTER TABLE job RENAME TO job_moved"))
    try:
        with pytest.raises(DBAPIError) as raised:
            reader.get(job_id)
        assert "job" in str(raised.value.orig)
    finally:
        with adapter.engine.begin() as connection:
            connection.execute(text("ALTER TABLE job_moved RENAME TO job"))
    assert reader.get(job_id) is not None  # the connection went back to the pool usable


@pytest.mark.parametrize("adapter", ["postgresql"], indirect=True)  # SQLite has no server connection
def test_a_terminated_server_connection_is_replaced(adapter: Adapter) -> None:
    reader = SqlAlchemyJobReader(adapter.engine)
    job_id = _stored(adapter, full_job())
    assert reader.get(job_id) is not None
    with adapter.engine.connect() as connection:
        connection.execute(
            text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                 "WHERE datname = current_database() AND pid <> pg_backend_pid()")
        )  # fmt: skip
    assert reader.get(job_id) is not None

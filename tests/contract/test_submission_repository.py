"""Contract of the submission ports (submissions, the job graph, validation results, narratives), on every adapter."""

from __future__ import annotations

import datetime as dt
import threading
import time
import warnings
from typing import Any

import attrs
import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import func, insert, inspect, select, text
from sqlalchemy.exc import IntegrityError

from broker_adapters.sqlalchemy import tables
from broker_adapters.sqlalchemy.migrate import alembic_config, current_revision, upgrade
from broker_adapters.sqlalchemy.unit_of_work import SqlAlchemyUnitOfWork, SqlAlchemyUnitOfWorkFactory
from broker_adapters.sqlalchemy.validation.staging_tables import STAGING_TABLE_NAMES
from broker_core.file_types import FileType
from broker_core.jobs import Job, JobStatus, JobType
from broker_core.submissions.job_graph import new_submission_jobs
from broker_core.submissions.model import PublishStatus, Submission
from broker_core.submissions.permissions import visible_to
from broker_core.submissions.records import FileRecord
from broker_core.users import Affiliation, PermissionLevel, User
from broker_core.validation.metadata import ErrorMetadata, ErrorType, FileStatus
from broker_core.validation.problem import Severity

from .conftest import Adapter

NOW = dt.datetime(2024, 5, 1, 12, 30, 15, 123456)
NEW_TABLES = ("submission", "job_dependency", "file", "error_metadata", "submission_narrative")


def submission(**changes: Any) -> Submission:
    """A submission with every field away from its default."""
    made = Submission(
        reporting_start_date=dt.date(2023, 10, 1),
        reporting_end_date=dt.date(2023, 12, 31),
        cgac_code="097",
        frec_code="1601",
        user_id=None,
        reporting_fiscal_year=2024,
        reporting_fiscal_period=3,
        is_quarter_format=True,
        publishable=True,
        publish_status=PublishStatus.UPDATED,
        number_of_errors=3,
        number_of_warnings=4,
        is_fabs=True,
        created_at=NOW,
        updated_at=NOW + dt.timedelta(seconds=1),
    )
    return attrs.evolve(made, **changes)


def as_dict(entity: object) -> dict[str, object]:
    return attrs.asdict(entity, recurse=False)  # type: ignore[arg-type]


def add_submission(uow_factory: SqlAlchemyUnitOfWorkFactory, **changes: Any) -> Submission:
    with uow_factory() as uow:
        made = submission(**changes)
        uow.submissions.add(made)
        uow.commit()
    return made


def add_user(uow_factory: SqlAlchemyUnitOfWorkFactory, email: str, name: str, *codes: str) -> User:
    with uow_factory() as uow:
        user = User(
            email=email, name=name, affiliations=[Affiliation(c, PermissionLevel.READER) for c in codes]
        )
        uow.users.add(user)
        uow.commit()
    return user


def sid(made: Submission) -> int:
    assert made.submission_id is not None
    return made.submission_id


NAMES = {ft: (f"1/{ft.letter}.csv", f"{ft.letter}.csv") for ft in (FileType.A, FileType.B, FileType.C)}


def add_graph(uow: SqlAlchemyUnitOfWork, submission_id: int) -> tuple[dict[str, Job], list[tuple[int, int]]]:
    """The jobs of a new DABS submission and their edges, stored as a service would."""
    jobs, edges = new_submission_jobs(submission_id, NAMES, NOW)
    for job in jobs.values():
        uow.jobs.add(job)
    id_edges = [(jobs[job].job_id or 0, jobs[prerequisite].job_id or 0) for job, prerequisite in edges]
    for job_id, prerequisite_id in id_edges:
        uow.jobs.add_dependency(job_id, prerequisite_id)
    return jobs, id_edges


def entry(label: str, **changes: Any) -> ErrorMetadata:
    made = ErrorMetadata(
        filename="a.csv",
        field_name="tas",
        error_type=ErrorType.RULE_FAILED,
        rule_failed="Must be valid",
        original_label=label,
        occurrences=5,
        first_row=12,
        file_type="appropriations",
        target_file_type=None,
        severity=Severity.FATAL,
    )
    return attrs.evolve(made, **changes)


def count(adapter: Adapter, table: str, where: str = "", **params: Any) -> int:
    with adapter.engine.connect() as conn:
        return int(conn.execute(text(f"SELECT count(*) FROM {table} {where}"), params).scalar_one())


# --------------------------------------------------------------------------- submissions


def test_submission_round_trips_every_field(uow_factory: SqlAlchemyUnitOfWorkFactory) -> None:
    owner = add_user(uow_factory, "o@x.gov", "Owner")
    made = add_submission(uow_factory, user_id=owner.user_id)
    with uow_factory() as uow:
        loaded = uow.submissions.get(sid(made))
    assert loaded is not None and loaded is not made
    assert as_dict(loaded) == as_dict(made)
    assert type(loaded.publish_status) is PublishStatus


def test_submission_round_trips_defaults_and_nones(uow_factory: SqlAlchemyUnitOfWorkFactory) -> None:
    made = Submission(reporting_start_date=None, reporting_end_date=None)
    with uow_factory() as uow:
        uow.submissions.add(made)
        uow.commit()
    with uow_factory() as uow:
        loaded = uow.submissions.get(sid(made))
    assert loaded is not None and as_dict(loaded) == as_dict(made)


@pytest.mark.parametrize("status", list(PublishStatus))
def test_every_publish_status_round_trips(
    uow_factory: SqlAlchemyUnitOfWorkFactory, status: PublishStatus
) -> None:
    made = add_submission(uow_factory, publish_status=status)
    with uow_factory() as uow:
        loaded = uow.submissions.get(sid(made))
    assert loaded is not None and loaded.publish_status is status


def test_submission_changes_are_saved_and_entities_are_shared(
    uow_factory: SqlAlchemyUnitOfWorkFactory,
) -> None:
    made = add_submission(uow_factory, publish_status=PublishStatus.UNPUBLISHED)
    with uow_factory() as uow:
        loaded = uow.submissions.get(sid(made))
        assert loaded is not None
        assert uow.submissions.get(sid(made)) is loaded
        assert uow.submissions.get_for_update(sid(made)) is loaded
        assert uow.submissions.listed(include_fabs=True) == [loaded]
        loaded.publishable = False
        loaded.set_reporting_period(dt.date(2024, 1, 1), dt.date(2024, 1, 31), False, NOW)
        uow.commit()
    with uow_factory() as uow:
        again = uow.submissions.get(sid(made))
        assert uow.submissions.get(10_000) is None and uow.submissions.get_for_update(10_000) is None
    assert again is not None and as_dict(again) == as_dict(loaded)
    assert (again.reporting_fiscal_year, again.reporting_fiscal_period) == (2024, 4)


def test_leaving_without_commit_rolls_a_submission_back(uow_factory: SqlAlchemyUnitOfWorkFactory) -> None:
    with uow_factory() as uow:
        made = submission()
        uow.submissions.add(made)
    with uow_factory() as uow:
        assert uow.submissions.get(sid(made)) is None


def test_submission_ids_are_never_reused(uow_factory: SqlAlchemyUnitOfWorkFactory) -> None:
    first = add_submission(uow_factory)
    with uow_factory() as uow:
        uow.submissions.delete(sid(first))
        uow.commit()
    second = add_submission(uow_factory)
    assert sid(second) > sid(first)


# --------------------------------------------------------------------------- the job graph


def test_the_job_graph_of_a_new_submission_round_trips(uow_factory: SqlAlchemyUnitOfWorkFactory) -> None:
    made, other = add_submission(uow_factory), add_submission(uow_factory)
    with uow_factory() as uow:
        jobs, edges = add_graph(uow, sid(made))
        add_graph(uow, sid(other))
        uow.commit()
    with uow_factory() as uow:
        loaded = uow.jobs.for_submission(sid(made))
        loaded_edges = uow.jobs.dependencies(sid(made))
        assert uow.jobs.for_submission(10_000) == [] and uow.jobs.dependencies(10_000) == []
    assert [as_dict(job) for job in loaded] == [as_dict(job) for job in jobs.values()]  # creation order
    assert loaded_edges == edges
    assert len(edges) == 12  # 5 validations after their uploads, E and F, cross-file after 5 validations


def test_active_submission_jobs(uow_factory: SqlAlchemyUnitOfWorkFactory) -> None:
    made = add_submission(uow_factory)
    with uow_factory() as uow:
        jobs = {
            status: Job(JobType.CSV_RECORD_VALIDATION, FileType.A, status, submission_id=sid(made))
            for status in JobStatus
        }
        detached = Job(JobType.FILE_UPLOAD, FileType.A, JobStatus.RUNNING)
        for job in (*jobs.values(), detached):
            uow.jobs.add(job)
        uow.commit()
    with uow_factory() as uow:
        active = [job.job_id for job in uow.jobs.active_submission_jobs()]
    assert active == [jobs[s].job_id for s in (JobStatus.WAITING, JobStatus.READY, JobStatus.RUNNING)]


def test_the_new_job_fields_round_trip(uow_factory: SqlAlchemyUnitOfWorkFactory) -> None:
    made = add_submission(uow_factory)
    job = Job(
        job_type=JobType.CSV_RECORD_VALIDATION,
        file_type=FileType.A,
        status=JobStatus.FINISHED,
        submission_id=sid(made),
        number_of_rows=11,
        number_of_rows_valid=9,
        last_validated=NOW,
    )
    with uow_factory() as uow:
        uow.jobs.add(job)
        uow.commit()
    with uow_factory() as uow:
        loaded = uow.jobs.get(job.job_id or 0)
    assert loaded is not None and (loaded.number_of_rows_valid, loaded.last_validated) == (9, NOW)


def test_a_job_needs_an_existing_submission(uow_factory: SqlAlchemyUnitOfWorkFactory) -> None:
    with pytest.raises(IntegrityError), uow_factory() as uow:
        uow.jobs.add(Job(JobType.FILE_UPLOAD, FileType.A, JobStatus.WAITING, submission_id=12345))


def test_a_dependency_needs_existing_jobs(uow_factory: SqlAlchemyUnitOfWorkFactory) -> None:
    made = add_submission(uow_factory)
    with pytest.raises(IntegrityError), uow_factory() as uow:
        job = Job(JobType.FILE_UPLOAD, FileType.A, JobStatus.WAITING, submission_id=sid(made))
        uow.jobs.add(job)
        uow.jobs.add_dependency(job.job_id or 0, 12345)


def test_jobs_of_a_submission_see_the_unit_of_works_own_changes(
    uow_factory: SqlAlchemyUnitOfWorkFactory,
) -> None:
    made = add_submission(uow_factory)
    with uow_factory() as uow:
        jobs, _ = add_graph(uow, sid(made))
        upload = jobs["A_upload"]
        assert uow.jobs.for_submission(sid(made))[0] is upload
        upload.transition(JobStatus.FINISHED, NOW)
        assert uow.jobs.for_submission(sid(made))[0].status is JobStatus.FINISHED


@attrs.frozen
class Steps:
    locked: threading.Event = attrs.Factory(threading.Event)
    asking: threading.Event = attrs.Factory(threading.Event)


def _first(
    uow_factory: SqlAlchemyUnitOfWorkFactory, submission_id: int, events: list[str], steps: Steps
) -> None:
    with uow_factory() as uow:
        found = uow.submissions.get_for_update(submission_id)
        assert found is not None
        (job,) = uow.jobs.for_submission(submission_id)
        job.error_message = "set by the first"
        events.append("first locked")
        steps.locked.set()
        assert steps.asking.wait(10)
        time.sleep(0.5)  # the second is now blocked in get_for_update (or in its BEGIN on SQLite)
        found.number_of_errors += 1
        events.append("first commits")
        uow.commit()


def _second(
    uow_factory: SqlAlchemyUnitOfWorkFactory, submission_id: int, events: list[str], steps: Steps
) -> None:
    assert steps.locked.wait(10)
    with uow_factory() as uow:
        events.append("second asks")
        steps.asking.set()
        # Plain reads first (PostgreSQL: the values before the first commits); the entities
        # they handed out must be brought up to date by get_for_update, not left stale.
        seen = uow.submissions.get(submission_id)
        (job,) = uow.jobs.for_submission(submission_id)
        found = uow.submissions.get_for_update(submission_id)
        assert found is not None and found is seen
        assert uow.jobs.get(job.job_id or 0) is job and job.error_message == "set by the first"
        events.append("second locked")
        found.number_of_errors += 1
        events.append("second commits")
        uow.commit()


@pytest.mark.timeout(60)
def test_get_for_update_makes_a_second_transaction_wait_for_the_first(
    uow_factory: SqlAlchemyUnitOfWorkFactory,
) -> None:
    made = add_submission(uow_factory, number_of_errors=0)
    with uow_factory() as uow:
        uow.jobs.add(Job(JobType.VALIDATION, None, JobStatus.READY, submission_id=sid(made)))
        uow.commit()
    steps, events, errors = Steps(), list[str](), list[BaseException]()

    def run(step: Any) -> None:
        try:
            step(uow_factory, sid(made), events, steps)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)
            steps.locked.set()
            steps.asking.set()

    threads = [threading.Thread(target=run, args=(step,)) for step in (_first, _second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert events == ["first locked", "second asks", "first commits", "second locked", "second commits"]
    with uow_factory() as uow:
        loaded = uow.submissions.get(sid(made))
    assert loaded is not None and loaded.number_of_errors == 2  # no update lost


# --------------------------------------------------------------------------- listing and visibility


def test_listed_and_visible(uow_factory: SqlAlchemyUnitOfWorkFactory) -> None:
    jane = add_user(uow_factory, "jane@x.gov", "Jane", "097", "1601")
    john = add_user(uow_factory, "john@x.gov", "John")
    cgac = add_submission(uow_factory, cgac_code="097", frec_code=None, user_id=john.user_id, is_fabs=False)
    frec = add_submission(uow_factory, cgac_code=None, frec_code="1601", user_id=john.user_id, is_fabs=False)
    own = add_submission(uow_factory, cgac_code="012", frec_code=None, user_id=jane.user_id, is_fabs=False)
    fabs = add_submission(uow_factory, cgac_code="097", frec_code=None, user_id=john.user_id, is_fabs=True)
    other = add_submission(uow_factory, cgac_code="020", frec_code=None, user_id=None, is_fabs=False)
    admin = User(email="admin@x.gov", name="Admin", website_admin=True, user_id=999)
    nobody = User(email="n@x.gov", name="Nobody")

    def ids(found: list[Submission]) -> list[int]:
        return [sid(s) for s in found]

    with uow_factory() as uow:
        repo = uow.submissions
        assert ids(repo.listed()) == ids([cgac, frec, own, other])
        assert ids(repo.listed(include_fabs=True)) == ids([cgac, frec, own, fabs, other])
        assert ids(repo.visible(frozenset({"097", "1601"}), jane.user_id)) == ids([cgac, frec, own])
        assert ids(repo.visible(frozenset({"097"}), None, include_fabs=True)) == ids([cgac, fabs])
        assert ids(repo.visible(frozenset(), jane.user_id)) == ids([own])
        assert ids(repo.visible(frozenset(), None)) == []
        assert ids(repo.visible(None, john.user_id)) == ids(repo.listed())
        # The SQL filter and the core's rule agree.
        everything = repo.listed(include_fabs=True)
        for user in (jane, john, admin, nobody):
            codes = None if user.website_admin else frozenset(a.agency_code for a in user.affiliations)
            expected = [s for s in everything if visible_to(user, s)]
            assert repo.visible(codes, user.user_id, include_fabs=True) == expected, user.name


def test_owner_names(uow_factory: SqlAlchemyUnitOfWorkFactory) -> None:
    jane = add_user(uow_factory, "jane@x.gov", "Jane")
    john = add_user(uow_factory, "john@x.gov", "John")
    with uow_factory() as uow:
        assert uow.submissions.owner_name(jane.user_id or 0) == "Jane"
        assert uow.submissions.owner_name(10_000) is None
        assert uow.submissions.owner_names([jane.user_id or 0, john.user_id or 0, 10_000]) == {
            jane.user_id: "Jane",
            john.user_id: "John",
        }
        assert uow.submissions.owner_names([]) == {}


def test_deleting_a_user_keeps_their_submissions_without_an_owner(adapter: Adapter) -> None:
    owner = add_user(adapter.uow_factory, "o@x.gov", "Owner", "097")
    made = add_submission(adapter.uow_factory, user_id=owner.user_id)
    with adapter.engine.begin() as conn:
        conn.execute(text("DELETE FROM users WHERE user_id = :id"), {"id": owner.user_id})
    with adapter.uow_factory() as uow:
        loaded = uow.submissions.get(sid(made))
    assert loaded is not None and loaded.user_id is None
    assert as_dict(loaded) == {**as_dict(made), "user_id": None}


# --------------------------------------------------------------------------- deletion


def _stage_row(adapter: Adapter, file_type: FileType, job_id: int, submission_id: int) -> None:
    table = tables.metadata.tables[STAGING_TABLE_NAMES[file_type]]
    with adapter.engine.begin() as conn:
        conn.execute(insert(table).values(job_id=job_id, submission_id=submission_id, row_number=2))


def _fill(adapter: Adapter, made: Submission) -> dict[str, Job]:
    """A job graph with file rows, metadata and narratives, and a staging row in every staging table."""
    with adapter.uow_factory() as uow:
        jobs, _ = add_graph(uow, sid(made))
        for key in ("A_validation", "cross_file"):
            job_id = jobs[key].job_id or 0
            uow.validation_results.save_file(job_id, FileRecord("a.csv", FileStatus.COMPLETE))
            uow.validation_results.replace_error_metadata(job_id, [entry("A1"), entry("A2")])
        uow.narratives.replace(sid(made), {"A": "Note"})
        uow.commit()
    for file_type in STAGING_TABLE_NAMES:
        _stage_row(adapter, file_type, jobs[f"{file_type.letter}_validation"].job_id or 0, sid(made))
    return jobs


def _staged(adapter: Adapter, job_ids: list[int]) -> int:
    with adapter.engine.connect() as conn:
        return sum(
            int(
                conn.execute(
                    select(func.count()).select_from(table).where(table.c.job_id.in_(job_ids))
                ).scalar_one()
            )
            for table in (tables.metadata.tables[name] for name in STAGING_TABLE_NAMES.values())
        )


def test_delete_removes_everything_of_the_submission_and_nothing_else(adapter: Adapter) -> None:
    doomed, kept = add_submission(adapter.uow_factory), add_submission(adapter.uow_factory)
    doomed_jobs, kept_jobs = _fill(adapter, doomed), _fill(adapter, kept)
    doomed_ids = [job.job_id or 0 for job in doomed_jobs.values()]
    kept_ids = [job.job_id or 0 for job in kept_jobs.values()]
    # A staging row filed under the doomed submission's id by a job of another: only job ids count.
    _stage_row(adapter, FileType.A, kept_jobs["A_validation"].job_id or 0, sid(doomed))
    with adapter.uow_factory() as uow:
        before_kept = uow.jobs.for_submission(sid(kept))
        edges_kept = uow.jobs.dependencies(sid(kept))
        # Entities of the deleted rows that this unit of work holds (one changed) are dropped.
        held = uow.jobs.for_submission(sid(doomed))
        held[0].error_message = "changed"
        assert uow.submissions.get_for_update(sid(doomed)) is not None
        uow.submissions.delete(sid(doomed))
        uow.submissions.delete(10_000)  # unknown: nothing happens
        assert uow.submissions.get(sid(doomed)) is None
        assert uow.jobs.get(doomed_ids[0]) is None
        uow.commit()
    with adapter.uow_factory() as uow:
        assert uow.submissions.get(sid(doomed)) is None
        assert uow.jobs.for_submission(sid(doomed)) == []
        assert all(uow.jobs.get(job_id) is None for job_id in doomed_ids)
        assert uow.jobs.dependencies(sid(doomed)) == []
        assert uow.narratives.get(sid(doomed)) == {}
        assert uow.submissions.get(sid(kept)) is not None
        assert [as_dict(j) for j in uow.jobs.for_submission(sid(kept))] == [as_dict(j) for j in before_kept]
        assert uow.jobs.dependencies(sid(kept)) == edges_kept
        assert uow.narratives.get(sid(kept)) == {"A": "Note"}
        kept_a = kept_jobs["A_validation"].job_id or 0
        assert uow.validation_results.file(kept_a) == FileRecord("a.csv", FileStatus.COMPLETE)
        assert [e.original_label for e in uow.validation_results.error_metadata(kept_a)] == ["A1", "A2"]
    for table in ("file", "error_metadata", "job_dependency"):
        assert count(adapter, table) == count(adapter, table, "WHERE job_id IN (SELECT job_id FROM job)") > 0
    assert count(adapter, "job_dependency", "WHERE prerequisite_id NOT IN (SELECT job_id FROM job)") == 0
    assert _staged(adapter, doomed_ids) == 0
    assert _staged(adapter, kept_ids) == len(STAGING_TABLE_NAMES) + 1


def test_deleting_the_submission_row_cascades_through_the_foreign_keys(adapter: Adapter) -> None:
    made = add_submission(adapter.uow_factory)
    _fill(adapter, made)
    with adapter.engine.begin() as conn:
        conn.execute(text("DELETE FROM submission WHERE submission_id = :id"), {"id": sid(made)})
    for table in ("job", "job_dependency", "file", "error_metadata", "submission_narrative"):
        assert count(adapter, table) == 0, table


# --------------------------------------------------------------------------- validation results


def test_file_rows_are_replaced(adapter: Adapter) -> None:
    made = add_submission(adapter.uow_factory)
    with adapter.uow_factory() as uow:
        jobs, _ = add_graph(uow, sid(made))
        a, b = jobs["A_validation"].job_id or 0, jobs["B_validation"].job_id or 0
        assert uow.validation_results.file(a) is None
        first = FileRecord("a.csv", FileStatus.HEADER_ERROR, ("tas", "gross_outlay"), ("budget_authority",))
        uow.validation_results.save_file(a, first)
        uow.validation_results.save_file(b, FileRecord("b.csv", FileStatus.INCOMPLETE))
        uow.commit()
    with adapter.uow_factory() as uow:
        assert uow.validation_results.file(a) == first
        assert uow.validation_results.file(b) == FileRecord("b.csv", FileStatus.INCOMPLETE, (), ())
        for status in FileStatus:
            uow.validation_results.save_file(a, FileRecord("a2.csv", status, (" x ", "y,z")))
            assert uow.validation_results.file(a) == FileRecord("a2.csv", status, ("x", "y", "z"))
        uow.commit()
    assert count(adapter, "file", "WHERE job_id = :a", a=a) == 1


def test_error_metadata_is_replaced_and_kept_in_order(uow_factory: SqlAlchemyUnitOfWorkFactory) -> None:
    made = add_submission(uow_factory)
    entries = [
        entry(
            "C23", field_name="c", error_type=ErrorType.TYPE_ERROR, first_row=None, severity=Severity.WARNING
        ),
        entry("A1"),
        entry(
            "C11",
            filename="cross_file",
            field_name="award_financial",
            occurrences=1,
            file_type="award_financial",
            target_file_type="award_procurement",
        ),
        *(entry(f"T{member.id}", error_type=member) for member in ErrorType),
    ]
    with uow_factory() as uow:
        jobs, _ = add_graph(uow, sid(made))
        a, b = jobs["A_validation"].job_id or 0, jobs["cross_file"].job_id or 0
        assert uow.validation_results.error_metadata(a) == []
        uow.validation_results.replace_error_metadata(a, entries)
        uow.validation_results.replace_error_metadata(b, [entry("B1")])
        uow.commit()
    with uow_factory() as uow:
        assert uow.validation_results.error_metadata(a) == entries
        replacement = [entries[2], entries[0]]
        uow.validation_results.replace_error_metadata(a, replacement)
        assert uow.validation_results.error_metadata(a) == replacement
        uow.commit()
    with uow_factory() as uow:
        assert uow.validation_results.error_metadata(a) == replacement
        uow.validation_results.replace_error_metadata(a, [])
        assert uow.validation_results.error_metadata(a) == []
        assert uow.validation_results.error_metadata(b) == [entry("B1")]


def test_clear_removes_the_file_row_and_metadata_of_one_job(uow_factory: SqlAlchemyUnitOfWorkFactory) -> None:
    made = add_submission(uow_factory)
    with uow_factory() as uow:
        jobs, _ = add_graph(uow, sid(made))
        a, b = jobs["A_validation"].job_id or 0, jobs["B_validation"].job_id or 0
        for job_id in (a, b):
            uow.validation_results.save_file(job_id, FileRecord("f.csv", FileStatus.COMPLETE))
            uow.validation_results.replace_error_metadata(job_id, [entry("A1")])
        uow.commit()
    with uow_factory() as uow:
        uow.validation_results.clear(a)
        uow.validation_results.clear(10_000)
        uow.commit()
    with uow_factory() as uow:
        assert uow.validation_results.file(a) is None and uow.validation_results.error_metadata(a) == []
        assert (
            uow.validation_results.file(b) is not None and len(uow.validation_results.error_metadata(b)) == 1
        )


def test_results_of_a_job_added_in_the_same_unit_of_work(uow_factory: SqlAlchemyUnitOfWorkFactory) -> None:
    made = add_submission(uow_factory)
    with uow_factory() as uow:
        job = Job(JobType.CSV_RECORD_VALIDATION, FileType.A, JobStatus.RUNNING, submission_id=sid(made))
        uow.jobs.add(job)
        uow.validation_results.save_file(job.job_id or 0, FileRecord("a.csv", FileStatus.COMPLETE))
        uow.commit()
    with uow_factory() as uow:
        assert uow.validation_results.file(job.job_id or 0) is not None


# --------------------------------------------------------------------------- narratives


def test_narratives_are_replaced_whole(uow_factory: SqlAlchemyUnitOfWorkFactory) -> None:
    made, other = add_submission(uow_factory), add_submission(uow_factory)
    with uow_factory() as uow:
        assert uow.narratives.get(sid(made)) == {}
        uow.narratives.replace(sid(made), {"D1": "Procurement: résumé late", "A": "Accounts"})
        uow.narratives.replace(sid(other), {"B": "Other"})
        uow.commit()
    with uow_factory() as uow:
        stored = uow.narratives.get(sid(made))
        assert stored == {"D1": "Procurement: résumé late", "A": "Accounts"}
        assert list(stored) == ["D1", "A"]
        uow.narratives.replace(sid(made), {"A": "Changed", "F": "New"})
        uow.commit()
    with uow_factory() as uow:
        assert uow.narratives.get(sid(made)) == {"A": "Changed", "F": "New"}
        uow.narratives.replace(sid(made), {})
        uow.commit()
    with uow_factory() as uow:
        assert uow.narratives.get(sid(made)) == {}
        assert uow.narratives.get(sid(other)) == {"B": "Other"}


def test_narratives_need_an_existing_submission(uow_factory: SqlAlchemyUnitOfWorkFactory) -> None:
    with pytest.raises(IntegrityError), uow_factory() as uow:
        uow.narratives.replace(12345, {"A": "x"})


# --------------------------------------------------------------------------- migration 0007


def _schema_differences(adapter: Adapter) -> list[Any]:
    with adapter.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # lower(email) cannot be reflected on SQLite
            return list(compare_metadata(context, tables.metadata))


def test_migration_0007_downgrades_and_upgrades_again(adapter: Adapter) -> None:
    made = add_submission(adapter.uow_factory)
    with adapter.uow_factory() as uow:
        detached = Job(JobType.FILE_UPLOAD, FileType.D1, JobStatus.FINISHED)
        uow.jobs.add(detached)
        last = Job(JobType.FILE_UPLOAD, FileType.D1, JobStatus.FINISHED)
        uow.jobs.add(last)
        add_graph(uow, sid(made))
        uow.commit()
    with adapter.engine.begin() as conn:
        # The highest id is given up; the rebuilt SQLite table must not hand it out again.
        conn.execute(text("DELETE FROM job WHERE job_id >= :id"), {"id": last.job_id})
    head = current_revision(adapter.engine)
    command.downgrade(alembic_config(adapter.engine), "0006")
    assert current_revision(adapter.engine) == "0006"
    names = set(inspect(adapter.engine).get_table_names())
    assert names.isdisjoint(NEW_TABLES) and "job" in names
    upgrade(adapter.engine)
    assert current_revision(adapter.engine) == head
    assert _schema_differences(adapter) == []
    with adapter.uow_factory() as uow:
        kept = uow.jobs.get(detached.job_id or 0)
        assert kept is not None and kept.file_type is FileType.D1
        again = submission()
        uow.submissions.add(again)
        jobs, edges = add_graph(uow, sid(again))
        uow.commit()
    assert min(job.job_id or 0 for job in jobs.values()) > (last.job_id or 0)
    with adapter.uow_factory() as uow:
        assert uow.jobs.dependencies(sid(again)) == edges

"""Contract of the UnitOfWork port and its repositories, run against every database adapter."""

from __future__ import annotations

import datetime as dt
import multiprocessing
import threading
import time
import warnings
from pathlib import Path
from typing import Any

import attrs
import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from broker_adapters.sqlalchemy.migrate import current_revision, upgrade
from broker_adapters.sqlalchemy.tables import metadata
from broker_adapters.sqlalchemy.unit_of_work import SqlAlchemyUnitOfWorkFactory
from broker_core.file_types import FileType
from broker_core.generation.model import AgencyType, CacheKey, FileFormat, FileGeneration
from broker_core.jobs import Job, JobStatus, JobType
from broker_core.records import AgencyRecord
from broker_core.submissions.model import Submission
from broker_core.users import Affiliation, PermissionLevel, Session, User

from .conftest import Adapter

NOW = dt.datetime(2024, 5, 1, 12, 30, 15, 123456)
KEY = CacheKey(
    file_type=FileType.D1,
    start=dt.date(2024, 1, 1),
    end=dt.date(2024, 3, 31),
    agency_code="097",
    agency_type=AgencyType.AWARDING,
    file_format=FileFormat.CSV,
    element_numbers=False,
)


def full_job(**changes: Any) -> Job:
    job = Job(
        job_type=JobType.CSV_RECORD_VALIDATION,
        file_type=FileType.D2,
        status=JobStatus.RUNNING,
        submission_id=None,  # jobs of a submission need it stored: test_job_round_trips_every_field
        user_id=None,
        start_date=dt.date(2024, 1, 1),
        end_date=dt.date(2024, 3, 31),
        filename="generated/d1/file.csv",
        original_filename="file.csv",
        file_size=12_345_678_901,
        number_of_rows=17,
        number_of_rows_valid=15,
        number_of_errors=3,
        number_of_warnings=4,
        error_message="boom",
        agency_code="1601",
        progress=42.5,
        created_at=NOW,
        updated_at=NOW + dt.timedelta(seconds=1),
        last_validated=NOW + dt.timedelta(seconds=2),
    )
    return attrs.evolve(job, **changes)


def generation(key: CacheKey = KEY, **changes: Any) -> FileGeneration:
    fg = FileGeneration.for_key(key, dt.date(2024, 5, 1))
    fg.created_at = fg.updated_at = NOW
    return attrs.evolve(fg, **changes)


def as_dict(entity: object) -> dict[str, object]:
    return attrs.asdict(entity, recurse=False)  # type: ignore[arg-type]


# --------------------------------------------------------------------------- schema


def test_migrations_create_exactly_the_tables_the_adapter_uses(adapter: Adapter) -> None:
    assert current_revision(adapter.engine) is not None
    with adapter.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        with warnings.catch_warnings():
            # lower(email) cannot be reflected on SQLite; it is checked by the email tests.
            warnings.simplefilter("ignore")
            differences = compare_metadata(context, metadata)
    assert differences == []


def test_upgrade_is_idempotent(adapter: Adapter) -> None:
    before = current_revision(adapter.engine)
    upgrade(adapter.engine)
    upgrade(adapter.url)
    assert current_revision(adapter.engine) == before


def test_concurrent_upgrades_of_a_new_sqlite_file(tmp_path: Path) -> None:
    """Several processes (and threads) starting on a new file: one migrates, the others wait."""
    url = f"sqlite:///{tmp_path / 'concurrent.db'}"
    context = multiprocessing.get_context("spawn")
    with context.Pool(3) as pool:
        pool.map(upgrade, [url] * 3)
    errors: list[BaseException] = []

    def migrate() -> None:
        try:
            upgrade(url)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=migrate) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []


# --------------------------------------------------------------------------- jobs


def test_job_round_trips_every_field(uow_factory: SqlAlchemyUnitOfWorkFactory) -> None:
    with uow_factory() as uow:
        submission = Submission(reporting_start_date=None, reporting_end_date=None)
        uow.submissions.add(submission)
        job = full_job(submission_id=submission.submission_id)
        uow.jobs.add(job)
        assert job.job_id is not None
        uow.commit()
    with uow_factory() as uow:
        loaded = uow.jobs.get(job.job_id)
    assert loaded is not None and loaded is not job
    assert as_dict(loaded) == as_dict(job)
    assert type(loaded.file_type) is FileType and type(loaded.status) is JobStatus


def test_job_round_trips_defaults_and_nones(uow_factory: SqlAlchemyUnitOfWorkFactory) -> None:
    job = Job(job_type=JobType.FILE_UPLOAD, file_type=None, status=JobStatus.WAITING)
    with uow_factory() as uow:
        uow.jobs.add(job)
        uow.commit()
    with uow_factory() as uow:
        loaded = uow.jobs.get(job.job_id or 0)
    assert loaded is not None
    assert as_dict(loaded) == as_dict(job)


@pytest.mark.parametrize("file_type", list(FileType))
@pytest.mark.parametrize("status", list(JobStatus))
def test_every_enum_member_round_trips(
    uow_factory: SqlAlchemyUnitOfWorkFactory, file_type: FileType, status: JobStatus
) -> None:
    with uow_factory() as uow:
        job = full_job(file_type=file_type, status=status)
        uow.jobs.add(job)
        uow.commit()
    with uow_factory() as uow:
        loaded = uow.jobs.get(job.job_id or 0)
    assert loaded is not None and (loaded.file_type, loaded.status) == (file_type, status)


def test_ids_are_distinct_and_get_of_unknown_is_none(uow_factory: SqlAlchemyUnitOfWorkFactory) -> None:
    with uow_factory() as uow:
        jobs = [full_job() for _ in range(3)]
        for job in jobs:
            uow.jobs.add(job)
        uow.commit()
        assert len({job.job_id for job in jobs}) == 3
        assert uow.jobs.get(10_000) is None
        assert uow.file_generations.get(10_000) is None
        assert uow.users.get(10_000) is None
        assert uow.sessions.get("nope") is None


def test_leaving_without_commit_rolls_back(uow_factory: SqlAlchemyUnitOfWorkFactory) -> None:
    with uow_factory() as uow:
        job = full_job()
        uow.jobs.add(job)
        job_id = job.job_id
    assert job_id is not None
    with uow_factory() as uow:
        assert uow.jobs.get(job_id) is None


def test_an_exception_in_the_block_rolls_back(uow_factory: SqlAlchemyUnitOfWorkFactory) -> None:
    with uow_factory() as uow:
        job = full_job()
        uow.jobs.add(job)
        uow.commit()
    with pytest.raises(RuntimeError), uow_factory() as uow:
        loaded = uow.jobs.get(job.job_id or 0)
        assert loaded is not None
        loaded.error_message = "changed"
        raise RuntimeError
    with uow_factory() as uow:
        again = uow.jobs.get(job.job_id or 0)
    assert again is not None and again.error_message == "boom"


def test_explicit_rollback_discards_changes(uow_factory: SqlAlchemyUnitOfWorkFactory) -> None:
    with uow_factory() as uow:
        job = full_job()
        uow.jobs.add(job)
        uow.commit()
        job.error_message = "not saved"
        uow.rollback()
        uow.commit()
    with uow_factory() as uow:
        loaded = uow.jobs.get(job.job_id or 0)
    assert loaded is not None and loaded.error_message == "boom"


def test_changes_to_loaded_entities_are_saved_on_commit(uow_factory: SqlAlchemyUnitOfWorkFactory) -> None:
    with uow_factory() as uow:
        job = full_job(status=JobStatus.WAITING)
        uow.jobs.add(job)
        uow.commit()
    later = NOW + dt.timedelta(hours=1)
    with uow_factory() as uow:
        loaded = uow.jobs.get(job.job_id or 0)
        assert loaded is not None
        loaded.transition(JobStatus.FINISHED, later)
        loaded.filename = None
        uow.commit()
        # Still usable, and further changes in the same block are saved by the next commit.
        loaded.number_of_rows = 99
        uow.commit()
    assert loaded.status is JobStatus.FINISHED  # usable after the block
    with uow_factory() as uow:
        again = uow.jobs.get(job.job_id or 0)
    assert again is not None
    assert (again.status, again.progress, again.updated_at, again.filename, again.number_of_rows) == (
        JobStatus.FINISHED,
        100.0,
        later,
        None,
        99,
    )


def test_changes_made_after_add_are_saved(uow_factory: SqlAlchemyUnitOfWorkFactory) -> None:
    with uow_factory() as uow:
        fg = generation()
        uow.file_generations.add(fg)
        job = full_job()
        uow.jobs.add(job)
        job.file_generation_id = fg.file_generation_id
        uow.commit()
    with uow_factory() as uow:
        loaded = uow.jobs.get(job.job_id or 0)
    assert loaded is not None and loaded.file_generation_id == fg.file_generation_id


def test_the_same_row_is_the_same_entity_within_a_unit_of_work(
    uow_factory: SqlAlchemyUnitOfWorkFactory,
) -> None:
    with uow_factory() as uow:
        fg = generation()
        uow.file_generations.add(fg)
        job = full_job(file_generation_id=None)
        uow.jobs.add(job)
        job.file_generation_id = fg.file_generation_id
        assert uow.jobs.get(job.job_id or 0) is job
        assert uow.jobs.linked_to(fg.file_generation_id or 0) == [job]
        assert uow.file_generations.cached(KEY) == [fg]


def test_queries_see_the_unit_of_works_own_changes(uow_factory: SqlAlchemyUnitOfWorkFactory) -> None:
    with uow_factory() as uow:
        fg = generation()
        uow.file_generations.add(fg)
        uow.commit()
    with uow_factory() as uow:
        (cached,) = uow.file_generations.cached(KEY)
        cached.is_cached_file = False
        assert uow.file_generations.cached(KEY) == []
        assert uow.file_generations.unfinished() == []


def test_linked_to_and_active_detached_a_jobs(uow_factory: SqlAlchemyUnitOfWorkFactory) -> None:
    with uow_factory() as uow:
        fg, other_fg = generation(), generation()
        uow.file_generations.add(fg)
        uow.file_generations.add(other_fg)
        linked = [full_job(file_generation_id=fg.file_generation_id) for _ in range(2)]
        unlinked = full_job(file_generation_id=other_fg.file_generation_id)
        a_jobs = {
            status: full_job(file_type=FileType.A, submission_id=None, status=status) for status in JobStatus
        }
        submission = Submission(reporting_start_date=None, reporting_end_date=None)
        uow.submissions.add(submission)
        a_in_submission = full_job(
            file_type=FileType.A, submission_id=submission.submission_id, status=JobStatus.RUNNING
        )
        d1_detached = full_job(file_type=FileType.D1, submission_id=None, status=JobStatus.RUNNING)
        for job in [*linked, unlinked, *a_jobs.values(), a_in_submission, d1_detached]:
            uow.jobs.add(job)
        uow.commit()
    with uow_factory() as uow:
        assert [j.job_id for j in uow.jobs.linked_to(fg.file_generation_id or 0)] == [
            j.job_id for j in linked
        ]
        active = {j.job_id for j in uow.jobs.active_detached_a_jobs()}
    assert active == {a_jobs[s].job_id for s in (JobStatus.WAITING, JobStatus.READY, JobStatus.RUNNING)}


def test_deleting_a_generation_unlinks_its_jobs(adapter: Adapter) -> None:
    with adapter.uow_factory() as uow:
        fg = generation()
        uow.file_generations.add(fg)
        job = full_job(file_generation_id=fg.file_generation_id)
        uow.jobs.add(job)
        uow.commit()
    with adapter.engine.begin() as conn:
        conn.execute(text("DELETE FROM file_generation"))
    with adapter.uow_factory() as uow:
        loaded = uow.jobs.get(job.job_id or 0)
    assert loaded is not None and loaded.file_generation_id is None


def test_foreign_keys_are_enforced(uow_factory: SqlAlchemyUnitOfWorkFactory) -> None:
    with pytest.raises(IntegrityError), uow_factory() as uow:
        uow.jobs.add(full_job(file_generation_id=12345))


# --------------------------------------------------------------------------- file generations


def test_file_generation_round_trips_every_field(uow_factory: SqlAlchemyUnitOfWorkFactory) -> None:
    fg = generation(
        attrs.evolve(KEY, file_type=FileType.D2, agency_type=AgencyType.FUNDING, file_format=FileFormat.TXT),
        element_numbers=True,
        is_cached_file=False,
        file_path="generated/d1/x.txt",
        file_size=9_876_543_210,
        updated_at=NOW + dt.timedelta(minutes=5),
    )
    with uow_factory() as uow:
        uow.file_generations.add(fg)
        uow.commit()
    with uow_factory() as uow:
        loaded = uow.file_generations.get(fg.file_generation_id or 0)
    assert loaded is not None
    assert as_dict(loaded) == as_dict(fg)


KEY_VARIANTS: dict[str, Any] = {
    "file_type": FileType.D2,
    "start": dt.date(2024, 1, 2),
    "end": dt.date(2024, 3, 30),
    "agency_code": "098",
    "agency_type": AgencyType.FUNDING,
    "file_format": FileFormat.TXT,
    "element_numbers": True,
}


def test_cached_matches_every_key_field_and_only_cached_files(
    uow_factory: SqlAlchemyUnitOfWorkFactory,
) -> None:
    with uow_factory() as uow:
        match = generation()
        finished_match = generation(file_path="done.csv", file_size=10)
        not_cached = generation(is_cached_file=False)
        others = [generation(attrs.evolve(KEY, **{f: v})) for f, v in KEY_VARIANTS.items()]
        for fg in [match, finished_match, not_cached, *others]:
            uow.file_generations.add(fg)
        uow.commit()
    with uow_factory() as uow:
        found = uow.file_generations.cached(KEY)
        assert [fg.file_generation_id for fg in found] == [
            match.file_generation_id,
            finished_match.file_generation_id,
        ]
        for fg in others:
            assert [g.file_generation_id for g in uow.file_generations.cached(fg.cache_key)] == [
                fg.file_generation_id
            ]


def test_unfinished_is_cached_without_a_file(uow_factory: SqlAlchemyUnitOfWorkFactory) -> None:
    with uow_factory() as uow:
        pending = generation()
        done = generation(file_path="done.csv")
        retired = generation(is_cached_file=False)
        for fg in (pending, done, retired):
            uow.file_generations.add(fg)
        uow.commit()
    with uow_factory() as uow:
        assert [g.file_generation_id for g in uow.file_generations.unfinished()] == [
            pending.file_generation_id
        ]


def _claim(uow_factory: SqlAlchemyUnitOfWorkFactory, key: CacheKey, barrier: threading.Barrier) -> None:
    barrier.wait()
    with uow_factory() as uow:
        uow.lock_cache_key(key)
        if not uow.file_generations.cached(key):
            time.sleep(0.2)  # widen the race: without the lock every thread would insert
            uow.file_generations.add(generation(key))
        uow.commit()


@pytest.mark.timeout(60)
def test_lock_cache_key_lets_exactly_one_racing_request_create_the_generation(
    uow_factory: SqlAlchemyUnitOfWorkFactory,
) -> None:
    threads_count = 4
    barrier = threading.Barrier(threads_count)
    errors: list[BaseException] = []

    def run() -> None:
        try:
            _claim(uow_factory, KEY, barrier)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(threads_count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with uow_factory() as uow:
        assert len(uow.file_generations.cached(KEY)) == 1


# --------------------------------------------------------------------------- users and sessions


def test_user_round_trips_with_affiliations(uow_factory: SqlAlchemyUnitOfWorkFactory) -> None:
    user = User(
        email="Jane.Doe@Example.gov",
        name="Jane Doe",
        password_hash="$argon2id$hash",
        title="Analyst",
        skip_guide=True,
        website_admin=True,
        affiliations=[
            Affiliation("097", PermissionLevel.SUBMITTER),
            Affiliation("1601", PermissionLevel.READER),
        ],
    )
    with uow_factory() as uow:
        uow.users.add(user)
        uow.commit()
    with uow_factory() as uow:
        loaded = uow.users.get(user.user_id or 0)
    assert loaded is not None  # usable after the block, affiliations included
    assert as_dict(loaded) == as_dict(user)
    assert all(isinstance(a, Affiliation) for a in loaded.affiliations)


def test_user_without_optional_fields(uow_factory: SqlAlchemyUnitOfWorkFactory) -> None:
    user = User(email="a@b.c", name="A")
    with uow_factory() as uow:
        uow.users.add(user)
        uow.commit()
    with uow_factory() as uow:
        loaded = uow.users.by_email("a@b.c")
    assert loaded is not None and as_dict(loaded) == as_dict(user)


def test_affiliation_changes_are_saved(uow_factory: SqlAlchemyUnitOfWorkFactory) -> None:
    user = User(
        email="u@x.gov",
        name="U",
        affiliations=[Affiliation("012", PermissionLevel.READER), Affiliation("097", PermissionLevel.WRITER)],
    )
    with uow_factory() as uow:
        uow.users.add(user)
        uow.commit()
    with uow_factory() as uow:
        loaded = uow.users.get(user.user_id or 0)
        assert loaded is not None
        loaded.affiliations = [
            Affiliation("097", PermissionLevel.SUBMITTER),
            Affiliation("1125", PermissionLevel.READER),
        ]
        uow.commit()
    with uow_factory() as uow:
        again = uow.users.get(user.user_id or 0)
    assert again is not None
    assert again.affiliations == [
        Affiliation("097", PermissionLevel.SUBMITTER),
        Affiliation("1125", PermissionLevel.READER),
    ]


def test_email_lookup_is_case_insensitive_and_unique(uow_factory: SqlAlchemyUnitOfWorkFactory) -> None:
    with uow_factory() as uow:
        user = User(email="Jane.Doe@Example.gov", name="Jane")
        uow.users.add(user)
        uow.users.add(User(email="other@example.gov", name="Other"))
        uow.commit()
    with uow_factory() as uow:
        found = uow.users.by_email("jane.doe@EXAMPLE.GOV")
        assert found is not None and found.user_id == user.user_id
        assert uow.users.by_email("nobody@example.gov") is None
    with pytest.raises(IntegrityError), uow_factory() as uow:
        uow.users.add(User(email="JANE.DOE@example.gov", name="Copy"))


def test_sessions_round_trip_and_expire(uow_factory: SqlAlchemyUnitOfWorkFactory) -> None:
    with uow_factory() as uow:
        user = User(email="s@x.gov", name="S")
        uow.users.add(user)
        live = Session(uid="live", expires_at=NOW + dt.timedelta(seconds=1), user_id=user.user_id)
        at_now = Session(uid="at-now", expires_at=NOW, user_id=user.user_id)
        old = Session(uid="old", expires_at=NOW - dt.timedelta(days=1), user_id=None)
        for session in (live, at_now, old):
            uow.sessions.add(session)
        uow.commit()
    with uow_factory() as uow:
        loaded = uow.sessions.get("live")
        assert loaded is not None and as_dict(loaded) == as_dict(live)
        held = uow.sessions.get("old")
        assert held is not None
        assert uow.sessions.delete_expired(NOW) == 2
        assert uow.sessions.get("old") is None
        loaded.user_id = None  # still tracked and saved
        uow.commit()
    with uow_factory() as uow:
        assert uow.sessions.get("at-now") is None and uow.sessions.get("old") is None
        again = uow.sessions.get("live")
        assert again is not None and again.user_id is None
        assert uow.sessions.delete_expired(NOW) == 0


def test_session_uid_is_unique(uow_factory: SqlAlchemyUnitOfWorkFactory) -> None:
    with pytest.raises(IntegrityError), uow_factory() as uow:
        uow.sessions.add(Session(uid="same", expires_at=NOW))
        uow.sessions.add(Session(uid="same", expires_at=NOW))


# --------------------------------------------------------------------------- agencies


def test_agencies(adapter: Adapter) -> None:
    adapter.award_data.replace_agencies(
        [
            AgencyRecord("097", "Department of Defense", "9700", "Defense Army", "2100", "Army", False, True),
            AgencyRecord(
                "097", "Department of Defense", "9700", "Defense Army", "2101", "Army 2", False, True
            ),
            AgencyRecord("012", "Department of Agriculture", None, None, "1200", "USDA", False, False),
        ]
    )
    with adapter.uow_factory() as uow:
        assert uow.agencies.name_of("097") == "Department of Defense"
        assert uow.agencies.name_of("9700") == "Defense Army"
        assert uow.agencies.name_of("999") is None
        assert uow.agencies.name_of("2100") is None  # a sub-tier is not an agency code here
        assert uow.agencies.name_of("12") is None
        assert uow.agencies.exists("012") and uow.agencies.exists("9700")
        assert not uow.agencies.exists("013")


def test_using_a_unit_of_work_outside_its_block_is_an_error(
    uow_factory: SqlAlchemyUnitOfWorkFactory,
) -> None:
    uow = uow_factory()
    with pytest.raises(RuntimeError):
        uow.commit()
    with uow:
        pass
    with pytest.raises(RuntimeError):
        uow.rollback()


def test_read_only_reads_of_a_session_with_its_user_and_of_a_job(
    uow_factory: SqlAlchemyUnitOfWorkFactory,
) -> None:
    user = User(email="r@x.gov", name="R", title="T", skip_guide=True,
                affiliations=[Affiliation("1601", PermissionLevel.READER), Affiliation("097", PermissionLevel.WRITER)])  # fmt: skip
    with uow_factory() as uow:
        uow.users.add(user)
        uow.sessions.add(Session(uid="in", expires_at=NOW, user_id=user.user_id))
        uow.sessions.add(Session(uid="out", expires_at=NOW, user_id=None))
        submission = Submission(reporting_start_date=None, reporting_end_date=None)
        uow.submissions.add(submission)
        job = full_job(submission_id=submission.submission_id)
        uow.jobs.add(job)
        uow.commit()
    with uow_factory(read_only=True) as uow:
        found = uow.sessions.get_with_user("in")
        logged_out = uow.sessions.get_with_user("out")
        unknown = uow.sessions.get_with_user("nobody")
        loaded = uow.jobs.get(job.job_id or 0)
        missing = uow.jobs.get(10**9)
        with pytest.raises(RuntimeError):
            uow.commit()
    assert found is not None and found[1] is not None
    assert as_dict(found[0]) == as_dict(Session(uid="in", expires_at=NOW, user_id=user.user_id))
    assert as_dict(found[1]) == as_dict(user) | {
        "affiliations": sorted(user.affiliations, key=lambda a: a.agency_code)
    }
    assert logged_out is not None and logged_out[1] is None and unknown is None
    assert loaded is not None and as_dict(loaded) == as_dict(job) and missing is None
    assert type(loaded.file_type) is FileType and type(loaded.status) is JobStatus

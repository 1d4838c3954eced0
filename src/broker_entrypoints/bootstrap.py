"""The composition root: configuration in, wired adapters and services out."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any, Literal

import attrs
from sqlalchemy.engine import Engine

from broker_adapters.cas import CasIdentityProvider
from broker_adapters.clock import SystemClock
from broker_adapters.inprocess_queue import InlineQueue, InProcessQueue
from broker_adapters.local_storage import LocalFileStorage
from broker_adapters.local_upload_credentials import LocalUploadCredentials
from broker_adapters.passwords import Argon2PasswordHasher
from broker_adapters.process_batches import ProcessBatchRunner
from broker_adapters.sqlalchemy.award_data import SqlAlchemyAwardData
from broker_adapters.sqlalchemy.engine import is_sqlite, make_engine
from broker_adapters.sqlalchemy.job_reader import SqlAlchemyJobReader
from broker_adapters.sqlalchemy.login_attempts import SqlAlchemyLoginAttempts
from broker_adapters.sqlalchemy.mapping import start_mappers
from broker_adapters.sqlalchemy.migrate import upgrade
from broker_adapters.sqlalchemy.obligations import SqlAlchemyObligationTotals
from broker_adapters.sqlalchemy.procurement_data import SqlAlchemyProcurementStore
from broker_adapters.sqlalchemy.submission_files import SqlAlchemySubmissionFiles
from broker_adapters.sqlalchemy.task_locks import SqlAlchemyTaskLocks
from broker_adapters.sqlalchemy.unit_of_work import SqlAlchemyUnitOfWorkFactory
from broker_adapters.sqlalchemy.validation.staging import SqlAlchemyStagingArea
from broker_core.fpds.service import FpdsLoadService
from broker_core.identity import IdentityProvider
from broker_core.loading.service import LoadService
from broker_core.login_throttle import LoginLimits, LoginThrottle
from broker_core.ports import FileStorage, JobQueue, JobReader, UploadCredentials
from broker_core.queueing import Task
from broker_core.services.auth import AuthService
from broker_core.services.generation import GenerationService
from broker_core.services.job_reader import EndedJobCache
from broker_core.services.submission_generation import SubmissionGenerationService
from broker_core.services.submission_uploads import SubmissionUploadService
from broker_core.services.submission_views import REPORT_PREFIX, SubmissionViews
from broker_core.services.submissions import SubmissionService
from broker_core.services.tasks import TaskRouter
from broker_core.services.validation_jobs import ValidationJobService
from broker_core.validation.cross_service import CrossFileValidationService
from broker_core.validation.ports import BatchRunner, SerialBatchRunner
from broker_core.validation.service import FileValidationService
from broker_entrypoints.config import Config

QueueMode = Literal["thread", "inline"]


@attrs.define
class Broker:
    """Everything an entry point (API, CLI, worker) needs, wired for one configuration."""

    config: Config
    engine: Engine
    storage: FileStorage
    queue: JobQueue
    generation: GenerationService
    auth: AuthService
    loads: LoadService
    award_data: SqlAlchemyAwardData
    fpds_loads: FpdsLoadService
    #: MAX single sign-on (``/v1/max_login/``); the CAS server is only contacted at login.
    identity_provider: IdentityProvider
    #: check_status, list_submissions, report links, get_obligations.
    submission_views: SubmissionViews
    #: Runs every worker task (generations, validations, E/F files) and finds what is outstanding.
    tasks: TaskRouter
    #: A submission's D1, D2, E and F files (generate_file, check_generation_status).
    submission_files: SubmissionGenerationService
    #: submit_files, local_upload, finalize_job.
    submission_uploads: SubmissionUploadService
    #: restart, delete, certify, publish FABS, narratives, help files.
    submissions: SubmissionService
    #: How validations prepare and stage batches: worker processes on PostgreSQL, in line on SQLite.
    batch_runner: BatchRunner = attrs.field(factory=SerialBatchRunner)
    #: Rule queries a validation keeps in flight.
    rule_workers: int = 1

    def file_validation(self, storage: FileStorage, report_prefix: str = "") -> FileValidationService:
        """The file validator over this broker's database, writing its reports to ``storage``."""
        return FileValidationService(
            staging=SqlAlchemyStagingArea(self.engine),
            storage=storage,
            report_prefix=report_prefix,
            batch_runner=self.batch_runner,
            rule_workers=self.rule_workers,
        )

    # The API's view of the broker (see broker_entrypoints.api.services.ApiServices).
    @property
    def download_verifier(self) -> LocalFileStorage | None:
        return self.storage if isinstance(self.storage, LocalFileStorage) else None

    @property
    def cors_origins(self) -> tuple[str, ...]:
        return self.config.cors_origins

    @property
    def cas_parent_group(self) -> str:
        return self.config.cas_parent_group

    @property
    def trust_proxy(self) -> bool:
        return self.config.trust_proxy

    def start_local_worker(self) -> None:
        """Local mode: start the in-process worker thread and pick up outstanding work."""
        if isinstance(self.queue, InProcessQueue):
            self.queue.start()
            self.tasks.recover()

    def close(self) -> None:
        if isinstance(self.queue, InProcessQueue):
            self.queue.stop()
        if isinstance(self.batch_runner, ProcessBatchRunner):
            self.batch_runner.close()
        self.engine.dispose()


def bootstrap(config: Config, *, queue_mode: QueueMode = "thread", migrate: bool = True) -> Broker:
    """Wire the adapters the configuration names.

    ``queue_mode`` applies to the in-process queue only: ``thread`` runs tasks on
    a worker thread (``broker serve``), ``inline`` runs them in the caller (CLI,
    RQ workers). With a ``redis://`` queue every process enqueues to RQ.
    """
    start_mappers()
    engine = make_engine(config.database_url)
    if migrate:
        upgrade(engine)
    uow_factory = SqlAlchemyUnitOfWorkFactory(engine)
    clock = SystemClock()
    award_data = SqlAlchemyAwardData(engine)
    storage = _storage(config)
    # The queue calls back into the generation service, which itself needs the
    # queue: bind the handler late.
    handler_box: list[Callable[[Task], None]] = []

    def handle(task: Task) -> None:
        handler_box[0](task)

    queue = _queue(config, queue_mode, handle)
    generation = GenerationService(
        uow_factory=uow_factory,
        storage=storage,
        queue=queue,
        clock=clock,
        award_data=award_data,
        url_expiry=config.url_expiry,
        task_locks=SqlAlchemyTaskLocks(engine),
        job_reader=_job_reader(config, engine),
    )
    concurrency = _validation_concurrency(config, engine)
    staging = SqlAlchemyStagingArea(engine)
    validation_jobs = ValidationJobService(
        uow_factory=uow_factory,
        storage=storage,
        queue=queue,
        clock=clock,
        file_validation=FileValidationService(
            staging=staging, storage=storage, report_prefix=REPORT_PREFIX, **concurrency
        ),
        cross_file_validation=CrossFileValidationService(
            staging=staging, storage=storage, report_prefix=REPORT_PREFIX
        ),
        task_locks=generation.task_locks,
    )
    submission_files = SubmissionGenerationService(
        uow_factory=uow_factory,
        storage=storage,
        clock=clock,
        generation=generation,
        files=SqlAlchemySubmissionFiles(engine),
        url_expiry=config.url_expiry,
        task_locks=generation.task_locks,
    )
    tasks = TaskRouter(uow_factory, queue, generation, validation_jobs, submission_files)
    handler_box.append(tasks.run)
    return Broker(
        config=config,
        engine=engine,
        storage=storage,
        queue=queue,
        generation=generation,
        auth=AuthService(
            uow_factory=uow_factory,
            hasher=Argon2PasswordHasher(),
            clock=clock,
            throttle=LoginThrottle(SqlAlchemyLoginAttempts(engine), clock, _login_limits(config)),
            session_cache_seconds=config.session_cache_ms / 1000,
        ),
        loads=LoadService(store=award_data),
        award_data=award_data,
        fpds_loads=FpdsLoadService(store=SqlAlchemyProcurementStore(engine, award_data), clock=clock),
        identity_provider=CasIdentityProvider(config.cas_url, timeout=config.cas_timeout),
        submission_views=SubmissionViews(
            uow_factory=uow_factory,
            storage=storage,
            obligation_totals=SqlAlchemyObligationTotals(engine),
            url_expiry=config.url_expiry,
            report_prefix=REPORT_PREFIX,
        ),
        tasks=tasks,
        submission_files=submission_files,
        submission_uploads=SubmissionUploadService(
            uow_factory=uow_factory,
            storage=storage,
            queue=queue,
            clock=clock,
            upload_credentials=_upload_credentials(config, storage),
            local_mode=config.is_local_storage,
            max_upload_bytes=config.max_upload_bytes,
        ),
        submissions=SubmissionService(
            uow_factory=uow_factory,
            storage=storage,
            queue=queue,
            clock=clock,
            url_expiry=config.url_expiry,
            report_prefix=REPORT_PREFIX,
        ),
        **concurrency,
    )


def _login_limits(config: Config) -> LoginLimits:
    return LoginLimits(
        max_failures_per_account=config.login_max_failures_per_account,
        max_failures_per_address=config.login_max_failures_per_address,
        window=dt.timedelta(seconds=config.login_window_seconds),
    )


def _job_reader(config: Config, engine: Engine) -> JobReader:
    reader = SqlAlchemyJobReader(engine)
    if config.job_cache_ms <= 0:
        return reader
    return EndedJobCache(reader, seconds=config.job_cache_ms / 1000)


def _validation_concurrency(config: Config, engine: Engine) -> dict[str, Any]:
    """PostgreSQL takes batches from several processes and runs rule queries side by side.

    SQLite has one writer at a time, so its batches are staged in line; its rule queries are
    read ahead two at a time (the database work releases the GIL).
    """
    workers = config.validation_workers
    if is_sqlite(engine) or workers <= 1:
        return {"batch_runner": SerialBatchRunner(), "rule_workers": 2}
    return {"batch_runner": ProcessBatchRunner(workers), "rule_workers": workers}


def _storage(config: Config) -> FileStorage:
    if config.is_local_storage:
        return LocalFileStorage(
            config.storage_root, public_base_url=config.public_url, secret_key=config.secret_key
        )
    if config.storage_url.startswith("s3://"):
        from broker_adapters.s3_storage import S3FileStorage  # needs the [s3] extra

        return S3FileStorage.from_url(config.storage_url, endpoint_url=config.s3_endpoint_url)
    raise ValueError(f"BROKER_STORAGE_URL={config.storage_url!r}: use file:///path or s3://bucket/prefix")


def _upload_credentials(config: Config, storage: FileStorage) -> UploadCredentials:
    """Local storage: files come through /v1/local_upload/. S3: STS credentials for the bucket."""
    if isinstance(storage, LocalFileStorage):
        return LocalUploadCredentials(storage.root)
    from broker_adapters.s3_storage import S3FileStorage
    from broker_adapters.s3_upload_credentials import S3UploadCredentials  # needs the [s3] extra

    if not isinstance(storage, S3FileStorage):
        raise ValueError(f"no upload credentials for {type(storage).__name__}")
    return S3UploadCredentials.for_storage(
        storage, role_arn=config.upload_role_arn, endpoint_url=config.s3_endpoint_url
    )


def _queue(config: Config, mode: QueueMode, handle: Callable[[Task], None]) -> Any:
    if config.is_local_queue:
        return InProcessQueue(handle) if mode == "thread" else InlineQueue(handle)
    if config.queue_url.startswith(("redis://", "rediss://")):
        from broker_adapters.rq_queue import RqJobQueue  # needs the [rq] extra

        return RqJobQueue(
            config.queue_url,
            job_timeout=config.job_timeout,
            retries=config.job_retries,
            worker_ttl=config.worker_ttl,
        )
    raise ValueError(f"BROKER_QUEUE_URL={config.queue_url!r}: use inprocess or redis://host:port/db")

"""The generation use cases, end to end over in-memory fakes."""

from __future__ import annotations

import datetime as dt
import logging

import pytest

from broker_core.errors import GenerationFailed, RequestInvalid
from broker_core.file_types import FileType
from broker_core.jobs import Job, JobStatus
from broker_core.queueing import TaskKind
from broker_core.records import RenderedAwardRow
from broker_core.services.generation import GenerationService

from .fakes import FakeAwardData, FakeClock, FakeQueue, FakeStorage, FakeUnitOfWorkFactory

D1_REQUEST = {"file_type": "D1", "cgac_code": "020", "start": "01/01/2017", "end": "01/31/2017"}


@pytest.fixture
def parts() -> tuple[GenerationService, FakeQueue, FakeStorage, FakeAwardData, FakeClock]:
    queue, storage, data, clock = FakeQueue(), FakeStorage(), FakeAwardData(), FakeClock()
    data.load_date = clock.today()
    for day, agency in ((dt.date(2017, 1, 1), "020"), (dt.date(2017, 1, 31), "020"),
                        (dt.date(2017, 2, 1), "020"), (dt.date(2017, 1, 15), "097")):  # fmt: skip
        data.rows[FileType.D1].append(
            RenderedAwardRow(
                unique_key=f"{agency}-{day}",
                action_date=day,
                awarding_agency_code=agency,
                funding_agency_code="097",
                line=f"{agency}-{day},x\n",
            )
        )
    service = GenerationService(FakeUnitOfWorkFactory(), storage, queue, clock, data)
    return service, queue, storage, data, clock


def _work(service: GenerationService, queue: FakeQueue) -> None:
    while queue.tasks:
        service.run(queue.tasks.pop(0))


def test_d1_request_waits_then_finishes_with_the_rows_in_range(parts) -> None:
    service, queue, storage, _, _ = parts
    first = service.request_detached(D1_REQUEST, user_id=1)
    assert (first.status, first.url, first.file_type) == ("waiting", "#", "D1")
    assert (first.start, first.end, first.message) == ("01/01/2017", "01/31/2017", "")
    _work(service, queue)
    done = service.detached_status(first.job_id)
    assert done.status == "finished"
    ((key, content),) = storage.objects.items()
    assert done.size == len(content)
    assert done.url.startswith("https://files.example/")
    lines = content.decode().splitlines()
    assert lines[0].startswith("ContractTransactionUniqueKey,PrimeAwardUniqueKey,PIID,")
    assert lines[1:] == ["020-2017-01-01,x", "020-2017-01-31,x"]
    assert key.endswith(f"File-D1_20170101_20170131_awarding_{int(parts[4].now().timestamp())}.csv")


def test_identical_request_reuses_the_cached_file(parts) -> None:
    service, queue, storage, data, _ = parts
    first = service.request_detached(D1_REQUEST, user_id=1)
    _work(service, queue)
    second = service.request_detached(D1_REQUEST, user_id=2)
    assert second.status == "finished" and second.job_id != first.job_id
    assert not queue.tasks and data.reads == 1 and len(storage.objects) == 1


def test_identical_requests_while_running_share_one_generation(parts) -> None:
    service, queue, storage, data, _ = parts
    a = service.request_detached(D1_REQUEST, user_id=1)
    b = service.request_detached(D1_REQUEST, user_id=2)
    assert len(queue.tasks) == 1
    _work(service, queue)
    assert service.detached_status(a.job_id).status == service.detached_status(b.job_id).status == "finished"
    assert data.reads == 1 and len(storage.objects) == 1


@pytest.mark.parametrize(
    "change",
    [
        {"agency_type": "funding"},
        {"file_format": "txt"},
        {"cgac_code": "097"},
        {"element_numbers": True},
        {"end": "01/30/2017"},
    ],
)
def test_a_different_request_gets_its_own_file(parts, change) -> None:
    service, queue, storage, _, _ = parts
    service.request_detached(D1_REQUEST, user_id=1)
    _work(service, queue)
    service.request_detached(D1_REQUEST | change, user_id=1)
    assert len(queue.tasks) == 1
    _work(service, queue)
    assert len(storage.objects) == 2


def test_d1_cache_goes_stale_after_a_procurement_load(parts) -> None:
    service, queue, _, data, clock = parts
    service.request_detached(D1_REQUEST, user_id=1)
    _work(service, queue)
    clock.advance(days=1)
    data.load_date = clock.today()
    service.request_detached(D1_REQUEST, user_id=1)
    assert len(queue.tasks) == 1


def test_failed_generation_fails_every_waiting_job_with_a_message_and_uncaches(parts) -> None:
    service, queue, storage, _, _ = parts
    storage.fail_with = GenerationFailed("The storage is full")
    a = service.request_detached(D1_REQUEST, user_id=1)
    b = service.request_detached(D1_REQUEST, user_id=2)
    _work(service, queue)
    for job_id in (a.job_id, b.job_id):
        status = service.detached_status(job_id)
        assert (status.status, status.message, status.url) == ("failed", "The storage is full", "#")
    assert storage.objects == {}
    storage.fail_with = None
    retry = service.request_detached(D1_REQUEST, user_id=1)
    assert retry.status == "waiting" and len(queue.tasks) == 1


def test_unexpected_error_gives_a_readable_message(parts) -> None:
    service, queue, storage, _, _ = parts
    storage.fail_with = ZeroDivisionError("boom")
    job = service.request_detached(D1_REQUEST, user_id=1)
    _work(service, queue)
    status = service.detached_status(job.job_id)
    assert status.status == "failed" and "boom" not in status.message and status.message


def test_queue_failure_leaves_the_job_waiting_for_the_sweep(parts, caplog) -> None:
    service, queue, storage, _, _ = parts
    queue.broken = True
    with caplog.at_level(logging.ERROR, logger="broker_core.services.generation"):
        status = service.request_detached(D1_REQUEST, user_id=1)
    assert (status.status, status.message) == ("waiting", "")
    assert not queue.tasks
    assert any("could not enqueue" in r.getMessage() for r in caplog.records)

    with pytest.raises(ConnectionError):  # still down: the sweep fails, the job keeps waiting
        service.sweep()
    assert service.detached_status(status.job_id).status == "waiting"

    queue.broken = False  # the queue is back
    assert service.sweep() == 1
    assert service.sweep() == 0  # already queued: not twice
    _work(service, queue)
    assert service.detached_status(status.job_id).status == "finished"
    assert len(storage.objects) == 1
    assert service.sweep() == 0


def test_sweep_leaves_queued_and_running_tasks_alone(parts) -> None:
    service, queue, _, _, _ = parts
    service.request_detached(D1_REQUEST, user_id=1)
    service.request_detached({"file_type": "A", "cgac_code": "020", "year": 2017, "period": 6}, 1)
    assert len(queue.tasks) == 2
    assert service.sweep() == 0
    assert len(queue.tasks) == 2

    queue.running.update(queue.tasks)  # live workers took them and are still at it
    queue.tasks.clear()
    assert service.sweep() == 0
    assert not queue.tasks


class _WorkerKilled(BaseException):
    """Stands for SIGKILL: nothing in the service gets to handle it."""


def test_sweep_requeues_the_task_of_a_dead_worker_and_the_rerun_finishes(parts, monkeypatch) -> None:
    service, queue, storage, _, _ = parts
    first = service.request_detached(D1_REQUEST, user_id=1)
    a_file = service.request_detached({"file_type": "A", "cgac_code": "020", "year": 2017, "period": 6}, 1)
    tasks = list(queue.tasks)
    queue.tasks.clear()

    def killed(key, chunks):
        raise _WorkerKilled

    monkeypatch.setattr(storage, "write", killed)
    for task in tasks:  # each worker dies halfway through its task
        queue.running.add(task)
        with pytest.raises(_WorkerKilled):
            service.run(task)
    with service.uow_factory() as uow:  # the API says "waiting"; the rows say running
        assert {uow.jobs.get(j.job_id).status for j in (first, a_file)} == {JobStatus.RUNNING}
    assert service.sweep() == 0  # their workers still look alive

    queue.running.clear()  # their heartbeats are gone
    monkeypatch.undo()
    assert service.sweep() == 2
    assert {t.kind for t in queue.tasks} == {TaskKind.GENERATE_D_FILE, TaskKind.GENERATE_A_FILE}
    _work(service, queue)
    assert service.detached_status(first.job_id).status == "finished"
    assert service.detached_status(a_file.job_id).status == "finished"
    assert service.sweep() == 0


def test_sweep_ignores_finished_and_failed_work(parts) -> None:
    service, queue, storage, _, _ = parts
    service.request_detached(D1_REQUEST, user_id=1)
    _work(service, queue)
    storage.fail_with = GenerationFailed("The storage is full")
    failed = service.request_detached(D1_REQUEST | {"cgac_code": "097"}, user_id=1)
    _work(service, queue)
    assert service.detached_status(failed.job_id).status == "failed"
    assert service.sweep() == 0
    assert not queue.tasks


def test_recover_requeues_outstanding_work_and_running_twice_is_harmless(parts) -> None:
    service, queue, storage, _, _ = parts
    job = service.request_detached(D1_REQUEST, user_id=1)
    queue.tasks.clear()  # the process died before a worker took the task
    assert service.recover() == 1
    task = queue.tasks[0]
    assert task.kind is TaskKind.GENERATE_D_FILE
    _work(service, queue)
    service.run(task)  # a duplicate delivery changes nothing
    assert service.detached_status(job.job_id).status == "finished"
    assert len(storage.objects) == 1
    assert service.recover() == 0


def test_unknown_job_is_invalid_not_an_error(parts) -> None:
    service, *_ = parts
    status = service.detached_status("-1")
    assert (status.status, status.message) == ("invalid", "No generation job found with the specified ID")


def test_bad_request_is_refused_before_anything_is_stored(parts) -> None:
    service, queue, *_ = parts
    with pytest.raises(RequestInvalid, match="requires CGAC or FR Entity Code"):
        service.request_detached({"file_type": "D1", "start": "01/01/2017", "end": "01/31/2017"}, user_id=1)
    assert not queue.tasks


def test_file_url_for_detached_jobs_only(parts) -> None:
    service, queue, *_ = parts
    job = service.request_detached(D1_REQUEST, user_id=1)
    assert service.detached_file_url(job.job_id) == "#"
    _work(service, queue)
    assert service.detached_file_url(str(job.job_id)).startswith("https://files.example/")
    with pytest.raises(RequestInvalid, match=r"This job does not exist\."):
        service.detached_file_url(999)


def test_status_and_link_read_the_job_through_the_job_reader(parts) -> None:
    """Status checks are polled: they read through the (adapter's cheap) reader, not a unit of work."""
    service, queue, *_ = parts
    job = service.request_detached(D1_REQUEST, user_id=1)
    _work(service, queue)
    read: list[int] = []

    class CountingReader:
        def get(self, job_id: int) -> Job | None:
            read.append(job_id)
            with service.uow_factory() as uow:
                return uow.jobs.get(job_id)

    service.job_reader = CountingReader()
    assert service.detached_status(job.job_id).status == "finished"
    assert service.detached_file_url(job.job_id).startswith("https://files.example/")
    assert service.detached_status(2**31).status == "invalid"  # never reaches the database
    assert read == [job.job_id, job.job_id]


def test_a_generation_names_the_file_for_the_period(parts) -> None:
    service, queue, storage, _, clock = parts
    status = service.request_detached({"file_type": "A", "cgac_code": "020", "year": 2017, "period": 6}, 1)
    assert status.status == "waiting" and "start" not in {
        k for k, v in vars_of(status).items() if v is not None
    }
    _work(service, queue)
    done = service.detached_status(status.job_id)
    assert done.status == "finished"
    (key,) = storage.objects
    assert key.endswith(f"File-A_FY17P06_{int(clock.now().timestamp())}.csv")
    assert storage.objects[key].decode().startswith("AllocationTransferAgencyIdentifier,AgencyIdentifier,")


def vars_of(status: object) -> dict[str, object]:
    import attrs

    return attrs.asdict(status)  # type: ignore[arg-type]

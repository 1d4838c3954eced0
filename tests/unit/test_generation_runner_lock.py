"""A task runs in one place at a time: a second runner steps aside and leaves the job alone."""

from __future__ import annotations

import datetime as dt

from broker_core.file_types import FileType
from broker_core.queueing import ThreadTaskLocks
from broker_core.records import RenderedAwardRow
from broker_core.services.generation import GenerationService

from .fakes import FakeAwardData, FakeClock, FakeQueue, FakeStorage, FakeUnitOfWorkFactory

D1_REQUEST = {"file_type": "D1", "cgac_code": "020", "start": "01/01/2017", "end": "01/31/2017"}


def _service() -> tuple[GenerationService, FakeQueue, FakeStorage, ThreadTaskLocks]:
    queue, storage, data, clock, locks = (
        FakeQueue(),
        FakeStorage(),
        FakeAwardData(),
        FakeClock(),
        ThreadTaskLocks(),
    )
    data.load_date = clock.today()
    day = dt.date(2017, 1, 5)
    data.rows[FileType.D1].append(
        RenderedAwardRow(
            unique_key="k",
            action_date=day,
            awarding_agency_code="020",
            funding_agency_code="020",
            line="k,x\n",
        )
    )
    service = GenerationService(FakeUnitOfWorkFactory(), storage, queue, clock, data, task_locks=locks)
    return service, queue, storage, locks


def test_a_task_held_by_another_runner_is_left_to_it() -> None:
    service, queue, storage, locks = _service()
    status = service.request_detached(D1_REQUEST, user_id=1)
    (task,) = queue.tasks

    with locks.hold(task) as held:
        assert held
        service.run(task)  # another worker is on it: nothing is written, nothing is failed
        assert storage.objects == {}
        assert service.detached_status(status.job_id).status == "waiting"

    service.run(task)  # the holder went away (e.g. it died): the next run does the work
    assert service.detached_status(status.job_id).status == "finished"
    assert len(storage.objects) == 1

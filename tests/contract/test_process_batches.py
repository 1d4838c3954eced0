"""The process batch runner, and validations staged from worker processes, on SQLite and PostgreSQL.

A file validated with batches prepared and staged by worker processes must give exactly what the
in-line runner gives: the same outcome, the same reports byte for byte. A failure in a worker (an
error, or the worker killed) fails the validation without leaving staged rows, and the runner
starts a fresh pool for the next file.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

import pytest
from sqlalchemy import func, select

from broker_adapters.local_storage import LocalFileStorage
from broker_adapters.process_batches import ProcessBatchRunner
from broker_adapters.sqlalchemy.validation.staging import SqlAlchemyStagingArea
from broker_core.file_types import FileType
from broker_core.validation.ports import SerialBatchRunner
from broker_core.validation.run import ValidationRun
from broker_core.validation.service import FileValidationService

from . import parallel_tasks
from .conftest import Adapter
from .validation_helpers import cars, csv_file, make_run, tas_parts


@pytest.fixture(scope="module")
def runner() -> Iterator[ProcessBatchRunner]:
    pool = ProcessBatchRunner(workers=2)
    yield pool
    pool.close()


def test_results_come_back_in_order(runner: ProcessBatchRunner) -> None:
    assert list(runner.map(parallel_tasks.square, range(50))) == [n * n for n in range(50)]


def test_a_single_item_runs_in_the_calling_process(runner: ProcessBatchRunner) -> None:
    assert list(runner.map(parallel_tasks.worker_pid, [0])) == [os.getpid()]
    assert os.getpid() not in set(runner.map(parallel_tasks.worker_pid, range(8)))


def test_an_error_in_a_worker_reaches_the_caller_in_its_place(runner: ProcessBatchRunner) -> None:
    results = runner.map(parallel_tasks.fail_on_three, range(10))
    assert [next(results) for _ in range(3)] == [0, 1, 2]
    with pytest.raises(ValueError, match="three is not allowed"):
        next(results)
    assert list(runner.map(parallel_tasks.square, range(4))) == [0, 1, 4, 9]


def test_a_killed_worker_breaks_the_run_and_the_next_run_gets_a_new_pool() -> None:
    runner = ProcessBatchRunner(workers=2)
    try:
        with pytest.raises(BrokenProcessPool):
            list(runner.map(parallel_tasks.die_on_three, range(10)))
        assert list(runner.map(parallel_tasks.square, range(5))) == [0, 1, 4, 9, 16]
    finally:
        runner.close()


# ----------------------------------------------------------------------------- validations


def file_c_rows(count: int) -> tuple[dict[str, str | None], ...]:
    rows: list[dict[str, str | None]] = []
    for n in range(count):
        row: dict[str, str | None] = {**tas_parts(), "object_class": "2510", "piid": f"P{n}",
                                      "by_direct_reimbursable_fun": "D", "disaster_emergency_fund_code": "Q",
                                      "transaction_obligated_amou": f"{n}.25"}  # fmt: skip
        if n % 7 == 3:
            row["transaction_obligated_amou"] = "not a number"
        if n % 11 == 5:
            row["object_class"] = "999"
        rows.append(row)
    return tuple(rows)


def validate(
    adapter: Adapter, tmp_path: Path, name: str, runner: object, data: bytes, run: ValidationRun
) -> tuple[object, dict[str, bytes]]:
    storage = LocalFileStorage(tmp_path / name, public_base_url="http://test/", secret_key=b"k")
    service = FileValidationService(
        staging=SqlAlchemyStagingArea(adapter.engine), storage=storage, batch_runner=runner, batch_size=7
    )  # type: ignore[arg-type]
    outcome = service.validate([data], "c.csv", run)
    reports = {p.name: p.read_bytes() for p in (tmp_path / name).rglob("*.csv")}
    return outcome, reports


def staged_rows(adapter: Adapter, run: ValidationRun) -> int:
    table = SqlAlchemyStagingArea.table(run.file_type)
    with adapter.engine.connect() as conn:
        return conn.execute(select(func.count()).where(table.c.job_id == run.job_id)).scalar_one()


def test_parallel_staging_gives_the_same_outcome_and_reports(
    adapter: Adapter, tmp_path: Path, runner: ProcessBatchRunner
) -> None:
    cars(adapter)
    data = csv_file(FileType.C, file_c_rows(120))
    run = make_run(FileType.C)
    serial, serial_reports = validate(adapter, tmp_path, "serial", SerialBatchRunner(), data, run)
    parallel, parallel_reports = validate(adapter, tmp_path, "parallel", runner, data, run)
    assert parallel == serial
    assert parallel_reports == serial_reports
    assert serial.totals.number_of_errors > 0  # type: ignore[attr-defined]
    assert staged_rows(adapter, run) == 120 - len(range(3, 120, 7))  # type errors are not staged


def test_a_worker_killed_mid_file_fails_the_validation_and_leaves_nothing_staged(
    adapter: Adapter, tmp_path: Path
) -> None:
    data = csv_file(FileType.C, file_c_rows(60))
    run = make_run(FileType.C)
    runner = KillingRunner(workers=2)
    try:
        with pytest.raises(BrokenProcessPool):
            validate(adapter, tmp_path, "killed", runner, data, run)
        assert staged_rows(adapter, run) == 0
        outcome, _ = validate(adapter, tmp_path, "again", runner, data, run)  # a fresh pool
        assert staged_rows(adapter, run) == 60 - len(range(3, 60, 7))
        assert outcome.number_of_rows == 60  # type: ignore[attr-defined]
    finally:
        runner.close()


class KillingRunner(ProcessBatchRunner):
    """Kills a worker on the third batch of its first file."""

    def __init__(self, workers: int) -> None:
        super().__init__(workers)
        self.files = 0

    def map(self, fn, items):  # type: ignore[no-untyped-def]
        self.files += 1
        if self.files > 1:
            yield from super().map(fn, items)
            return
        yield from super().map(_KillOnThird(fn), enumerate(items))


class _KillOnThird:
    def __init__(self, fn: object) -> None:
        self.fn = fn

    def __call__(self, item: tuple[int, object]) -> object:
        index, raw = item
        if index == 2:
            parallel_tasks.die_on_three(3)
        return self.fn(raw)  # type: ignore[operator]


def test_workers_leave_when_the_process_that_started_them_dies(tmp_path: Path) -> None:
    import multiprocessing
    import time

    pid_file = tmp_path / "pids"
    owner = multiprocessing.get_context("spawn").Process(
        target=parallel_tasks.start_pool_and_die, args=(str(pid_file),)
    )
    owner.start()
    owner.join(60)
    pids = [int(p) for p in pid_file.read_text().split()]
    assert pids  # at least one worker took a batch
    deadline = time.monotonic() + 15
    while any(_alive(pid) for pid in pids) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not any(_alive(pid) for pid in pids)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie is gone for good; only its parent (here: init) has not reaped it yet.
    with open(f"/proc/{pid}/stat") as stat:
        return stat.read().split(") ", 1)[1][0] != "Z"

"""Contract of the LoginAttemptLog port (login rate limiting), on every database and the in-memory fake."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import inspect

from broker_adapters.sqlalchemy.engine import make_engine
from broker_adapters.sqlalchemy.login_attempts import SqlAlchemyLoginAttempts
from broker_adapters.sqlalchemy.migrate import alembic_config, current_revision, upgrade
from broker_core.errors import TooManyLoginAttempts
from broker_core.login_throttle import LoginAttemptLog, LoginLimits, LoginThrottle
from tests.unit.fakes import FakeClock, InMemoryLoginAttempts

from .conftest import ADAPTERS, Adapter, fresh_database_url

T0 = dt.datetime(2024, 5, 1, 12, 0, 0, 250000)
ANN = "account:ann@example.com"
ADDR = "address:10.0.0.1"


@pytest.fixture(params=[*ADAPTERS, "memory"])
def log(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[LoginAttemptLog]:
    if request.param == "memory":
        yield InMemoryLoginAttempts()
        return
    engine = make_engine(fresh_database_url(request.param, tmp_path, request))
    upgrade(engine)
    try:
        yield SqlAlchemyLoginAttempts(engine)
    finally:
        engine.dispose()


def at(seconds: float) -> dt.datetime:
    return T0 + dt.timedelta(seconds=seconds)


def test_failures_are_recorded_per_subject_oldest_first_with_their_times(log: LoginAttemptLog) -> None:
    assert log.failures(ANN, T0) == []
    log.record([ANN, ADDR], at(2), forget_before=T0)
    log.record([ANN], at(1), forget_before=T0)
    log.record([ADDR], at(3), forget_before=T0)
    assert log.failures(ANN, T0) == [at(1), at(2)]  # microseconds kept
    assert log.failures(ADDR, T0) == [at(2), at(3)]
    assert log.failures(ANN, at(2)) == [at(2)]  # since is inclusive
    assert log.failures("account:other@example.com", T0) == []


def test_the_same_subject_and_time_may_fail_twice(log: LoginAttemptLog) -> None:
    log.record([ANN], T0, forget_before=T0)
    log.record([ANN], T0, forget_before=T0)
    assert log.failures(ANN, T0) == [T0, T0]


def test_record_forgets_every_subjects_failures_older_than_the_cutoff(log: LoginAttemptLog) -> None:
    log.record([ANN, ADDR], at(0), forget_before=T0)
    log.record([ANN], at(10), forget_before=T0)
    log.record(["address:10.0.0.2"], at(20), forget_before=at(10))
    assert log.failures(ANN, dt.datetime(2000, 1, 1)) == [at(10)]
    assert log.failures(ADDR, dt.datetime(2000, 1, 1)) == []
    log.record([], at(30), forget_before=at(30))  # nothing to record: still forgets
    assert log.failures("address:10.0.0.2", dt.datetime(2000, 1, 1)) == []


def test_clear_forgets_one_subject(log: LoginAttemptLog) -> None:
    log.record([ANN, ADDR], T0, forget_before=T0)
    log.clear(ANN)
    log.clear("account:nobody@example.com")
    assert log.failures(ANN, T0) == []
    assert log.failures(ADDR, T0) == [T0]


def test_two_throttles_over_one_database_share_the_counts(adapter: Adapter) -> None:
    """As two API processes do: one's failures lock the account for the other."""
    clock = FakeClock(T0)
    limits = LoginLimits(max_failures_per_account=2, window=dt.timedelta(seconds=60))
    first = LoginThrottle(SqlAlchemyLoginAttempts(adapter.engine), clock, limits)
    second = LoginThrottle(SqlAlchemyLoginAttempts(adapter.engine), clock, limits)
    first.failed(account="ann@example.com", address="10.0.0.1")
    second.failed(account="ANN@example.com", address="10.0.0.2")
    with pytest.raises(TooManyLoginAttempts) as refused:
        first.check(account="ann@example.com")
    assert refused.value.retry_after == 60
    second.succeeded(account="ann@example.com")
    first.check(account="ann@example.com")


def test_concurrent_records_all_count(adapter: Adapter) -> None:
    log = SqlAlchemyLoginAttempts(adapter.engine)
    errors: list[BaseException] = []

    def fail(i: int) -> None:
        try:
            for _ in range(5):
                log.record([ANN, f"address:10.0.0.{i}"], at(i), forget_before=T0)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=fail, args=(i,)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(log.failures(ANN, T0)) == 20


def test_migration_0008_downgrades_and_upgrades_again(adapter: Adapter) -> None:
    SqlAlchemyLoginAttempts(adapter.engine).record([ANN], T0, forget_before=T0)
    head = current_revision(adapter.engine)
    command.downgrade(alembic_config(adapter.engine), "0007")
    assert current_revision(adapter.engine) == "0007"
    assert "login_attempt" not in inspect(adapter.engine).get_table_names()
    upgrade(adapter.engine)
    assert current_revision(adapter.engine) == head
    assert SqlAlchemyLoginAttempts(adapter.engine).failures(ANN, T0) == []

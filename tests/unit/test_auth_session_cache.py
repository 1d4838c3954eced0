"""The in-process cache of authenticated sessions: logout and expiry still take effect at once."""

from __future__ import annotations

import time

import pytest

from broker_core.errors import LoginRequired
from broker_core.services.auth import AuthService
from broker_core.users import SESSION_LIFETIME

from .fakes import FakeClock, FakeUnitOfWorkFactory, PlainHasher

EMAIL, PASSWORD = "ann@example.com", "secret"


def _service(clock: FakeClock, seconds: float = 2.0) -> tuple[AuthService, FakeUnitOfWorkFactory]:
    factory = FakeUnitOfWorkFactory()
    service = AuthService(
        uow_factory=factory, hasher=PlainHasher(), clock=clock, session_cache_seconds=seconds
    )
    service.add_user(EMAIL, "Ann", PASSWORD)
    return service, factory


def test_a_remembered_session_is_not_read_again() -> None:
    service, factory = _service(FakeClock())
    uid = service.login({"username": EMAIL, "password": PASSWORD}).session_uid
    assert service.authenticate(uid).email == EMAIL
    factory.store.sessions.clear()  # the database forgets it: the cache still answers
    assert service.authenticate(uid).email == EMAIL


def test_the_cache_is_short_lived() -> None:
    service, factory = _service(FakeClock(), seconds=0.05)
    uid = service.login({"username": EMAIL, "password": PASSWORD}).session_uid
    service.authenticate(uid)
    factory.store.sessions.clear()  # e.g. a logout through another API process
    time.sleep(0.06)
    with pytest.raises(LoginRequired):
        service.authenticate(uid)


def test_logout_takes_effect_at_once() -> None:
    service, _ = _service(FakeClock())
    uid = service.login({"username": EMAIL, "password": PASSWORD}).session_uid
    service.authenticate(uid)
    service.logout(uid)
    with pytest.raises(LoginRequired):
        service.authenticate(uid)


def test_expiry_is_checked_on_every_request() -> None:
    clock = FakeClock()
    service, _ = _service(clock)
    uid = service.login({"username": EMAIL, "password": PASSWORD}).session_uid
    service.authenticate(uid)
    clock.advance(seconds=SESSION_LIFETIME.total_seconds() + 1)
    with pytest.raises(LoginRequired):
        service.authenticate(uid)


def test_a_request_changing_its_user_does_not_change_the_cache() -> None:
    service, _ = _service(FakeClock())
    uid = service.login({"username": EMAIL, "password": PASSWORD}).session_uid
    service.authenticate(uid).name = "changed"
    assert service.authenticate(uid).name == "Ann"


def test_the_cache_lasts_two_seconds_at_most() -> None:
    with pytest.raises(ValueError):
        AuthService(uow_factory=FakeUnitOfWorkFactory(), hasher=PlainHasher(), clock=FakeClock(),
                    session_cache_seconds=5)  # fmt: skip

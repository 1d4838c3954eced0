"""Login rate limiting: the window logic with a fake clock, and AuthService's use of it."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from broker_core.errors import LoginRequired, TooManyLoginAttempts
from broker_core.identity import Identity
from broker_core.login_throttle import LoginLimits, LoginThrottle
from broker_core.services.auth import AuthService

from .fakes import FakeClock, FakeIdentityProvider, FakeUnitOfWorkFactory, InMemoryLoginAttempts, PlainHasher

LIMITS = LoginLimits(max_failures_per_account=3, max_failures_per_address=5, window=dt.timedelta(seconds=60))
EMAIL = "ann@example.com"
PASSWORD = "right"
SERVICE = "https://broker.example/"


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def log() -> InMemoryLoginAttempts:
    return InMemoryLoginAttempts()


@pytest.fixture
def throttle(log: InMemoryLoginAttempts, clock: FakeClock) -> LoginThrottle:
    return LoginThrottle(log, clock, LIMITS)


@pytest.fixture
def auth(throttle: LoginThrottle, clock: FakeClock) -> AuthService:
    service = AuthService(
        uow_factory=FakeUnitOfWorkFactory(), hasher=PlainHasher(), clock=clock, throttle=throttle
    )
    service.add_user(EMAIL, "Ann", PASSWORD)
    service.add_user("bob@example.com", "Bob", PASSWORD)
    return service


def login(auth: AuthService, password: str, *, user: str = EMAIL, address: str | None = "10.0.0.1") -> str:
    """``ok``, ``401`` or ``429 <retry-after>``."""
    try:
        auth.login({"username": user, "password": password}, client_address=address)
    except TooManyLoginAttempts as exc:
        return f"429 {exc.retry_after}"
    except LoginRequired:
        return "401"
    return "ok"


# --------------------------------------------------------------------------- the window logic


def test_limits_must_be_positive() -> None:
    with pytest.raises(ValueError):
        LoginLimits(max_failures_per_account=0)
    with pytest.raises(ValueError):
        LoginLimits(window=dt.timedelta(0))


def test_an_account_is_locked_at_its_limit_until_the_oldest_failure_leaves_the_window(
    throttle: LoginThrottle, clock: FakeClock
) -> None:
    for _ in range(2):
        throttle.check(account=EMAIL)
        throttle.failed(account=EMAIL)
        clock.advance(seconds=10)
    throttle.check(account=EMAIL)  # two failures: still allowed
    throttle.failed(account=EMAIL)  # failures at t=0, 10, 20; now t=20
    with pytest.raises(TooManyLoginAttempts) as refused:
        throttle.check(account=EMAIL)
    assert refused.value.retry_after == 40  # the failure at t=0 leaves the window at t=60
    assert refused.value.status == 429
    assert refused.value.message == "Too many failed login attempts. Try again in 40 seconds."
    clock.advance(seconds=39.5)
    with pytest.raises(TooManyLoginAttempts) as refused:
        throttle.check(account=EMAIL)
    assert refused.value.retry_after == 1  # never 0: rounded up
    clock.advance(seconds=0.5)
    throttle.check(account=EMAIL)  # t=60: only two failures left in the window


def test_accounts_compare_case_insensitively_and_do_not_share_counts(
    throttle: LoginThrottle, clock: FakeClock
) -> None:
    for name in ("Ann@Example.com", " ann@example.com", "ANN@EXAMPLE.COM"):
        throttle.failed(account=name)
    with pytest.raises(TooManyLoginAttempts):
        throttle.check(account=EMAIL)
    throttle.check(account="bob@example.com")


def test_the_address_limit_spans_accounts_and_the_longest_wait_wins(
    throttle: LoginThrottle, clock: FakeClock
) -> None:
    for i in range(5):
        throttle.failed(account=f"user{i}@example.com", address="10.0.0.9")
        clock.advance(seconds=1)
    with pytest.raises(TooManyLoginAttempts) as refused:
        throttle.check(account="new@example.com", address="10.0.0.9")
    assert refused.value.retry_after == 55
    throttle.check(account="new@example.com", address="10.0.0.10")
    for _ in range(3):
        throttle.failed(account="new@example.com")
        clock.advance(seconds=2)
    with pytest.raises(TooManyLoginAttempts) as refused:
        throttle.check(account="new@example.com", address="10.0.0.9")
    assert refused.value.retry_after == 54  # the account's wait (54 s) is longer than the address's (49 s)


def test_an_unknown_address_is_not_limited(throttle: LoginThrottle) -> None:
    for _ in range(10):
        throttle.failed(address=None)
    throttle.check(address=None)


def test_old_failures_are_forgotten_when_new_ones_are_recorded(
    throttle: LoginThrottle, log: InMemoryLoginAttempts, clock: FakeClock
) -> None:
    throttle.failed(account=EMAIL, address="10.0.0.1")
    clock.advance(seconds=61)
    throttle.failed(account="bob@example.com")
    assert [subject for subject, _ in log.rows] == ["account:bob@example.com"]


# --------------------------------------------------------------------------- AuthService.login


def test_login_is_refused_with_429_even_with_the_right_password_then_allowed_after_the_window(
    auth: AuthService, clock: FakeClock
) -> None:
    assert [login(auth, "wrong") for _ in range(3)] == ["401"] * 3
    assert login(auth, PASSWORD) == "429 60"
    assert login(auth, "wrong") == "429 60"  # refused attempts are not counted: the lock does not grow
    clock.advance(seconds=30)
    assert login(auth, PASSWORD) == "429 30"
    assert login(auth, PASSWORD, user="bob@example.com") == "ok"  # another account, same address
    clock.advance(seconds=30)
    assert login(auth, PASSWORD) == "ok"


def test_a_successful_login_clears_the_accounts_failures(auth: AuthService) -> None:
    assert [login(auth, "wrong") for _ in range(2)] == ["401"] * 2
    assert login(auth, PASSWORD) == "ok"
    assert [login(auth, "wrong") for _ in range(3)] == ["401"] * 3
    assert login(auth, PASSWORD).startswith("429")


def test_unknown_accounts_and_empty_passwords_count_too(auth: AuthService) -> None:
    assert [login(auth, "x", user="nobody@example.com") for _ in range(3)] == ["401"] * 3
    assert login(auth, "x", user="nobody@example.com").startswith("429")
    assert [login(auth, " ", address="10.0.0.3") for _ in range(3)] == ["401"] * 3
    assert login(auth, PASSWORD, address="10.0.0.3").startswith("429")


def test_the_address_limit_locks_every_account_from_that_address(auth: AuthService, clock: FakeClock) -> None:
    for i in range(5):
        assert login(auth, "wrong", user=f"guess{i}@example.com") == "401"
    assert login(auth, PASSWORD) == "429 60"
    assert login(auth, PASSWORD, address="10.0.0.2") == "ok"
    clock.advance(seconds=60)
    assert login(auth, PASSWORD) == "ok"


def test_a_success_does_not_clear_the_addresss_failures(auth: AuthService) -> None:
    for i in range(4):
        assert login(auth, "wrong", user=f"guess{i}@example.com") == "401"
    assert login(auth, PASSWORD) == "ok"
    assert login(auth, "wrong", user="guess9@example.com") == "401"
    assert login(auth, PASSWORD, user="bob@example.com").startswith("429")


def test_missing_fields_are_400_and_not_counted(auth: AuthService) -> None:
    from broker_core.errors import RequestInvalid

    for _ in range(5):
        with pytest.raises(RequestInvalid):
            auth.login({"username": EMAIL}, client_address="10.0.0.1")
    assert login(auth, PASSWORD) == "ok"


def test_without_a_throttle_logins_are_unlimited(clock: FakeClock) -> None:
    auth = AuthService(uow_factory=FakeUnitOfWorkFactory(), hasher=PlainHasher(), clock=clock)
    auth.add_user(EMAIL, "Ann", PASSWORD)
    assert [login(auth, "wrong") for _ in range(10)] == ["401"] * 10
    assert login(auth, PASSWORD) == "ok"


# --------------------------------------------------------------------------- AuthService.max_login


def max_login(
    auth: AuthService, provider: FakeIdentityProvider, ticket: str, address: str = "10.0.0.1"
) -> str:
    try:
        auth.max_login(
            {"ticket": ticket, "service": SERVICE}, provider, parent_group="EX", client_address=address
        )
    except TooManyLoginAttempts as exc:
        return f"429 {exc.retry_after}"
    except LoginRequired:
        return "401"
    return "ok"


def test_refused_max_tickets_count_per_address(auth: AuthService, clock: FakeClock) -> None:
    provider = FakeIdentityProvider()
    who = Identity(email="jane@example.gov", first_name="Jane", middle_name=None, last_name="Doe", groups=())
    provider.grant("ST-good", SERVICE, who)
    assert [max_login(auth, provider, f"ST-bad-{i}") for i in range(4)] == ["401"] * 4
    assert max_login(auth, provider, "") == "401"  # an empty ticket counts too
    assert max_login(auth, provider, "ST-good") == "429 60"
    assert max_login(auth, provider, "ST-good", address="10.0.0.2") == "ok"
    assert login(auth, PASSWORD) == "429 60"  # the address is locked for password logins as well
    clock.advance(seconds=60)
    provider.grant("ST-good-2", SERVICE, who)
    assert max_login(auth, provider, "ST-good-2") == "ok"


# --------------------------------------------------------------------------- configuration and client address


def test_the_limits_come_from_the_environment(tmp_path: Path) -> None:
    from broker_entrypoints.config import load_config

    default = load_config({}, data_dir=tmp_path)
    assert (default.trust_proxy, default.login_max_failures_per_account) == (False, 5)
    assert (default.login_max_failures_per_address, default.login_window_seconds) == (20, 300)
    config = load_config(
        {
            "BROKER_TRUST_PROXY": "true",
            "BROKER_LOGIN_MAX_FAILURES_PER_ACCOUNT": "2",
            "BROKER_LOGIN_MAX_FAILURES_PER_ADDRESS": "7",
            "BROKER_LOGIN_WINDOW_SECONDS": "9",
        },
        data_dir=tmp_path,
    )
    assert (config.trust_proxy, config.login_max_failures_per_account) == (True, 2)
    assert (config.login_max_failures_per_address, config.login_window_seconds) == (7, 9)
    for bad in ({"BROKER_TRUST_PROXY": "maybe"}, {"BROKER_LOGIN_WINDOW_SECONDS": "0"}):
        with pytest.raises(ValueError):
            load_config(bad, data_dir=tmp_path)


@pytest.mark.parametrize(
    ("trust", "forwarded", "expected"),
    [
        (False, "203.0.113.9", "127.0.0.1"),
        (True, None, "127.0.0.1"),
        (True, "203.0.113.9", "203.0.113.9"),
        (True, "10.9.9.9, 203.0.113.9 ", "203.0.113.9"),
        (True, " , ", "127.0.0.1"),
    ],
)
def test_the_client_address(trust: bool, forwarded: str | None, expected: str) -> None:
    import falcon.testing

    from broker_entrypoints.api.middleware import client_address

    headers = {"X-Forwarded-For": forwarded} if forwarded is not None else {}
    req = falcon.Request(falcon.testing.create_environ(headers=headers, remote_addr="127.0.0.1"))
    assert client_address(req, trust_proxy=trust) == expected

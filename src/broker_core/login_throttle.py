"""Login rate limiting: failed logins are counted per account and per client address.

Once an account (or an address) has ``max_failures`` failed logins within the last
``window``, every further login for it is refused with :class:`TooManyLoginAttempts`
(429) until the oldest of those failures leaves the window, even with the right
password. Refused attempts are not counted, so waiting always ends the lock. A
successful password login clears its account's failures (never its address's).

The failures live behind the :class:`LoginAttemptLog` port (a database table in
production), so every API process sees the same counts. The check and the record
are separate steps: requests in flight at the same moment may each be let through
before any of them records its failure, so the limit can be exceeded by at most the
number of concurrent requests, never by sequential ones.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from typing import Protocol

import attrs

from broker_core.errors import TooManyLoginAttempts
from broker_core.ports import Clock

ACCOUNT = "account"
ADDRESS = "address"


class LoginAttemptLog(Protocol):
    """Failed login attempts, shared by every process of the broker.

    A *subject* is an opaque text such as ``account:ann@example.com`` or
    ``address:203.0.113.7``; times are naive UTC.
    """

    def failures(self, subject: str, since: dt.datetime) -> list[dt.datetime]:
        """Times of the failures of ``subject`` at or after ``since``, oldest first."""
        ...

    def record(self, subjects: Sequence[str], at: dt.datetime, *, forget_before: dt.datetime) -> None:
        """Record one failure at ``at`` for each subject, and forget every failure before ``forget_before``."""
        ...

    def clear(self, subject: str) -> None:
        """Forget every failure of ``subject``."""
        ...


@attrs.frozen
class LoginLimits:
    max_failures_per_account: int = 5
    max_failures_per_address: int = 20
    window: dt.timedelta = dt.timedelta(minutes=5)

    def __attrs_post_init__(self) -> None:
        if self.max_failures_per_account < 1 or self.max_failures_per_address < 1:
            raise ValueError("login failure limits must be at least 1")
        if self.window <= dt.timedelta(0):
            raise ValueError("the login failure window must be positive")


def account_subject(username: str) -> str:
    """Accounts are emails, which compare case-insensitively (as ``users.by_email`` does)."""
    return f"{ACCOUNT}:{username.strip().lower()}"


def address_subject(address: str) -> str:
    return f"{ADDRESS}:{address.strip().lower()}"


@attrs.define
class LoginThrottle:
    log: LoginAttemptLog
    clock: Clock
    limits: LoginLimits = attrs.field(factory=LoginLimits)

    def check(self, *, account: str | None = None, address: str | None = None) -> None:
        """Raise :class:`TooManyLoginAttempts` if the account or the address is over its limit.

        ``account`` is the username as sent; ``address`` the client's address (None: unknown).
        """
        now = self.clock.now()
        waits = [self._wait(subject, limit, now) for subject, limit in self._subjects(account, address)]
        longest = max((w for w in waits if w is not None), default=None)
        if longest is not None:
            raise TooManyLoginAttempts(longest)

    def failed(self, *, account: str | None = None, address: str | None = None) -> None:
        """Count one failed login for the account and the address."""
        now = self.clock.now()
        subjects = [subject for subject, _ in self._subjects(account, address)]
        if subjects:
            self.log.record(subjects, now, forget_before=now - self.limits.window)

    def succeeded(self, *, account: str) -> None:
        """A login of ``account`` succeeded: its failures are forgotten."""
        self.log.clear(account_subject(account))

    def _subjects(self, account: str | None, address: str | None) -> list[tuple[str, int]]:
        subjects = []
        if account is not None and account.strip():
            subjects.append((account_subject(account), self.limits.max_failures_per_account))
        if address:
            subjects.append((address_subject(address), self.limits.max_failures_per_address))
        return subjects

    def _wait(self, subject: str, limit: int, now: dt.datetime) -> int | None:
        """Whole seconds until ``subject`` may try again (None: it may now)."""
        start = now - self.limits.window
        # The window is (now - window, now]: a failure exactly one window old no longer counts.
        failures = sorted(at for at in self.log.failures(subject, start) if at > start)
        if len(failures) < limit:
            return None
        # Enough failures leave the window once the one ``limit`` places from the newest does.
        free_at = failures[len(failures) - limit] + self.limits.window
        return max(1, math.ceil((free_at - now).total_seconds()))

"""Local-mode :class:`~broker_core.ports.Clock`: the system clock, in UTC."""

from __future__ import annotations

import datetime as dt


class SystemClock:
    def now(self) -> dt.datetime:
        """The current time as a naive UTC datetime."""
        return dt.datetime.now(dt.UTC).replace(tzinfo=None)

    def today(self) -> dt.date:
        """Today's date in UTC."""
        return self.now().date()

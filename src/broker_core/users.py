"""Users, their agency affiliations, and login sessions."""

from __future__ import annotations

import datetime as dt
import enum

import attrs


class PermissionLevel(enum.Enum):
    # Ordered: a higher id grants everything a lower one does.
    READER = 1
    WRITER = 2
    SUBMITTER = 3

    @property
    def label(self) -> str:
        return self.name.lower()

    @classmethod
    def from_label(cls, label: str) -> PermissionLevel:
        try:
            return cls[label.strip().upper()]
        except KeyError:
            raise ValueError(f"unknown permission {label!r}; use reader, writer or submitter") from None


@attrs.frozen
class Affiliation:
    """A user's permission at one agency (CGAC, 3 characters, or FREC, 4 characters)."""

    agency_code: str
    permission: PermissionLevel


@attrs.define(eq=False)
class User:
    email: str
    name: str
    password_hash: str | None = None
    title: str | None = None
    skip_guide: bool = False
    website_admin: bool = False
    affiliations: list[Affiliation] = attrs.Factory(list)
    user_id: int | None = None


@attrs.define(eq=False)
class Session:
    """A server-side session, found by the ``x-session-id`` header value (``uid``)."""

    uid: str
    expires_at: dt.datetime
    user_id: int | None = None

    def is_live(self, now: dt.datetime) -> bool:
        return self.expires_at > now


SESSION_LIFETIME = dt.timedelta(days=7)

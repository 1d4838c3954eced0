"""Single sign-on through MAX: the identity provider port and the rules applied to what it returns.

MAX (a CAS server) vouches for a user by validating a one-time ticket; it
sends back the user's email, names and MAX group list. The groups under the
broker's parent group decide the user's rights, rebuilt on every login:

* ``<parent>-CGAC_SYS``: website administrator, no affiliations;
* ``<parent>-CGAC_<code>-PERM_<R|W|S>``: reader, writer or submitter at that
  agency (the highest level wins when an agency appears more than once);
* anything else under the parent group is malformed and skipped (and reported,
  so that the caller can log it): one bad group never blocks a login.
"""

from __future__ import annotations

import urllib.parse
from collections.abc import Callable, Iterable
from typing import Protocol

import attrs

from broker_core.users import Affiliation, PermissionLevel

#: What a user sees when MAX cannot be asked (the detail goes to the log).
IDENTITY_PROVIDER_UNREACHABLE = (
    "MAX login is unavailable right now: the broker could not reach MAX. Try again later."
)

#: The group that grants website administration (after the prefix is removed).
ADMIN_GROUP = "SYS"
_PERM_SEPARATOR = "-PERM_"
_LEVELS = {"R": PermissionLevel.READER, "W": PermissionLevel.WRITER, "S": PermissionLevel.SUBMITTER}


class IdentityProviderUnavailable(Exception):
    """The identity provider could not be reached or did not answer like one (not the user's fault)."""

    def __init__(self, detail: str) -> None:
        super().__init__(f"{IDENTITY_PROVIDER_UNREACHABLE} ({detail})")
        self.detail = detail


@attrs.frozen
class Identity:
    """What the identity provider says about a user whose ticket it accepted.

    An attribute the provider did not send (or sent empty) is ``None``; the
    login decides which ones it cannot do without.
    """

    email: str | None
    first_name: str | None
    middle_name: str | None
    last_name: str | None
    groups: tuple[str, ...] = ()


class IdentityProvider(Protocol):
    def validate(self, ticket: str, service: str) -> Identity | None:
        """The identity behind a one-time ``ticket`` issued for ``service``; None when it is refused.

        A ticket is spent by its first validation, accepted or not. Raises
        :class:`IdentityProviderUnavailable` when the provider cannot be asked.
        """
        ...


@attrs.frozen
class SkippedGroup:
    """A group under the parent group that grants nothing, and why."""

    group: str
    reason: str


@attrs.frozen
class GroupRights:
    """The rights a group list grants: admin flag, affiliations (by agency code) and skipped groups."""

    website_admin: bool
    affiliations: tuple[Affiliation, ...]
    skipped: tuple[SkippedGroup, ...] = ()


def split_group_list(text: str | None) -> tuple[str, ...]:
    """MAX's ``GroupList`` (comma-separated) as stripped, non-empty group names."""
    if not text:
        return ()
    return tuple(part.strip() for part in text.split(",") if part.strip())


def display_name(first_name: str, middle_name: str | None, last_name: str) -> str:
    """``First Last``, or ``First M. Last`` when there is a middle name."""
    first, last = first_name.strip(), last_name.strip()
    middle = (middle_name or "").strip()
    if middle:
        return f"{first} {middle[0]}. {last}"
    return f"{first} {last}"


def group_rights(
    groups: Iterable[str], parent_group: str, agency_exists: Callable[[str], bool]
) -> GroupRights:
    """Map a user's MAX groups to website admin and affiliations (see the module docstring).

    Groups outside ``<parent_group>-CGAC_`` belong to other MAX applications
    and are ignored silently. ``agency_exists`` says whether a CGAC/FREC code is
    known; a group naming an unknown agency is skipped.
    """
    prefix = f"{parent_group}-CGAC_"
    ours = [g.strip()[len(prefix) :] for g in groups if g.strip().startswith(prefix)]
    if ADMIN_GROUP in ours:
        # An administrator can do everything: agency rights would only be noise.
        return GroupRights(website_admin=True, affiliations=())
    best: dict[str, PermissionLevel] = {}
    skipped: list[SkippedGroup] = []
    known: dict[str, bool] = {}
    for entry in ours:
        code, separator, letter = entry.partition(_PERM_SEPARATOR)
        level = _LEVELS.get(letter.upper())
        if not separator or not code or level is None:
            skipped.append(SkippedGroup(prefix + entry, f"not {prefix}<agency>-PERM_<R|W|S>"))
            continue
        if code not in known:
            known[code] = agency_exists(code)
        if not known[code]:
            skipped.append(SkippedGroup(prefix + entry, f"unknown agency code {code!r}"))
            continue
        if code not in best or level.value > best[code].value:
            best[code] = level
    affiliations = tuple(Affiliation(code, best[code]) for code in sorted(best))
    return GroupRights(website_admin=False, affiliations=affiliations, skipped=tuple(skipped))


def normalise_service(service: str) -> str:
    """The service URL as MAX issued the ticket for it.

    The broker's web client sends the service URL percent-encoded (``http%3A%2F%2F…``);
    the CAS client encodes it for the query string itself, so an encoded URL is
    decoded once here rather than encoded twice. A plain URL is left alone.
    """
    value = service.strip()
    if "://" not in value:
        decoded = urllib.parse.unquote(value)
        if "://" in decoded:
            return decoded
    return value

"""A stand-in for MAX's CAS server on 127.0.0.1: ``/cas/serviceValidate`` for tickets a test issues.

Like real CAS, a ticket is good for one service and one validation: the first
attempt spends it, whether it succeeds or not. Faults can be scripted in place
of the next answers: an HTTP status, ``"malformed"`` (broken XML with 200),
``"html"`` (a 200 page that is not a CAS answer) or ``"drop"`` (the connection
is closed without an answer).
"""

from __future__ import annotations

import itertools
import secrets
import threading
from collections import deque
from collections.abc import Sequence
from typing import Any
from xml.sax.saxutils import escape

import attrs

from tests.http_stub import Fault, HttpStub

_NS = "http://www.yale.edu/tp/cas"


@attrs.frozen
class Grant:
    """What CAS says about the holder of a ticket; ``None`` leaves an attribute out."""

    service: str
    email: str | None = "max.user@example.gov"
    first_name: str | None = "Max"
    middle_name: str | None = None
    last_name: str | None = "User"
    groups: Sequence[str] | None = ()
    user: str = "max.user"

    def xml(self) -> bytes:
        attributes = [
            ("Email-Address", self.email),
            ("First-Name", self.first_name),
            ("Middle-Name", self.middle_name),
            ("Last-Name", self.last_name),
            ("GroupList", None if self.groups is None else ",".join(self.groups)),
        ]
        inner = "".join(
            f"<cas:{name}>{escape(value)}</cas:{name}>" for name, value in attributes if value is not None
        )
        return (
            f'<cas:serviceResponse xmlns:cas="{_NS}">\n'
            "  <cas:authenticationSuccess>\n"
            f"    <cas:user>{escape(self.user)}</cas:user>\n"
            f"    <cas:attributes>{inner}</cas:attributes>\n"
            "  </cas:authenticationSuccess>\n"
            "</cas:serviceResponse>\n"
        ).encode()


def failure_xml(code: str, text: str) -> bytes:
    return (
        f'<cas:serviceResponse xmlns:cas="{_NS}">\n'
        f'  <cas:authenticationFailure code="{escape(code)}">{escape(text)}</cas:authenticationFailure>\n'
        "</cas:serviceResponse>\n"
    ).encode()


class FakeCas(HttpStub):
    def __init__(self) -> None:
        self.grants: dict[str, Grant] = {}
        self.faults: deque[Fault] = deque()
        self.requests: list[dict[str, str]] = []
        self._serial = itertools.count(1)
        self._lock = threading.Lock()
        super().__init__(
            self._answer,
            content_type="application/xml",
            canned={
                "malformed": b'<cas:serviceResponse xmlns:cas="' + _NS.encode() + b'"><cas:authentica',
                "html": b"<html><body>Service temporarily down</body></html>",
            },
        )

    @property
    def url(self) -> str:
        """The CAS base URL (what ``BROKER_CAS_URL`` is set to)."""
        return f"{self.base_url}/cas"

    def issue(self, service: str, **attributes: Any) -> str:
        """A new ticket for ``service``; ``attributes`` are :class:`Grant` fields."""
        ticket = f"ST-{next(self._serial)}-{secrets.token_urlsafe(12)}-cas.test"
        with self._lock:
            self.grants[ticket] = Grant(service=service, **attributes)
        return ticket

    def fail(self, *faults: Fault) -> None:
        """The next requests (whatever they ask) get these faults, in order."""
        with self._lock:
            self.faults.extend(faults)

    def _answer(self, path: str, params: dict[str, str]) -> tuple[Fault, bytes]:
        with self._lock:
            self.requests.append({"path": path, **params})
            if self.faults:
                return self.faults.popleft(), b""
            if path != "/cas/serviceValidate":
                return 404, b""
            ticket, service = params.get("ticket", ""), params.get("service", "")
            if not ticket or not service:
                return 200, failure_xml(
                    "INVALID_REQUEST", "'service' and 'ticket' parameters are both required"
                )
            grant = self.grants.pop(ticket, None)  # spent by this attempt, whatever its outcome
        if grant is None:
            return 200, failure_xml("INVALID_TICKET", f"Ticket {ticket} not recognized")
        if grant.service != service:
            return 200, failure_xml("INVALID_SERVICE", f"Ticket {ticket} does not match supplied service")
        return 200, grant.xml()


def fake_cas() -> FakeCas:
    """A running :class:`FakeCas`, for a ``with`` block (which stops it)."""
    return FakeCas()

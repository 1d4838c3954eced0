"""Cross-cutting request handling: body size limit, session login check, CORS."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import falcon

from broker_core.services.auth import AuthService
from broker_core.users import User
from broker_entrypoints.api.media import MAX_BODY_BYTES, body_too_large

SESSION_HEADER = "X-Session-ID"
#: How the original spells the header it exposes; header names are case-insensitive anyway.
EXPOSED_HEADERS = "X-Session-Id"
_DEFAULT_ALLOWED_HEADERS = "Content-Type, X-Session-ID"
_PREFLIGHT_MAX_AGE = "86400"


def session_id(req: falcon.Request) -> str | None:
    """The session id the client sent (header names are case-insensitive), if any."""
    value = (req.get_header(SESSION_HEADER) or "").strip()
    return value or None


def client_address(req: falcon.Request, *, trust_proxy: bool = False) -> str | None:
    """The client's address for login limits: the peer's, or behind a trusted proxy the one it saw.

    With ``trust_proxy`` the last ``X-Forwarded-For`` entry counts (the address the one proxy
    in front of the broker appended); earlier entries are the client's own words and ignored.
    """
    if trust_proxy:
        forwarded = [part.strip() for part in (req.get_header("X-Forwarded-For") or "").split(",")]
        forwarded = [part for part in forwarded if part]
        if forwarded:
            return forwarded[-1]
    return req.remote_addr or None


def current_user(req: falcon.Request) -> User:
    """The logged-in user; set by :class:`SessionAuth` on every route that requires a login."""
    user: User = req.context.user
    return user


class RequestLimits:
    """Refuse announced oversized bodies before anything reads them (chunked ones are cut in media).

    A resource that takes larger bodies (a file upload, which it streams) raises the limit with
    a ``max_body_bytes`` attribute and enforces it itself on bodies of unannounced length.
    """

    def process_resource(
        self, req: falcon.Request, resp: falcon.Response, resource: object, params: dict[str, Any]
    ) -> None:
        limit = getattr(resource, "max_body_bytes", MAX_BODY_BYTES)
        length = req.content_length
        if length is not None and length > limit:
            if limit == MAX_BODY_BYTES:
                raise body_too_large()
            raise falcon.HTTPContentTooLarge(
                description=f"Request body is larger than the limit of {limit // (1024 * 1024)} MB"
            )


class SessionAuth:
    """Resolves ``x-session-id`` to a user on every resource that does not opt out.

    A resource opts out with the class attribute ``auth_required = False``. An
    unknown or logged-out session raises ``LoginRequired`` (401 ``Login Required``).
    Preflights and methods the resource does not implement (405) never need a login.
    """

    def __init__(self, auth: AuthService) -> None:
        self._auth = auth

    def process_resource(
        self, req: falcon.Request, resp: falcon.Response, resource: object, params: dict[str, Any]
    ) -> None:
        if resource is None or req.method == "OPTIONS":
            return
        if not getattr(resource, "auth_required", True):
            return
        if not callable(getattr(resource, "on_" + req.method.lower(), None)):
            return  # Falcon answers 405 (as the original's router does before any login check)
        req.context.user = self._auth.authenticate(session_id(req))


class Cors:
    """CORS as the original sends it: any header allowed, ``X-Session-Id`` exposed, no credentials."""

    def __init__(self, origins: Sequence[str]) -> None:
        self._any = "*" in origins
        self._origins = frozenset(origins)

    def process_response(
        self, req: falcon.Request, resp: falcon.Response, resource: object, req_succeeded: bool
    ) -> None:
        resp.set_header("Access-Control-Expose-Headers", EXPOSED_HEADERS)
        if self._any:
            resp.set_header("Access-Control-Allow-Origin", "*")
        else:
            resp.append_header("Vary", "Origin")
            origin = req.get_header("Origin")
            if origin is not None and origin in self._origins:
                resp.set_header("Access-Control-Allow-Origin", origin)
        if req.method == "OPTIONS" and req.get_header("Access-Control-Request-Method"):
            # Falcon's default OPTIONS responder lists the resource's methods in Allow.
            methods = resp.get_header("Allow") or "GET, POST, OPTIONS"
            resp.set_header("Access-Control-Allow-Methods", methods)
            requested = req.get_header("Access-Control-Request-Headers")
            resp.set_header("Access-Control-Allow-Headers", requested or _DEFAULT_ALLOWED_HEADERS)
            resp.set_header("Access-Control-Max-Age", _PREFLIGHT_MAX_AGE)
            resp.append_header("Vary", "Access-Control-Request-Headers")

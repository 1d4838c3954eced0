"""Every error leaves the API as ``{"message": "..."}`` with its status: no traces, no type names."""

from __future__ import annotations

import http
import logging
from typing import Any

import falcon
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError

from broker_core.errors import BrokerError, TooManyLoginAttempts
from broker_core.identity import IDENTITY_PROVIDER_UNREACHABLE, IdentityProviderUnavailable

log = logging.getLogger(__name__)

INTERNAL_ERROR = "An internal error occurred"
DATABASE_UNAVAILABLE = "The database is unavailable. Please try again in a few moments."

# Texts for Falcon's own errors that carry no description (as the original's Werkzeug says them).
_DEFAULT_MESSAGES = {
    404: "The requested URL was not found on the server.",
    405: "The method is not allowed for the requested URL.",
}


def _send(resp: falcon.Response, status: int, message: str) -> None:
    resp.status = status
    resp.content_type = falcon.MEDIA_JSON
    resp.data = None
    resp.text = None
    resp.stream = None
    resp.media = {"message": message}


def handle_broker_error(req: falcon.Request, resp: falcon.Response, ex: BrokerError, params: Any) -> None:
    _send(resp, ex.status, ex.message)
    if isinstance(ex, TooManyLoginAttempts):
        resp.set_header("Retry-After", str(ex.retry_after))


def handle_http_error(req: falcon.Request, resp: falcon.Response, ex: falcon.HTTPError, params: Any) -> None:
    status = ex.status_code
    message = ex.description or _DEFAULT_MESSAGES.get(status) or _phrase(status)
    _send(resp, status, message)
    if ex.headers:
        resp.set_headers(ex.headers)  # e.g. Allow on 405


def handle_identity_provider_unavailable(
    req: falcon.Request, resp: falcon.Response, ex: IdentityProviderUnavailable, params: Any
) -> None:
    # Not the user's fault and usually brief: 503, a plain message; the detail (URL, cause) is for the log.
    log.warning("%s %s: identity provider unavailable: %s", req.method, req.path, ex.detail)
    _send(resp, 503, IDENTITY_PROVIDER_UNREACHABLE)


def handle_database_error(req: falcon.Request, resp: falcon.Response, ex: DBAPIError, params: Any) -> None:
    # The database down or restarting (connection refused, cut, or shutting down) is brief and not the
    # user's fault: 503 with a plain message, as for the identity provider. Other database errors are bugs.
    if not (isinstance(ex, OperationalError | InterfaceError) or ex.connection_invalidated):
        handle_unexpected(req, resp, ex, params)
        return
    log.warning("%s %s: database unavailable: %s", req.method, req.path, ex.orig or ex)
    _send(resp, 503, DATABASE_UNAVAILABLE)
    resp.set_header("Retry-After", "5")


def handle_unexpected(req: falcon.Request, resp: falcon.Response, ex: Exception, params: Any) -> None:
    log.exception("Unhandled error in %s %s", req.method, req.path)
    _send(resp, 500, INTERNAL_ERROR)


def _phrase(status: int) -> str:
    try:
        return http.HTTPStatus(status).phrase
    except ValueError:
        return "Error"


def register(app: falcon.App) -> None:
    # Falcon picks the handler of the most specific class, whatever the order here.
    app.add_error_handler(Exception, handle_unexpected)
    app.add_error_handler(falcon.HTTPError, handle_http_error)
    app.add_error_handler(BrokerError, handle_broker_error)
    app.add_error_handler(IdentityProviderUnavailable, handle_identity_provider_unavailable)
    app.add_error_handler(DBAPIError, handle_database_error)

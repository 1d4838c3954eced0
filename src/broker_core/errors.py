"""Errors the core raises; the API maps each to an HTTP status once, in one place."""

from __future__ import annotations


class BrokerError(Exception):
    """Base of every error meant to reach a user. ``message`` is shown verbatim."""

    status = 400

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class RequestInvalid(BrokerError):
    """The request is malformed or breaks a rule (400)."""

    status = 400


class LoginRequired(BrokerError):
    status = 401

    def __init__(self, message: str = "Login Required") -> None:
        super().__init__(message)


class PermissionDenied(BrokerError):
    status = 403


class NotFound(BrokerError):
    status = 404


class PayloadTooLarge(BrokerError):
    """An upload is bigger than the configured limit (413)."""

    status = 413


class IllegalTransition(BrokerError):
    """A job was asked to move between two statuses the transition table forbids."""

    status = 409


class GenerationFailed(Exception):
    """A generation could not produce its file; the message is stored on the jobs."""


class TooManyLoginAttempts(BrokerError):
    """Too many failed logins for an account or a client address (429); retry after ``retry_after`` s."""

    status = 429

    def __init__(self, retry_after: int) -> None:
        super().__init__(f"Too many failed login attempts. Try again in {retry_after} seconds.")
        self.retry_after = retry_after

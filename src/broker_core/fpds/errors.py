"""Errors of the FPDS source, raised by adapters and reported by the CLI in plain words."""

from __future__ import annotations

#: What a user sees when FPDS stays unreachable after the retries.
FPDS_UNREACHABLE = "The server could not reach the Federal Procurement Data System. Try again later."


class FeedError(Exception):
    """Loading from FPDS failed; nothing was applied (the message says why)."""


class FeedUnavailable(FeedError):
    """FPDS could not be reached, timed out, or kept answering with server errors."""

    def __init__(self, detail: str) -> None:
        super().__init__(f"{FPDS_UNREACHABLE} ({detail})")
        self.detail = detail


class FeedFormatError(FeedError, ValueError):
    """A response or a saved file is not a readable FPDS ATOM feed (malformed XML, wrong root...)."""

"""A fake FPDS ATOM server on 127.0.0.1 for tests: pages by (feed, q, start), plus scripted faults.

A fault is answered in place of the next page: an HTTP status, ``"malformed"`` (broken XML with
200) or ``"drop"`` (the connection is closed without an answer).
"""

from __future__ import annotations

import threading
from collections import deque

from tests.fpds.pages import feed_page
from tests.http_stub import Fault, HttpStub


class FakeFpds(HttpStub):
    def __init__(self) -> None:
        self.routes: dict[tuple[str, str], list[bytes]] = {}
        self.faults: deque[Fault] = deque()
        self.requests: list[dict[str, str]] = []
        self._lock = threading.Lock()
        super().__init__(
            lambda path, params: self._answer(params),
            content_type="application/atom+xml",
            canned={"malformed": b"<feed xmlns='http://www.w3.org/2005/Atom'><entry><title>cut o"},
        )

    @property
    def url(self) -> str:
        return f"{self.base_url}/ezsearch/FEEDS/ATOM"

    def serve(self, feed: str, q: str, pages: list[bytes]) -> None:
        """Answer ``FEEDNAME=feed&q=q&start=10*i`` with ``pages[i]`` (an empty page past the end)."""
        self.routes[(feed, q)] = pages

    def fail(self, *faults: Fault) -> None:
        """The next requests (whatever they ask) get these faults, in order."""
        self.faults.extend(faults)

    def _answer(self, params: dict[str, str]) -> tuple[Fault, bytes]:
        with self._lock:
            self.requests.append(params)
            if self.faults:
                return self.faults.popleft(), b""
        feed, q = params.get("FEEDNAME", ""), params.get("q", "")
        start = int(params.get("start", "0"))
        pages = self.routes.get((feed, q), [])
        index = start // 10
        if index < len(pages):
            return 200, pages[index]
        return 200, feed_page([], feed=feed, q=q, start=start)


def fake_fpds() -> FakeFpds:
    """A running :class:`FakeFpds`, for a ``with`` block (which stops it)."""
    return FakeFpds()

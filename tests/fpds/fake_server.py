"""A fake FPDS ATOM server on 127.0.0.1 for tests: pages by (feed, q, start), plus scripted faults."""

from __future__ import annotations

import threading
import urllib.parse
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from tests.fpds.pages import feed_page

#: A scripted answer in place of the page: an HTTP status, "malformed" (broken XML with 200),
#: or "drop" (close the connection without answering).
Fault = int | str


class FakeFpds:
    def __init__(self) -> None:
        self.routes: dict[tuple[str, str], list[bytes]] = {}
        self.faults: deque[Fault] = deque()
        self.requests: list[dict[str, str]] = []
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}/ezsearch/FEEDS/ATOM"

    def serve(self, feed: str, q: str, pages: list[bytes]) -> None:
        """Answer ``FEEDNAME=feed&q=q&start=10*i`` with ``pages[i]`` (an empty page past the end)."""
        self.routes[(feed, q)] = pages

    def fail(self, *faults: Fault) -> None:
        """The next requests (whatever they ask) get these faults, in order."""
        self.faults.extend(faults)

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

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

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                query = urllib.parse.urlsplit(self.path).query
                params = dict(urllib.parse.parse_qsl(query))
                outcome, body = fake._answer(params)
                if outcome == "drop":
                    self.close_connection = True
                    self.connection.close()
                    return
                if outcome == "malformed":
                    outcome, body = 200, b"<feed xmlns='http://www.w3.org/2005/Atom'><entry><title>cut o"
                status = int(outcome)
                if status != 200:
                    body = f"<html><body>Error {status}</body></html>".encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/atom+xml" if status == 200 else "text/html")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: object) -> None:
                pass

        return Handler


@contextmanager
def fake_fpds() -> Iterator[FakeFpds]:
    server = FakeFpds()
    try:
        yield server
    finally:
        server.stop()

"""A threaded ``http.server`` on 127.0.0.1 for the stand-in servers the tests start (CAS, FPDS).

:class:`HttpStub` listens on a free port from construction, serves in daemon threads, answers
each GET through a ``respond(path, params)`` callable and stops cleanly with :meth:`HttpStub.stop`
(or on leaving a ``with`` block). ``respond`` returns an outcome and a body: an HTTP status
(anything but 200 is answered with a small HTML error page), ``"drop"`` (the connection is closed
without an answer) or the name of one of the server's ``canned`` 200 bodies (a scripted fault).
"""

from __future__ import annotations

import threading
import urllib.parse
from collections.abc import Callable, Mapping
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Self

#: What ``respond`` answers in place of a page: an HTTP status, ``"drop"`` or a canned body's name.
Fault = int | str

Respond = Callable[[str, dict[str, str]], tuple[Fault, bytes]]


class HttpStub:
    def __init__(self, respond: Respond, *, content_type: str, canned: Mapping[str, bytes] = {}) -> None:
        """Start serving; ``content_type`` is sent with 200 answers, ``text/html`` with the others."""
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(respond, content_type, dict(canned)))
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:<port>``, without a trailing slash."""
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.stop()


def _handler(respond: Respond, content_type: str, canned: dict[str, bytes]) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            parts = urllib.parse.urlsplit(self.path)
            outcome, body = respond(parts.path, dict(urllib.parse.parse_qsl(parts.query)))
            if outcome == "drop":
                self.close_connection = True
                self.connection.close()
                return
            if isinstance(outcome, str):
                outcome, body = 200, canned[outcome]
            status = int(outcome)
            if status != 200:
                body = f"<html><body>Error {status}</body></html>".encode()
            self.send_response(status)
            self.send_header("Content-Type", content_type if status == 200 else "text/html")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            pass

    return Handler

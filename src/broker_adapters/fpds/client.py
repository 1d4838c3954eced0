"""The FPDS ATOM feed over HTTP: the production :class:`~broker_core.ports.ProcurementSource`.

FPDS serves a query's result 10 entries per page (``&start=0, 10, 20…``); the
feed-level ``<link rel="last">`` of the first page gives the offset of the
last one (it is absent when everything fits on one page). Pages after the
first are fetched a few at a time, in order. FPDS will not page beyond
400,000 entries, so a query whose result is larger is split into two date
ranges, recursively, down to single days.

Connection errors, timeouts, 429 and 5xx answers are retried with exponential
backoff and jitter; when the retries run out the load fails with
:class:`FeedUnavailable` (its message is what the CLI shows). A page that is not
a readable feed fails at once with :class:`FeedFormatError`: a malformed answer
is not expected to heal, and the caller applies nothing after any error.
"""

from __future__ import annotations

import datetime as dt
import logging
import random
import time
import urllib.parse
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor

import attrs
import urllib3
from urllib3.exceptions import HTTPError

from broker_adapters.fpds.parser import iter_documents
from broker_core.fpds.document import FpdsDocument
from broker_core.fpds.errors import FeedError, FeedUnavailable
from broker_core.fpds.queries import FeedQuery

log = logging.getLogger(__name__)

DEFAULT_URL = "https://www.fpds.gov/ezsearch/FEEDS/ATOM"
#: The feed template version FPDS still serves publicly (spec fpds.md §2.1).
TEMPLATE = "1.5.3"
PAGE_SIZE = 10
#: FPDS refuses to page past this offset.
MAX_START = 400_000
#: Query parameters this client sets itself; any others in the base URL are kept.
_OWN_PARAMS = frozenset({"feedname", "templatename", "version", "q", "start", "s"})


@attrs.frozen
class _Page:
    start: int
    documents: list[FpdsDocument]
    last_start: int | None  # from rel="last"; None when the result fits on this page


class FpdsFeedClient:
    """``documents(query)`` pages through one FPDS query.

    ``timeout``: seconds to wait for a connection and for each read.
    ``retries``: further attempts at a page after a transient failure, waiting
    ``backoff * 2**n`` seconds (capped at ``max_backoff``, with jitter) in between.
    ``concurrency``: pages in flight at once (FPDS asks for no more than 10).
    """

    def __init__(
        self,
        base_url: str = DEFAULT_URL,
        *,
        timeout: float = 60.0,
        retries: int = 5,
        backoff: float = 2.0,
        max_backoff: float = 120.0,
        concurrency: int = 4,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if retries < 0 or concurrency < 1 or timeout <= 0:
            raise ValueError("retries must be >= 0, concurrency >= 1 and timeout > 0")
        parts = urllib.parse.urlsplit(base_url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError(f"BROKER_FPDS_URL={base_url!r} is not an http(s) URL")
        kept = [(k, v) for k, v in urllib.parse.parse_qsl(parts.query) if k.lower() not in _OWN_PARAMS]
        self._base = parts._replace(query="", fragment="").geturl()
        self._extra_params = kept
        self.retries = retries
        self.backoff = backoff
        self.max_backoff = max_backoff
        self.concurrency = concurrency
        self._sleep = sleep
        self._http = urllib3.PoolManager(
            num_pools=2,
            maxsize=concurrency,
            timeout=urllib3.Timeout(connect=min(timeout, 30.0), read=timeout),
            retries=False,  # retried here, with our own backoff and messages
        )

    # ------------------------------------------------------------------ ProcurementSource

    def documents(self, query: FeedQuery) -> Iterator[FpdsDocument]:
        first = self._page(query, 0)
        if first.last_start is not None and first.last_start >= MAX_START:
            yield from self._split(query, first.last_start)
            return
        yield from first.documents
        last_start = first.last_start or 0
        full = len(first.documents) == PAGE_SIZE
        if last_start > 0:
            for page in self._pages_in_order(query, range(PAGE_SIZE, last_start + 1, PAGE_SIZE)):
                if not page.documents and page.start < last_start:
                    raise FeedError(
                        f"FPDS returned an empty page at start={page.start} of {last_start + PAGE_SIZE} "
                        f"entries for {query}; the result changed while loading. Run the load again."
                    )
                yield from page.documents
                full = len(page.documents) == PAGE_SIZE
        # Entries published while we paged land after the announced last page.
        start = last_start + PAGE_SIZE
        while full:
            page = self._page(query, start)
            yield from page.documents
            full = len(page.documents) == PAGE_SIZE
            start += PAGE_SIZE

    def close(self) -> None:
        self._http.clear()

    # ------------------------------------------------------------------ paging

    def _split(self, query: FeedQuery, last_start: int) -> Iterator[FpdsDocument]:
        if query.since == query.until:
            raise FeedError(
                f"{query} matches about {last_start:,} entries on a single day, more than the "
                f"{MAX_START:,} FPDS pages through; load it by agency (--agency)."
            )
        middle = query.since + (query.until - query.since) // 2
        log.info("%s is too large (last start %d): splitting at %s", query, last_start, middle)
        yield from self.documents(attrs.evolve(query, until=middle))
        yield from self.documents(attrs.evolve(query, since=middle + dt.timedelta(days=1)))

    def _pages_in_order(self, query: FeedQuery, starts: range) -> Iterator[_Page]:
        """Fetch pages ``concurrency`` at a time, yielding them in order of ``start``."""
        with ThreadPoolExecutor(self.concurrency, thread_name_prefix="fpds") as pool:
            pending: deque[Future[_Page]] = deque()
            offsets = iter(starts)
            try:
                for start in offsets:
                    pending.append(pool.submit(self._page, query, start))
                    if len(pending) >= self.concurrency:
                        yield pending.popleft().result()
                while pending:
                    yield pending.popleft().result()
            finally:
                for future in pending:
                    future.cancel()

    def _page(self, query: FeedQuery, start: int) -> _Page:
        body = self._fetch(self.url(query, start))
        links: dict[str, str] = {}
        documents = list(iter_documents(body, links))  # at most PAGE_SIZE: one page in memory
        return _Page(start, documents, _last_start(links.get("last")))

    def url(self, query: FeedQuery, start: int) -> str:
        params = [
            ("FEEDNAME", query.feed.value),
            ("templateName", TEMPLATE),
            ("q", query.q),
            *self._extra_params,
            ("start", str(start)),
        ]
        return f"{self._base}?{urllib.parse.urlencode(params)}"

    # ------------------------------------------------------------------ HTTP

    def _fetch(self, url: str) -> bytes:
        attempt = 0
        while True:
            try:
                response = self._http.request("GET", url, preload_content=True)
            except HTTPError as exc:  # refused, reset, timed out, protocol error
                problem = f"{type(exc).__name__}: {exc}"
            else:
                status = response.status
                if status == 200:
                    return bytes(response.data)
                if status != 429 and status < 500:
                    raise FeedError(f"FPDS answered HTTP {status} for {url}; check BROKER_FPDS_URL.")
                problem = f"HTTP {status}"
            if attempt >= self.retries:
                log.error("FPDS unreachable after %d attempts: %s (%s)", attempt + 1, problem, url)
                raise FeedUnavailable(f"{problem}, after {attempt + 1} attempts")
            wait = min(self.max_backoff, self.backoff * 2**attempt) * random.uniform(0.5, 1.0)
            log.warning("FPDS: %s; retrying in %.1f s (%s)", problem, wait, url)
            self._sleep(wait)
            attempt += 1


def _last_start(href: str | None) -> int | None:
    """The ``start`` offset in a rel="last" link (``None`` without one)."""
    if not href:
        return None
    values = urllib.parse.parse_qs(urllib.parse.urlsplit(href).query).get("start")
    if not values:
        return None
    try:
        return max(0, int(values[-1]))
    except ValueError:
        return None

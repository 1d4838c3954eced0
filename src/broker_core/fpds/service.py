"""Use case: keep procurement (D1) data current from FPDS, or load saved feed pages.

A load runs in two phases. First every query is fetched and each document
mapped to its D1 row (or, from the DELETED feed, to a deletion) and spooled to
disk. Only when every query has been read to the end are the changes applied,
in one transaction that also records the FPDS load date (which makes D1 files
cached before it stale). So a load that fails halfway — FPDS unreachable, a
malformed page — changes nothing, and running it again is the recovery; running
the same load twice leaves the table as one run does.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterable

import attrs

from broker_core.errors import RequestInvalid
from broker_core.fpds.agencies import SubTierLookup
from broker_core.fpds.document import FpdsDocument
from broker_core.fpds.mapping import procurement_row, transaction_key
from broker_core.fpds.queries import FeedName, FeedQuery, incremental_queries
from broker_core.fpds.spool import Spool
from broker_core.ports import Clock, ProcurementSource, ProcurementStore
from broker_core.records import ProcurementDeletion, RenderedAwardRow

log = logging.getLogger(__name__)

#: Called with the number of documents read so far.
Progress = Callable[[int], None]


#: Rejected documents listed in a result; the rest are only counted.
MAX_LISTED_REJECTIONS = 100


@attrs.frozen
class FpdsLoadResult:
    documents: int  # read from the feed
    upserted: int  # rows inserted or replaced
    deleted: int  # rows removed by the DELETED feed
    loaded_at: dt.datetime
    rejected: int = 0  # documents that could not be mapped to a D1 row (not loaded)
    rejections: tuple[str, ...] = ()  # why, for the first MAX_LISTED_REJECTIONS of them


@attrs.define
class FpdsLoadService:
    store: ProcurementStore
    clock: Clock

    def load_feed(
        self,
        source: ProcurementSource,
        since: dt.date | None,
        until: dt.date | None = None,
        agency: str | None = None,
        progress: Progress | None = None,
    ) -> FpdsLoadResult:
        """Incremental load of every change and deletion last modified in ``[since, until]``.

        ``since`` defaults to the day before the last load (as the original's
        nightly run), ``until`` to yesterday: FPDS publishes a day's data once,
        the next morning.
        """
        started = self.clock.now()
        if since is None:
            last = self.store.fpds_load_date()
            if last is None:
                raise RequestInvalid("since: No FPDS load is recorded yet; give the first day to load.")
            since = last - dt.timedelta(days=1)
        until = until or started.date() - dt.timedelta(days=1)
        if since > until:
            raise RequestInvalid(f"since: {since:%Y-%m-%d} is after until ({until:%Y-%m-%d}).")
        queries = incremental_queries(since, until, agency)
        return self._load(started, ((q, source.documents(q)) for q in queries), progress)

    def load_documents(
        self, documents: Iterable[FpdsDocument], *, deleted: bool = False, progress: Progress | None = None
    ) -> FpdsLoadResult:
        """Load documents read from saved feed pages, as changes or (``deleted``) as deletions."""
        feed = FeedName.DELETED if deleted else FeedName.PUBLIC
        return self._load(self.clock.now(), [(feed, documents)], progress)

    def _load(
        self,
        started: dt.datetime,
        batches: Iterable[tuple[FeedQuery | FeedName, Iterable[FpdsDocument]]],
        progress: Progress | None,
    ) -> FpdsLoadResult:
        agencies = SubTierLookup.from_records(self.store.agency_records())
        read = 0
        rejections: list[str] = []
        rejected = 0
        with Spool[RenderedAwardRow]() as rows, Spool[ProcurementDeletion]() as deletions:
            for query, documents in batches:
                feed = query.feed if isinstance(query, FeedQuery) else query
                log.info("reading %s", query)
                for document in documents:
                    if feed is FeedName.DELETED:
                        deletions.append(
                            ProcurementDeletion(
                                transaction_key(document),
                                document.get("transactionInformation/lastModifiedDate"),
                            )
                        )
                    else:
                        try:
                            rows.append(procurement_row(document, agencies))
                        except ValueError as exc:
                            # One odd record must not hold back a day's data; it is reported.
                            rejected += 1
                            if len(rejections) < MAX_LISTED_REJECTIONS:
                                rejections.append(f"{_key_or_unknown(document)}: {exc}")
                            log.warning("FPDS document %s not loaded: %s", _key_or_unknown(document), exc)
                    read += 1
                    if progress is not None and read % 10 == 0:
                        progress(read)
            if progress is not None:
                progress(read)
            upserted, deleted = self.store.apply_procurement_load(rows, deletions, started)
        log.info("FPDS load: %d documents, %d rows written, %d deleted", read, upserted, deleted)
        return FpdsLoadResult(read, upserted, deleted, started, rejected, tuple(rejections))


def _key_or_unknown(document: FpdsDocument) -> str:
    try:
        return transaction_key(document)
    except ValueError:
        return "(unidentified document)"

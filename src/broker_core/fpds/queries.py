"""The FPDS ATOM queries an incremental load runs (spec fpds.md §2 and §5.1).

A query is a feed name plus the ``q`` terms. One load asks the PUBLIC feed
once per (document kind, award type) — the feed pages at most 400,000 entries
per query, so splitting by type keeps a day's changes far below that — and the
DELETED feed once per document kind.
"""

from __future__ import annotations

import datetime as dt
import enum

import attrs

from broker_core.fpds.document import DocumentKind

#: Award types queried for each document kind, in the order the original loads them (IDVs first).
AWARD_TYPES: dict[DocumentKind, tuple[str, ...]] = {
    DocumentKind.IDV: ("GWAC", "BOA", "BPA", "FSS", "IDC"),
    DocumentKind.AWARD: ("Delivery Order", "BPA Call", "Definitive Contract", "Purchase Order"),
}


class FeedName(enum.Enum):
    PUBLIC = "PUBLIC"
    DELETED = "DELETED"


def _fpds_date(day: dt.date) -> str:
    return day.strftime("%Y/%m/%d")


@attrs.frozen
class FeedQuery:
    """One feed query: documents of one kind (and award type) last modified in ``[since, until]``."""

    feed: FeedName
    kind: DocumentKind
    since: dt.date
    until: dt.date
    award_type: str | None = None
    agency: str | None = None  # FPDS agency (sub-tier) code, e.g. 1700

    def __attrs_post_init__(self) -> None:
        if self.since > self.until:
            raise ValueError(f"since ({self.since}) is after until ({self.until})")

    @property
    def q(self) -> str:
        """The ``q`` parameter: space-separated ``FIELD:value`` terms (spaces are ANDs)."""
        terms = [
            f"LAST_MOD_DATE:[{_fpds_date(self.since)},{_fpds_date(self.until)}]",
            f'CONTRACT_TYPE:"{self.kind.name}"',
        ]
        if self.award_type is not None:
            terms.append(f'AWARD_TYPE:"{self.award_type}"')
        if self.agency is not None:
            terms.append(f'AGENCY_CODE:"{self.agency}"')
        return " ".join(terms)

    def __str__(self) -> str:
        return f"{self.feed.value} {self.q}"


def incremental_queries(since: dt.date, until: dt.date, agency: str | None = None) -> list[FeedQuery]:
    """Every query of one incremental load: IDV and award changes by type, then both delete feeds."""
    changed = [
        FeedQuery(FeedName.PUBLIC, kind, since, until, award_type, agency)
        for kind in (DocumentKind.IDV, DocumentKind.AWARD)
        for award_type in AWARD_TYPES[kind]
    ]
    deleted = [
        FeedQuery(FeedName.DELETED, kind, since, until, None, agency)
        for kind in (DocumentKind.IDV, DocumentKind.AWARD)
    ]
    return changed + deleted

"""FPDS ATOM pages for tests: entries taken from the real samples, re-wrapped and varied.

Pages are built with the structure FPDS serves (spec fpds.md §3.1, §7): an
Atom ``feed`` with ``alternate`` and, when the result has more pages, ``last``
and ``next`` links carrying ``&start=N``; then the ``entry`` elements.
"""

from __future__ import annotations

import copy
import urllib.parse
from pathlib import Path

from lxml import etree

from tests.reference import REFERENCE_DIR

FPDS_SAMPLES = REFERENCE_DIR / "fpds"
ATOM = "http://www.w3.org/2005/Atom"
FPDS_NS = "https://www.fpds.gov/FPDS"


def sample(name: str) -> Path:
    return FPDS_SAMPLES / name


def sample_entries(name: str) -> list[etree._Element]:
    """The Atom ``entry`` elements of a real sample page (copies, free to edit)."""
    tree = etree.parse(str(sample(name)))
    return [copy.deepcopy(e) for e in tree.getroot().iter(f"{{{ATOM}}}entry")]


def _find(entry: etree._Element, path: str) -> etree._Element:
    found = entry.find(".//" + "/".join(f"{{*}}{part}" for part in path.split("/")))
    if found is None:
        raise KeyError(path)
    return found


def set_value(entry: etree._Element, path: str, value: str) -> etree._Element:
    """Set the text of the element at ``path`` (local names, below the document) in place."""
    _find(entry, path).text = value
    return entry


def value(entry: etree._Element, path: str) -> str | None:
    return _find(entry, path).text


def varied(entry: etree._Element, piid: str, *, last_modified: str | None = None) -> etree._Element:
    """A copy of an award entry with another PIID (so another transaction key)."""
    result = copy.deepcopy(entry)
    set_value(result, "awardID/awardContractID/PIID", piid)
    if last_modified is not None:
        set_value(result, "transactionInformation/lastModifiedDate", last_modified)
    return result


def feed_url(base: str, feed: str, q: str, start: int) -> str:
    query = urllib.parse.urlencode(
        {"s": "FPDS", "FEEDNAME": feed, "VERSION": "1.5.3", "q": q, "start": start}
    )
    return f"{base}?{query}"


def feed_page(
    entries: list[etree._Element],
    *,
    feed: str = "PUBLIC",
    q: str = "",
    start: int = 0,
    last_start: int | None = None,
    base: str = "https://www.fpds.gov/ezsearch/FEEDS/ATOM",
) -> bytes:
    """One page of a feed result; ``last_start`` (offset of the last page) adds ``last``/``next`` links."""
    root = etree.Element(f"{{{ATOM}}}feed", nsmap={None: ATOM, "ns1": FPDS_NS})
    etree.SubElement(root, f"{{{ATOM}}}title").text = f"FPDS-NG search results for: {q}"
    link = etree.SubElement(root, f"{{{ATOM}}}link", rel="alternate", type="text/html")
    link.set("href", feed_url(base.replace("FEEDS/ATOM", "search.do"), feed, q, start))
    if last_start is not None and last_start > 0:
        etree.SubElement(root, f"{{{ATOM}}}link", rel="last", type="application/atom+xml").set(
            "href", feed_url(base, feed, q, last_start)
        )
        if start < last_start:
            etree.SubElement(root, f"{{{ATOM}}}link", rel="next", type="application/atom+xml").set(
                "href", feed_url(base, feed, q, start + 10)
            )
    etree.SubElement(root, f"{{{ATOM}}}modified")
    etree.SubElement(etree.SubElement(root, f"{{{ATOM}}}author"), f"{{{ATOM}}}name")
    for entry in entries:
        root.append(copy.deepcopy(entry))
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8"))


def result_pages(entries: list[etree._Element], *, feed: str = "PUBLIC", q: str = "") -> list[bytes]:
    """Every page of a result holding ``entries``, 10 per page."""
    chunks = [entries[i : i + 10] for i in range(0, len(entries), 10)] or [[]]
    last_start = (len(chunks) - 1) * 10
    return [
        feed_page(chunk, feed=feed, q=q, start=i * 10, last_start=last_start)
        for i, chunk in enumerate(chunks)
    ]

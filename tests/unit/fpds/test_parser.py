"""The streaming FPDS feed parser, over the real samples and over generated feeds."""

from __future__ import annotations

import io
import os
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import psutil
import pytest
from lxml import etree

from broker_adapters.fpds import parser
from broker_adapters.fpds.parser import iter_documents
from broker_core.fpds.document import DocumentKind, FpdsDocument
from broker_core.fpds.errors import FeedFormatError
from tests.reference import REFERENCE_DIR

if TYPE_CHECKING:
    from _typeshed import WriteableBuffer

FPDS = REFERENCE_DIR / "fpds"
ATOM = "http://www.w3.org/2005/Atom"
FPDS_NS = "https://www.fpds.gov/FPDS"
FPDSNG_NS = "http://www.fpdsng.com/FPDS"

AWARD, IDV = DocumentKind.AWARD, DocumentKind.IDV


@pytest.mark.parametrize(
    ("name", "kinds"),
    [
        ("broker_award_and_idv_entries.xml", [AWARD, IDV]),
        ("public_feed_page_2020-04-02.xml", [AWARD] * 10),
        ("public_feed_page_ns0_prefixes.xml", [AWARD] * 10),
        ("empty_result_no_entries.xml", []),
        ("idv_archive_v1_5.xml", [IDV] * 18),
    ],
)
def test_every_sample_parses_with_its_documents(name: str, kinds: list[DocumentKind]) -> None:
    documents = list(iter_documents(FPDS / name))
    assert [document.kind for document in documents] == kinds
    assert all(document.values for document in documents)


def test_the_feed_links_are_read() -> None:
    links: dict[str, str] = {}
    assert len(list(iter_documents(FPDS / "public_feed_page_2020-04-02.xml", links))) == 10
    assert sorted(links) == ["alternate", "last", "next"]
    assert links["last"] == (
        "https://www.fpds.gov/ezsearch/FEEDS/ATOM?s=FPDS&FEEDNAME=PUBLIC&VERSION=1.5.2"
        "&q=LAST_MOD_DATE%3A%5B2020%2F04%2F02%2C2020%2F04%2F02%5D&start=33160"
    )
    assert links["next"].endswith("&start=10")


@pytest.mark.parametrize(
    ("name", "rels"),
    [
        ("broker_award_and_idv_entries.xml", ["alternate"]),
        ("public_feed_page_ns0_prefixes.xml", ["alternate", "last", "next"]),
        ("empty_result_no_entries.xml", ["alternate"]),
        ("idv_archive_v1_5.xml", []),
    ],
)
def test_only_the_feeds_own_links_are_read(name: str, rels: list[str]) -> None:
    links: dict[str, str] = {}
    list(iter_documents(FPDS / name, links))
    assert sorted(links) == rels  # never the entries' own alternate links
    if "last" in links:
        assert links["last"].endswith("&start=20")


def test_paths_are_local_names_with_attributes_and_stripped_text() -> None:
    award, idv = iter_documents(FPDS / "broker_award_and_idv_entries.xml")
    assert award.get("awardID/awardContractID/PIID") == "0001"
    assert award.get("awardID/awardContractID/agencyID@name") == "DEPT OF DEFENSE"
    assert award.get("awardID/referencedIDVID/PIID") == "N6830617A0090"
    assert award.get("contractData/contractActionType") == "A"
    assert award.get("contractData/contractActionType@part8OrPart13") == "PART13"
    assert award.get("contractData/GFE-GFP@description") == "Transaction does not use GFE/GFP"
    # Stripped at the ends only.
    assert (
        award.get("contractData/descriptionOfContractRequirement")
        == "IGF::OT::IGF   50 MILE BERTHING FOR SELRES"
    )
    assert award.get("transactionInformation/lastModifiedDate") == "2017-05-16 13:11:27"
    assert award.get("vendor/vendorSiteDetails/entityIdentifiers/vendorUEIInformation/UEI") == "G4M3KUF95AL3"
    assert award.get("@version") is None  # the document element's own attributes are not below it
    assert all("entry" not in path and "content" not in path for path in award.values)

    assert idv.get("contractID/IDVID/PIID") == "000000000LC3162"
    # Attributes but no text: the value is missing, the attributes are kept.
    assert idv.get("purchaserInformation/contractingOfficeAgencyID") is None
    assert idv.get("purchaserInformation/contractingOfficeAgencyID@departmentID") == "5000"
    assert idv.get("transactionInformation/lastModifiedDate") is None
    assert not any(path.startswith("contractMarketingData") for path in idv.values)  # empty group


def test_prefixes_do_not_matter() -> None:
    original = (FPDS / "broker_award_and_idv_entries.xml").read_bytes()
    renamed = (
        original.replace(b"ns1:", b"contract:")
        .replace(b"xmlns:ns1=", b"xmlns:contract=")
        .replace(b"<feed xmlns=", b"<a:feed xmlns:a=")
        .replace(b"</feed>", b"</a:feed>")
    )
    for tag in (b"title", b"link", b"modified", b"author", b"name", b"entry", b"content"):
        renamed = renamed.replace(b"<" + tag, b"<a:" + tag).replace(b"</" + tag + b">", b"</a:" + tag + b">")
    links: dict[str, str] = {}
    assert list(iter_documents(renamed, links)) == list(iter_documents(original))
    assert list(links) == ["alternate"]


def test_both_fpds_namespaces_are_read() -> None:
    feed = _feed([_award("A1", namespace=FPDS_NS), _award("A2", namespace=FPDSNG_NS)])
    assert [d.get("awardID/awardContractID/PIID") for d in iter_documents(feed)] == ["A1", "A2"]


def test_documents_in_other_namespaces_are_not_contract_documents() -> None:
    feed = _feed([_award("A1", namespace="urn:something-else"), _award("A2")])
    assert [d.get("awardID/awardContractID/PIID") for d in iter_documents(feed)] == ["A2"]


def test_every_kind_of_source_is_read(tmp_path: Path) -> None:
    path = FPDS / "public_feed_page_2020-04-02.xml"
    expected = list(iter_documents(path))
    assert list(iter_documents(str(path))) == expected
    assert list(iter_documents(path.read_bytes())) == expected
    with open(path, "rb") as stream:
        assert list(iter_documents(stream)) == expected
    assert list(iter_documents(io.BytesIO(path.read_bytes()))) == expected


def test_repeated_paths_keep_the_first_value_and_list_them_all() -> None:
    reporting = "".join(
        f'<ns1:additionalReportingValue description="{label}">{code}</ns1:additionalReportingValue>'
        # Equal one-character values are the same Python object: each must still count.
        for code, label in (("A", "x"), ("B", "second"), ("A", "x"))
    )
    extra = f"<ns1:legislativeMandates><ns1:listOfAdditionalReportingValues>{reporting}</ns1:listOfAdditionalReportingValues></ns1:legislativeMandates>"
    (document,) = iter_documents(_feed([_award("A1", extra=extra)]))
    path = "legislativeMandates/listOfAdditionalReportingValues/additionalReportingValue"
    assert document.get(path) == "A"
    assert document.all(path) == ("A", "B", "A")
    assert document.all(f"{path}@description") == ("x", "second", "x")
    assert set(document.lists) == {path, f"{path}@description"}


def test_malformed_xml_is_a_feed_format_error() -> None:
    with pytest.raises(FeedFormatError, match=r"The FPDS response is not valid XML: .*mismatch"):
        list(iter_documents(b"<feed xmlns='http://www.w3.org/2005/Atom'><entry></feed>"))
    with pytest.raises(FeedFormatError, match="not valid XML"):
        list(iter_documents(b""))
    with pytest.raises(FeedFormatError, match="not valid XML"):
        list(iter_documents(b"<html><body>502 Bad Gateway</body>"))


def test_documents_before_a_syntax_error_are_yielded_first() -> None:
    feed = _feed([_award("A1"), _award("A2")])
    truncated = feed[: feed.rindex(b"<entry>") + 40]
    read: list[FpdsDocument] = []
    with pytest.raises(FeedFormatError):
        for document in iter_documents(truncated):
            read.append(document)
    assert [d.get("awardID/awardContractID/PIID") for d in read] == ["A1"]


@pytest.mark.parametrize(
    "xml",
    [
        b"<html><head><link rel='next' href='x'/></head></html>",
        b"<feed><entry/></feed>",  # no Atom namespace
        f"<rss xmlns:ns1='{FPDS_NS}'><ns1:award><ns1:awardID/></ns1:award></rss>".encode(),
        f"<ns1:award xmlns:ns1='{FPDS_NS}'><ns1:awardID/></ns1:award>".encode(),  # a bare document
    ],
)
def test_a_root_that_is_no_feed_is_a_feed_format_error(xml: bytes) -> None:
    with pytest.raises(FeedFormatError, match="not an ATOM feed or an FPDS archive"):
        list(iter_documents(xml, {}))


def test_entities_are_not_resolved(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET")
    doctype = f'<!DOCTYPE feed [<!ENTITY leak SYSTEM "{secret.as_uri()}"><!ENTITY word "expanded">]>'
    feed = _feed(
        [
            _award(
                "A1",
                extra="<ns1:contractData><ns1:solicitationID>x&leak;&word;</ns1:solicitationID></ns1:contractData>",
            )
        ]
    )
    feed = feed.replace(b"<feed", doctype.encode() + b"<feed", 1)
    (document,) = iter_documents(feed)
    assert document.get("contractData/solicitationID") == "x"
    assert not any("SECRET" in value or "expanded" in value for value in document.values.values())


@pytest.mark.parametrize("layout", ["feed", "archive"])
def test_memory_stays_flat_whatever_the_feed_size(layout: str) -> None:
    small = _peak_growth(layout, 2_000)
    large = _peak_growth(layout, 20_000)
    # RSS, not tracemalloc: libxml2 allocates the tree outside Python. Holding it would
    # cost about 15 KB an entry, some 270 MB more for the large feed.
    assert large - small < 20 * 2**20, (small, large)


def _peak_growth(layout: str, entries: int) -> int:
    process = psutil.Process(os.getpid())
    baseline = process.memory_info().rss
    peak = baseline
    count = 0
    stream = io.BufferedReader(_Stream(_generated(layout, entries)))
    for count, _document in enumerate(iter_documents(stream, {}), start=1):
        if count % 500 == 0:
            peak = max(peak, process.memory_info().rss)
    assert count == entries
    return peak - baseline


@pytest.mark.parametrize("layout", ["feed", "archive", "feed without contract documents"])
def test_nothing_read_stays_in_the_tree(layout: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each finished entry (or archive document) is freed, with what came before it."""
    recorder = _RecordingEtree()
    monkeypatch.setattr(parser, "etree", recorder)
    documents = list(iter_documents(b"".join(_generated(layout, 300)), {}))
    assert len(documents) == (0 if layout == "feed without contract documents" else 300)
    (events,) = recorder.parses
    # Only the last entry's cleared shell is left under the root.
    assert [len(element) for element in events.root.iter()] == [1, 0]


class _RecordingEtree:
    """``lxml.etree`` as the parser sees it, keeping each iterparse it starts."""

    def __init__(self) -> None:
        self.parses: list[Any] = []

    def iterparse(self, *args: Any, **kwargs: Any) -> Any:
        events = etree.iterparse(*args, **kwargs)
        self.parses.append(events)
        return events

    def __getattr__(self, name: str) -> Any:
        return getattr(etree, name)


class _Stream(io.RawIOBase):
    """A file object over generated chunks, so that the feed itself is never in memory."""

    def __init__(self, chunks: Iterator[bytes]) -> None:
        self._chunks = chunks
        self._pending = b""

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: WriteableBuffer) -> int:
        while not self._pending:
            chunk = next(self._chunks, None)
            if chunk is None:
                return 0
            self._pending = chunk
        target = memoryview(buffer).cast("B")
        size = min(len(target), len(self._pending))
        target[:size] = self._pending[:size]
        self._pending = self._pending[size:]
        return size


def _generated(layout: str, entries: int) -> Iterator[bytes]:
    """A feed (or archive) of ``entries`` generated entries of about 3 KB, chunk by chunk."""
    flags = "".join(f"<ns1:isFlag{i}>false</ns1:isFlag{i}>" for i in range(40))
    extra = f"<ns1:vendor><ns1:vendorSiteDetails><ns1:vendorSocioEconomicIndicators>{flags}</ns1:vendorSocioEconomicIndicators></ns1:vendorSiteDetails></ns1:vendor>"
    if layout == "archive":
        yield f'<ns1:listOfAwards xmlns:ns1="{FPDSNG_NS}"><ns1:count><ns1:total>{entries}</ns1:total></ns1:count>'.encode()
        for number in range(entries):
            yield _award(f"PIID{number:010d}", extra=extra).encode()
        yield b"</ns1:listOfAwards>"
        return
    namespace = "urn:not-fpds" if layout == "feed without contract documents" else FPDS_NS
    head, tail = _feed([]).split(b"</feed>")
    yield head
    for number in range(entries):
        yield _entry(_award(f"PIID{number:010d}", namespace=namespace, extra=extra))
    yield b"</feed>" + tail


def _award(piid: str, *, namespace: str = FPDS_NS, extra: str = "") -> str:
    return (
        f'<ns1:award xmlns:ns1="{namespace}" version="1.5"><ns1:awardID><ns1:awardContractID>'
        f'<ns1:agencyID name="DEPT OF DEFENSE">9700</ns1:agencyID><ns1:PIID>{piid}</ns1:PIID>'
        "<ns1:modNumber>0</ns1:modNumber><ns1:transactionNumber>0</ns1:transactionNumber>"
        "</ns1:awardContractID></ns1:awardID><ns1:relevantContractDates>"
        "<ns1:signedDate>2020-01-02 00:00:00</ns1:signedDate></ns1:relevantContractDates>"
        f"{extra}</ns1:award>"
    )


def _entry(document: str) -> bytes:
    return (
        "<entry><title><![CDATA[New award]]></title>"
        '<link rel="alternate" type="text/html" href="https://www.fpds.gov/ezsearch/search.do?q=x"/>'
        f'<modified>2020-01-02 00:00:00</modified><content type="application/xml">{document}</content></entry>'
    ).encode()


def _feed(documents: list[str]) -> bytes:
    entries = b"".join(_entry(document) for document in documents)
    return (
        (
            f'<?xml version="1.0" encoding="UTF-8"?>\n<feed xmlns="{ATOM}"><title>FPDS-NG search results</title>'
            '<link rel="alternate" type="text/html" href="https://www.fpds.gov/ezsearch/search.do?start=0"/>'
            "<modified/><author><name/></author>"
        ).encode()
        + entries
        + b"</feed>"
    )

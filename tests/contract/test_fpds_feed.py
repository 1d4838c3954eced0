"""The FPDS feed client (:class:`FpdsFeedClient`, the ProcurementSource adapter) against a fake FPDS server.

The fake serves the real sample pages of ``shared/reference/fpds`` and
synthetic pages built from their entries (tests/fpds/pages.py), and injects
the faults FPDS is known for: 5xx answers, dropped connections, malformed pages.
"""

from __future__ import annotations

import datetime as dt
import socket
from collections.abc import Iterator

import pytest

from broker_adapters.fpds.client import FpdsFeedClient
from broker_core.fpds.document import DocumentKind
from broker_core.fpds.errors import FPDS_UNREACHABLE, FeedError, FeedFormatError, FeedUnavailable
from broker_core.fpds.queries import FeedName, FeedQuery
from tests.fpds.fake_server import FakeFpds, fake_fpds
from tests.fpds.pages import result_pages, sample, sample_entries, value, varied

QUERY = FeedQuery(
    FeedName.PUBLIC, DocumentKind.AWARD, dt.date(2020, 4, 2), dt.date(2020, 4, 2), "Delivery Order"
)


@pytest.fixture
def fpds() -> Iterator[FakeFpds]:
    with fake_fpds() as server:
        yield server


def _client(fpds: FakeFpds, **kwargs: object) -> FpdsFeedClient:
    options: dict[str, object] = {"retries": 3, "backoff": 0.01, "timeout": 5.0, "concurrency": 3}
    options.update(kwargs)
    return FpdsFeedClient(fpds.url, **options)  # type: ignore[arg-type]


def _entries(n: int) -> list:
    template = sample_entries("public_feed_page_2020-04-02.xml")
    return [varied(template[i % len(template)], f"TESTPIID{i:06d}") for i in range(n)]


def _piids(documents) -> list[str | None]:
    return [d.get("awardID/awardContractID/PIID") for d in documents]


def test_the_query_is_sent_as_fpds_expects(fpds: FakeFpds) -> None:
    list(_client(fpds).documents(QUERY))
    sent = fpds.requests[0]
    assert sent["FEEDNAME"] == "PUBLIC" and sent["templateName"] == "1.5.3" and sent["start"] == "0"
    assert (
        sent["q"] == 'LAST_MOD_DATE:[2020/04/02,2020/04/02] CONTRACT_TYPE:"AWARD" AWARD_TYPE:"Delivery Order"'
    )


def test_a_real_single_page_result(fpds: FakeFpds) -> None:
    fpds.serve("PUBLIC", QUERY.q, [sample("broker_award_and_idv_entries.xml").read_bytes()])
    documents = list(_client(fpds).documents(QUERY))
    assert [d.kind for d in documents] == [DocumentKind.AWARD, DocumentKind.IDV]
    assert len(fpds.requests) == 1  # no last link: nothing more to ask


def test_an_empty_result(fpds: FakeFpds) -> None:
    fpds.serve("PUBLIC", QUERY.q, [sample("empty_result_no_entries.xml").read_bytes()])
    assert list(_client(fpds).documents(QUERY)) == []
    assert len(fpds.requests) == 1


@pytest.mark.parametrize("count", [10, 35, 101])
def test_every_page_is_followed_in_order(fpds: FakeFpds, count: int) -> None:
    entries = _entries(count)
    fpds.serve("PUBLIC", QUERY.q, result_pages(entries, q=QUERY.q))
    documents = list(_client(fpds).documents(QUERY))
    assert _piids(documents) == [value(e, "awardID/awardContractID/PIID") for e in entries]
    starts = sorted(int(r["start"]) for r in fpds.requests)
    assert starts[: (count + 9) // 10] == list(range(0, count, 10))


def test_the_real_page_with_a_last_link_is_paged_to_that_offset(fpds: FakeFpds) -> None:
    # The 2020 sample announces its last page at start=33160; serve it as the first of 3 pages.
    page = sample("public_feed_page_2020-04-02.xml").read_bytes().replace(b"start=33160", b"start=20")
    rest = result_pages(_entries(25), q=QUERY.q)
    fpds.serve("PUBLIC", QUERY.q, [page, rest[1], rest[2]])
    documents = list(_client(fpds).documents(QUERY))
    assert len(documents) == 10 + 10 + 5


def test_a_server_error_then_success_is_retried(fpds: FakeFpds) -> None:
    fpds.serve("PUBLIC", QUERY.q, result_pages(_entries(15), q=QUERY.q))
    fpds.fail(500, 503, "drop")
    assert len(list(_client(fpds).documents(QUERY))) == 15


def test_fpds_staying_down_is_a_clear_error(fpds: FakeFpds) -> None:
    fpds.fail(*[500] * 10)
    with pytest.raises(FeedUnavailable) as caught:
        list(_client(fpds, retries=2).documents(QUERY))
    assert str(caught.value).startswith(FPDS_UNREACHABLE)
    assert "HTTP 500" in str(caught.value) and len(fpds.requests) == 3


def test_a_refused_connection_is_a_clear_error() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # closed again before the client connects: refused
    client = FpdsFeedClient(f"http://127.0.0.1:{port}/ATOM", retries=1, backoff=0.01, timeout=2)
    with pytest.raises(FeedUnavailable) as caught:
        list(client.documents(QUERY))
    assert FPDS_UNREACHABLE in str(caught.value)


def test_a_malformed_page_fails_at_once(fpds: FakeFpds) -> None:
    fpds.serve("PUBLIC", QUERY.q, result_pages(_entries(25), q=QUERY.q))
    documents = _client(fpds).documents(QUERY)
    next(documents)
    fpds.fail("malformed")
    with pytest.raises(FeedFormatError):
        list(documents)


def test_a_client_error_is_not_retried(fpds: FakeFpds) -> None:
    fpds.fail(404)
    with pytest.raises(FeedError, match="HTTP 404"):
        list(_client(fpds).documents(QUERY))
    assert len(fpds.requests) == 1


def test_entries_published_while_paging_are_read_too(fpds: FakeFpds) -> None:
    entries = _entries(30)
    pages = result_pages(entries[:20], q=QUERY.q)  # announces 20 entries, last page full
    later = result_pages(entries[20:], q=QUERY.q)[0]
    fpds.serve("PUBLIC", QUERY.q, [*pages, later])
    assert len(list(_client(fpds).documents(QUERY))) == 30


def test_a_result_beyond_what_fpds_pages_is_split_by_dates(fpds: FakeFpds) -> None:
    week = FeedQuery(FeedName.PUBLIC, DocumentKind.AWARD, dt.date(2024, 5, 1), dt.date(2024, 5, 2))
    too_big = sample("public_feed_page_2020-04-02.xml").read_bytes().replace(b"start=33160", b"start=400000")
    fpds.serve("PUBLIC", week.q, [too_big])
    first_day = FeedQuery(FeedName.PUBLIC, DocumentKind.AWARD, dt.date(2024, 5, 1), dt.date(2024, 5, 1))
    second_day = FeedQuery(FeedName.PUBLIC, DocumentKind.AWARD, dt.date(2024, 5, 2), dt.date(2024, 5, 2))
    fpds.serve("PUBLIC", first_day.q, result_pages(_entries(3), q=first_day.q))
    fpds.serve("PUBLIC", second_day.q, result_pages(_entries(4), q=second_day.q))
    assert len(list(_client(fpds).documents(week))) == 7

    fpds.serve("PUBLIC", first_day.q, [too_big])
    with pytest.raises(FeedError, match="single day"):
        list(_client(fpds).documents(first_day))


def test_the_deleted_feed_is_asked_by_name(fpds: FakeFpds) -> None:
    deleted = FeedQuery(FeedName.DELETED, DocumentKind.AWARD, dt.date(2024, 5, 1), dt.date(2024, 5, 1))
    fpds.serve("DELETED", deleted.q, result_pages(_entries(2), feed="DELETED", q=deleted.q))
    assert len(list(_client(fpds).documents(deleted))) == 2
    assert fpds.requests[0]["FEEDNAME"] == "DELETED" and "AWARD_TYPE" not in fpds.requests[0]["q"]

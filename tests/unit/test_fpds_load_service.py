"""The FPDS load use case with in-memory fakes: two phases, all or nothing, deletions, load dates."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest

from broker_core.errors import RequestInvalid
from broker_core.fpds.document import DocumentKind, FpdsDocument
from broker_core.fpds.errors import FeedUnavailable
from broker_core.fpds.queries import AWARD_TYPES, FeedName, FeedQuery
from broker_core.fpds.service import FpdsLoadService
from broker_core.records import AgencyRecord
from tests.unit.fakes import FakeClock, FakeProcurementStore

NAVY = AgencyRecord("097", "Department of Defense", None, None, "1700", "DEPT OF THE NAVY", False, False)


def award(
    piid: str, *, modified: str = "2024-05-01 10:00:00", signed: str = "2024-04-30 00:00:00"
) -> FpdsDocument:
    return FpdsDocument(
        DocumentKind.AWARD,
        {
            "awardID/awardContractID/agencyID": "1700",
            "awardID/awardContractID/PIID": piid,
            "awardID/awardContractID/modNumber": "0",
            "awardID/awardContractID/transactionNumber": "0",
            "relevantContractDates/signedDate": signed,
            "dollarValues/obligatedAmount": "100.00",
            "purchaserInformation/contractingOfficeAgencyID": "1700",
            "purchaserInformation/fundingRequestingAgencyID": "1700",
            "transactionInformation/lastModifiedDate": modified,
        },
    )


def key(piid: str) -> str:
    return f"1700_-none-_{piid}_0_-none-_0"


class FakeSource:
    """Answers each query from a script: documents per (feed, kind, award type), or an error."""

    def __init__(self) -> None:
        self.answers: dict[tuple[FeedName, DocumentKind, str | None], list[FpdsDocument]] = {}
        self.fail_on: tuple[FeedName, DocumentKind, str | None] | None = None
        self.asked: list[FeedQuery] = []

    def documents(self, query: FeedQuery) -> Iterator[FpdsDocument]:
        self.asked.append(query)
        which = (query.feed, query.kind, query.award_type)
        yield from self.answers.get(which, [])
        if which == self.fail_on:
            raise FeedUnavailable("HTTP 503, after 6 attempts")


@pytest.fixture
def store() -> FakeProcurementStore:
    return FakeProcurementStore([NAVY])


@pytest.fixture
def service(store: FakeProcurementStore) -> FpdsLoadService:
    return FpdsLoadService(store=store, clock=FakeClock(dt.datetime(2024, 5, 2, 9, 0)))


def test_a_load_reads_every_query_then_applies_changes_and_deletions(store, service) -> None:
    source = FakeSource()
    source.answers[(FeedName.PUBLIC, DocumentKind.AWARD, "Delivery Order")] = [award("A1"), award("A2")]
    source.answers[(FeedName.PUBLIC, DocumentKind.AWARD, "Purchase Order")] = [award("A3")]
    result = service.load_feed(source, dt.date(2024, 5, 1))

    assert (result.documents, result.upserted, result.deleted) == (3, 3, 0)
    assert sorted(store.rows) == [key("A1"), key("A2"), key("A3")]
    assert store.rows[key("A1")].awarding_agency_code == "097"
    assert store.rows[key("A1")].last_modified == "2024-05-01 10:00:00"
    assert len(source.asked) == 9 + 2
    assert [q.award_type for q in source.asked[:5]] == list(AWARD_TYPES[DocumentKind.IDV])
    assert {(q.since, q.until) for q in source.asked} == {(dt.date(2024, 5, 1), dt.date(2024, 5, 1))}
    assert store.fpds_load_date() == dt.date(2024, 5, 2)

    source.answers.clear()
    source.answers[(FeedName.DELETED, DocumentKind.AWARD, None)] = [
        award("A2", modified="2024-05-02 01:00:00")
    ]
    again = service.load_feed(source, None)  # since defaults to the day before the last load
    assert again.deleted == 1 and sorted(store.rows) == [key("A1"), key("A3")]
    assert source.asked[-1].since == dt.date(2024, 5, 1)


def test_an_unreachable_fpds_applies_nothing(store, service) -> None:
    service.load_feed(FakeSource(), dt.date(2024, 5, 1))
    loads = len(store.load_dates)
    source = FakeSource()
    source.answers[(FeedName.PUBLIC, DocumentKind.AWARD, "Delivery Order")] = [award("A1")]
    source.fail_on = (FeedName.DELETED, DocumentKind.IDV, None)
    with pytest.raises(FeedUnavailable):
        service.load_feed(source, dt.date(2024, 5, 1))
    assert store.rows == {} and len(store.load_dates) == loads


def test_loading_the_same_documents_twice_changes_nothing(store, service) -> None:
    documents = [award("A1"), award("A2"), award("A1", modified="2024-05-01 11:00:00")]
    service.load_documents(documents)
    first = dict(store.rows)
    service.load_documents(documents)
    assert store.rows == first
    assert store.rows[key("A1")].last_modified == "2024-05-01 11:00:00"  # the later entry wins


def test_a_document_that_cannot_be_mapped_is_reported_not_loaded(store, service) -> None:
    broken = award("BAD", signed="")
    del broken.values["relevantContractDates/signedDate"]  # type: ignore[attr-defined]
    result = service.load_documents([award("A1"), broken])
    assert (result.upserted, result.rejected) == (1, 1)
    assert result.rejections[0].startswith(key("BAD"))
    assert list(store.rows) == [key("A1")]


def test_the_first_load_needs_a_start_day(service) -> None:
    with pytest.raises(RequestInvalid, match="since"):
        service.load_feed(FakeSource(), None)
    with pytest.raises(RequestInvalid, match="after until"):
        service.load_feed(FakeSource(), dt.date(2024, 5, 3), dt.date(2024, 5, 1))


def test_saved_deleted_pages_delete(store, service) -> None:
    service.load_documents([award("A1")])
    result = service.load_documents([award("A1", modified="2024-06-01 00:00:00")], deleted=True)
    assert result.deleted == 1 and store.rows == {}

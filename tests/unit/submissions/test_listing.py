"""list_submissions: parameter parsing, the certified filter, sorting and paging."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from broker_core.errors import RequestInvalid
from broker_core.submissions.listing import (
    LIMIT_MESSAGE,
    PAGE_MESSAGE,
    CertifiedFilter,
    ListingRow,
    ListParams,
    SortField,
    SortOrder,
    certified_matches,
    parse_list_params,
    sort_and_page,
)
from broker_core.submissions.model import PublishStatus


def test_defaults() -> None:
    assert parse_list_params({}) == ListParams(
        1, 5, CertifiedFilter.MIXED, SortField.MODIFIED, SortOrder.DESC
    )
    assert parse_list_params({"page": "", "certified": ""}) == ListParams()


def test_explicit_values() -> None:
    params = parse_list_params(
        {"page": "3", "limit": "100", "certified": "TRUE", "sort": "submitted_by", "order": "asc"}
    )
    assert params == ListParams(3, 100, CertifiedFilter.TRUE, SortField.SUBMITTED_BY, SortOrder.ASC)
    assert parse_list_params({"page": 2, "limit": 1}).page == 2


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"page": "0"}, PAGE_MESSAGE),
        ({"page": "-1"}, PAGE_MESSAGE),
        ({"page": "two"}, PAGE_MESSAGE),
        ({"page": "1.5"}, PAGE_MESSAGE),
        ({"page": True}, PAGE_MESSAGE),
        ({"page": ["1", "2"]}, PAGE_MESSAGE),
        ({"limit": "0"}, LIMIT_MESSAGE),
        ({"limit": "101"}, LIMIT_MESSAGE),
        ({"limit": 1000}, LIMIT_MESSAGE),
        ({"certified": "maybe"}, "certified must be one of: mixed, true, false"),
        ({"sort": "size"}, "sort must be one of: modified, reporting, status, agency, submitted_by"),
        ({"order": "up"}, "order must be one of: asc, desc"),
        ({"order": 1}, "order must be one of: asc, desc"),
    ],
)
def test_bad_values_name_the_field(query: dict[str, object], message: str) -> None:
    with pytest.raises(RequestInvalid) as info:
        parse_list_params(query)
    assert (info.value.status, info.value.message) == (400, message)


@pytest.mark.parametrize(
    ("certified", "shown"),
    [
        (CertifiedFilter.MIXED, {PublishStatus.UNPUBLISHED, PublishStatus.PUBLISHED, PublishStatus.UPDATED}),
        (CertifiedFilter.TRUE, {PublishStatus.PUBLISHED}),
        (CertifiedFilter.FALSE, {PublishStatus.UNPUBLISHED, PublishStatus.UPDATED}),
    ],
)
def test_certified_filter(certified: CertifiedFilter, shown: set[PublishStatus]) -> None:
    assert {s for s in PublishStatus if certified_matches(s, certified)} == shown


T = dt.datetime(2016, 8, 31, 12)


def row(sid: int, **values: object) -> ListingRow:
    defaults: dict[str, object] = {
        "last_modified": T,
        "reporting_start_date": dt.date(2016, 7, 1),
        "status": "waiting",
        "agency": "Agency",
        "submitted_by": "User",
    }
    defaults.update(values)
    return ListingRow(submission_id=sid, **defaults)  # type: ignore[arg-type]


def ids(rows: list[ListingRow]) -> list[int]:
    return [r.submission_id for r in rows]


def test_sorting_by_each_field() -> None:
    rows = [
        row(1, last_modified=T, reporting_start_date=dt.date(2016, 7, 1), status="running", agency="b", submitted_by="zed"),
        row(2, last_modified=T + dt.timedelta(hours=1), reporting_start_date=dt.date(2015, 7, 1), status="failed", agency="C", submitted_by="Amy"),
        row(3, last_modified=T - dt.timedelta(days=1), reporting_start_date=dt.date(2017, 1, 1), status="waiting", agency="a", submitted_by="No user"),
    ]  # fmt: skip

    def order(sort: SortField, direction: SortOrder = SortOrder.ASC) -> list[int]:
        return ids(sort_and_page(rows, ListParams(limit=10, sort=sort, order=direction)).rows)

    assert order(SortField.MODIFIED) == [3, 1, 2]
    assert order(SortField.MODIFIED, SortOrder.DESC) == [2, 1, 3]
    assert order(SortField.REPORTING) == [2, 1, 3]
    assert order(SortField.STATUS) == [2, 1, 3]
    assert order(SortField.AGENCY) == [3, 1, 2]  # case-insensitive
    assert order(SortField.SUBMITTED_BY) == [2, 3, 1]  # quirk 5: really by the creator's name


def test_same_day_modifications_sort_by_time() -> None:
    rows = [row(1, last_modified=T), row(2, last_modified=T + dt.timedelta(minutes=1))]
    assert ids(sort_and_page(rows, ListParams()).rows) == [2, 1]


def test_missing_reporting_date_sorts_first_ascending() -> None:
    rows = [row(1), row(2, reporting_start_date=None)]
    assert ids(sort_and_page(rows, ListParams(sort=SortField.REPORTING, order=SortOrder.ASC)).rows) == [2, 1]


def test_paging() -> None:
    rows = [row(i, last_modified=T + dt.timedelta(minutes=i)) for i in range(1, 13)]
    page = sort_and_page(rows, ListParams(page=2, limit=5))
    assert (ids(page.rows), page.total) == ([7, 6, 5, 4, 3], 12)
    last = sort_and_page(rows, ListParams(page=3, limit=5))
    assert ids(last.rows) == [2, 1]
    assert sort_and_page(rows, ListParams(page=4, limit=5)).rows == []


ROWS = st.lists(
    st.builds(
        row,
        st.integers(min_value=1, max_value=10_000),
        last_modified=st.sampled_from([T, T + dt.timedelta(days=1)]),
        reporting_start_date=st.sampled_from([None, dt.date(2016, 1, 1), dt.date(2016, 4, 1)]),
        status=st.sampled_from(["waiting", "failed", "running"]),
        agency=st.sampled_from(["a", "B", "b"]),
        submitted_by=st.sampled_from(["Amy", "amy", "Zed"]),
    ),
    max_size=25,
    unique_by=lambda r: r.submission_id,
)
PARAMS = st.builds(
    ListParams,
    page=st.integers(min_value=1, max_value=6),
    limit=st.integers(min_value=1, max_value=7),
    sort=st.sampled_from(SortField),
    order=st.sampled_from(SortOrder),
)


@given(ROWS, PARAMS)
def test_pages_partition_one_deterministic_order(rows: list[ListingRow], params: ListParams) -> None:
    everything = sort_and_page(rows, ListParams(limit=len(rows) or 1, sort=params.sort, order=params.order))
    assert sorted(ids(everything.rows)) == sorted(ids(rows))
    # the order does not depend on the order the store returned the rows in
    shuffled = sort_and_page(
        list(reversed(rows)), ListParams(limit=len(rows) or 1, sort=params.sort, order=params.order)
    )
    assert shuffled.rows == everything.rows
    page = sort_and_page(rows, params)
    first = params.limit * (params.page - 1)
    assert page.rows == everything.rows[first : first + params.limit]
    assert page.total == len(rows)


@given(ROWS, st.sampled_from(SortField))
def test_descending_is_ascending_reversed(rows: list[ListingRow], sort: SortField) -> None:
    size = len(rows) or 1
    ascending = sort_and_page(rows, ListParams(limit=size, sort=sort, order=SortOrder.ASC)).rows
    descending = sort_and_page(rows, ListParams(limit=size, sort=sort, order=SortOrder.DESC)).rows
    assert descending == list(reversed(ascending))


@given(ROWS)
def test_ties_keep_submission_id_order(rows: list[ListingRow]) -> None:
    ordered = sort_and_page(
        rows, ListParams(limit=len(rows) or 1, sort=SortField.STATUS, order=SortOrder.ASC)
    ).rows
    for before, after in itertools.pairwise(ordered):
        assert (before.status, before.submission_id) < (after.status, after.submission_id)

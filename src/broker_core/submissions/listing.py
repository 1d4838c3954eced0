"""list_submissions: its query parameters, the certified filter, and sorting and paging of the rows."""

from __future__ import annotations

import datetime as dt
import enum
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar

import attrs

from broker_core.errors import RequestInvalid
from broker_core.submissions.model import PublishStatus

DEFAULT_LIMIT = 5
MAX_LIMIT = 100
#: Pages beyond this would overflow the database's integers (as the query's offset).
MAX_PAGE = 2**31 - 1

PAGE_MESSAGE = f"page must be a whole number from 1 to {MAX_PAGE}"
LIMIT_MESSAGE = f"limit must be a whole number from 1 to {MAX_LIMIT}"

_DIGITS = re.compile(r"[0-9]+", re.ASCII)

_E = TypeVar("_E", bound=enum.Enum)


class CertifiedFilter(enum.Enum):
    MIXED = "mixed"  # everything
    TRUE = "true"  # published only
    FALSE = "false"  # everything not currently published (an updated one included)


class SortField(enum.Enum):
    MODIFIED = "modified"
    REPORTING = "reporting"
    STATUS = "status"
    AGENCY = "agency"
    SUBMITTED_BY = "submitted_by"


class SortOrder(enum.Enum):
    ASC = "asc"
    DESC = "desc"


@attrs.frozen
class ListParams:
    page: int = 1
    limit: int = DEFAULT_LIMIT
    certified: CertifiedFilter = CertifiedFilter.MIXED
    sort: SortField = SortField.MODIFIED
    order: SortOrder = SortOrder.DESC


def parse_list_params(query: Mapping[str, object]) -> ListParams:
    """The list parameters from a query string, with defaults for the missing ones.

    ``certified`` is optional (default ``mixed``), as the API documentation says; the
    original made it required. Unknown ``sort``/``order`` values are refused rather than
    silently replaced, and ``submitted_by`` really sorts by the creator's name (quirk 5).
    """
    return ListParams(
        page=_whole_number(query.get("page"), 1, MAX_PAGE, PAGE_MESSAGE),
        limit=_whole_number(query.get("limit"), DEFAULT_LIMIT, MAX_LIMIT, LIMIT_MESSAGE),
        certified=_choice(query.get("certified"), CertifiedFilter, CertifiedFilter.MIXED, "certified"),
        sort=_choice(query.get("sort"), SortField, SortField.MODIFIED, "sort"),
        order=_choice(query.get("order"), SortOrder, SortOrder.DESC, "order"),
    )


def _whole_number(value: object, default: int, maximum: int | None, message: str) -> int:
    if value is None or value == "":
        return default
    if isinstance(value, bool):  # True is an int to Python, not a page number
        raise RequestInvalid(message)
    if isinstance(value, str) and _DIGITS.fullmatch(value.strip()):
        value = int(value.strip())
    if not isinstance(value, int) or value < 1 or (maximum is not None and value > maximum):
        raise RequestInvalid(message)
    return value


def _choice(value: object, choices: type[_E], default: _E, field: str) -> _E:
    if value is None or value == "":
        return default
    if isinstance(value, str):
        for choice in choices:
            if choice.value == value.strip().lower():
                return choice
    allowed = ", ".join(str(choice.value) for choice in choices)
    raise RequestInvalid(f"{field} must be one of: {allowed}")


def certified_matches(publish_status: PublishStatus, certified: CertifiedFilter) -> bool:
    if certified is CertifiedFilter.TRUE:
        return publish_status is PublishStatus.PUBLISHED
    if certified is CertifiedFilter.FALSE:
        return publish_status is not PublishStatus.PUBLISHED
    return True


@attrs.frozen
class ListingRow:
    """The values of one listed submission that sorting needs (and the response shows)."""

    submission_id: int
    last_modified: dt.datetime
    reporting_start_date: dt.date | None
    status: str
    agency: str
    submitted_by: str  # the creator's name, or "No user"


@attrs.frozen
class ListingPage:
    rows: list[ListingRow]
    #: Number of matching submissions over all pages.
    total: int


def _text(value: str) -> str:
    return value.casefold()


# Sort keys are the real values (the original compared the rendered YYYY-MM-DD strings, so
# submissions modified on the same day came out in arbitrary order).
_SORT_KEYS: dict[SortField, Callable[[ListingRow], Any]] = {
    SortField.MODIFIED: lambda row: row.last_modified,
    SortField.REPORTING: lambda row: (row.reporting_start_date is not None, row.reporting_start_date),
    SortField.STATUS: lambda row: row.status,
    SortField.AGENCY: lambda row: _text(row.agency),
    SortField.SUBMITTED_BY: lambda row: _text(row.submitted_by),
}


def sort_and_page(rows: Sequence[ListingRow], params: ListParams) -> ListingPage:
    """Order the rows by ``params.sort`` then submission id, both in ``params.order``, and cut the page.

    The id breaks ties so that a page always holds the same rows however the store
    returned them, and descending is exactly ascending reversed.
    """
    primary = _SORT_KEYS[params.sort]
    ordered = sorted(
        rows,
        key=lambda row: (primary(row), row.submission_id),
        reverse=params.order is SortOrder.DESC,
    )
    first = params.limit * (params.page - 1)
    return ListingPage(rows=ordered[first : first + params.limit], total=len(rows))

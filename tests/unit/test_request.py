"""Validation of generate_detached_file bodies and job ids: every message of spec §1.3 / §1.4."""

from __future__ import annotations

import datetime as dt

import pytest

from broker_core.errors import RequestInvalid
from broker_core.file_types import FileType
from broker_core.generation.model import AgencyType, FileFormat
from broker_core.generation.request import parse_detached_request, parse_job_id

D1 = {"file_type": "D1", "cgac_code": "020", "start": "01/01/2017", "end": "01/31/2017"}
A = {"file_type": "A", "cgac_code": "097", "year": 2017, "period": 6}


def message_of(payload: dict[str, object]) -> str:
    with pytest.raises(RequestInvalid) as info:
        parse_detached_request(payload)
    assert info.value.status == 400
    return info.value.message


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"file_type": "BOC"}, "file_type: Must be one of: A, D1, D2."),
        ({"file_type": "E"}, "file_type: Must be one of: A, D1, D2."),
        ({"file_type": "d1"}, "file_type: Must be one of: A, D1, D2."),
        ({"file_type": None}, "file_type: Field may not be null."),
        ({"file_type": 1}, "file_type: Not a valid string."),
        ({"cgac_code": 20}, "cgac_code: Not a valid string."),
        ({"frec_code": ["1100"]}, "frec_code: Not a valid string."),
        ({"frec_code": None}, "frec_code: Field may not be null."),
        ({"start": 20170101}, "start: Not a valid string."),
        ({"end": True}, "end: Not a valid string."),
        ({"year": "abc"}, "year: Not a valid integer."),
        ({"year": 2017.5}, "year: Not a valid integer."),
        ({"year": True}, "year: Not a valid integer."),
        ({"year": "2017.0"}, "year: Not a valid integer."),
        ({"year": [2017]}, "year: Not a valid integer."),
        ({"year": None}, "year: Field may not be null."),
        ({"period": 13}, "period: Period must be an integer 2-12."),
        ({"period": 1}, "period: Period must be an integer 2-12."),
        ({"period": "0"}, "period: Period must be an integer 2-12."),
        ({"period": "six"}, "period: Not a valid integer."),
        ({"period": False}, "period: Not a valid integer."),
        ({"agency_type": "both"}, "agency_type: Must be either awarding or funding if provided"),
        ({"agency_type": "Awarding"}, "agency_type: Must be either awarding or funding if provided"),
        ({"agency_type": 1}, "agency_type: Not a valid string."),
        ({"agency_type": None}, "agency_type: Field may not be null."),
        ({"file_format": "xlsx"}, "file_format: Must be either csv or txt if provided"),
        ({"file_format": 0}, "file_format: Not a valid string."),
        ({"element_numbers": "maybe"}, "element_numbers: Not a valid boolean."),
        ({"element_numbers": "TrUe"}, "element_numbers: Not a valid boolean."),
        ({"element_numbers": 2}, "element_numbers: Not a valid boolean."),
        ({"element_numbers": [True]}, "element_numbers: Not a valid boolean."),
        ({"element_numbers": None}, "element_numbers: Field may not be null."),
    ],
)
def test_field_messages(changes: dict[str, object], message: str) -> None:
    assert message_of({**D1, **changes}) == message


def test_missing_file_type() -> None:
    assert message_of({"cgac_code": "020"}) == "file_type: Missing data for required field."
    assert message_of({}) == "file_type: Missing data for required field."


def test_several_fields_sorted_by_name_and_joined_by_a_space() -> None:
    payload = {"year": "x", "file_type": "Q", "agency_type": "none", "period": 40}
    assert message_of(payload) == (
        "agency_type: Must be either awarding or funding if provided "
        "file_type: Must be one of: A, D1, D2. "
        "period: Period must be an integer 2-12. "
        "year: Not a valid integer."
    )


def test_field_errors_come_before_handler_checks() -> None:
    # No agency code and no dates either, but the field error is what the user sees.
    assert message_of({"file_type": "D1", "file_format": "pdf"}) == (
        "file_format: Must be either csv or txt if provided"
    )


@pytest.mark.parametrize(
    "agency", [{}, {"cgac_code": ""}, {"frec_code": ""}, {"cgac_code": "", "frec_code": ""}]
)
def test_agency_required(agency: dict[str, str]) -> None:
    payload = {"file_type": "D1", "start": "01/01/2017", "end": "01/31/2017", **agency}
    assert message_of(payload) == "Detached file generation requires CGAC or FR Entity Code"


def test_agency_checked_before_dates() -> None:
    assert message_of({"file_type": "A"}) == "Detached file generation requires CGAC or FR Entity Code"


@pytest.mark.parametrize(
    "dates",
    [{}, {"start": "01/01/2017"}, {"end": "01/31/2017"}, {"start": "", "end": "01/31/2017"}, {"quarter": 1}],
)
@pytest.mark.parametrize("file_type", ["D1", "D2"])
def test_d_dates_required(file_type: str, dates: dict[str, object]) -> None:
    payload = {"file_type": file_type, "cgac_code": "020", "year": 2017, "period": 4, **dates}
    assert message_of(payload) == "Must have a start and end date for D file generation."


@pytest.mark.parametrize(
    ("start", "end"),
    [
        ("02/30/2016", "03/01/2016"),
        ("01/01/2016", "2016-02-01"),
        ("1-1-2016", "2/1/2016"),
        ("13/01/2016", "x"),
    ],
)
def test_d_dates_must_parse(start: str, end: str) -> None:
    assert message_of({**D1, "start": start, "end": end}) == "Start or end date cannot be parsed into a date"


def test_start_after_end_is_rejected() -> None:
    assert message_of({**D1, "start": "02/01/2017", "end": "01/31/2017"}) == (
        "start: Start date must not be after the end date"
    )


@pytest.mark.parametrize(
    "changes",
    [{"year": None}, {"period": None}, {"year": 0}, {"year": "0"}, {"year": None, "period": None}],
)
def test_a_needs_year_and_period(changes: dict[str, object]) -> None:
    payload = {key: value for key, value in {**A, **changes}.items() if value is not None}
    assert message_of(payload) == "Must have a year and period for A or BOC file generation."


@pytest.mark.parametrize("year", [12345, 999, -2017, "12345"])
def test_a_year_must_have_four_digits(year: object) -> None:
    assert message_of({**A, "year": year}) == "Year must be in YYYY format."


def test_a_period_13_is_a_field_error() -> None:
    assert message_of({**A, "period": 13}) == "period: Period must be an integer 2-12."


def test_d1_request_with_defaults() -> None:
    request = parse_detached_request(D1)
    assert request.file_type is FileType.D1
    assert request.agency_code == "020"
    assert (request.start, request.end) == (dt.date(2017, 1, 1), dt.date(2017, 1, 31))
    assert request.agency_type is AgencyType.AWARDING
    assert request.file_format is FileFormat.CSV
    assert request.element_numbers is False
    assert (request.year, request.period) == (None, None)


def test_d2_request_with_every_option() -> None:
    request = parse_detached_request(
        {"file_type": "D2", "cgac_code": "020", "frec_code": "1100", "start": "1/2/2016", "end": "1/2/2016",
         "agency_type": "funding", "file_format": "txt", "element_numbers": "yes", "year": 2017, "period": 4,
         "quarter": 2, "anything": {"ignored": True}}
    )  # fmt: skip
    assert request.file_type is FileType.D2
    assert request.agency_code == "1100"  # FREC wins over CGAC
    assert request.start == request.end == dt.date(2016, 1, 2)
    assert request.agency_type is AgencyType.FUNDING
    assert request.file_format is FileFormat.TXT
    assert request.element_numbers is True
    assert (request.year, request.period) == (None, None)  # ignored for D files


def test_empty_frec_falls_back_to_cgac() -> None:
    assert parse_detached_request({**D1, "frec_code": ""}).agency_code == "020"


@pytest.mark.parametrize(
    ("value", "expected"),
    [(True, True), (False, False), ("true", True), ("False", False), (1, True), (0, False), (1.0, True),
     ("yes", True), ("NO", False), ("t", True), ("F", False), ("on", True), ("off", False), ("1", True),
     ("0", False), ("Y", True), ("n", False)],
)  # fmt: skip
def test_element_numbers_spellings(value: object, expected: bool) -> None:
    assert parse_detached_request({**D1, "element_numbers": value}).element_numbers is expected


@pytest.mark.parametrize(
    ("year", "period", "expected"),
    [
        (2017, 6, (2017, 6, dt.date(2017, 3, 1), dt.date(2017, 3, 31))),
        ("2017", "2", (2017, 2, dt.date(2016, 11, 1), dt.date(2016, 11, 30))),
        (2021.0, 12, (2021, 12, dt.date(2021, 9, 1), dt.date(2021, 9, 30))),
    ],
)
def test_a_request(year: object, period: object, expected: tuple[int, int, dt.date, dt.date]) -> None:
    request = parse_detached_request({**A, "year": year, "period": period, "start": "junk"})
    assert request.file_type is FileType.A
    assert request.agency_code == "097"
    assert (request.year, request.period, request.start, request.end) == expected


def test_non_object_body_is_treated_as_empty() -> None:
    assert message_of(["D1"]) == "file_type: Missing data for required field."  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("value", "expected"), [(1, 1), ("42", 42), ("-1", -1), (" 7 ", 7), (3.0, 3), (0, 0)]
)
def test_parse_job_id(value: object, expected: int) -> None:
    assert parse_job_id(value) == expected


@pytest.mark.parametrize("value", [None, ""])
def test_job_id_missing(value: object) -> None:
    with pytest.raises(RequestInvalid, match=r"^job_id: Missing data for required field\.$"):
        parse_job_id(value)


@pytest.mark.parametrize("value", ["abc", 1.5, True, False, "1.0", "1e3", [1], {"id": 1}, " "])
def test_job_id_not_an_integer(value: object) -> None:
    with pytest.raises(RequestInvalid, match=r"^job_id: Not a valid integer\.$"):
        parse_job_id(value)

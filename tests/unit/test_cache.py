"""The D-file cache key and D1 staleness (spec §3)."""

from __future__ import annotations

import datetime as dt

import attrs
import pytest

from broker_core.file_types import FileType
from broker_core.generation.cache import cache_key, is_stale
from broker_core.generation.model import AgencyType, DetachedGenerationRequest, FileFormat, FileGeneration

BASE = DetachedGenerationRequest(
    file_type=FileType.D1,
    agency_code="020",
    start=dt.date(2017, 1, 1),
    end=dt.date(2017, 1, 31),
)
TODAY = dt.date(2024, 5, 1)


def test_key_carries_every_field() -> None:
    key = cache_key(attrs.evolve(BASE, agency_type=AgencyType.FUNDING, file_format=FileFormat.TXT))
    assert (key.file_type, key.start, key.end, key.agency_code) == (FileType.D1, BASE.start, BASE.end, "020")
    assert (key.agency_type, key.file_format, key.element_numbers) == (
        AgencyType.FUNDING,
        FileFormat.TXT,
        False,
    )


def test_equal_requests_share_a_key() -> None:
    assert cache_key(BASE) == cache_key(attrs.evolve(BASE))
    # year/period do not matter for D files
    assert cache_key(BASE) == cache_key(attrs.evolve(BASE, year=2017, period=4))
    assert hash(cache_key(BASE)) == hash(cache_key(attrs.evolve(BASE)))


@pytest.mark.parametrize(
    "changes",
    [
        {"file_type": FileType.D2},
        {"start": dt.date(2017, 1, 2)},
        {"end": dt.date(2017, 1, 30)},
        {"agency_code": "097"},
        {"agency_type": AgencyType.FUNDING},
        {"file_format": FileFormat.TXT},
        {"element_numbers": True},
    ],
)
def test_any_difference_splits_the_cache(changes: dict[str, object]) -> None:
    assert cache_key(BASE) != cache_key(attrs.evolve(BASE, **changes))


def test_element_numbers_split_the_d2_cache_too() -> None:
    d2 = attrs.evolve(BASE, file_type=FileType.D2)
    assert cache_key(d2) != cache_key(attrs.evolve(d2, element_numbers=True))


def test_a_files_are_not_cached() -> None:
    with pytest.raises(ValueError):
        cache_key(attrs.evolve(BASE, file_type=FileType.A))


def test_key_round_trips_through_a_file_generation() -> None:
    key = cache_key(BASE)
    assert FileGeneration.for_key(key, TODAY).cache_key == key


def generation(file_type: FileType, request_date: dt.date) -> FileGeneration:
    return FileGeneration.for_key(cache_key(attrs.evolve(BASE, file_type=file_type)), request_date)


@pytest.mark.parametrize(
    ("request_date", "load_date", "stale"),
    [
        (dt.date(2024, 4, 30), dt.date(2024, 5, 1), True),  # FPDS loaded after the file was made
        (dt.date(2024, 5, 1), dt.date(2024, 5, 1), False),  # same day, load time unknown: kept
        (dt.date(2024, 5, 1), dt.date(2024, 4, 1), False),
        (dt.date(2024, 4, 30), None, True),  # no load on record: a D1 file lasts its request day
        (TODAY, None, False),
    ],
)
def test_d1_staleness(request_date: dt.date, load_date: dt.date | None, stale: bool) -> None:
    assert is_stale(generation(FileType.D1, request_date), load_date, TODAY) is stale


@pytest.mark.parametrize("load_date", [None, dt.date(2024, 5, 1), dt.date(2030, 1, 1)])
def test_d2_never_ages_by_date(load_date: dt.date | None) -> None:
    assert is_stale(generation(FileType.D2, dt.date(2000, 1, 1)), load_date, TODAY) is False


@pytest.mark.parametrize(
    ("created", "stale"),
    [
        (dt.datetime(2024, 5, 1, 9, 59), True),  # made earlier on the day of the load: misses its rows
        (dt.datetime(2024, 5, 1, 10, 1), False),  # made after the load
    ],
)
def test_a_d1_file_made_before_a_same_day_load_is_stale(created: dt.datetime, stale: bool) -> None:
    made = generation(FileType.D1, created.date())
    made.created_at = created
    loaded_at = dt.datetime(2024, 5, 1, 10, 0)
    assert is_stale(made, loaded_at.date(), loaded_at.date(), loaded_at=loaded_at) is stale
    assert (
        is_stale(generation(FileType.D2, created.date()), loaded_at.date(), TODAY, loaded_at=loaded_at)
        is False
    )

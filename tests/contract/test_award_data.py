"""Contract of the AwardDataReader and AwardDataStore ports, run against every database adapter."""

from __future__ import annotations

import datetime as dt
import threading
import types
from decimal import Decimal

import pytest
from sqlalchemy import Table, func, select

from broker_adapters.sqlalchemy import tables
from broker_adapters.sqlalchemy.award_data import SqlAlchemyAwardData
from broker_core.file_types import FileType
from broker_core.generation.model import AgencyType
from broker_core.records import (
    AgencyRecord,
    FailedEdit,
    RenderedAwardRow,
    SF133Record,
    SubmissionWindow,
    TasRecord,
)

from .conftest import Adapter
from .failing import Boom, failing_after

START, END = dt.date(2024, 1, 1), dt.date(2024, 3, 31)


def award(
    key: str, day: dt.date, awarding: str | None = "097", funding: str | None = "097", **kw: object
) -> RenderedAwardRow:
    return RenderedAwardRow(
        unique_key=key,
        action_date=day,
        awarding_agency_code=awarding,
        funding_agency_code=funding,
        line=f"{key},{day:%Y%m%d},{awarding},{funding}\n",
        unique_award_key=f"AWD_{key}",
        **kw,  # type: ignore[arg-type]
    )


def lines(award_data: SqlAlchemyAwardData, file_type: FileType, code: str = "097", agency_type: AgencyType = AgencyType.AWARDING, start: dt.date = START, end: dt.date = END) -> list[str]:  # fmt: skip
    return list(award_data.award_lines(file_type, code, agency_type, start, end))


def count_rows(adapter: Adapter, table: Table) -> int:
    with adapter.engine.connect() as conn:
        return int(conn.scalar(select(func.count()).select_from(table)) or 0)


@pytest.fixture
def small_batches(adapter: Adapter) -> SqlAlchemyAwardData:
    """The adapter's award data with tiny batches, so a few rows span several batches."""
    return SqlAlchemyAwardData(adapter.engine, stream_batch=2, write_batch=3)


# --------------------------------------------------------------------------- award lines


@pytest.mark.parametrize("file_type", [FileType.D1, FileType.D2])
def test_award_lines_filters_by_agency_and_inclusive_date_range(
    small_batches: SqlAlchemyAwardData, file_type: FileType
) -> None:
    rows = [
        award("before", START - dt.timedelta(days=1)),
        award("first-day", START),
        award("middle", dt.date(2024, 2, 15)),
        award("funding-only", dt.date(2024, 2, 16), awarding="012", funding="097"),
        award("awarding-only", dt.date(2024, 2, 17), awarding="097", funding="012"),
        award("other-agency", dt.date(2024, 2, 18), awarding="012", funding="012"),
        award("no-agency", dt.date(2024, 2, 19), awarding=None, funding=None),
        award("last-day", END),
        award("after", END + dt.timedelta(days=1)),
    ]
    assert small_batches.upsert_award_rows(file_type, rows) == len(rows)
    by_key = {row.unique_key: row.line for row in rows}

    awarding = lines(small_batches, file_type, agency_type=AgencyType.AWARDING)
    funding = lines(small_batches, file_type, agency_type=AgencyType.FUNDING)
    assert awarding == [by_key[k] for k in ("first-day", "middle", "awarding-only", "last-day")]
    assert funding == [by_key[k] for k in ("first-day", "middle", "funding-only", "last-day")]
    assert lines(small_batches, file_type, code="012") == [by_key["funding-only"], by_key["other-agency"]]
    assert lines(small_batches, file_type, start=END, end=END) == [by_key["last-day"]]
    assert lines(small_batches, file_type, code="999") == []
    other = FileType.D2 if file_type is FileType.D1 else FileType.D1
    assert lines(small_batches, other) == []


def test_award_lines_come_in_load_order(small_batches: SqlAlchemyAwardData) -> None:
    days = [dt.date(2024, 3, 1), dt.date(2024, 1, 5), dt.date(2024, 2, 1), dt.date(2024, 1, 5)]
    rows = [award(f"k{i}", day) for i, day in enumerate(days)]
    small_batches.upsert_award_rows(FileType.D1, rows)
    assert lines(small_batches, FileType.D1) == [row.line for row in rows]


def test_d2_lines_exclude_inactive_rows(award_data: SqlAlchemyAwardData) -> None:
    active = award("active", START)
    inactive = award("inactive", START, is_active=False)
    award_data.upsert_award_rows(FileType.D2, [active, inactive])
    assert lines(award_data, FileType.D2) == [active.line]


def test_award_lines_is_a_lazy_stream(adapter: Adapter, small_batches: SqlAlchemyAwardData) -> None:
    rows = [award(f"k{i:02d}", START) for i in range(10)]
    small_batches.upsert_award_rows(FileType.D1, rows)
    stream = small_batches.award_lines(FileType.D1, "097", AgencyType.AWARDING, START, END)
    assert isinstance(stream, types.GeneratorType)
    assert next(stream) == rows[0].line
    # A reader in the middle of its stream must not block writers (SQLite: WAL, deferred reads).
    done = threading.Event()

    def write() -> None:
        small_batches.upsert_award_rows(FileType.D1, [award("written-meanwhile", START)])
        done.set()

    writer = threading.Thread(target=write)
    writer.start()
    writer.join(timeout=10)
    assert done.is_set()
    # The stream keeps its snapshot and its order.
    assert list(stream) == [row.line for row in rows[1:]]
    stream.close()


def test_closing_a_stream_early_releases_its_connection(adapter: Adapter) -> None:
    award_data = SqlAlchemyAwardData(adapter.engine, stream_batch=2)
    award_data.upsert_award_rows(FileType.D1, [award(f"k{i}", START) for i in range(10)])
    for _ in range(30):  # more than the pool holds
        stream = award_data.award_lines(FileType.D1, "097", AgencyType.AWARDING, START, END)
        assert isinstance(stream, types.GeneratorType)
        next(stream)
        stream.close()
    assert adapter.engine.pool.checkedout() == 0  # type: ignore[attr-defined]


# --------------------------------------------------------------------------- upserts


@pytest.mark.parametrize("file_type", [FileType.D1, FileType.D2])
def test_upsert_replaces_rows_by_unique_key(
    adapter: Adapter, small_batches: SqlAlchemyAwardData, file_type: FileType
) -> None:
    small_batches.upsert_award_rows(file_type, [award(f"k{i}", START) for i in range(5)])
    changed = award("k2", END, awarding="012", funding="012", is_active=True)
    assert small_batches.upsert_award_rows(file_type, [changed, award("k9", START)]) == 2
    table = tables.AWARD_TABLES[file_type][0]
    assert count_rows(adapter, table) == 6
    assert changed.line not in lines(small_batches, file_type)
    assert lines(small_batches, file_type, code="012") == [changed.line]
    # The replaced row keeps its place (its id) in the stream order.
    assert lines(small_batches, file_type, start=START, end=START) == [
        award(k, START).line for k in ("k0", "k1", "k3", "k4", "k9")
    ]


@pytest.mark.parametrize("file_type", [FileType.D1, FileType.D2])
def test_a_key_repeated_within_one_load_keeps_its_last_row(
    adapter: Adapter, small_batches: SqlAlchemyAwardData, file_type: FileType
) -> None:
    first, second = award("dup", START), award("dup", END)
    rows = [award("a", START), first, award("b", START), second, award("c", START)]
    assert small_batches.upsert_award_rows(file_type, rows) == 5
    assert count_rows(adapter, tables.AWARD_TABLES[file_type][0]) == 4
    # The last version, in the place of the first (as one upsert after another would leave it).
    assert lines(small_batches, file_type) == [rows[0].line, second.line, rows[2].line, rows[4].line]


def test_upsert_can_deactivate_a_d2_row(award_data: SqlAlchemyAwardData) -> None:
    award_data.upsert_award_rows(FileType.D2, [award("k", START)])
    award_data.upsert_award_rows(FileType.D2, [award("k", START, is_active=False)])
    assert lines(award_data, FileType.D2) == []


@pytest.mark.parametrize("file_type", [FileType.D1, FileType.D2])
def test_a_failing_upsert_keeps_nothing(
    adapter: Adapter, small_batches: SqlAlchemyAwardData, file_type: FileType
) -> None:
    before = [award("old", START)]
    small_batches.upsert_award_rows(file_type, before)
    load_date = small_batches.fpds_load_date()
    replacement = [award("old", END, awarding="012")] + [award(f"new{i}", START) for i in range(10)]
    with pytest.raises(Boom):
        small_batches.upsert_award_rows(file_type, failing_after(replacement, 8))  # after 2 batches
    assert lines(small_batches, file_type) == [before[0].line]
    assert count_rows(adapter, tables.AWARD_TABLES[file_type][0]) == 1
    assert small_batches.fpds_load_date() == load_date


def test_fpds_load_date(award_data: SqlAlchemyAwardData) -> None:
    assert award_data.fpds_load_date() is None
    award_data.upsert_award_rows(FileType.D2, [award("fabs", START)])
    assert award_data.fpds_load_date() is None  # only procurement loads count
    before = dt.datetime.now(dt.UTC).date()
    award_data.upsert_award_rows(FileType.D1, [])
    assert award_data.fpds_load_date() in (before, dt.datetime.now(dt.UTC).date())
    award_data.record_fpds_load(dt.datetime(2020, 2, 3, 23, 59))
    assert award_data.fpds_load_date() == dt.date(2020, 2, 3)


# --------------------------------------------------------------------------- File A sources


def sf133(tas: str, line: int, amount: str, fiscal_year: int = 2024, period: int = 6) -> SF133Record:
    return SF133Record(
        fiscal_year=fiscal_year,
        period=period,
        allocation_transfer_agency=None,
        agency_identifier=tas[:3],
        beginning_period_of_availa=None,
        ending_period_of_availabil=None,
        availability_type_code="X",
        main_account_code="0100",
        sub_account_code="000",
        line=line,
        amount=Decimal(amount),
        tas=tas,
    )


def tas_row(tas: str, account_num: int, fi2: str | None, entity: str | None = "1") -> TasRecord:
    return TasRecord(
        account_num=account_num,
        allocation_transfer_agency=None,
        agency_identifier=tas[:3],
        beginning_period_of_availa=None,
        ending_period_of_availabil=None,
        availability_type_code="X",
        main_account_code="0100",
        sub_account_code="000",
        tas=tas,
        financial_indicator2=fi2,
        fr_entity_type=entity,
        fr_entity_description="desc",
        account_title="title",
        internal_start_date=dt.date(2010, 1, 1),
        internal_end_date=None,
    )


def test_tas_balances_join_one_lookup_row_per_tas(small_batches: SqlAlchemyAwardData) -> None:
    rows = [
        sf133("097X0100000", 1000, "12345678901234567890.12"),
        sf133("097X0100000", 2490, "-0.01"),
        sf133("012X0100000", 1000, "5.50"),
        sf133("999X0100000", 1000, "1.00"),  # no TAS lookup row: inner join drops it
        sf133("097X0100000", 1000, "7.00", period=5),  # other period
        sf133("097X0100000", 1000, "8.00", fiscal_year=2023),  # other year
    ]
    small_batches.replace_sf133(rows)
    # 097's TAS has a history of three rows; the newest one is joined, and only once.
    small_batches.replace_tas(
        [
            tas_row("097X0100000", 1, "old"),
            tas_row("012X0100000", 2, None, entity=None),
            tas_row("097X0100000", 3, "older"),
            tas_row("097X0100000", 4, "newest", entity="2"),
        ]
    )
    balances = list(small_batches.tas_balances(2024, 6))
    assert [b.sf133 for b in balances] == rows[:3]
    assert [(b.financial_indicator2, b.fr_entity_type) for b in balances] == [
        ("newest", "2"),
        ("newest", "2"),
        (None, None),
    ]
    assert sum(b.sf133.amount for b in balances) == Decimal("12345678901234567895.61")
    assert isinstance(balances[0].sf133.amount, Decimal)
    assert list(small_batches.tas_balances(2024, 7)) == []


def test_replace_sf133_replaces_only_the_periods_present(
    adapter: Adapter, small_batches: SqlAlchemyAwardData
) -> None:
    small_batches.replace_tas([tas_row("097X0100000", 1, "F")])
    period_5 = [sf133("097X0100000", 1000 + i, "1.00", period=5) for i in range(4)]
    period_6 = [sf133("097X0100000", 1000 + i, "2.00", period=6) for i in range(4)]
    assert small_batches.replace_sf133(period_5 + period_6) == 8
    new_6 = [sf133("097X0100000", 3000 + i, "3.00", period=6) for i in range(5)]
    period_7 = [sf133("097X0100000", 1000, "4.00", period=7)]
    # Pairs interleaved: each pair is cleared the first time it appears only.
    assert small_batches.replace_sf133([new_6[0], period_7[0], *new_6[1:]]) == 6
    assert [b.sf133 for b in small_batches.tas_balances(2024, 5)] == period_5
    assert sorted(b.sf133.line for b in small_batches.tas_balances(2024, 6)) == [b.line for b in new_6]
    assert [b.sf133 for b in small_batches.tas_balances(2024, 7)] == period_7
    with pytest.raises(Boom):
        small_batches.replace_sf133(failing_after([sf133("097X0100000", 1, "9.99", period=5)] * 10, 7))
    assert [b.sf133 for b in small_batches.tas_balances(2024, 5)] == period_5
    assert count_rows(adapter, tables.sf_133) == 4 + 5 + 1


def test_replace_tas_replaces_everything(adapter: Adapter, award_data: SqlAlchemyAwardData) -> None:
    award_data.replace_tas([tas_row("097X0100000", 1, "A"), tas_row("012X0100000", 2, "B")])
    assert award_data.replace_tas([tas_row("097X0100000", 3, "C")]) == 1
    assert count_rows(adapter, tables.tas_lookup) == 1
    with pytest.raises(Boom):
        award_data.replace_tas(failing_after([tas_row("1", 1, "X")] * 3, 2))
    assert count_rows(adapter, tables.tas_lookup) == 1


def test_submission_windows(award_data: SqlAlchemyAwardData) -> None:
    assert award_data.submission_window(2024, 6) is None
    windows = [
        SubmissionWindow(2024, 6, dt.date(2024, 4, 19)),
        SubmissionWindow(2024, 7, dt.date(2024, 5, 17)),
    ]
    assert award_data.replace_submission_windows(windows) == 2
    assert award_data.submission_window(2024, 6) == windows[0]
    award_data.replace_submission_windows([SubmissionWindow(2024, 7, dt.date(2024, 5, 20))])
    assert award_data.submission_window(2024, 6) is None
    assert award_data.submission_window(2024, 7) == SubmissionWindow(2024, 7, dt.date(2024, 5, 20))


def test_failed_edits_are_replaced_per_period(award_data: SqlAlchemyAwardData) -> None:
    p6 = [
        FailedEdit(2024, 6, "097X0100000", "Fatal", "F", False),
        FailedEdit(2024, 6, "012X0100000", "Proposed", None, True),
    ]
    p7 = [FailedEdit(2024, 7, "097X0100000", "Fatal", "P", False)]
    assert award_data.replace_failed_edits(p6 + p7) == 3
    assert list(award_data.failed_edits(2024, 6)) == p6
    new_7 = [FailedEdit(2024, 7, "012X0100000", "Proposed", None, True)]
    award_data.replace_failed_edits(new_7)
    assert list(award_data.failed_edits(2024, 7)) == new_7
    assert list(award_data.failed_edits(2024, 6)) == p6
    assert list(award_data.failed_edits(2023, 6)) == []


# --------------------------------------------------------------------------- agencies


def agency(cgac: str, name: str, frec: str | None, sub_tier: str | None, *, associated: bool = False) -> AgencyRecord:  # fmt: skip
    return AgencyRecord(
        cgac_code=cgac,
        agency_name=name,
        frec_code=frec,
        frec_name=None if frec is None else f"FREC {frec}",
        sub_tier_code=sub_tier,
        sub_tier_name=None if sub_tier is None else f"Sub-tier {sub_tier}",
        is_frec=False,
        frec_cgac_association=associated,
    )


def test_replace_agencies_and_frecs_of_cgac(adapter: Adapter, small_batches: SqlAlchemyAwardData) -> None:
    records = [
        agency("097", "DOD", "9700", "2100"),
        agency("097", "DOD", "9700", "2101"),
        agency("097", "DOD", "9701", "2102"),
        agency("097", "DOD", None, "2103"),
        agency("012", "USDA", None, "1200"),
        agency("011", "EOP", "1100", None),
        agency("021", "Army", "1100", "2104", associated=True),  # 1100 belongs to 021
        agency("097", "DOD", "9700", "2100"),  # repeated sub-tier
    ]
    assert small_batches.replace_agencies(records) == len(records)
    assert small_batches.frecs_of_cgac("097") == {"9700", "9701"}
    assert small_batches.frecs_of_cgac("021") == {"1100"}
    assert small_batches.frecs_of_cgac("011") == set()
    assert small_batches.frecs_of_cgac("012") == set()
    assert count_rows(adapter, tables.cgac) == 4
    assert count_rows(adapter, tables.frec) == 3
    assert count_rows(adapter, tables.sub_tier_agency) == 6
    # Replacing drops what is no longer listed; a failure keeps the previous lists.
    small_batches.replace_agencies([agency("097", "Defense", "9700", "2100")])
    assert small_batches.frecs_of_cgac("097") == {"9700"}
    with pytest.raises(Boom):
        small_batches.replace_agencies(
            failing_after([agency("012", "USDA", None, f"12{i:02d}") for i in range(9)], 7)
        )
    assert small_batches.frecs_of_cgac("097") == {"9700"}
    with adapter.uow_factory() as uow:
        assert uow.agencies.name_of("097") == "Defense"
        assert not uow.agencies.exists("012")

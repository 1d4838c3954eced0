"""Source data: streamed reads for the generators and all-or-nothing bulk writes for the loaders."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Select, delete, func, select
from sqlalchemy.engine import Connection, Engine

from broker_adapters.sqlalchemy import tables
from broker_adapters.sqlalchemy.engine import (
    SQLITE_BEGIN,
    BulkInsert,
    batches,
    bulk_write_settings,
    filter_for_key_order,
    upsert,
    utc_now,
)
from broker_adapters.sqlalchemy.pg_copy import copy_upsert
from broker_adapters.sqlalchemy.tables.file_a_sources import TAS_COMPONENTS
from broker_core.file_types import FileType
from broker_core.generation.model import AgencyType
from broker_core.records import (
    AgencyRecord,
    FailedEdit,
    RenderedAwardRow,
    SF133Record,
    SubmissionWindow,
    TasBalance,
    TasRecord,
)

#: Rows fetched per round trip when streaming.
STREAM_BATCH = 1_000
#: Rows per executemany when writing.
WRITE_BATCH = 5_000

FPDS = "fpds"

_SF133_FIELDS = (
    "fiscal_year",
    "period",
    *TAS_COMPONENTS,
    "line",
    "amount",
    "tas",
)
_TAS_FIELDS = (
    "account_num",
    *TAS_COMPONENTS,
    "tas",
    "financial_indicator2",
    "fr_entity_type",
    "fr_entity_description",
    "account_title",
    "internal_start_date",
    "internal_end_date",
)


class SqlAlchemyAwardData:
    """Implements both ``AwardDataReader`` and ``AwardDataStore`` over one engine.

    Thread-safe: every call takes its own pooled connection. Readers use a
    deferred transaction (they never hold SQLite's write lock, so a long
    generation does not block the API); writers use one ``BEGIN IMMEDIATE``
    transaction per call.
    """

    def __init__(
        self, engine: Engine, *, stream_batch: int = STREAM_BATCH, write_batch: int = WRITE_BATCH
    ) -> None:
        self.engine = engine
        self.stream_batch = stream_batch
        self.write_batch = write_batch

    # ------------------------------------------------------------------ reading

    def award_lines(
        self,
        file_type: FileType,
        agency_code: str,
        agency_type: AgencyType,
        start: dt.date,
        end: dt.date,
    ) -> Iterator[str]:
        table, key, _ = tables.AWARD_TABLES[file_type]
        agency_column = (
            table.c.awarding_agency_code
            if agency_type is AgencyType.AWARDING
            else table.c.funding_agency_code
        )
        condition = filter_for_key_order(
            self.engine, key, agency_column == agency_code, table.c.action_date.between(start, end)
        )
        stmt = select(table.c.row_csv).where(condition)
        if file_type is FileType.D2:
            stmt = stmt.where(table.c.is_active.is_(True))
        return self._stream_scalars(stmt.order_by(key))

    def tas_balances(self, fiscal_year: int, period: int) -> Iterator[TasBalance]:
        sf, tas = tables.sf_133, tables.tas_lookup
        # One TAS lookup row per TAS (the newest), so a TAS with a history does
        # not repeat its SF-133 lines.
        newest = (
            select(tas.c.tas, func.max(tas.c.tas_lookup_id).label("tas_lookup_id"))
            .group_by(tas.c.tas)
            .subquery()
        )
        stmt = (
            select(*(sf.c[name] for name in _SF133_FIELDS), tas.c.financial_indicator2, tas.c.fr_entity_type)
            .select_from(sf)
            .join(newest, newest.c.tas == sf.c.tas)
            .join(tas, tas.c.tas_lookup_id == newest.c.tas_lookup_id)
            .where(sf.c.fiscal_year == fiscal_year, sf.c.period == period)
            .order_by(sf.c.sf133_id)
        )
        count = len(_SF133_FIELDS)
        for row in self._stream_rows(stmt):
            yield TasBalance(
                sf133=SF133Record(*row[:count]),
                financial_indicator2=row[count],
                fr_entity_type=row[count + 1],
            )

    def frecs_of_cgac(self, cgac_code: str) -> set[str]:
        with self._reading() as conn:
            return set(
                conn.scalars(select(tables.frec.c.frec_code).where(tables.frec.c.cgac_code == cgac_code))
            )

    def fpds_load_date(self) -> dt.date | None:
        when = self.fpds_loaded_at()
        return None if when is None else when.date()

    def fpds_loaded_at(self) -> dt.datetime | None:
        t = tables.external_data_load_date
        with self._reading() as conn:
            when: dt.datetime | None = conn.scalar(
                select(t.c.last_load_date_start).where(t.c.external_data_type == FPDS)
            )
        return when

    def submission_window(self, fiscal_year: int, period: int) -> SubmissionWindow | None:
        t = tables.submission_window_schedule
        with self._reading() as conn:
            row = conn.execute(
                select(t.c.fiscal_year, t.c.period, t.c.period_start).where(
                    t.c.fiscal_year == fiscal_year, t.c.period == period
                )
            ).first()
        return None if row is None else SubmissionWindow(*row)

    def failed_edits(self, fiscal_year: int, period: int) -> Iterator[FailedEdit]:
        t = tables.gtas_failed_edits
        stmt = (
            select(
                t.c.fiscal_year,
                t.c.period,
                t.c.tas,
                t.c.severity,
                t.c.atb_submission_status,
                t.c.approved_override_exists,
            )
            .where(t.c.fiscal_year == fiscal_year, t.c.period == period)
            .order_by(t.c.gtas_failed_edits_id)
        )
        for row in self._stream_rows(stmt):
            yield FailedEdit(*row)

    # ------------------------------------------------------------------ writing

    def upsert_award_rows(self, file_type: FileType, rows: Iterable[RenderedAwardRow]) -> int:
        now = utc_now()
        with self.writing() as conn:
            written = self.upsert_award_rows_in(conn, file_type, rows, now)
            if file_type is FileType.D1:
                self.record_load_in(conn, FPDS, now)
        return written

    def upsert_award_rows_in(
        self, conn: Connection, file_type: FileType, rows: Iterable[RenderedAwardRow], now: dt.datetime
    ) -> int:
        """Upsert inside the caller's transaction (``conn``), stamping ``updated_at`` with ``now``."""
        table, _, unique = tables.AWARD_TABLES[file_type]
        with_active = file_type is FileType.D2
        with_modified = file_type is FileType.D1
        columns = [
            unique.name,
            "unique_award_key",
            "action_date",
            "awarding_agency_code",
            "funding_agency_code",
            "row_csv",
            "updated_at",
        ]
        if with_active:
            columns.append("is_active")
        if with_modified:
            columns.append("last_modified")
        unique_name = unique.name

        def values(row: RenderedAwardRow) -> dict[str, Any]:
            value: dict[str, Any] = {
                unique_name: row.unique_key,
                "unique_award_key": row.unique_award_key,
                "action_date": row.action_date,
                "awarding_agency_code": row.awarding_agency_code,
                "funding_agency_code": row.funding_agency_code,
                "row_csv": row.line,
                "updated_at": now,
            }
            if with_active:
                value["is_active"] = row.is_active
            if with_modified:
                value["last_modified"] = row.last_modified
            return value

        if conn.dialect.name == "postgresql":
            return copy_upsert(
                conn, table, unique_name, columns, ([v[k] for k in columns] for v in map(values, rows))
            )
        return self._insert_all(conn, upsert(self.engine, table, unique_name, columns[1:]), map(values, rows))

    def replace_agencies(self, rows: Iterable[AgencyRecord]) -> int:
        """Replace the CGAC, FREC and sub-tier lists; returns the number of records read.

        CGACs and FRECs are de-duplicated (first name wins); a FREC belongs to
        the CGAC of its first row, or of a row flagged ``frec_cgac_association``.
        """
        cgacs: dict[str, str | None] = {}
        frecs: dict[str, tuple[str | None, str]] = {}
        frec_associated: set[str] = set()
        seen_sub_tiers: set[str] = set()
        count = 0

        def sub_tiers() -> Iterator[dict[str, Any]]:
            nonlocal count
            for row in rows:
                count += 1
                cgacs.setdefault(row.cgac_code, row.agency_name)
                if row.frec_code:
                    if row.frec_code not in frecs or (
                        row.frec_cgac_association and row.frec_code not in frec_associated
                    ):
                        name = frecs[row.frec_code][0] if row.frec_code in frecs else row.frec_name
                        frecs[row.frec_code] = (name, row.cgac_code)
                    if row.frec_cgac_association:
                        frec_associated.add(row.frec_code)
                if row.sub_tier_code and row.sub_tier_code not in seen_sub_tiers:
                    seen_sub_tiers.add(row.sub_tier_code)
                    yield {
                        "sub_tier_agency_code": row.sub_tier_code,
                        "sub_tier_agency_name": row.sub_tier_name,
                        "cgac_code": row.cgac_code,
                        "frec_code": row.frec_code,
                        "is_frec": row.is_frec,
                    }

        with self.writing() as conn:
            for table in (tables.sub_tier_agency, tables.frec, tables.cgac):
                conn.execute(delete(table))
            self._insert_all(conn, tables.sub_tier_agency.insert(), sub_tiers())
            self._insert_all(
                conn,
                tables.cgac.insert(),
                ({"cgac_code": code, "agency_name": name} for code, name in cgacs.items()),
            )
            self._insert_all(
                conn,
                tables.frec.insert(),
                (
                    {"frec_code": code, "agency_name": name, "cgac_code": cgac}
                    for code, (name, cgac) in frecs.items()
                ),
            )
        return count

    def replace_sf133(self, rows: Iterable[SF133Record]) -> int:
        t = tables.sf_133
        return self._replace_periods(t, t.c.fiscal_year, t.c.period, rows, _SF133_FIELDS)

    def replace_tas(self, rows: Iterable[TasRecord]) -> int:
        with self.writing() as conn:
            conn.execute(delete(tables.tas_lookup))
            return self._insert_all(
                conn, tables.tas_lookup.insert(), (_fields(row, _TAS_FIELDS) for row in rows)
            )

    def replace_submission_windows(self, rows: Iterable[SubmissionWindow]) -> int:
        fields = ("fiscal_year", "period", "period_start")
        with self.writing() as conn:
            conn.execute(delete(tables.submission_window_schedule))
            return self._insert_all(
                conn, tables.submission_window_schedule.insert(), (_fields(row, fields) for row in rows)
            )

    def replace_failed_edits(self, rows: Iterable[FailedEdit]) -> int:
        """Replace every failed edit of the (fiscal_year, period) pairs present in ``rows``."""
        t = tables.gtas_failed_edits
        fields = (
            "fiscal_year",
            "period",
            "tas",
            "severity",
            "atb_submission_status",
            "approved_override_exists",
        )
        return self._replace_periods(t, t.c.fiscal_year, t.c.period, rows, fields)

    def record_fpds_load(self, when: dt.datetime) -> None:
        with self.writing() as conn:
            self.record_load_in(conn, FPDS, when)

    # ------------------------------------------------------------------ helpers

    @contextmanager
    def _reading(self) -> Iterator[Connection]:
        with self.engine.connect() as conn:
            conn.execution_options(**{SQLITE_BEGIN: "DEFERRED"})
            yield conn

    @contextmanager
    def writing(self) -> Iterator[Connection]:
        """One transaction: committed if the block finishes, rolled back if anything raises."""
        with self.engine.connect() as conn, bulk_write_settings(conn), conn.begin():
            yield conn

    def _stream_rows(self, stmt: Select[Any]) -> Iterator[Any]:
        with self._reading() as conn:
            result = conn.execution_options(stream_results=True, yield_per=self.stream_batch).execute(stmt)
            for partition in result.partitions():
                yield from partition

    def _stream_scalars(self, stmt: Select[Any]) -> Iterator[str]:
        with self._reading() as conn:
            result = conn.execution_options(stream_results=True, yield_per=self.stream_batch).execute(stmt)
            for partition in result.scalars().partitions():
                yield from partition

    def _insert_all(self, conn: Connection, stmt: Any, values: Iterable[dict[str, Any]]) -> int:
        written = 0
        insert = BulkInsert(conn, stmt)
        for batch in batches(values, self.write_batch):
            insert(batch)
            written += len(batch)
        return written

    def _replace_periods(
        self,
        table: Any,
        year_column: Any,
        period_column: Any,
        rows: Iterable[Any],
        fields: tuple[str, ...],
    ) -> int:
        """Insert ``rows``, first deleting each (fiscal_year, period) the first time it is seen."""
        with self.writing() as conn:
            cleared: set[tuple[int, int]] = set()

            def values() -> Iterator[dict[str, Any]]:
                for row in rows:
                    pair = (row.fiscal_year, row.period)
                    if pair not in cleared:
                        # Rows of this pair cannot be in the pending batch yet.
                        conn.execute(delete(table).where(year_column == pair[0], period_column == pair[1]))
                        cleared.add(pair)
                    yield _fields(row, fields)

            return self._insert_all(conn, table.insert(), values())

    def record_load_in(self, conn: Connection, data_type: str, when: dt.datetime) -> None:
        """Record a load of ``data_type`` inside the caller's transaction."""
        t = tables.external_data_load_date
        stmt = upsert(conn, t, "external_data_type", ["last_load_date_start"])
        conn.execute(stmt, {"external_data_type": data_type, "last_load_date_start": when})


def _fields(record: Any, names: tuple[str, ...]) -> dict[str, Any]:
    return {name: getattr(record, name) for name in names}

"""What an FPDS load reads and writes (the :class:`~broker_core.ports.ProcurementStore` port)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator

from sqlalchemy import delete, or_, select
from sqlalchemy.engine import Engine

from broker_adapters.sqlalchemy import tables
from broker_adapters.sqlalchemy.award_data import FPDS, SqlAlchemyAwardData
from broker_core.file_types import FileType
from broker_core.records import AgencyRecord, ProcurementDeletion, RenderedAwardRow


class SqlAlchemyProcurementStore:
    def __init__(self, engine: Engine, award_data: SqlAlchemyAwardData | None = None) -> None:
        self.engine = engine
        self.award_data = award_data or SqlAlchemyAwardData(engine)

    def fpds_load_date(self) -> dt.date | None:
        return self.award_data.fpds_load_date()

    def agency_records(self) -> Iterator[AgencyRecord]:
        sub, cgac, frec = tables.sub_tier_agency, tables.cgac, tables.frec
        stmt = (
            select(
                sub.c.cgac_code,
                cgac.c.agency_name,
                sub.c.frec_code,
                frec.c.agency_name,
                sub.c.sub_tier_agency_code,
                sub.c.sub_tier_agency_name,
                sub.c.is_frec,
            )
            .outerjoin(cgac, cgac.c.cgac_code == sub.c.cgac_code)
            .outerjoin(frec, frec.c.frec_code == sub.c.frec_code)
            .order_by(sub.c.sub_tier_agency_code)
        )
        with self.engine.connect() as conn:
            rows = conn.execute(stmt).all()  # a few thousand sub-tiers at most
        for cgac_code, cgac_name, frec_code, frec_name, code, name, is_frec in rows:
            yield AgencyRecord(
                cgac_code=cgac_code or "",
                agency_name=cgac_name or "",
                frec_code=frec_code,
                frec_name=frec_name,
                sub_tier_code=code,
                sub_tier_name=name,
                is_frec=bool(is_frec),
                frec_cgac_association=False,
            )

    def apply_procurement_load(
        self,
        rows: Iterable[RenderedAwardRow],
        deletions: Iterable[ProcurementDeletion],
        loaded_at: dt.datetime,
    ) -> tuple[int, int]:
        t = tables.detached_award_procurement
        with self.award_data.writing() as conn:
            written = self.award_data.upsert_award_rows_in(conn, FileType.D1, rows, loaded_at)
            deleted = 0
            for deletion in deletions:
                stmt = delete(t).where(t.c.detached_award_proc_unique == deletion.unique_key)
                if deletion.last_modified is not None:
                    # Fixed-width YYYY-MM-DD HH:MM:SS stamps compare in time order as strings.
                    stmt = stmt.where(
                        or_(t.c.last_modified.is_(None), t.c.last_modified < deletion.last_modified)
                    )
                deleted += conn.execute(stmt).rowcount
            self.award_data.record_load_in(conn, FPDS, loaded_at)
        return written, deleted

"""Contract of the ObligationTotals port (get_obligations, spec §2.15), on every database.

File C rows are staged directly into ``award_financial``, as the validator leaves them.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import insert

from broker_adapters.sqlalchemy import tables
from broker_adapters.sqlalchemy.obligations import SqlAlchemyObligationTotals
from broker_core.submissions.obligations import Obligations, ObligationTotals

from .conftest import Adapter

SUBMISSION = 10
OTHER = 20


def stage(adapter: Adapter, submission_id: int, rows: list[dict[str, Any]], job_id: int = 1) -> None:
    with adapter.engine.begin() as conn:
        conn.execute(
            insert(tables.award_financial),
            [
                {"job_id": job_id, "submission_id": submission_id, "row_number": number,
                 "piid": None, "fain": None, "uri": None, **row}
                for number, row in enumerate(rows, start=2)
            ],
        )  # fmt: skip


def totals(adapter: Adapter, submission_id: int = SUBMISSION) -> Obligations:
    port: ObligationTotals = SqlAlchemyObligationTotals(adapter.engine)
    return port.totals(submission_id)


def test_procurement_and_assistance_split(adapter: Adapter) -> None:
    # The original's test: 5000 in all, 2000 procurement (piid), 3000 assistance (fain / uri).
    stage(
        adapter,
        SUBMISSION,
        [
            {"transaction_obligated_amou": "1000", "piid": "P1"},
            {"transaction_obligated_amou": "1000", "piid": "P2"},
            {"transaction_obligated_amou": "1000", "fain": "F1"},
            {"transaction_obligated_amou": "1000", "fain": "F2"},
            {"transaction_obligated_amou": "1000", "uri": "U1"},
        ],
    )
    stage(adapter, OTHER, [{"transaction_obligated_amou": "999", "piid": "X"}], job_id=2)
    result = totals(adapter)
    assert result == Obligations(Decimal(5000), Decimal(2000), Decimal(3000))
    assert result.api_dict() == {
        "total_obligations": 5000.0,
        "total_procurement_obligations": 2000.0,
        "total_assistance_obligations": 3000.0,
    }


def test_zeros_without_rows(adapter: Adapter) -> None:
    stage(adapter, OTHER, [{"transaction_obligated_amou": "7", "piid": "X"}], job_id=2)
    assert totals(adapter) == Obligations(Decimal(0), Decimal(0), Decimal(0))
    assert totals(adapter).api_dict() == {
        "total_obligations": 0.0,
        "total_procurement_obligations": 0.0,
        "total_assistance_obligations": 0.0,
    }


def test_row_with_piid_and_fain_counts_in_both(adapter: Adapter) -> None:
    stage(
        adapter,
        SUBMISSION,
        [
            {"transaction_obligated_amou": "250.50", "piid": "P1", "fain": "F1"},
            {"transaction_obligated_amou": "100", "fain": "F2", "uri": "U2"},
            {"transaction_obligated_amou": "1"},  # neither: only in the total
        ],
    )
    assert totals(adapter) == Obligations(Decimal("351.50"), Decimal("250.50"), Decimal("350.50"))


def test_sums_are_exact_and_skip_missing_amounts(adapter: Adapter) -> None:
    stage(
        adapter,
        SUBMISSION,
        [
            {"transaction_obligated_amou": "0.1", "piid": "P1"},
            {"transaction_obligated_amou": "0.2", "piid": "P2"},
            {"transaction_obligated_amou": "-12345678901234.01", "fain": "F1"},
            {"transaction_obligated_amou": None, "piid": "P3"},
        ],
    )
    result = totals(adapter)
    assert result.procurement == Decimal("0.3")
    assert result.assistance == Decimal("-12345678901234.01")
    assert result.total == Decimal("-12345678901233.71")

"""SF-133 lines as the rules compare them: summed per TAS for the run's fiscal year and period."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import Subquery, select

from broker_adapters.sqlalchemy import tables
from broker_core.validation.run import ValidationRun

from ..exact import exact_sum


def sf133_lines(run: ValidationRun, lines: Iterable[int]) -> Subquery:
    """``(tas, amount)``: the sum of ``lines`` for each TAS GTAS reported in the run's period."""
    sf: Any = tables.sf_133
    return (
        select(sf.c.tas, exact_sum(sf.c.amount).label("amount"))
        .where(sf.c.fiscal_year == run.fiscal_year, sf.c.period == run.period, sf.c.line.in_(list(lines)))
        .group_by(sf.c.tas)
        .subquery()
    )

"""GTAS (SF-133) and CARS pieces shared by the File A and File B rules.

* :func:`sf133_period_lines`: SF-133 lines summed per TAS for any fiscal year and period (A34 looks
  at the end of the prior fiscal year, not the run's period).
* :func:`is_financing_account`: CARS marks financing accounts with ``financial_indicator2 = 'F'``.
* :func:`reported_by_agency`: which SF-133 TAS the submitting agency is expected to report.
* :func:`display_tas_of`: the display TAS (``019-X-0306-000``) of a table's seven TAS parts, for
  failures about a TAS that is in GTAS but not in the file (so no staged ``display_tas`` exists).
* :func:`no_row_number`: the ``row_number`` of a failure that is no single row of the file.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Integer,
    Select,
    Subquery,
    Text,
    and_,
    case,
    cast,
    exists,
    false,
    func,
    literal_column,
    null,
    select,
)

from broker_adapters.sqlalchemy import tables
from broker_adapters.sqlalchemy.tables.file_a_sources import TAS_COMPONENTS
from broker_core.validation.run import ValidationRun

from ..exact import exact_sum
from .registry import RuleContext

#: The seven TAS parts, in display order; File A, File B and ``sf_133`` share these column names.
TAS_PARTS = TAS_COMPONENTS


def sf133_period_lines(fiscal_year: int, period: int, lines: Iterable[int]) -> Subquery:
    """``(tas, amount)``: the sum of ``lines`` for each TAS GTAS reported in that fiscal year and period."""
    sf: Any = tables.sf_133
    return (
        select(sf.c.tas, exact_sum(sf.c.amount).label("amount"))
        .where(sf.c.fiscal_year == fiscal_year, sf.c.period == period, sf.c.line.in_(list(lines)))
        .group_by(sf.c.tas)
        .subquery()
    )


def is_financing_account(tas: ColumnElement[Any]) -> ColumnElement[bool]:
    """CARS lists the TAS as a financing account (``financial_indicator2`` is ``F``)."""
    cars: Any = tables.tas_lookup
    return exists().where(cars.c.tas == tas, func.upper(cars.c.financial_indicator2) == "F")


def _trimmed(column: ColumnElement[Any]) -> ColumnElement[Any]:
    return func.coalesce(func.trim(column), "")


def reported_by_agency(run: ValidationRun, sf: Any) -> ColumnElement[bool] | None:
    """Whether an ``sf_133`` row's TAS is the submitting agency's to report; None if the run has no agency.

    A CGAC agency reports the TAS whose allocation transfer agency is its CGAC (allocation accounts
    are reported by the child agency, A33.3) and, when there is no allocation transfer agency, the
    TAS whose agency identifier is its CGAC. A FREC agency reports the TAS that CARS files under its
    FREC (``fr_entity_type``).
    """
    if run.cgac_code:
        ata = func.nullif(_trimmed(sf.c.allocation_transfer_agency), "")
        return func.coalesce(ata, sf.c.agency_identifier) == run.cgac_code
    if run.frec_code:
        cars: Any = tables.tas_lookup
        return exists().where(cars.c.tas == sf.c.tas, cars.c.fr_entity_type == run.frec_code)
    return None


def display_tas_of(table: Any) -> ColumnElement[Any]:
    """The display TAS of a row's seven parts, as :func:`broker_core.tas.display_tas` builds it."""
    ata, aid, bpoa, epoa, atc, main, sub = (_trimmed(table.c[part]) for part in TAS_PARTS)
    period = case(
        (and_(bpoa != "", epoa != ""), bpoa.concat(literal_column("'/'", Text)).concat(epoa)),
        (bpoa != "", bpoa),
        else_=epoa,
    )
    availability = case((atc != "", atc), else_=period)

    def dashed(part: ColumnElement[Any]) -> ColumnElement[Any]:
        return case((part != "", literal_column("'-'", Text).concat(part)), else_=literal_column("''", Text))

    joined = dashed(ata).concat(dashed(aid)).concat(dashed(availability)).concat(dashed(main))
    return func.substr(joined.concat(dashed(sub)), 2)


def no_row_number() -> ColumnElement[Any]:
    """``row_number`` NULL, typed so it joins with the staged row numbers on every database."""
    return cast(null(), Integer).label("row_number")


def agency_tas_missing_from_file(
    ctx: RuleContext,
    in_file: Callable[[Any], ColumnElement[bool]],
    counts: Callable[[Any], ColumnElement[bool]],
) -> Select[Any]:
    """The submitting agency's SF-133 TAS of the period that the file lacks (one failure per TAS).

    ``in_file(sf)`` says whether a staged row stands for the SF-133 TAS; ``counts(sf)`` which SF-133
    lines make a TAS worth reporting (a TAS counts when one of them does). Financing accounts are
    exempt; without an agency on the run nothing is reported.
    """
    sf: Any = tables.sf_133
    parts = [sf.c[part] for part in TAS_PARTS]
    columns = (no_row_number(), *parts, display_tas_of(sf).label("uniqueid_TAS"))
    owned = reported_by_agency(ctx.run, sf)
    if owned is None:
        return select(*columns).where(false())
    return (
        select(*columns)
        .where(
            sf.c.fiscal_year == ctx.run.fiscal_year,
            sf.c.period == ctx.run.period,
            owned,
            ~is_financing_account(sf.c.tas),
            ~in_file(sf),
        )
        .group_by(sf.c.tas, *parts)
        .having(func.max(case((counts(sf), 1), else_=0)) == 1)
    )

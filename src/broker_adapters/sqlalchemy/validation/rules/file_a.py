"""Single-file rules of File A (appropriations)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, Subquery, Text, exists, false, literal, or_, select
from sqlalchemy.orm import aliased

from broker_adapters.sqlalchemy import tables

from ..exact import differ, is_nonzero, minus, plus
from .gtas import (
    TAS_PARTS,
    agency_tas_missing_from_file,
    is_financing_account,
    sf133_period_lines,
)
from .registry import RuleContext, rule
from .sf133 import sf133_lines

A = "appropriations"


def _failing(ctx: RuleContext, *columns: Any) -> Select[Any]:
    t = ctx.table
    return select(t.c.row_number, *columns).where(ctx.rows)


def _tas_id(ctx: RuleContext) -> Any:
    return ctx.table.c.display_tas.label("uniqueid_TAS")


@rule("A1.1", A)
@rule("A1.2", "program_activity")
@rule("A1.3", "award_financial")
def a1(ctx: RuleContext) -> Select[Any]:
    """The TAS must be in CARS for the reporting period (files A, B and C): no CARS account was found."""
    t = ctx.table
    return _failing(ctx, *(t.c[p] for p in TAS_PARTS), _tas_id(ctx)).where(t.c.account_num.is_(None))


def _sum_rule(ctx: RuleContext, total: str, parts: tuple[str, ...]) -> Select[Any]:
    """``total = part + part + ...`` (NULL as 0); the difference is total minus the parts."""
    t = ctx.table
    added = plus(*(t.c[p] for p in parts))
    return _failing(
        ctx, t.c[total], *(t.c[p] for p in parts), minus(t.c[total], added).label("difference"), _tas_id(ctx)
    ).where(differ(t.c[total], added))


@rule("A3", A)
def a3(ctx: RuleContext) -> Select[Any]:
    return _sum_rule(
        ctx,
        "other_budgetary_resources_cpe",
        ("contract_authority_amount_cpe", "borrowing_authority_amount_cpe", "spending_authority_from_of_cpe"),
    )


@rule("A4", A)
def a4(ctx: RuleContext) -> Select[Any]:
    return _sum_rule(
        ctx, "status_of_budgetary_resour_cpe", ("obligations_incurred_total_cpe", "unobligated_balance_cpe")
    )


@rule("A24", A)
def a24(ctx: RuleContext) -> Select[Any]:
    return _sum_rule(ctx, "status_of_budgetary_resour_cpe", ("total_budgetary_resources_cpe",))


@rule("A2", A)
def a2(ctx: RuleContext) -> Select[Any]:
    """TBR = appropriated + unobligated brought forward + adjustments + other + SF-133 line 1902."""
    t = ctx.table
    line = sf133_lines(ctx.run, (1902,))
    parts = (
        "budget_authority_appropria_cpe",
        "budget_authority_unobligat_fyb",
        "adjustments_to_unobligated_cpe",
        "other_budgetary_resources_cpe",
    )
    added = plus(*(t.c[p] for p in parts), line.c.amount)
    return (
        select(
            t.c.row_number,
            t.c.total_budgetary_resources_cpe,
            *(t.c[p] for p in parts),
            line.c.amount.label("GTAS SF133 Line 1902"),
            minus(t.c.total_budgetary_resources_cpe, added).label("difference"),
            _tas_id(ctx),
        )
        .select_from(t.outerjoin(line, line.c.tas == t.c.tas))
        .where(ctx.rows, differ(t.c.total_budgetary_resources_cpe, added))
    )


@rule("A32", A)
def a32(ctx: RuleContext) -> Select[Any]:
    """A TAS (CARS account) appears on more than one row of the file."""
    t = ctx.table
    other = aliased(t)
    duplicate = exists().where(
        other.c.job_id == t.c.job_id,
        other.c.account_num == t.c.account_num,
        other.c.row_number != t.c.row_number,
    )
    return _failing(ctx, t.c.tas, _tas_id(ctx)).where(t.c.account_num.is_not(None), duplicate)


# ----------------------------------------------------------------------------- against SF-133


def _sf133_rule(
    ctx: RuleContext,
    column: str,
    lines: tuple[int, ...],
    *,
    label: str | None = None,
    sf: Subquery | None = None,
) -> Select[Any]:
    """``column`` equals the sum of SF-133 ``lines`` for the TAS and period (when GTAS has the TAS).

    ``sf`` replaces the run's period's lines (A34 compares with another period); ``label`` names
    the expected value when listing the lines would not do.
    """
    t = ctx.table
    if sf is None:
        sf = sf133_lines(ctx.run, lines)
    if label is None and len(lines) == 1:
        label = f"GTAS SF133 Line {lines[0]}"
    elif label is None:
        label = "SUM of GTAS SF133 Lines " + ", ".join(str(line) for line in lines)
    return (
        select(
            t.c.row_number,
            t.c[column],
            sf.c.amount.label(f"expected_value_{label}"),
            minus(t.c[column], sf.c.amount).label("difference"),
            _tas_id(ctx),
        )
        .select_from(t.join(sf, sf.c.tas == t.c.tas))
        .where(ctx.rows, differ(t.c[column], sf.c.amount))
    )


_SF133_RULES: tuple[tuple[str, str, tuple[int, ...]], ...] = (
    ("A6", "total_budgetary_resources_cpe", (1910,)),
    ("A7", "budget_authority_unobligat_fyb", (1000,)),
    ("A8", "budget_authority_appropria_cpe", (1160, 1180, 1260, 1280)),
    ("A9", "contract_authority_amount_cpe", (1540, 1640)),
    ("A10", "borrowing_authority_amount_cpe", (1340, 1440)),
    ("A11", "spending_authority_from_of_cpe", (1750, 1850)),
    ("A14", "gross_outlay_amount_by_tas_cpe", (3020,)),
    ("A15", "unobligated_balance_cpe", (2490,)),
    ("A22", "obligations_incurred_total_cpe", (2190,)),
    ("A23", "status_of_budgetary_resour_cpe", (2500,)),
    ("A29", "deobligations_recoveries_r_cpe", (1021, 1033)),
)


def _register_sf133_rules() -> None:
    for label, column, lines in _SF133_RULES:

        def query(ctx: RuleContext, column: str = column, lines: tuple[int, ...] = lines) -> Select[Any]:
            return _sf133_rule(ctx, column, lines)

        rule(label, A)(query)


_register_sf133_rules()


@rule("A12", A)
def a12(ctx: RuleContext) -> Select[Any]:
    """Adjustments to unobligated balance = SF-133 lines 1010 through 1067 (1010 through 1042 before FY 2021)."""
    last = 1067 if ctx.run.fiscal_year >= 2021 else 1042
    return _sf133_rule(
        ctx,
        "adjustments_to_unobligated_cpe",
        tuple(range(1010, last + 1)),
        label=f"SUM of GTAS SF133 Lines 1010 through {last}",
    )


@rule("A34", A)
def a34(ctx: RuleContext) -> Select[Any]:
    """Unobligated balance brought forward = SF-133 line 2490 at the end (period 12) of the prior fiscal year.

    As for the other SF-133 rules, a TAS GTAS did not report for that period is not compared.
    """
    prior_year_end = sf133_period_lines(ctx.run.fiscal_year - 1, 12, (2490,))
    return _sf133_rule(ctx, "budget_authority_unobligat_fyb", (2490,), sf=prior_year_end)


# ----------------------------------------------------------------------------- completeness against GTAS

#: File A's amounts: a row whose amounts are all zero (or blank) need not be in GTAS (A33.2).
_AMOUNTS = (
    "adjustments_to_unobligated_cpe",
    "borrowing_authority_amount_cpe",
    "budget_authority_appropria_cpe",
    "total_budgetary_resources_cpe",
    "budget_authority_unobligat_fyb",
    "contract_authority_amount_cpe",
    "deobligations_recoveries_r_cpe",
    "gross_outlay_amount_by_tas_cpe",
    "obligations_incurred_total_cpe",
    "other_budgetary_resources_cpe",
    "spending_authority_from_of_cpe",
    "status_of_budgetary_resour_cpe",
    "unobligated_balance_cpe",
)


@rule("A33.1", A)
def a33_1(ctx: RuleContext) -> Select[Any]:
    """A TAS GTAS reported on the SF-133 for the run's period is missing from File A.

    One failure per missing TAS, with a NULL ``row_number`` (no row of the file stands for it) and
    the TAS parts as GTAS has them. Only the submitting agency's TAS count (see
    :func:`.gtas.reported_by_agency`), so a run without an agency (a standalone validation) reports
    nothing. Financing accounts (CARS) and TAS whose SF-133 amounts for the period are all zero are
    exempt.
    """
    t = ctx.table
    return agency_tas_missing_from_file(
        ctx,
        in_file=lambda sf: exists().where(t.c.job_id == ctx.run.job_id, t.c.tas == sf.c.tas),
        counts=lambda sf: is_nonzero(sf.c.amount),
    )


@rule("A33.2", A)
def a33_2(ctx: RuleContext) -> Select[Any]:
    """A row's TAS is not on GTAS's SF-133 for the run's period.

    Financing accounts (CARS) and rows whose amounts are all zero (or blank) are exempt.
    """
    t = ctx.table
    sf: Any = tables.sf_133
    in_gtas = exists().where(
        sf.c.tas == t.c.tas, sf.c.fiscal_year == ctx.run.fiscal_year, sf.c.period == ctx.run.period
    )
    some_amount = or_(*(is_nonzero(t.c[amount]) for amount in _AMOUNTS))
    return _failing(ctx, *(t.c[part] for part in TAS_PARTS), _tas_id(ctx)).where(
        ~in_gtas, ~is_financing_account(t.c.tas), some_amount
    )


@rule("A33.3", A)
def a33_3(ctx: RuleContext) -> Select[Any]:
    """An allocation account whose allocation transfer agency is not the submitting agency's CGAC.

    Allocation accounts are reported by the child agency, whose CGAC is the allocation transfer
    agency. Rows without an allocation transfer agency pass. The expected value is the submitting
    agency's CGAC; a run without a CGAC (a standalone validation, or a FREC agency) reports nothing.
    """
    t = ctx.table
    ata = t.c.allocation_transfer_agency
    cgac = ctx.run.cgac_code
    columns = (
        ata,
        t.c.agency_identifier,
        literal(cgac or "", Text).label("expected_value_AllocationTransferAgencyIdentifier"),
        _tas_id(ctx),
    )
    if not cgac:
        return _failing(ctx, *columns).where(false())
    return _failing(ctx, *columns).where(ata.is_not(None), ata != "", ata != cgac)

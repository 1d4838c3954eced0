"""Single-file rules of File A (appropriations)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, exists, select
from sqlalchemy.orm import aliased

from ..exact import differ, minus, plus
from .registry import RuleContext, rule
from .sf133 import sf133_lines

A = "appropriations"


def _failing(ctx: RuleContext, *columns: Any) -> Select[Any]:
    t = ctx.table
    return select(t.c.row_number, *columns).where(ctx.rows)


def _tas_id(ctx: RuleContext) -> Any:
    return ctx.table.c.display_tas.label("uniqueid_TAS")


@rule("A1.1", A)
def a1(ctx: RuleContext) -> Select[Any]:
    """The TAS must be in CARS for the reporting period: TAS linking found no account."""
    t = ctx.table
    parts = (
        "allocation_transfer_agency",
        "agency_identifier",
        "beginning_period_of_availa",
        "ending_period_of_availabil",
        "availability_type_code",
        "main_account_code",
        "sub_account_code",
    )
    return _failing(ctx, *(t.c[p] for p in parts), _tas_id(ctx)).where(t.c.account_num.is_(None))


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


def _sf133_rule(ctx: RuleContext, column: str, lines: tuple[int, ...]) -> Select[Any]:
    """``column`` equals the sum of SF-133 ``lines`` for the TAS and period (when GTAS has the TAS)."""
    t = ctx.table
    sf = sf133_lines(ctx.run, lines)
    if len(lines) == 1:
        label = f"GTAS SF133 Line {lines[0]}"
    else:
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

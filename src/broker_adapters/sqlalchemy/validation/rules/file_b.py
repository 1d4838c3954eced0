"""Single-file rules of File B (object class and program activity) that need only the file and GTAS.

Rules over "the unique combination defined in Rule B19" (B3 to B7, B13) are checked row by row:
B19 (fatal) makes every combination one row, so a row is its combination, and each failing row is
reported with the combination as its Unique ID. Rules per TAS (B14, B15, B22, B25, B26) compare
the TAS's summed File B amounts with its SF-133 lines and report one failure per TAS with a NULL
row number. The ``sf_133`` table has no DEFC, so where the original compares per TAS and DEFC
these compare per TAS, summing the File B rows of every DEFC.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, case, exists, false, func, or_, select
from sqlalchemy.orm import aliased

from ..exact import differ, is_nonzero, minus, plus
from .registry import RuleContext, rule

B = "program_activity"

# The USSGL balances of File B (every one an obligation or outlay account, CPE or FYB).
U4801_CPE = "ussgl480100_undelivered_or_cpe"
U4801_FYB = "ussgl480100_undelivered_or_fyb"
U480110_CPE = "ussgl480110_rein_undel_ord_cpe"
U4802_CPE = "ussgl480200_undelivered_or_cpe"
U4802_FYB = "ussgl480200_undelivered_or_fyb"
U480210_CPE = "ussgl480210_rein_undel_obs_cpe"
U4831_CPE = "ussgl483100_undelivered_or_cpe"
U4832_CPE = "ussgl483200_undelivered_or_cpe"
U4871_CPE = "ussgl487100_downward_adjus_cpe"
U4872_CPE = "ussgl487200_downward_adjus_cpe"
U4881_CPE = "ussgl488100_upward_adjustm_cpe"
U4882_CPE = "ussgl488200_upward_adjustm_cpe"
U4901_CPE = "ussgl490100_delivered_orde_cpe"
U4901_FYB = "ussgl490100_delivered_orde_fyb"
U490110_CPE = "ussgl490110_rein_deliv_ord_cpe"
U4902_CPE = "ussgl490200_delivered_orde_cpe"
U4908_CPE = "ussgl490800_authority_outl_cpe"
U4908_FYB = "ussgl490800_authority_outl_fyb"
U4931_CPE = "ussgl493100_delivered_orde_cpe"
U4971_CPE = "ussgl497100_downward_adjus_cpe"
U4972_CPE = "ussgl497200_downward_adjus_cpe"
U497210_CPE = "ussgl497210_down_adj_refun_cpe"
U4981_CPE = "ussgl498100_upward_adjustm_cpe"
U4982_CPE = "ussgl498200_upward_adjustm_cpe"

USSGL_BALANCES = (
    U4801_CPE, U4801_FYB, U480110_CPE, U4802_CPE, U4802_FYB, U480210_CPE, U4831_CPE, U4832_CPE,
    U4871_CPE, U4872_CPE, U4881_CPE, U4882_CPE, U4901_CPE, U4901_FYB, U490110_CPE, U4902_CPE,
    U4908_CPE, U4908_FYB, U4931_CPE, U4971_CPE, U4972_CPE, U497210_CPE, U4981_CPE, U4982_CPE,
)  # fmt: skip

# The B19 combination as a Unique ID: (Unique ID label, column).
_COMBINATION_IDS = (
    ("TAS", "display_tas"),
    ("ObjectClass", "object_class"),
    ("ProgramActivityCode", "program_activity_code"),
    ("ProgramActivityName", "program_activity_name"),
    ("ProgramActivityReportingKey", "program_activity_reporting_key"),
    ("ByDirectReimbursableFundingSource", "by_direct_reimbursable_fun"),
    ("DisasterEmergencyFundCode", "disaster_emergency_fund_code"),
)


def upper(column: ColumnElement[Any]) -> ColumnElement[Any]:
    return func.coalesce(func.upper(column), "")


def _blank(column: ColumnElement[Any]) -> ColumnElement[bool]:
    return or_(column.is_(None), column == "")


def _given(column: ColumnElement[Any]) -> ColumnElement[bool]:
    return and_(column.is_not(None), column != "")


def pya_x(t: Any) -> ColumnElement[bool]:
    return upper(t.c.prior_year_adjustment) == "X"


def _tas_id(t: Any) -> ColumnElement[Any]:
    return t.c.display_tas.label("uniqueid_TAS")


def _combination_ids(t: Any, *, with_pya: bool = False) -> list[ColumnElement[Any]]:
    ids = [t.c[column].label(f"uniqueid_{label}") for label, column in _COMBINATION_IDS]
    if with_pya:
        ids.append(t.c.prior_year_adjustment.label("uniqueid_PriorYearAdjustment"))
    return ids


def _failing(ctx: RuleContext, *columns: Any) -> Select[Any]:
    t = ctx.table
    return select(t.c.row_number, *columns).where(ctx.rows)


# ----------------------------------------------------------------------------- balances of a combination


def _balance_rule(
    ctx: RuleContext, total: str, operands: tuple[str, ...], expected: Callable[[Any], ColumnElement[Any]]
) -> Select[Any]:
    """Rows where PYA = X and ``total`` differs from ``expected`` (built from ``operands``; NULL as 0).

    The difference is ``total`` minus the expected value.
    """
    t = ctx.table
    value = expected(t)
    return _failing(
        ctx,
        t.c[total],
        *(t.c[name] for name in operands),
        minus(t.c[total], value).label("difference"),
        *_combination_ids(t),
    ).where(pya_x(t), differ(t.c[total], value))


def _sum_of(*operands: str) -> Callable[[Any], ColumnElement[Any]]:
    def expected(t: Any) -> ColumnElement[Any]:
        return plus(*(t.c[name] for name in operands))

    return expected


_SUM_RULES: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("B3.1", "obligations_undelivered_or_fyb", (U4801_FYB,)),
    ("B3.2", "obligations_undelivered_or_cpe", (U4801_CPE, U480110_CPE, U4831_CPE, U4881_CPE)),
    ("B4.1", "obligations_delivered_orde_fyb", (U4901_FYB,)),
    ("B4.2", "obligations_delivered_orde_cpe", (U4901_CPE, U490110_CPE, U4931_CPE, U4981_CPE)),
    ("B5.1", "gross_outlay_amount_by_pro_fyb", ("gross_outlays_undelivered_fyb", "gross_outlays_delivered_or_fyb")),
    ("B6.1", "gross_outlays_undelivered_fyb", (U4802_FYB,)),
    ("B6.2", "gross_outlays_undelivered_cpe", (U4802_CPE, U480210_CPE, U4832_CPE, U4882_CPE)),
    ("B7.1", "gross_outlays_delivered_or_fyb", (U4908_FYB,)),
    ("B7.2", "gross_outlays_delivered_or_cpe", (U4902_CPE, U4908_CPE, U4982_CPE)),
    ("B13", "deobligations_recov_by_pro_cpe", (U4871_CPE, U4872_CPE, U4971_CPE, U4972_CPE, U497210_CPE)),
)  # fmt: skip


def _register_sum_rules() -> None:
    for label, total, operands in _SUM_RULES:

        def query(ctx: RuleContext, total: str = total, operands: tuple[str, ...] = operands) -> Select[Any]:
            return _balance_rule(ctx, total, operands, _sum_of(*operands))

        query.__doc__ = f"PYA = X: {total} = " + " + ".join(operands) + " (per B19 combination, i.e. row)."
        rule(label, B)(query)


_register_sum_rules()


@rule("B5.2", B)
def b5_2(ctx: RuleContext) -> Select[Any]:
    """PYA = X: gross outlays CPE = (undelivered CPE - FYB) + (delivered CPE - FYB), per row (B19 combination)."""
    operands = (
        "gross_outlays_undelivered_cpe",
        "gross_outlays_undelivered_fyb",
        "gross_outlays_delivered_or_cpe",
        "gross_outlays_delivered_or_fyb",
    )

    def expected(t: Any) -> ColumnElement[Any]:
        undelivered_cpe, undelivered_fyb, delivered_cpe, delivered_fyb = (t.c[name] for name in operands)
        return plus(minus(undelivered_cpe, undelivered_fyb), minus(delivered_cpe, delivered_fyb))

    return _balance_rule(ctx, "gross_outlay_amount_by_pro_cpe", operands, expected)


# ----------------------------------------------------------------------------- row values


@rule("B12.3", B)
def b12_3(ctx: RuleContext) -> Select[Any]:
    """The D/R flag is blank on a row with a non-zero USSGL balance (any of them, CPE or FYB).

    An invalid non-blank flag is B12.4's failure, not this one's.
    """
    t = ctx.table
    flag = t.c.by_direct_reimbursable_fun
    some_balance = or_(*(is_nonzero(t.c[name]) for name in USSGL_BALANCES))
    return _failing(ctx, flag, *(t.c[name] for name in USSGL_BALANCES), _tas_id(t)).where(
        _blank(flag), some_balance
    )


@rule("B12.4", B)
def b12_4(ctx: RuleContext) -> Select[Any]:
    """The D/R flag is neither blank nor D nor R (in any case)."""
    t = ctx.table
    flag = t.c.by_direct_reimbursable_fun
    return _failing(ctx, flag, _tas_id(t)).where(_given(flag), upper(flag).not_in(["D", "R"]))


@rule("B29", B)
def b29(ctx: RuleContext) -> Select[Any]:
    """PYA is not X, B or P (in any case); a blank PYA fails too."""
    t = ctx.table
    pya = t.c.prior_year_adjustment
    return _failing(ctx, pya, _tas_id(t)).where(upper(pya).not_in(["X", "B", "P"]))


#: PARK is required from FY 2026 (PD01/02); before, a row may carry PAC/PAN or PARK.
PARK_REQUIRED_FROM = 2026


def _program_activity_rule(ctx: RuleContext, applies: bool, *conditions: ColumnElement[bool]) -> Select[Any]:
    t = ctx.table
    columns = (t.c.program_activity_code, t.c.program_activity_name, t.c.program_activity_reporting_key)
    found = _failing(ctx, *columns, _tas_id(t))
    return found.where(*conditions) if applies else found.where(false())


def _no_pac_pan(t: Any) -> ColumnElement[bool]:
    return and_(_blank(t.c.program_activity_code), _blank(t.c.program_activity_name))


@rule("B27.3", B)
def b27_3(ctx: RuleContext) -> Select[Any]:
    """Up to FY 2025: a row has neither PAC/PAN nor PARK. From FY 2026 B27.1 and B27.5 apply instead."""
    t = ctx.table
    applies = ctx.run.fiscal_year < PARK_REQUIRED_FROM
    return _program_activity_rule(ctx, applies, _no_pac_pan(t), _blank(t.c.program_activity_reporting_key))


@rule("B27.1", B)
def b27_1(ctx: RuleContext) -> Select[Any]:
    """From FY 2026: a row has no PARK and no PAC/PAN either (a row with PAC/PAN only is B27.5's)."""
    t = ctx.table
    applies = ctx.run.fiscal_year >= PARK_REQUIRED_FROM
    return _program_activity_rule(ctx, applies, _no_pac_pan(t), _blank(t.c.program_activity_reporting_key))


@rule("B27.5", B)
def b27_5(ctx: RuleContext) -> Select[Any]:
    """From FY 2026: a row has PAC/PAN only (no PARK); PAC/PAN alone is no longer accepted."""
    t = ctx.table
    applies = ctx.run.fiscal_year >= PARK_REQUIRED_FROM
    return _program_activity_rule(ctx, applies, ~_no_pac_pan(t), _blank(t.c.program_activity_reporting_key))


# ----------------------------------------------------------------------------- uniqueness (B19)


def _object_class(column: ColumnElement[Any]) -> ColumnElement[Any]:
    """``###0`` as ``###``: the two formats are one object class for B19."""
    four_digit_zero = and_(func.length(column) == 4, func.substr(column, 4, 1) == "0")
    return func.coalesce(case((four_digit_zero, func.substr(column, 1, 3)), else_=column), "")


def _unique_rule(ctx: RuleContext, activity: tuple[str, ...]) -> Select[Any]:
    """Rows whose combination of TAS, object class, ``activity``, D/R flag, DEFC and PYA is on another row.

    Every row of a duplicated combination is reported. Text compares case-insensitively, blanks as
    empty; only rows that give some of ``activity`` take part (a PARK-only row has no PAC/PAN
    combination, and the other way round).
    """
    t = ctx.table
    other = aliased(t)
    same = [
        other.c.job_id == t.c.job_id,
        other.c.row_number != t.c.row_number,
        other.c.tas == t.c.tas,
        _object_class(other.c.object_class) == _object_class(t.c.object_class),
    ]
    compared = (
        *activity,
        "by_direct_reimbursable_fun",
        "disaster_emergency_fund_code",
        "prior_year_adjustment",
    )
    same.extend(upper(other.c[name]) == upper(t.c[name]) for name in compared)
    return _failing(ctx, t.c.object_class, *(t.c[name] for name in compared), _tas_id(t)).where(
        or_(*(_given(t.c[name]) for name in activity)), exists().where(*same)
    )


@rule("B19.1", B)
def b19_1(ctx: RuleContext) -> Select[Any]:
    return _unique_rule(ctx, ("program_activity_code", "program_activity_name"))


@rule("B19.2", B)
def b19_2(ctx: RuleContext) -> Select[Any]:
    return _unique_rule(ctx, ("program_activity_reporting_key",))

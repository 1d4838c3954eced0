"""Single-file rules of File C (award financial) that need only the file's own staged rows.

Vocabulary: a *TOA row* has a TransactionObligatedAmount (``transaction_obligated_amou``); a *balance
row* (non-TOA row) has none. "Blank" is NULL or the empty string (the reader turns empty cells into
NULL; the empty string is accepted too so a rule never depends on that).

The balance rules C3 to C7 and C18 say "for the same TAS/DEFC/PYA combination" and "this applies to
the award level": each row is one award's balances within one TAS, DEFC and PYA, and its amounts
must add up on that row. They are checked row by row (every failing row is reported, with its TAS,
DEFC and PYA in the Unique ID), never summed over rows, so two wrong rows cannot cancel out.

Not here: C27.1/C27.2 (``file_c_prior``: they compare with the previous period's published file),
B9/B11/B24/B28 and the cross-file rules.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import ColumnElement, FromClause, Select, and_, false, func, not_, or_, select, true

from broker_core.file_types import FileType
from broker_core.validation.schema import FieldType, schema_for

from ..exact import differ, is_nonzero, minus, plus
from ..partition import partition_keys
from .registry import RuleContext, rule

C = "award_financial"

TOA = "transaction_obligated_amou"
#: Every amount of File C but TransactionObligatedAmount: the USSGL balances and their subtotals.
BALANCES: tuple[str, ...] = tuple(
    f.short_name for f in schema_for(FileType.C).fields if f.type is FieldType.DECIMAL and f.short_name != TOA
)

#: DEFC codes of the COVID-19 supplementals (the DEFC domain's ``covid_19`` group), for C25 before FY22.
COVID_DEFC = ("L", "M", "N", "O", "P", "U", "V")

PARK = "program_activity_reporting_key"
PAC = "program_activity_code"
PAN = "program_activity_name"
PYA = "prior_year_adjustment"
DEFC = "disaster_emergency_fund_code"


# ----------------------------------------------------------------------------- helpers


def _blank(column: Any) -> ColumnElement[bool]:
    return func.coalesce(column, "") == ""


def _given(column: Any) -> ColumnElement[bool]:
    return func.coalesce(column, "") != ""


def _is_balance_row(t: FromClause) -> ColumnElement[bool]:
    return t.c[TOA].is_(None)


def _tas_id(t: FromClause) -> Any:
    return t.c.display_tas.label("uniqueid_TAS")


def _award_ids(t: FromClause) -> tuple[Any, ...]:
    return (t.c.piid.label("uniqueid_PIID"), t.c.fain.label("uniqueid_FAIN"), t.c.uri.label("uniqueid_URI"))


def _ids(t: FromClause) -> tuple[Any, ...]:
    """Unique ID of a row: TAS, PIID, FAIN, URI."""
    return (_tas_id(t), *_award_ids(t))


def _combination_ids(t: FromClause) -> tuple[Any, ...]:
    """Unique ID of a row of the TAS/DEFC/PYA rules: TAS, DEFC, PYA, PIID, FAIN, URI."""
    return (
        _tas_id(t),
        t.c[DEFC].label("uniqueid_DisasterEmergencyFundCode"),
        t.c[PYA].label("uniqueid_PriorYearAdjustment"),
        *_award_ids(t),
    )


def _failing(ctx: RuleContext, *columns: Any) -> Select[Any]:
    return select(ctx.table.c.row_number, *columns).where(ctx.rows)


def _from_fiscal_year(ctx: RuleContext, year: int) -> ColumnElement[bool]:
    """A condition true for every row when the run is in fiscal ``year`` or later, else false."""
    return true() if ctx.run.fiscal_year >= year else false()


def _before_fiscal_year(ctx: RuleContext, year: int) -> ColumnElement[bool]:
    return true() if ctx.run.fiscal_year < year else false()


# ----------------------------------------------------------------------------- balances add up (C3-C7, C18)


def _balance_rule(
    ctx: RuleContext,
    total: str,
    added: Sequence[str],
    subtracted: Sequence[str] = (),
    *,
    applies: Callable[[FromClause], ColumnElement[bool]] | None = None,
) -> Select[Any]:
    """``total = sum(added) - sum(subtracted)`` on each row (blank as 0); difference = total - that."""
    t = ctx.table
    expected: Any = plus(*(t.c[c] for c in added))
    if subtracted:
        expected = minus(expected, plus(*(t.c[c] for c in subtracted)))
    query = _failing(
        ctx,
        t.c[total],
        *(t.c[c] for c in (*added, *subtracted)),
        minus(t.c[total], expected).label("difference"),
        *_combination_ids(t),
    ).where(differ(t.c[total], expected))
    return query if applies is None else query.where(applies(t))


@rule("C3.1", C)
def c3_1(ctx: RuleContext) -> Select[Any]:
    """ObligationsUndeliveredOrdersUnpaidTotal_FYB = USSGL 480100_FYB, row by row."""
    return _balance_rule(ctx, "obligations_undelivered_or_fyb", ("ussgl480100_undelivered_or_fyb",))


@rule("C3.2", C)
def c3_2(ctx: RuleContext) -> Select[Any]:
    """ObligationsUndeliveredOrdersUnpaidTotal_CPE = USSGL 480100 + 480110 + 483100 + 488100 (CPE)."""
    return _balance_rule(
        ctx,
        "obligations_undelivered_or_cpe",
        (
            "ussgl480100_undelivered_or_cpe",
            "ussgl480110_rein_undel_ord_cpe",
            "ussgl483100_undelivered_or_cpe",
            "ussgl488100_upward_adjustm_cpe",
        ),
    )


@rule("C4.1", C)
def c4_1(ctx: RuleContext) -> Select[Any]:
    """ObligationsDeliveredOrdersUnpaidTotal_FYB = USSGL 490100_FYB."""
    return _balance_rule(ctx, "obligations_delivered_orde_fyb", ("ussgl490100_delivered_orde_fyb",))


@rule("C4.2", C)
def c4_2(ctx: RuleContext) -> Select[Any]:
    """ObligationsDeliveredOrdersUnpaidTotal_CPE = USSGL 490100 + 490110 + 493100 + 498100 (CPE)."""
    return _balance_rule(
        ctx,
        "obligations_delivered_orde_cpe",
        (
            "ussgl490100_delivered_orde_cpe",
            "ussgl490110_rein_deliv_ord_cpe",
            "ussgl493100_delivered_orde_cpe",
            "ussgl498100_upward_adjustm_cpe",
        ),
    )


@rule("C5.1", C)
def c5_1(ctx: RuleContext) -> Select[Any]:
    """GrossOutlayAmountByAward_FYB = GrossOutlaysUndelivered..._FYB + GrossOutlaysDelivered..._FYB."""
    return _balance_rule(
        ctx,
        "gross_outlay_amount_by_awa_fyb",
        ("gross_outlays_undelivered_fyb", "gross_outlays_delivered_or_fyb"),
    )


def _outlay_only(t: FromClause) -> ColumnElement[bool]:
    """A balance row whose only non-zero amount (if any) is GrossOutlayAmountByAward_CPE."""
    others = [t.c[c] for c in BALANCES if c != "gross_outlay_amount_by_awa_cpe"]
    return and_(_is_balance_row(t), *(not_(is_nonzero(c)) for c in others))


@rule("C5.2", C)
def c5_2(ctx: RuleContext) -> Select[Any]:
    """GrossOutlayAmountByAward_CPE = (undelivered CPE - FYB) + (delivered CPE - FYB).

    Not applied to a balance row where GrossOutlayAmountByAward_CPE is the only non-zero amount.
    """
    return _balance_rule(
        ctx,
        "gross_outlay_amount_by_awa_cpe",
        ("gross_outlays_undelivered_cpe", "gross_outlays_delivered_or_cpe"),
        ("gross_outlays_undelivered_fyb", "gross_outlays_delivered_or_fyb"),
        applies=lambda t: not_(_outlay_only(t)),
    )


@rule("C6.1", C)
def c6_1(ctx: RuleContext) -> Select[Any]:
    """GrossOutlaysUndeliveredOrdersPrepaidTotal_FYB = USSGL 480200_FYB.

    The message lists 4802 + 4832 + 4882, but File C has FYB amounts of 4802 only (as its note says).
    """
    return _balance_rule(ctx, "gross_outlays_undelivered_fyb", ("ussgl480200_undelivered_or_fyb",))


@rule("C6.2", C)
def c6_2(ctx: RuleContext) -> Select[Any]:
    """GrossOutlaysUndeliveredOrdersPrepaidTotal_CPE = USSGL 480200 + 480210 + 483200 + 488200 (CPE)."""
    return _balance_rule(
        ctx,
        "gross_outlays_undelivered_cpe",
        (
            "ussgl480200_undelivered_or_cpe",
            "ussgl480210_rein_undel_obs_cpe",
            "ussgl483200_undelivered_or_cpe",
            "ussgl488200_upward_adjustm_cpe",
        ),
    )


@rule("C7.1", C)
def c7_1(ctx: RuleContext) -> Select[Any]:
    """GrossOutlaysDeliveredOrdersPaidTotal_FYB = USSGL 490800_FYB."""
    return _balance_rule(ctx, "gross_outlays_delivered_or_fyb", ("ussgl490800_authority_outl_fyb",))


@rule("C7.2", C)
def c7_2(ctx: RuleContext) -> Select[Any]:
    """GrossOutlaysDeliveredOrdersPaidTotal_CPE = USSGL 490200 + 490800 + 498200 (CPE)."""
    return _balance_rule(
        ctx,
        "gross_outlays_delivered_or_cpe",
        (
            "ussgl490200_delivered_orde_cpe",
            "ussgl490800_authority_outl_cpe",
            "ussgl498200_upward_adjustm_cpe",
        ),
    )


_C18_REQUIRED = (
    "ussgl487100_downward_adjus_cpe",
    "ussgl487200_downward_adjus_cpe",
    "ussgl497100_downward_adjus_cpe",
    "ussgl497200_downward_adjus_cpe",
)


@rule("C18", C)
def c18(ctx: RuleContext) -> Select[Any]:
    """DeobligationsRecoveriesRefundsOfPriorYearByAward_CPE = USSGL 487100 + 487200 + 497100 + 497200 + 497210.

    Applied only to rows where "all 4 USSGL accounts" of the message (4871, 4872, 4971, 4972) are
    given (0 counts as given); 497210, added to the sum later, counts as 0 when blank.
    """
    return _balance_rule(
        ctx,
        "deobligations_recov_by_awa_cpe",
        (*_C18_REQUIRED, "ussgl497210_down_adj_refun_cpe"),
        applies=lambda t: and_(*(t.c[c].is_not(None) for c in _C18_REQUIRED)),
    )


# ----------------------------------------------------------------------------- award ids (C14)


@rule("C14.1", C)
def c14_1(ctx: RuleContext) -> Select[Any]:
    """The row has none of FAIN, URI and PIID."""
    t = ctx.table
    return _failing(ctx, t.c.fain, t.c.uri, t.c.piid, _tas_id(t)).where(
        _blank(t.c.fain), _blank(t.c.uri), _blank(t.c.piid)
    )


@rule("C14.2", C)
def c14_2(ctx: RuleContext) -> Select[Any]:
    """The row has two or more of PIID, FAIN and URI."""
    t = ctx.table
    piid, fain, uri = _given(t.c.piid), _given(t.c.fain), _given(t.c.uri)
    return _failing(ctx, t.c.fain, t.c.uri, t.c.piid, *_ids(t)).where(
        or_(and_(piid, fain), and_(piid, uri), and_(fain, uri))
    )


# ----------------------------------------------------------------------------- TOA rows and balance rows


@rule("C17", C)
def c17(ctx: RuleContext) -> Select[Any]:
    """A TOA row also has a USSGL balance or subtotal (any non-blank value, 0 included)."""
    t = ctx.table
    return _failing(ctx, t.c[TOA], *_ids(t)).where(
        t.c[TOA].is_not(None), or_(*(t.c[c].is_not(None) for c in BALANCES))
    )


@rule("C25", C)
def c25(ctx: RuleContext) -> Select[Any]:
    """A balance row without GrossOutlayAmountByAward_CPE.

    From FY22 every balance row; before FY22 only rows whose DEFC is a COVID-19 code.
    """
    t = ctx.table
    defc = func.upper(t.c[DEFC]).in_(COVID_DEFC)
    return _failing(
        ctx,
        t.c[DEFC],
        t.c[TOA],
        t.c.gross_outlay_amount_by_awa_cpe,
        _tas_id(t),
        t.c[DEFC].label("uniqueid_DisasterEmergencyFundCode"),
        *_award_ids(t),
    ).where(
        _is_balance_row(t),
        t.c.gross_outlay_amount_by_awa_cpe.is_(None),
        or_(_from_fiscal_year(ctx, 2022), defc),
    )


@rule("C29", C)
def c29(ctx: RuleContext) -> Select[Any]:
    """A balance row has a GeneralLedgerPostDate."""
    t = ctx.table
    return _failing(ctx, t.c.general_ledger_post_date, *_ids(t)).where(
        _is_balance_row(t), _given(t.c.general_ledger_post_date)
    )


@rule("C30", C)
def c30(ctx: RuleContext) -> Select[Any]:
    """From FY25, a balance row lacks USSGL 487200_CPE or USSGL 497200_CPE."""
    t = ctx.table
    first, second = t.c.ussgl487200_downward_adjus_cpe, t.c.ussgl497200_downward_adjus_cpe
    return _failing(ctx, first, second, *_ids(t)).where(
        _from_fiscal_year(ctx, 2025), _is_balance_row(t), or_(first.is_(None), second.is_(None))
    )


# ----------------------------------------------------------------------------- uniqueness (C28)

_AWARD_KEY = ("by_direct_reimbursable_fun", DEFC, "fain", "uri", "piid", "parent_award_id", PYA)


def _key(t: FromClause, columns: Sequence[str]) -> list[ColumnElement[Any]]:
    """The combination compared, case-insensitively, with blank equal to blank."""
    return [func.coalesce(func.upper(t.c[c]), "") for c in ("tas", "object_class", *columns)]


def _unique_combination(
    ctx: RuleContext, program_activity: Sequence[str], applies: Callable[[FromClause], ColumnElement[bool]]
) -> Select[Any]:
    """Balance rows sharing TAS, object class, program activity, D/R flag, DEFC, award ids and PYA.

    Every row of a duplicated combination is reported (the first one too), like A32.
    """
    t = ctx.table
    columns = (*program_activity, *_AWARD_KEY)
    # One pass with a window count per combination: a self-join on eleven expressions can go
    # quadratic when the planner misjudges it.
    counted = (
        select(
            t.c.row_number,
            t.c.display_tas.label("tas"),
            t.c.object_class,
            *(t.c[c] for c in columns),
            *_ids(t),
            func.count().over(partition_by=partition_keys(*_key(t, columns))).label("_rows"),
        )
        .where(ctx.rows, _is_balance_row(t), applies(t))
        .subquery("counted")
    )
    return select(*(c for c in counted.c if c.name != "_rows")).where(counted.c._rows > 1)


@rule("C28.1", C)
def c28_1(ctx: RuleContext) -> Select[Any]:
    """Uniqueness of the combination with PAC + PAN, over balance rows that give a PAC or a PAN."""
    return _unique_combination(ctx, (PAC, PAN), lambda t: or_(_given(t.c[PAC]), _given(t.c[PAN])))


@rule("C28.2", C)
def c28_2(ctx: RuleContext) -> Select[Any]:
    """Uniqueness of the combination with PARK, over balance rows that give a PARK."""
    return _unique_combination(ctx, (PARK,), lambda t: _given(t.c[PARK]))


# ----------------------------------------------------------------------------- domain values (B12, B29)


@rule("B12.2", C)
def b12_2(ctx: RuleContext) -> Select[Any]:
    """ByDirectReimbursableFundingSource is neither blank nor D nor R (any case)."""
    t = ctx.table
    flag = t.c.by_direct_reimbursable_fun
    return _failing(ctx, flag, *_ids(t)).where(func.upper(func.coalesce(flag, "")).not_in(("", "D", "R")))


@rule("B29.1", C)
def b29_1(ctx: RuleContext) -> Select[Any]:
    """PriorYearAdjustment is neither blank nor X, B or P (any case)."""
    t = ctx.table
    pya = t.c[PYA]
    return _failing(ctx, pya, *_ids(t)).where(func.upper(func.coalesce(pya, "")).not_in(("", "X", "B", "P")))


@rule("B29.2", C)
def b29_2(ctx: RuleContext) -> Select[Any]:
    """Some row of the file gives a PYA, and this balance row does not (each such row is reported)."""
    t = ctx.table
    other = t.alias("with_pya")
    some_pya = (
        select(other.c.row_number).where(other.c.job_id == ctx.run.job_id, _given(other.c[PYA])).exists()
    )
    return _failing(ctx, t.c[PYA], *_ids(t)).where(_is_balance_row(t), _blank(t.c[PYA]), some_pya)


# ----------------------------------------------------------------------------- program activity presence (B27)


@rule("B27.2", C)
def b27_2(ctx: RuleContext) -> Select[Any]:
    """From FY26: the row has no PARK."""
    t = ctx.table
    return _failing(ctx, t.c[PARK], *_ids(t)).where(_from_fiscal_year(ctx, 2026), _blank(t.c[PARK]))


@rule("B27.4", C)
def b27_4(ctx: RuleContext) -> Select[Any]:
    """Before FY26: the row has no PARK and not both PAC and PAN."""
    t = ctx.table
    return _failing(ctx, t.c[PARK], t.c[PAC], t.c[PAN], *_ids(t)).where(
        _before_fiscal_year(ctx, 2026), _blank(t.c[PARK]), or_(_blank(t.c[PAC]), _blank(t.c[PAN]))
    )


@rule("B27.6", C)
def b27_6(ctx: RuleContext) -> Select[Any]:
    """From FY26 only PARK is accepted: the row has no PARK, or it gives a PAC or a PAN."""
    t = ctx.table
    return _failing(ctx, t.c[PARK], t.c[PAC], t.c[PAN], *_ids(t)).where(
        _from_fiscal_year(ctx, 2026), or_(_blank(t.c[PARK]), _given(t.c[PAC]), _given(t.c[PAN]))
    )

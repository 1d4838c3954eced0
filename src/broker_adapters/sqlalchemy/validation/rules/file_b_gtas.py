"""File B (program_activity) rules that compare the file with GTAS SF-133, TAS by TAS.

B14, B15, B22, B25 and B26 compare sums of File B rows (PYA = X) with SF-133 lines; B21 looks for
the agency's TAS that GTAS reports with activity but the file lacks. Per TAS, so each failure
has no row number.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, case, exists, func, select

from ..exact import differ, exact_sum, is_nonzero, minus, negated, plus
from .file_b import (
    U4801_CPE,
    U4801_FYB,
    U4802_CPE,
    U4802_FYB,
    U4881_CPE,
    U4882_CPE,
    U4901_CPE,
    U4901_FYB,
    U4902_CPE,
    U4908_CPE,
    U4908_FYB,
    U4981_CPE,
    U4982_CPE,
    B,
    pya_x,
    upper,
)
from .gtas import (
    agency_tas_missing_from_file,
    no_row_number,
)
from .registry import RuleContext, rule
from .sf133 import sf133_lines

# ----------------------------------------------------------------------------- per TAS against SF-133


def _tas_rule(
    ctx: RuleContext,
    sums: tuple[str, ...],
    total: Callable[[Any], ColumnElement[Any]],
    lines: tuple[int, ...],
    *,
    negate: bool = False,
    only: Callable[[Any], ColumnElement[bool]] | None = None,
    label: str | None = None,
) -> Select[Any]:
    """Per TAS: the sum of ``total`` over its PYA = X rows (and ``only``) = SF-133 ``lines`` (negated).

    One failure per TAS, row number NULL, showing each of ``sums`` summed over those rows as
    ``<column>_sum``. Every TAS of the file that GTAS reported on ``lines`` is compared (one without
    such rows sums to 0); a TAS GTAS did not report on them is not. The difference is the File B
    total minus the expected value.
    """
    t = ctx.table
    counted = pya_x(t) if only is None else and_(pya_x(t), only(t))

    def counted_sum(value: ColumnElement[Any]) -> ColumnElement[Any]:
        return exact_sum(case((counted, value), else_=None))

    grouped = (
        select(
            t.c.tas,
            func.min(t.c.display_tas).label("display_tas"),
            *(counted_sum(t.c[name]).label(f"{name}_sum") for name in sums),
            counted_sum(total(t)).label("total"),
        )
        .where(ctx.rows)
        .group_by(t.c.tas)
        .subquery("by_tas")
    )
    sf = sf133_lines(ctx.run, lines)
    expected = negated(sf.c.amount) if negate else sf.c.amount
    if label is None:
        if len(lines) == 1:
            label = f"GTAS SF133 Line {lines[0]}"
        else:
            label = "SUM of GTAS SF133 Lines " + ", ".join(str(line) for line in lines)
        if negate:
            label = f"Negative of {label}"
    return (
        select(
            no_row_number(),
            *(grouped.c[f"{name}_sum"] for name in sums),
            expected.label(f"expected_value_{label}"),
            minus(grouped.c.total, expected).label("difference"),
            grouped.c.display_tas.label("uniqueid_TAS"),
        )
        .select_from(grouped.join(sf, sf.c.tas == grouped.c.tas))
        .where(differ(grouped.c.total, expected))
    )


def _column(name: str) -> Callable[[Any], ColumnElement[Any]]:
    def value(t: Any) -> ColumnElement[Any]:
        return t.c[name]

    return value


@rule("B22", B)
def b22(ctx: RuleContext) -> Select[Any]:
    """Per TAS, Σ gross outlays CPE (PYA = X) = SF-133 line 3020."""
    name = "gross_outlay_amount_by_pro_cpe"
    return _tas_rule(ctx, (name,), _column(name), (3020,))


@rule("B25", B)
def b25(ctx: RuleContext) -> Select[Any]:
    """Per TAS, Σ obligations incurred CPE (PYA = X) = the negative of SF-133 line 2190."""
    name = "obligations_incurred_by_pr_cpe"
    return _tas_rule(ctx, (name,), _column(name), (2190,), negate=True)


@rule("B26", B)
def b26(ctx: RuleContext) -> Select[Any]:
    """Per TAS, Σ deobligations, recoveries and refunds CPE (PYA = X) = SF-133 lines 1021 + 1033."""
    name = "deobligations_recov_by_pro_cpe"
    return _tas_rule(ctx, (name,), _column(name), (1021, 1033))


#: The obligation and outlay activity of B14 and B15: (CPE, FYB subtracted or None).
_ACTIVITY = (
    (U4801_CPE, U4801_FYB),
    (U4802_CPE, U4802_FYB),
    (U4881_CPE, None),
    (U4882_CPE, None),
    (U4901_CPE, U4901_FYB),
    (U4902_CPE, None),
    (U4908_CPE, U4908_FYB),
    (U4981_CPE, None),
    (U4982_CPE, None),
)
_ACTIVITY_COLUMNS = tuple(name for pair in _ACTIVITY for name in pair if name is not None)


def _activity(t: Any) -> ColumnElement[Any]:
    return plus(*(t.c[cpe] if fyb is None else minus(t.c[cpe], t.c[fyb]) for cpe, fyb in _ACTIVITY))


def _flag(value: str) -> Callable[[Any], ColumnElement[bool]]:
    def only(t: Any) -> ColumnElement[bool]:
        return upper(t.c.by_direct_reimbursable_fun) == value

    return only


@rule("B14", B)
def b14(ctx: RuleContext) -> Select[Any]:
    """Per TAS, the direct (D) obligation and outlay activity (PYA = X) = the opposite sign of line 2004.

    Activity = (4801 CPE - FYB) + (4802 CPE - FYB) + 4881 + 4882 + (4901 CPE - FYB) + 4902
    + (4908 CPE - FYB) + 4981 + 4982.
    """
    return _tas_rule(
        ctx,
        _ACTIVITY_COLUMNS,
        _activity,
        (2004,),
        negate=True,
        only=_flag("D"),
        label="Opposite sign of GTAS SF133 Line 2004",
    )


@rule("B15", B)
def b15(ctx: RuleContext) -> Select[Any]:
    """Per TAS, the reimbursable (R) activity of B14 (PYA = X) = the opposite sign of line 2104.

    The message's note (no reimbursable work under a DEFC other than Q) is what GTAS's per-DEFC
    line 2104 enforces in the original; with SF-133 per TAS here it is not checked on its own.
    """
    return _tas_rule(
        ctx,
        _ACTIVITY_COLUMNS,
        _activity,
        (2104,),
        negate=True,
        only=_flag("R"),
        label="Opposite sign of GTAS SF133 Line 2104",
    )


# ----------------------------------------------------------------------------- completeness against GTAS

#: The SF-133 lines of obligations (2190, new obligations and upward adjustments) and outlays (3020).
_OBLIGATION_AND_OUTLAY_LINES = (2190, 3020)


@rule("B21", B)
def b21(ctx: RuleContext) -> Select[Any]:
    """A TAS GTAS reported for the period, with obligations or outlays, has no PYA = X row in File B.

    One failure per missing TAS, row number NULL, with the TAS parts as GTAS has them. Only the
    submitting agency's TAS count (:func:`.gtas.reported_by_agency`; a run without an agency reports
    nothing); financing accounts (CARS) and TAS whose SF-133 lines 2190 and 3020 are zero are exempt.
    Per TAS, not per TAS and DEFC (``sf_133`` has no DEFC); the run does not say whether the
    submission is monthly, so the rule applies to every run.
    """
    t = ctx.table
    return agency_tas_missing_from_file(
        ctx,
        in_file=lambda sf: exists().where(t.c.job_id == ctx.run.job_id, t.c.tas == sf.c.tas, pya_x(t)),
        counts=lambda sf: and_(sf.c.line.in_(_OBLIGATION_AND_OUTLAY_LINES), is_nonzero(sf.c.amount)),
    )

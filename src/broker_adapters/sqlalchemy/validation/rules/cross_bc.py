"""Cross-file rules from File C (award financial, the source) to File B (object class program activity).

B20.x (fatal) — every C row's combination must exist in B, one failure per C row:

- B20.1.x by TAS, PAC/PAN, object class and DEFC; B20.2.x the same with PARK instead of PAC/PAN.
  Only C rows that give the activity take part (PAC or PAN; PARK), matched with B rows that give it.
- ``.1``: C rows with PYA "X", matched with B rows of PYA "X"; ``.2``: C rows without PYA, matched
  with B rows of any PYA ("if PYA is not provided in File C, the combination ... is applied"). C rows
  with PYA "B" or "P" are left to the balance rules.
- A blank PAC or "0000" in C matches any PAC, a blank PAN any PAN; names, PARK and DEFC compare
  case-insensitively. Object classes compare as ``RPAD(object_class, 4, '0')``: ``###`` and ``###0``
  are one object class (as for B19), and so are all the zero forms (``0`` … ``0000``).
- Before FY 2021 C rows with PAC "OPTN" and PAN "FIELD IS OPTIONAL PRIOR TO FY21" are exempt.

C20, C21.x, C26 (warnings) — the balances C sums per combination must stay within B's, one failure
per combination (no source row): C20 by TAS, object class and D/R flag; C21.1.x by TAS and PAC/PAN;
C21.2.x by TAS and PARK; C26 by TAS and DEFC (C21.1.x only over rows giving PAC or PAN, C21.2.x over
rows giving PARK, in both files). The ``.1`` rules (C20.1, C21.1.1, C21.2.1, C26.1) sum the C rows
that give a PYA by PYA as well, compared with B's sums for that PYA; the ``.2`` rules sum the C rows
without PYA, compared with B's sums over every PYA. Obligations and outlays are negative, so C fails
where its sum is *below* B's; the downward adjustments and deobligations (positive) fail where C's
sum is *above*. NULL counts as 0, and so do the sums of a combination B does not have. Each failure
reports every sum of both files (``source_value_<c column>_sum_c``, ``target_value_<b column>_sum_b``,
the original's names) and one ``difference``: ``<c column>_sum: <C - B>`` for each failing balance,
joined with ", ".

TAS are compared by the derived ``tas`` (one CARS account per TAS, so the same as the original's
``account_num``). Where the original's SQL differs: it compares NULL sums (no C or B amounts, or no
such combination in B) as unknown, so they never fail; it picks C20.1/C26.1 or C20.2/C26.2 for the
whole submission (by whether any C row gives a PYA) rather than row by row; and its B20/C20 compare
object classes as written (B20 equating only the zero forms).
"""

from __future__ import annotations

import functools
import operator
from collections.abc import Callable, Sequence
from typing import Any

import attrs
from sqlalchemy import (
    ColumnElement,
    Integer,
    Select,
    Text,
    and_,
    case,
    cast,
    exists,
    func,
    literal,
    null,
    or_,
    select,
)

from ..exact import exact_sum, is_negative, is_positive, minus
from .registry import CrossRuleContext, rule

C = "award_financial"
B = "program_activity"

PAC = "program_activity_code"
PAN = "program_activity_name"
PARK = "program_activity_reporting_key"
PYA = "prior_year_adjustment"
DEFC = "disaster_emergency_fund_code"
OBJECT_CLASS = "object_class"
DR = "by_direct_reimbursable_fun"

#: Before this fiscal year PAC/PAN were optional in File C and could be reported as this placeholder.
OPTIONAL_PAC_PAN_UNTIL = 2021
OPTIONAL_PAC = "OPTN"
OPTIONAL_PAN = "FIELD IS OPTIONAL PRIOR TO FY21"


@attrs.frozen
class Balance:
    """A C balance and the B balance it is compared with; ``above`` when C may not exceed B."""

    source: str
    target: str
    above: bool = False


def _same(*names: str, above: bool = False) -> tuple[Balance, ...]:
    return tuple(Balance(name, name, above) for name in names)


#: The compared balances in report order: C may not be below B (negative obligations and outlays)...
BALANCES: tuple[Balance, ...] = (
    *_same(
        "ussgl480100_undelivered_or_fyb", "ussgl480100_undelivered_or_cpe", "ussgl480110_rein_undel_ord_cpe",
        "ussgl483100_undelivered_or_cpe", "ussgl488100_upward_adjustm_cpe", "obligations_undelivered_or_fyb",
        "obligations_undelivered_or_cpe", "ussgl490100_delivered_orde_fyb", "ussgl490100_delivered_orde_cpe",
        "ussgl490110_rein_deliv_ord_cpe", "ussgl493100_delivered_orde_cpe", "ussgl498100_upward_adjustm_cpe",
        "obligations_delivered_orde_fyb", "obligations_delivered_orde_cpe", "ussgl480200_undelivered_or_fyb",
        "ussgl480200_undelivered_or_cpe", "ussgl480210_rein_undel_obs_cpe", "ussgl483200_undelivered_or_cpe",
        "ussgl488200_upward_adjustm_cpe", "gross_outlays_undelivered_fyb", "gross_outlays_undelivered_cpe",
        "ussgl490200_delivered_orde_cpe", "ussgl490800_authority_outl_fyb", "ussgl490800_authority_outl_cpe",
        "ussgl498200_upward_adjustm_cpe", "gross_outlays_delivered_or_fyb", "gross_outlays_delivered_or_cpe",
    ),
    Balance("gross_outlay_amount_by_awa_fyb", "gross_outlay_amount_by_pro_fyb"),
    Balance("gross_outlay_amount_by_awa_cpe", "gross_outlay_amount_by_pro_cpe"),
    Balance("obligations_incurred_byawa_cpe", "obligations_incurred_by_pr_cpe"),
    # ... and may not be above B (the positive downward adjustments and deobligations).
    *_same(
        "ussgl487100_downward_adjus_cpe", "ussgl497100_downward_adjus_cpe", "ussgl487200_downward_adjus_cpe",
        "ussgl497200_downward_adjus_cpe", "ussgl497210_down_adj_refun_cpe", above=True,
    ),
    Balance("deobligations_recov_by_awa_cpe", "deobligations_recov_by_pro_cpe", above=True),
)  # fmt: skip


# ----------------------------------------------------------------------------- helpers


def _text(column: Any) -> ColumnElement[Any]:
    return func.coalesce(column, "")


def _upper(column: Any) -> ColumnElement[Any]:
    return func.upper(func.coalesce(column, ""))


def _blank(column: Any) -> ColumnElement[bool]:
    return func.coalesce(column, "") == ""


def _given(column: Any) -> ColumnElement[bool]:
    return func.coalesce(column, "") != ""


def _object_class(column: Any) -> ColumnElement[Any]:
    """``RPAD(object_class, 4, '0')``: ``###`` = ``###0``, ``0`` = ``0000``; blank stays blank."""
    return case((_blank(column), ""), else_=func.substr(column + "0000", 1, 4))


def _activity_exempt(ctx: CrossRuleContext, t: Any) -> ColumnElement[bool] | None:
    """The "optional before FY 2021" placeholder PAC/PAN, for runs before FY 2021 (else None)."""
    if ctx.run.fiscal_year >= OPTIONAL_PAC_PAN_UNTIL:
        return None
    return and_(_upper(t.c[PAC]) == OPTIONAL_PAC, _upper(t.c[PAN]) == OPTIONAL_PAN)


# ----------------------------------------------------------------------------- B20: combinations exist in B


def _existence_rule(ctx: CrossRuleContext, *, park: bool, pya_x: bool) -> Select[Any]:
    c, b = ctx.source, ctx.target
    own = [ctx.source_rows]
    match = [
        ctx.target_rows,
        b.c.tas == c.c.tas,
        _object_class(b.c[OBJECT_CLASS]) == _object_class(c.c[OBJECT_CLASS]),
        _upper(b.c[DEFC]) == _upper(c.c[DEFC]),
    ]
    if pya_x:
        own.append(_upper(c.c[PYA]) == "X")
        match.append(_upper(b.c[PYA]) == "X")
    else:
        own.append(_blank(c.c[PYA]))
    if park:
        activity = {PARK: "ProgramActivityReportingKey"}
        own.append(_given(c.c[PARK]))
        match.append(_upper(b.c[PARK]) == _upper(c.c[PARK]))
    else:
        activity = {PAC: "ProgramActivityCode", PAN: "ProgramActivityName"}
        own.append(or_(_given(c.c[PAC]), _given(c.c[PAN])))
        exempt = _activity_exempt(ctx, c)
        if exempt is not None:
            own.append(~exempt)
        match += [
            or_(_given(b.c[PAC]), _given(b.c[PAN])),
            or_(_upper(b.c[PAC]) == _upper(c.c[PAC]), _blank(c.c[PAC]), c.c[PAC] == "0000"),
            or_(_upper(b.c[PAN]) == _upper(c.c[PAN]), _blank(c.c[PAN])),
        ]
    shown = [*activity, OBJECT_CLASS, DEFC] + ([PYA] if pya_x else [])
    ids = {**activity, OBJECT_CLASS: "ObjectClass", DEFC: "DisasterEmergencyFundCode"}
    return select(
        c.c.row_number.label("source_row_number"),
        c.c.display_tas.label("source_value_tas"),
        *(c.c[name].label(f"source_value_{name}") for name in shown),
        c.c.display_tas.label("uniqueid_TAS"),
        *(c.c[name].label(f"uniqueid_{label}") for name, label in ids.items()),
    ).where(*own, ~exists().where(*match))


@rule("B20.1.1", C, B)
def b20_1_1(ctx: CrossRuleContext) -> Select[Any]:
    return _existence_rule(ctx, park=False, pya_x=True)


@rule("B20.1.2", C, B)
def b20_1_2(ctx: CrossRuleContext) -> Select[Any]:
    return _existence_rule(ctx, park=False, pya_x=False)


@rule("B20.2.1", C, B)
def b20_2_1(ctx: CrossRuleContext) -> Select[Any]:
    return _existence_rule(ctx, park=True, pya_x=True)


@rule("B20.2.2", C, B)
def b20_2_2(ctx: CrossRuleContext) -> Select[Any]:
    return _existence_rule(ctx, park=True, pya_x=False)


# ----------------------------------------------------------------------------- C20, C21, C26: balances within B's


@attrs.frozen
class Key:
    """One part of a combination: its column, Unique ID label and comparable value."""

    column: str
    label: str
    value: Callable[[Any], ColumnElement[Any]]


def _upper_key(column: str, label: str) -> Key:
    return Key(column, label, _upper)


TAS_KEY = Key("tas", "TAS", _text)
OBJECT_CLASS_KEY = Key(OBJECT_CLASS, "ObjectClass", _object_class)
DR_KEY = _upper_key(DR, "ByDirectReimbursableFundingSource")
PAC_KEY = _upper_key(PAC, "ProgramActivityCode")
PAN_KEY = _upper_key(PAN, "ProgramActivityName")
PARK_KEY = _upper_key(PARK, "ProgramActivityReportingKey")
DEFC_KEY = _upper_key(DEFC, "DisasterEmergencyFundCode")
PYA_KEY = _upper_key(PYA, "PriorYearAdjustment")

#: Keys reported with a value of the file rather than the comparable one: display TAS, object class.
_SHOWN = {"tas": "display_tas", OBJECT_CLASS: OBJECT_CLASS}


def _sums(
    table: Any,
    rows: ColumnElement[bool],
    keys: Sequence[Key],
    filters: Sequence[ColumnElement[bool]],
    side: str,
) -> Any:
    """One row per combination of ``keys``: the comparable keys, shown values and every balance summed.

    The keys are computed in an inner query and grouped by name, so each database groups by plain
    columns (PostgreSQL would not match two copies of an expression with bound parameters).
    """
    amounts = [balance.source if side == "c" else balance.target for balance in BALANCES]
    shown = [_SHOWN[key.column] for key in keys if key.column in _SHOWN] if side == "c" else []
    inner = select(
        *(key.value(table.c[key.column]).label(f"key_{key.column}") for key in keys),
        *(table.c[name].label(f"shown_{name}") for name in shown),
        *(table.c[name] for name in amounts),
    ).where(rows, *filters)
    grouped = inner.subquery(f"{side}_rows")
    return (
        select(
            *(grouped.c[f"key_{key.column}"] for key in keys),
            *(func.min(grouped.c[f"shown_{name}"]).label(f"shown_{name}") for name in shown),
            *(exact_sum(grouped.c[name]).label(f"{name}_sum_{side}") for name in amounts),
        )
        .group_by(*(grouped.c[f"key_{key.column}"] for key in keys))
        .subquery(f"{side}_sums")
    )


def _balance_rule(
    ctx: CrossRuleContext,
    keys: Sequence[Key],
    *,
    with_pya: bool,
    activity: Callable[[Any], ColumnElement[bool]] | None = None,
) -> Select[Any]:
    c, b = ctx.source, ctx.target
    keys = [TAS_KEY, *keys, *([PYA_KEY] if with_pya else [])]
    source_filters = [_given(c.c[PYA]) if with_pya else _blank(c.c[PYA])]
    target_filters: list[ColumnElement[bool]] = []
    if activity is not None:
        source_filters.append(activity(c))
        target_filters.append(activity(b))
    cs = _sums(c, ctx.source_rows, keys, source_filters, "c")
    bs = _sums(b, ctx.target_rows, keys, target_filters, "b")
    joined = cs.outerjoin(bs, and_(*(cs.c[f"key_{k.column}"] == bs.c[f"key_{k.column}"] for k in keys)))

    failing: list[ColumnElement[bool]] = []
    pieces: list[ColumnElement[Any]] = []
    for balance in BALANCES:
        delta = minus(cs.c[f"{balance.source}_sum_c"], bs.c[f"{balance.target}_sum_b"])
        fails = is_positive(delta) if balance.above else is_negative(delta)
        failing.append(fails)
        pieces.append(
            case((fails, literal(f", {balance.source}_sum: ") + cast(delta, Text)), else_=literal(""))
        )
    difference = func.substr(functools.reduce(operator.add, pieces), 3)

    def shown(key: Key) -> ColumnElement[Any]:
        return cs.c[f"shown_{_SHOWN[key.column]}"] if key.column in _SHOWN else cs.c[f"key_{key.column}"]

    return (
        select(
            # No source row; typed all the same, so the staging area can join it with row numbers.
            cast(null(), Integer).label("source_row_number"),
            *(shown(key).label(f"source_value_{key.column}") for key in keys),
            *(
                cs.c[f"{balance.source}_sum_c"].label(f"source_value_{balance.source}_sum_c")
                for balance in BALANCES
            ),
            *(
                bs.c[f"{balance.target}_sum_b"].label(f"target_value_{balance.target}_sum_b")
                for balance in BALANCES
            ),
            difference.label("difference"),
            *(shown(key).label(f"uniqueid_{key.label}") for key in keys),
        )
        .select_from(joined)
        .where(or_(*failing))
    )


def _pac_pan(t: Any) -> ColumnElement[bool]:
    return or_(_given(t.c[PAC]), _given(t.c[PAN]))


def _park(t: Any) -> ColumnElement[bool]:
    return _given(t.c[PARK])


@rule("C20.1", C, B)
def c20_1(ctx: CrossRuleContext) -> Select[Any]:
    return _balance_rule(ctx, [OBJECT_CLASS_KEY, DR_KEY], with_pya=True)


@rule("C20.2", C, B)
def c20_2(ctx: CrossRuleContext) -> Select[Any]:
    return _balance_rule(ctx, [OBJECT_CLASS_KEY, DR_KEY], with_pya=False)


@rule("C21.1.1", C, B)
def c21_1_1(ctx: CrossRuleContext) -> Select[Any]:
    return _balance_rule(ctx, [PAC_KEY, PAN_KEY], with_pya=True, activity=_pac_pan)


@rule("C21.1.2", C, B)
def c21_1_2(ctx: CrossRuleContext) -> Select[Any]:
    return _balance_rule(ctx, [PAC_KEY, PAN_KEY], with_pya=False, activity=_pac_pan)


@rule("C21.2.1", C, B)
def c21_2_1(ctx: CrossRuleContext) -> Select[Any]:
    return _balance_rule(ctx, [PARK_KEY], with_pya=True, activity=_park)


@rule("C21.2.2", C, B)
def c21_2_2(ctx: CrossRuleContext) -> Select[Any]:
    return _balance_rule(ctx, [PARK_KEY], with_pya=False, activity=_park)


@rule("C26.1", C, B)
def c26_1(ctx: CrossRuleContext) -> Select[Any]:
    return _balance_rule(ctx, [DEFC_KEY], with_pya=True)


@rule("C26.2", C, B)
def c26_2(ctx: CrossRuleContext) -> Select[Any]:
    return _balance_rule(ctx, [DEFC_KEY], with_pya=False)

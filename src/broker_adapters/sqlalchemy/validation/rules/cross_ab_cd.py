"""Cross-file rules between A and B (A18, A19, A35, A30.x) and between C and D1 / D2 (C8, C9, C11, C12, C23.x).

Each query returns the cross-file result columns of spec §5: ``source_row_number`` (NULL for the
C23 sums, which are no single row), ``source_value_<col>`` and ``target_value_<col>``,
``difference`` and ``uniqueid_<Label>``. A query sees only the submission's staged rows
(``ctx.source_rows`` / ``ctx.target_rows``).

Interpretations (the original's rules at HEAD, written anew):

* A and B rows are matched by TAS (the derived ``tas`` text). The original joins on the CARS
  account (``account_num``), which is a function of the TAS for the submission's period, so the
  two agree whenever the TAS is linked (rule A1 makes every unlinked TAS a fatal error, and the
  cross-file job runs only without fatal errors); matching by text also works before any CARS
  list is loaded.
* A18, A19 and A35 compare an A row with the sum of the B rows of its TAS where PYA is ``X``
  (any case); an A row without such B rows is not compared. Amounts are compared exactly with
  NULL as 0 (the original's ``<>`` skipped NULLs).
* A30.2 ignores B rows whose every amount is 0 or blank.
* C11, C23.x and C8 only take C rows with a TransactionObligatedAmount and whose ATA is blank
  or equal to the AID. Award identifiers are compared case-insensitively, a blank
  ParentAwardId equal to a missing one.
* C12 and C9 look for the D row's award among the C rows with a TransactionObligatedAmount.
* Loans are assistance types 07, 08, F003 and F004 (any case); a blank type is not a loan.
  A D2 record of type 1 is an aggregate (compared by URI), of type 2 or 3 not (by FAIN).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    ColumnElement,
    FromClause,
    Integer,
    Select,
    and_,
    case,
    cast,
    exists,
    func,
    null,
    or_,
    select,
)

from broker_core.file_types import FileType
from broker_core.validation.schema import schema_for

from ..exact import as_decimal_text, differ, exact_sum, is_nonzero, is_positive, minus, negated, plus
from .gtas import TAS_PARTS
from .registry import CrossRuleContext, rule

A = "appropriations"
B = "program_activity"
C = "award_financial"
D1 = "award_procurement"
D2 = "award"

TOA = "transaction_obligated_amou"
FAO = "federal_action_obligation"
OLSC = "original_loan_subsidy_cost"
LOAN_TYPES = ("07", "08", "F003", "F004")
AGGREGATE_RECORD = 1
NON_AGGREGATE_RECORDS = (2, 3)


# ----------------------------------------------------------------------------- helpers


def _text(column: Any) -> ColumnElement[Any]:
    """Upper-cased text with NULL as empty, so comparisons never yield NULL."""
    return func.upper(func.coalesce(column, ""))


def _given(column: Any) -> ColumnElement[bool]:
    return func.coalesce(column, "") != ""


def _source_row(t: FromClause) -> ColumnElement[Any]:
    return t.c.row_number.label("source_row_number")


def _source(t: FromClause, *columns: str) -> list[ColumnElement[Any]]:
    return [t.c[name].label(f"source_value_{name}") for name in columns]


def _tas_id(t: FromClause) -> ColumnElement[Any]:
    return t.c.display_tas.label("uniqueid_TAS")


def _no_source_row() -> ColumnElement[Any]:
    """``source_row_number`` NULL (a failure of no single row), typed so every database orders it."""
    return cast(null(), Integer).label("source_row_number")


# ----------------------------------------------------------------------------- A ↔ B


def _pya_x(t: FromClause) -> ColumnElement[bool]:
    return _text(t.c.prior_year_adjustment) == "X"


def _a_to_b_sums(ctx: CrossRuleContext, source_amount: str, target_amounts: tuple[str, ...]) -> Select[Any]:
    """A's ``source_amount`` against the sums of ``target_amounts`` over B's PYA-X rows of the TAS.

    The sums are reported as ``target_value_<col>_sum``; the caller adds the comparison.
    """
    a, b = ctx.source, ctx.target
    sums = (
        select(b.c.tas, *(exact_sum(b.c[name]).label(f"{name}_sum") for name in target_amounts))
        .where(ctx.target_rows, _pya_x(b))
        .group_by(b.c.tas)
        .subquery("b_sums")
    )
    return (
        select(
            _source_row(a),
            *_source(a, source_amount),
            *(sums.c[f"{name}_sum"].label(f"target_value_{name}_sum") for name in target_amounts),
        )
        .select_from(a.join(sums, sums.c.tas == a.c.tas))
        .where(ctx.source_rows)
    )


@rule("A18", A, B)
def a18(ctx: CrossRuleContext) -> Select[Any]:
    amount, total = ctx.source.c.gross_outlay_amount_by_tas_cpe, "gross_outlay_amount_by_pro_cpe"
    query = _a_to_b_sums(ctx, amount.key, (total,))
    summed = query.selected_columns[f"target_value_{total}_sum"]
    return query.add_columns(minus(amount, summed).label("difference"), _tas_id(ctx.source)).where(
        differ(amount, summed)
    )


@rule("A19", A, B)
def a19(ctx: CrossRuleContext) -> Select[Any]:
    amount, total = ctx.source.c.obligations_incurred_total_cpe, "obligations_incurred_by_pr_cpe"
    query = _a_to_b_sums(ctx, amount.key, (total,))
    expected = negated(query.selected_columns[f"target_value_{total}_sum"])
    return query.add_columns(minus(amount, expected).label("difference"), _tas_id(ctx.source)).where(
        differ(amount, expected)
    )


_A35_PARTS = (
    "ussgl487100_downward_adjus_cpe",
    "ussgl497100_downward_adjus_cpe",
    "ussgl487200_downward_adjus_cpe",
    "ussgl497200_downward_adjus_cpe",
)


@rule("A35", A, B)
def a35(ctx: CrossRuleContext) -> Select[Any]:
    amount = ctx.source.c.deobligations_recoveries_r_cpe
    query = _a_to_b_sums(ctx, amount.key, _A35_PARTS)
    expected = plus(*(query.selected_columns[f"target_value_{name}_sum"] for name in _A35_PARTS))
    return query.add_columns(minus(amount, expected).label("difference"), _tas_id(ctx.source)).where(
        differ(amount, expected)
    )


def _tas_missing(ctx: CrossRuleContext) -> Select[Any]:
    """Source rows whose TAS has no row in the target file."""
    s, t = ctx.source, ctx.target
    return select(_source_row(s), *_source(s, *TAS_PARTS), _tas_id(s)).where(
        ctx.source_rows, ~exists().where(ctx.target_rows, t.c.tas == s.c.tas)
    )


a30_1 = rule("A30.1", A, B)(_tas_missing)


_B_AMOUNTS = tuple(f.short_name for f in schema_for(FileType.B).fields if f.type.is_number)


@rule("A30.2", B, A)
def a30_2(ctx: CrossRuleContext) -> Select[Any]:
    b = ctx.source
    return _tas_missing(ctx).where(or_(*(is_nonzero(b.c[name]) for name in _B_AMOUNTS)))


# ----------------------------------------------------------------------------- C ↔ D1


def _c_obligations(c: FromClause) -> ColumnElement[bool]:
    """C rows an award comparison takes: a TransactionObligatedAmount, and ATA blank or the AID."""
    return and_(
        c.c[TOA].isnot(None),
        or_(~_given(c.c.allocation_transfer_agency), c.c.allocation_transfer_agency == c.c.agency_identifier),
    )


def _same_procurement(x: FromClause, y: FromClause) -> ColumnElement[bool]:
    return and_(_text(x.c.piid) == _text(y.c.piid), _text(x.c.parent_award_id) == _text(y.c.parent_award_id))


@rule("C11", C, D1)
def c11(ctx: CrossRuleContext) -> Select[Any]:
    c, d1 = ctx.source, ctx.target
    # Without a ParentAwardId the PIID alone must be in D1; with one, the pair must.
    in_d1 = exists().where(
        ctx.target_rows,
        _text(d1.c.piid) == _text(c.c.piid),
        or_(~_given(c.c.parent_award_id), _text(d1.c.parent_award_id) == _text(c.c.parent_award_id)),
    )
    return select(
        _source_row(c),
        *_source(c, "piid", "parent_award_id"),
        _tas_id(c),
        c.c.piid.label("uniqueid_PIID"),
        c.c.parent_award_id.label("uniqueid_ParentAwardId"),
    ).where(ctx.source_rows, _c_obligations(c), _given(c.c.piid), ~in_d1)


@rule("C12", D1, C)
def c12(ctx: CrossRuleContext) -> Select[Any]:
    d1, c = ctx.source, ctx.target
    in_c = exists().where(ctx.target_rows, c.c[TOA].isnot(None), _same_procurement(c, d1))
    return select(
        _source_row(d1),
        *_source(d1, "piid", "parent_award_id"),
        d1.c.piid.label("uniqueid_PIID"),
        d1.c.parent_award_id.label("uniqueid_ParentAwardId"),
    ).where(ctx.source_rows, _given(d1.c.piid), is_nonzero(d1.c[FAO]), ~in_c)


def _c23_procurement(ctx: CrossRuleContext, *, with_parent: bool) -> Select[Any]:
    """C's obligations summed per PIID (or PIID + ParentAwardId) against minus D1's sum for it."""
    c, d1 = ctx.source, ctx.target

    def keys(t: FromClause) -> list[ColumnElement[Any]]:
        piid = _text(t.c.piid).label("piid")
        return [piid, _text(t.c.parent_award_id).label("parent_award_id")] if with_parent else [piid]

    def parent(t: FromClause) -> ColumnElement[bool]:
        return _given(t.c.parent_award_id) if with_parent else ~_given(t.c.parent_award_id)

    c_keys, d_keys = keys(c), keys(d1)
    c_sums = (
        select(*c_keys, exact_sum(c.c[TOA]).label("toa_sum"))
        .where(ctx.source_rows, _c_obligations(c), _given(c.c.piid), parent(c))
        .group_by(*c_keys)
        .subquery("c_sums")
    )
    d_sums = (
        select(*d_keys, exact_sum(d1.c[FAO]).label("fao_sum"))
        .where(ctx.target_rows, _given(d1.c.piid), parent(d1))
        .group_by(*d_keys)
        .subquery("d_sums")
    )
    names = ["piid", "parent_award_id"] if with_parent else ["piid"]
    expected = negated(d_sums.c.fao_sum)
    ids = [c_sums.c.piid.label("uniqueid_PIID")]
    if with_parent:
        ids.append(c_sums.c.parent_award_id.label("uniqueid_ParentAwardId"))
    return (
        select(
            _no_source_row(),
            *(c_sums.c[name].label(f"source_value_{name}") for name in names),
            c_sums.c.toa_sum.label(f"source_value_{TOA}_sum"),
            d_sums.c.fao_sum.label(f"target_value_{FAO}_sum"),
            minus(c_sums.c.toa_sum, expected).label("difference"),
            *ids,
        )
        .select_from(c_sums.join(d_sums, and_(*(c_sums.c[name] == d_sums.c[name] for name in names))))
        .where(differ(c_sums.c.toa_sum, expected))
    )


@rule("C23.1", C, D1)
def c23_1(ctx: CrossRuleContext) -> Select[Any]:
    return _c23_procurement(ctx, with_parent=False)


@rule("C23.2", C, D1)
def c23_2(ctx: CrossRuleContext) -> Select[Any]:
    return _c23_procurement(ctx, with_parent=True)


# ----------------------------------------------------------------------------- C ↔ D2


def _is_loan(d2: FromClause) -> ColumnElement[bool]:
    return _text(d2.c.assistance_type).in_(LOAN_TYPES)


def _record_types(d2: FromClause, *, aggregate: bool) -> ColumnElement[bool]:
    return d2.c.record_type == AGGREGATE_RECORD if aggregate else d2.c.record_type.in_(NON_AGGREGATE_RECORDS)


@rule("C8", C, D2)
def c8(ctx: CrossRuleContext) -> Select[Any]:
    c, d2 = ctx.source, ctx.target

    def missing(identifier: str, *, aggregate: bool) -> ColumnElement[bool]:
        found = exists().where(
            ctx.target_rows,
            _text(d2.c[identifier]) == _text(c.c[identifier]),
            _record_types(d2, aggregate=aggregate),
        )
        return and_(_given(c.c[identifier]), ~found)

    return select(
        _source_row(c),
        *_source(c, "fain", "uri"),
        _tas_id(c),
        c.c.fain.label("uniqueid_FAIN"),
        c.c.uri.label("uniqueid_URI"),
    ).where(
        ctx.source_rows,
        _c_obligations(c),
        or_(missing("fain", aggregate=False), missing("uri", aggregate=True)),
    )


@rule("C9", D2, C)
def c9(ctx: CrossRuleContext) -> Select[Any]:
    d2, c = ctx.source, ctx.target

    def missing(identifier: str) -> ColumnElement[bool]:
        found = exists().where(
            ctx.target_rows, c.c[TOA].isnot(None), _text(c.c[identifier]) == _text(d2.c[identifier])
        )
        return ~found

    # Loans count when their subsidy cost is positive, other awards when they obligate anything.
    counts = or_(and_(~_is_loan(d2), is_nonzero(d2.c[FAO])), and_(_is_loan(d2), is_positive(d2.c[OLSC])))
    by_uri = and_(_record_types(d2, aggregate=True), _given(d2.c.uri), missing("uri"))
    by_fain = and_(_record_types(d2, aggregate=False), _given(d2.c.fain), missing("fain"))
    return select(
        _source_row(d2),
        *_source(d2, "fain", "uri", FAO),
        d2.c[FAO].label("difference"),
        d2.c.fain.label("uniqueid_FAIN"),
        d2.c.uri.label("uniqueid_URI"),
    ).where(ctx.source_rows, counts, or_(by_uri, by_fain))


def _c23_assistance(ctx: CrossRuleContext, identifier: str, *, aggregate: bool) -> Select[Any]:
    """C's obligations per FAIN (or URI) against minus D2's obligations, or loan subsidy costs, for it."""
    c, d2 = ctx.source, ctx.target
    c_key, d_key = _text(c.c[identifier]).label("award"), _text(d2.c[identifier]).label("award")
    c_sums = (
        select(c_key, exact_sum(c.c[TOA]).label("toa_sum"))
        .where(ctx.source_rows, _c_obligations(c), _given(c.c[identifier]))
        .group_by(c_key)
        .subquery("c_sums")
    )
    none = as_decimal_text(0)
    d_sums = (
        select(
            d_key,
            exact_sum(case((_is_loan(d2), none), else_=d2.c[FAO])).label("fao_sum"),
            exact_sum(case((_is_loan(d2), d2.c[OLSC]), else_=none)).label("olsc_sum"),
        )
        .where(ctx.target_rows, _given(d2.c[identifier]), _record_types(d2, aggregate=aggregate))
        .group_by(d_key)
        .subquery("d_sums")
    )
    expected = minus(negated(d_sums.c.fao_sum), d_sums.c.olsc_sum)
    return (
        select(
            _no_source_row(),
            c_sums.c.award.label(f"source_value_{identifier}"),
            c_sums.c.toa_sum.label(f"source_value_{TOA}_sum"),
            d_sums.c.fao_sum.label(f"target_value_{FAO}_sum"),
            d_sums.c.olsc_sum.label(f"target_value_{OLSC}_sum"),
            minus(c_sums.c.toa_sum, expected).label("difference"),
            c_sums.c.award.label(f"uniqueid_{identifier.upper()}"),
        )
        .select_from(c_sums.join(d_sums, c_sums.c.award == d_sums.c.award))
        .where(differ(c_sums.c.toa_sum, expected))
    )


@rule("C23.3", C, D2)
def c23_3(ctx: CrossRuleContext) -> Select[Any]:
    return _c23_assistance(ctx, "fain", aggregate=False)


@rule("C23.4", C, D2)
def c23_4(ctx: CrossRuleContext) -> Select[Any]:
    return _c23_assistance(ctx, "uri", aggregate=True)

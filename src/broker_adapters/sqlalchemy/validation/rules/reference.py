"""Single-file rules of Files B and C that check a value against a reference list.

B9 (program activity code and name, per account and period: ``program_activity``), B11.1 to
B11.4 (object class: ``object_class``), B24 (DEFC: ``defc``) and B28.1 / B28.2 (PARK, per account:
``program_activity_park``). Each rule exists for File B (``program_activity``) and/or File C
(``award_financial``); the query is the same shape for both, over the rule file's staging table.

"Every balance on this row is $0" means every amount field of the file's schema is blank or
zero. Codes are compared without regard to case; a blank value is NULL or empty text.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, and_, exists, func, not_, or_, select
from sqlalchemy.sql.elements import ColumnElement

from broker_adapters.sqlalchemy import tables
from broker_core.file_types import FileType
from broker_core.validation.schema import schema_for

from ..exact import is_nonzero
from .registry import RuleContext, rule

B = "program_activity"
C = "award_financial"
_FILE_TYPES = {B: FileType.B, C: FileType.C}

#: Object classes that stand for "not yet allocated": a warning (B11.2, B11.4), never a fatal error.
UNALLOCATED_OBJECT_CLASSES = ("0", "00", "000", "0000")
UNKNOWN_ACTIVITY_CODE = "0000"
UNKNOWN_ACTIVITY_NAME = "UNKNOWN/OTHER"
#: The PARK a File B row whose balances are all $0 may use instead of a valid one.
ZERO_ROW_PARK = "0000"


def _text(column: Any) -> ColumnElement[Any]:
    """The value with NULL as empty text (so comparisons never yield NULL)."""
    return func.coalesce(column, "")


def _provided(column: Any) -> ColumnElement[bool]:
    return _text(column) != ""


def _all_balances_zero(ctx: RuleContext, file: str) -> ColumnElement[bool]:
    amounts = [f.short_name for f in schema_for(_FILE_TYPES[file]).fields if f.type.is_number]
    return not_(or_(*(is_nonzero(ctx.table.c[name]) for name in amounts)))


def _failing(ctx: RuleContext, *columns: Any) -> Select[Any]:
    return select(ctx.table.c.row_number, *columns).where(ctx.rows)


def _tas_id(ctx: RuleContext) -> Any:
    return ctx.table.c.display_tas.label("uniqueid_TAS")


# ----------------------------------------------------------------------------- B9: program activity


def _listed_activity(ctx: RuleContext) -> ColumnElement[bool]:
    """The row's code and name are an activity of its account (agency + main account) in the run's period."""
    t, pa = ctx.table, tables.program_activity
    return exists().where(
        pa.c.fiscal_year == ctx.run.fiscal_year,
        pa.c.period == ctx.run.period,
        pa.c.agency_id == t.c.agency_identifier,
        pa.c.account_number == t.c.main_account_code,
        func.upper(pa.c.program_activity_code) == func.upper(_text(t.c.program_activity_code)),
        func.upper(pa.c.program_activity_name) == func.upper(_text(t.c.program_activity_name)),
    )


def _b9(ctx: RuleContext, *conditions: ColumnElement[bool]) -> Select[Any]:
    t = ctx.table
    return _failing(
        ctx,
        t.c.agency_identifier,
        t.c.main_account_code,
        t.c.program_activity_code,
        t.c.program_activity_name,
        _tas_id(ctx),
        t.c.program_activity_code.label("uniqueid_ProgramActivityCode"),
    ).where(or_(_provided(t.c.program_activity_code), _provided(t.c.program_activity_name)), *conditions)


def _unknown_code(ctx: RuleContext) -> ColumnElement[bool]:
    return _text(ctx.table.c.program_activity_code) == UNKNOWN_ACTIVITY_CODE


def _unknown_name(ctx: RuleContext) -> ColumnElement[bool]:
    return func.upper(_text(ctx.table.c.program_activity_name)) == UNKNOWN_ACTIVITY_NAME


@rule("B9", B)
def b9_program_activity(ctx: RuleContext) -> Select[Any]:
    """PAC/PAN given but not a listed activity of the account for the period.

    ``0000`` / ``Unknown/Other`` is accepted when every balance of the row is $0.
    """
    unknown_on_zero_row = and_(_unknown_code(ctx), _unknown_name(ctx), _all_balances_zero(ctx, B))
    return _b9(ctx, not_(_listed_activity(ctx)), not_(unknown_on_zero_row))


@rule("B9", C)
def b9_award_financial(ctx: RuleContext) -> Select[Any]:
    """PAC/PAN given but not a listed activity of the account for the period, or ``0000`` / ``Unknown/Other``."""
    return _b9(ctx, or_(not_(_listed_activity(ctx)), _unknown_code(ctx), _unknown_name(ctx)))


# ----------------------------------------------------------------------------- B11: object class


def _object_class_rule(ctx: RuleContext, *conditions: ColumnElement[bool]) -> Select[Any]:
    t = ctx.table
    return _failing(
        ctx, t.c.object_class, _tas_id(ctx), t.c.object_class.label("uniqueid_ObjectClass")
    ).where(*conditions)


def _invalid_object_class(ctx: RuleContext) -> Select[Any]:
    """Given, not an unallocated code, and neither a listed code nor a listed 3-digit code plus one digit."""
    code = ctx.table.c.object_class
    oc = tables.object_class
    # Two separate lookups rather than one with an OR inside: each is a plain key match the
    # database can hash, where the OR forced a scan of the list for every row.
    with_suffix = and_(
        func.length(code) == 4,
        func.substr(code, 4, 1).in_(list("0123456789")),
        exists().where(oc.c.object_class_code == func.substr(code, 1, 3)),
    )
    listed = or_(exists().where(oc.c.object_class_code == code), with_suffix)
    return _object_class_rule(ctx, _provided(code), code.not_in(UNALLOCATED_OBJECT_CLASSES), not_(listed))


def _unallocated_object_class(ctx: RuleContext, file: str) -> Select[Any]:
    """``000`` (any of its spellings) on a row with a non-zero balance."""
    code = ctx.table.c.object_class
    return _object_class_rule(ctx, code.in_(UNALLOCATED_OBJECT_CLASSES), not_(_all_balances_zero(ctx, file)))


@rule("B11.1", C)
def b11_1(ctx: RuleContext) -> Select[Any]:
    return _invalid_object_class(ctx)


@rule("B11.2", C)
def b11_2(ctx: RuleContext) -> Select[Any]:
    return _unallocated_object_class(ctx, C)


@rule("B11.3", B)
def b11_3(ctx: RuleContext) -> Select[Any]:
    return _invalid_object_class(ctx)


@rule("B11.4", B)
def b11_4(ctx: RuleContext) -> Select[Any]:
    return _unallocated_object_class(ctx, B)


# ----------------------------------------------------------------------------- B24: DEFC


def _b24(ctx: RuleContext) -> Select[Any]:
    """The DEFC is blank, or not a valid code of the DEFC list."""
    t, d = ctx.table, tables.defc
    code = t.c.disaster_emergency_fund_code
    valid = exists().where(d.c.is_valid.is_(True), d.c.code == func.upper(_text(code)))
    return _failing(ctx, code, _tas_id(ctx), code.label("uniqueid_DisasterEmergencyFundCode")).where(
        not_(valid)
    )


@rule("B24", B)
def b24_program_activity(ctx: RuleContext) -> Select[Any]:
    return _b24(ctx)


@rule("B24", C)
def b24_award_financial(ctx: RuleContext) -> Select[Any]:
    return _b24(ctx)


# ----------------------------------------------------------------------------- B28: PARK


def _listed_park(ctx: RuleContext) -> ColumnElement[bool]:
    """The row's PARK is listed for its account: same agency, ATA (blank = blank) and main account,

    and the row's sub account, or any sub account when the list gives none. The list's fiscal
    year and period do not matter (a PARK stays valid for its account).
    """
    t, park = ctx.table, tables.program_activity_park
    return exists().where(
        func.upper(park.c.park_code) == func.upper(t.c.program_activity_reporting_key),
        park.c.agency_id == t.c.agency_identifier,
        _text(park.c.allocation_transfer_id) == _text(t.c.allocation_transfer_agency),
        park.c.main_account_number == t.c.main_account_code,
        or_(park.c.sub_account_number.is_(None), park.c.sub_account_number == t.c.sub_account_code),
    )


def _b28(ctx: RuleContext, *conditions: ColumnElement[bool]) -> Select[Any]:
    t = ctx.table
    key = t.c.program_activity_reporting_key
    return _failing(ctx, key, _tas_id(ctx), t.c.object_class.label("uniqueid_ObjectClass")).where(
        _provided(key), not_(_listed_park(ctx)), *conditions
    )


@rule("B28.1", B)
def b28_1(ctx: RuleContext) -> Select[Any]:
    """A PARK not listed for the TAS; ``0000`` is accepted when every balance of the row is $0."""
    zero_row_park = and_(
        _text(ctx.table.c.program_activity_reporting_key) == ZERO_ROW_PARK, _all_balances_zero(ctx, B)
    )
    return _b28(ctx, not_(zero_row_park))


@rule("B28.2", C)
def b28_2(ctx: RuleContext) -> Select[Any]:
    """A PARK not listed for the TAS."""
    return _b28(ctx)

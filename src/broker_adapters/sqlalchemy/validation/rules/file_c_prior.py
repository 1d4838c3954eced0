"""C27.1 and C27.2: award outlays published in the previous period must keep being reported.

The previous period is the agency's published (or since updated) DABS submission of the same
fiscal year one period earlier (three for a quarterly submission). Its File C rows are the rows it
staged when it was validated: a submission is never deleted once published, so they stay. Every
combination of that file with a non-zero gross outlay by award must appear again in this file;
each one that does not is a failure of no single row of this file (``row_number`` NULL).

Combinations compare case-insensitively with blank equal to blank, as C28 does. C27.1 keys the
program activity by code and name, C27.2 by PARK.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, FromClause, Select, and_, case, exists, false, func, not_, select

from broker_adapters.sqlalchemy import tables
from broker_core.submissions.model import PublishStatus

from ..exact import is_nonzero
from .file_c import DEFC, PAC, PAN, PARK, PYA, C
from .gtas import no_row_number
from .registry import RuleContext, rule

_KEY = (
    "tas",
    DEFC,
    "object_class",
    "by_direct_reimbursable_fun",
    PYA,
    "fain",
    "uri",
    "piid",
    "parent_award_id",
)
OUTLAY = "gross_outlay_amount_by_awa_cpe"


def _previous_submission(ctx: RuleContext) -> Any:
    """The id of the previous period's published submission of the run's agency, as a scalar subquery."""
    sub, current = tables.submission, tables.submission.alias("current_submission")
    step = case((current.c.is_quarter_format, 3), else_=1)
    return (
        select(func.max(sub.c.submission_id))
        .select_from(current)
        .join(
            sub,
            and_(
                sub.c.reporting_fiscal_year == current.c.reporting_fiscal_year,
                sub.c.reporting_fiscal_period == current.c.reporting_fiscal_period - step,
                func.coalesce(sub.c.cgac_code, sub.c.frec_code)
                == func.coalesce(current.c.cgac_code, current.c.frec_code),
                sub.c.publish_status_id != PublishStatus.UNPUBLISHED,
                sub.c.is_fabs.is_(False),
            ),
        )
        .where(current.c.submission_id == ctx.run.submission_id, current.c.is_fabs.is_(False))
        .scalar_subquery()
    )


def _same(a: FromClause, b: FromClause, columns: Sequence[str]) -> ColumnElement[bool]:
    return and_(
        *(func.coalesce(func.upper(a.c[c]), "") == func.coalesce(func.upper(b.c[c]), "") for c in columns)
    )


def _c27(ctx: RuleContext, activity: Sequence[str]) -> Select[Any]:
    if ctx.run.submission_id is None:  # a standalone file has no previous period to compare with
        return select(no_row_number()).where(false())
    prior, current = ctx.table.alias("prior"), ctx.table
    columns = (*_KEY[:2], *activity, *_KEY[2:])
    still_reported = exists().where(ctx.rows, _same(current, prior, columns))
    return select(
        no_row_number(),
        # The TAS as people write it; the combination itself compares the concatenated form.
        *(prior.c.display_tas.label("tas") if c == "tas" else prior.c[c] for c in columns),
        prior.c[OUTLAY],
        prior.c.display_tas.label("uniqueid_TAS"),
        prior.c[DEFC].label("uniqueid_DisasterEmergencyFundCode"),
        prior.c.fain.label("uniqueid_FAIN"),
        prior.c.uri.label("uniqueid_URI"),
        prior.c.piid.label("uniqueid_PIID"),
    ).where(
        prior.c.submission_id == _previous_submission(ctx),
        is_nonzero(prior.c[OUTLAY]),
        not_(still_reported),
    )


@rule("C27.1", C)
def c27_1(ctx: RuleContext) -> Select[Any]:
    """A previous period's non-zero award outlay (by PAC + PAN) missing from this period's File C."""
    return _c27(ctx, (PAC, PAN))


@rule("C27.2", C)
def c27_2(ctx: RuleContext) -> Select[Any]:
    """A previous period's non-zero award outlay (by PARK) missing from this period's File C."""
    return _c27(ctx, (PARK,))

"""File A (appropriations account) rows from GTAS SF-133 balances (spec §5.7).

One row per TAS of the agency: the seven TAS parts, thirteen sums of SF-133
lines, and the TAS's GTAS edit status for the period.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from decimal import Decimal

from broker_core.generation.rendering import render_line
from broker_core.records import FailedEdit, SubmissionWindow, TasBalance
from broker_core.tas import concat_tas, display_tas

#: Agencies whose File A also covers other agency identifiers (departments that absorbed
#: or report for others); the ATA rule uses every group, the AID rule only the CGAC ones.
AGENCY_GROUPS: dict[str, frozenset[str]] = {
    "097": frozenset({"017", "021", "057", "097"}),
    "020": frozenset({"020", "580", "373"}),
    "077": frozenset({"077", "071"}),
    "089": frozenset({"089", "486"}),
    "1601": frozenset({"1601", "016"}),
    "1125": frozenset({"1125", "011"}),
    "1100": frozenset({"1100", "256"}),
}
_AID_GROUPED = frozenset({"097", "020", "077", "089"})

#: A Treasury-owned account that GTAS reports under 070 (Homeland Security), not 020.
SPECIAL_TAS = "020-X-5688-000"

#: SF-133 lines summed into each amount column, in the file's column order. ``None``
#: marks the adjustments column, whose line range grew in FY 2021.
_SUM_LINES: tuple[tuple[int, ...] | None, ...] = (
    (1910,),  # TotalBudgetaryResources_CPE
    (1160, 1180, 1260, 1280),  # BudgetAuthorityAppropriatedAmount_CPE
    (1000,),  # BudgetAuthorityUnobligatedBalanceBroughtForward_FYB
    None,  # AdjustmentsToUnobligatedBalanceBroughtForward_CPE
    (1340, 1440, 1540, 1640, 1750, 1850),  # OtherBudgetaryResourcesAmount_CPE
    (1540, 1640),  # ContractAuthorityAmountTotal_CPE
    (1340, 1440),  # BorrowingAuthorityAmountTotal_CPE
    (1750, 1850),  # SpendingAuthorityfromOffsettingCollectionsAmountTotal_CPE
    (2500,),  # StatusOfBudgetaryResourcesTotal_CPE
    (2190,),  # ObligationsIncurredTotalByTAS_CPE
    (3020,),  # GrossOutlayAmountByTAS_CPE
    (2490,),  # UnobligatedBalance_CPE
    (1021, 1033),  # DeobligationsRecoveriesRefundsOfPriorYearByTAS_CPE
)
SUM_COLUMN_COUNT = len(_SUM_LINES)

WINDOW_OPEN = "GTAS window open"
PASSED = "passed required edits"
_ATB_RANK = {"F": 0, "E": 1, "P": 2, "C": 3}
_OVERRIDE_STATUS = {
    "F": "failed fatal edit - override",
    "E": "passed required edits - override",
    "P": "pending certification - override",
    "C": "certified - override",
}

TasKey = tuple[str | None, str | None, str | None, str | None, str | None, str | None, str | None]


def adjustment_lines(fiscal_year: int) -> range:
    """SF-133 lines of AdjustmentsToUnobligatedBalanceBroughtForward_CPE for a fiscal year."""
    return range(1010, 1043) if fiscal_year <= 2020 else range(1010, 1068)


def _line_columns(fiscal_year: int) -> dict[int, tuple[int, ...]]:
    """SF-133 line -> the sum columns it adds to (a line may feed several columns)."""
    columns: dict[int, list[int]] = {}
    for index, lines in enumerate(_SUM_LINES):
        for line in lines if lines is not None else adjustment_lines(fiscal_year):
            columns.setdefault(line, []).append(index)
    return {line: tuple(indexes) for line, indexes in columns.items()}


def _blank(value: str | None) -> str | None:
    if value is None:
        return None
    value = value.strip()
    return value or None


def tas_in_agency(balance: TasBalance, agency_code: str, frecs_of_cgac: set[str]) -> bool:
    """Whether a TAS's balances belong in ``agency_code``'s File A.

    ``agency_code`` is a CGAC (3 characters) or a FREC (4); ``frecs_of_cgac`` are the
    FRECs belonging to a CGAC (empty for a FREC).
    """
    if balance.financial_indicator2 == "F":  # financing accounts never appear in File A
        return False
    sf = balance.sf133
    shown = display_tas(
        sf.allocation_transfer_agency,
        sf.agency_identifier,
        sf.beginning_period_of_availa,
        sf.ending_period_of_availabil,
        sf.availability_type_code,
        sf.main_account_code,
        sf.sub_account_code,
    )
    if shown.upper() == SPECIAL_TAS:
        if agency_code == "020":
            return False
        if agency_code == "070":
            return True
    group = AGENCY_GROUPS.get(agency_code, frozenset({agency_code}))
    ata = _blank(sf.allocation_transfer_agency)
    if ata is not None:
        # A transfer account belongs to the agency the authority was transferred from.
        return ata in group
    aid = _blank(sf.agency_identifier)
    frec = _blank(balance.fr_entity_type)
    if agency_code in _AID_GROUPED:
        owned = aid in group
    elif agency_code == "1100":
        owned = aid == "256" or frec == "1100"
    elif len(agency_code) == 3:
        owned = aid == agency_code
    else:
        owned = frec == agency_code
    # AID 011 (Executive Office of the President) accounts are reported by the CGAC
    # that owns their FREC (e.g. 011 + FREC 1137 belongs to 097).
    return owned or (aid == "011" and frec is not None and frec in frecs_of_cgac)


def _key(balance: TasBalance) -> TasKey:
    sf = balance.sf133
    return (
        sf.allocation_transfer_agency,
        sf.agency_identifier,
        sf.beginning_period_of_availa,
        sf.ending_period_of_availabil,
        sf.availability_type_code,
        sf.main_account_code,
        sf.sub_account_code,
    )


def _sort_key(key: TasKey) -> tuple[str, ...]:
    return tuple(part or "" for part in key)


def _edit_status(edit: FailedEdit) -> str:
    if not edit.approved_override_exists:
        return "failed fatal edit - no override"
    status = (edit.atb_submission_status or "").strip().upper()
    return _OVERRIDE_STATUS.get(status, "passed required edits - override")


def _edit_rank(edit: FailedEdit) -> tuple[int, bool]:
    status = (edit.atb_submission_status or "").strip().upper()
    # Within one ATB status the spec leaves the choice open; prefer the edit without override.
    return _ATB_RANK.get(status, len(_ATB_RANK)), edit.approved_override_exists


def gtas_statuses(
    tas_strings: set[str],
    fiscal_year: int,
    period: int,
    window: SubmissionWindow | None,
    failed_edits: Iterable[FailedEdit],
    now: dt.datetime,
) -> dict[str, str | None]:
    """The GTASStatus column for each concatenated TAS in ``tas_strings``."""
    blank: dict[str, str | None] = dict.fromkeys(tas_strings)
    if window is None or (window.fiscal_year, window.period) != (fiscal_year, period):
        return blank
    if now.tzinfo is not None:
        now = now.astimezone(dt.UTC).replace(tzinfo=None)
    if window.period_start > now.date():
        return dict.fromkeys(tas_strings, WINDOW_OPEN)
    have_edits = False
    best: dict[str, FailedEdit] = {}
    for edit in failed_edits:
        if edit.fiscal_year != fiscal_year or edit.period != period:
            continue
        have_edits = True
        if edit.tas not in blank or edit.severity.strip().lower() != "fatal":
            continue
        current = best.get(edit.tas)
        if current is None or _edit_rank(edit) < _edit_rank(current):
            best[edit.tas] = edit
    if not have_edits:  # GTAS has not published edits for the period yet
        return blank
    return {tas: _edit_status(best[tas]) if tas in best else PASSED for tas in tas_strings}


def _amount(total: Decimal | None) -> str:
    # No contributing line prints 0 (a SQL sum of zeros); otherwise the sum keeps its scale.
    return "0" if total is None else format(total, "f")


def a_file_lines(
    balances: Iterable[TasBalance],
    agency_code: str,
    frecs_of_cgac: set[str],
    fiscal_year: int,
    period: int,
    window: SubmissionWindow | None,
    failed_edits: Iterable[FailedEdit],
    now: dt.datetime,
) -> Iterator[str]:
    """The data rows of ``agency_code``'s File A for a fiscal year and period, rendered as comma CSV.

    Rows are ordered by TAS parts. Only the agency's TAS sums are kept in memory.
    """
    line_columns = _line_columns(fiscal_year)
    sums: dict[TasKey, list[Decimal | None]] = {}
    for balance in balances:
        sf = balance.sf133
        if sf.fiscal_year != fiscal_year or sf.period != period:
            continue
        if not tas_in_agency(balance, agency_code, frecs_of_cgac):
            continue
        totals = sums.get(_key(balance))
        if totals is None:
            totals = sums[_key(balance)] = [None] * SUM_COLUMN_COUNT
        for index in line_columns.get(sf.line, ()):
            current = totals[index]
            totals[index] = sf.amount if current is None else current + sf.amount

    tas_of_key = {key: concat_tas(*key) for key in sums}
    statuses = gtas_statuses(set(tas_of_key.values()), fiscal_year, period, window, failed_edits, now)
    for key in sorted(sums, key=_sort_key):
        parts = [part if part else None for part in key]
        amounts = [_amount(total) for total in sums[key]]
        yield render_line([*parts, *amounts, statuses[tas_of_key[key]]])

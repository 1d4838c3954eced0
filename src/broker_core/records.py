"""Rows of the source data the generators read (loaded by ``broker load ...``)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import attrs


@attrs.frozen
class RenderedAwardRow:
    """One procurement (D1) or assistance (D2) transaction, stored ready to write.

    ``line`` is the row already rendered in the file's comma CSV form (with the
    trailing newline), so generating a file never formats columns again: the
    expensive part of the original is done once, when the row is loaded or
    updated. The other fields are what generation filters on.
    """

    unique_key: str
    action_date: dt.date
    awarding_agency_code: str | None
    funding_agency_code: str | None
    line: str
    unique_award_key: str | None = None
    is_active: bool = True
    #: FPDS ``lastModifiedDate`` as served (``YYYY-MM-DD HH:MM:SS``), for deletions; D1 rows only.
    last_modified: str | None = None


@attrs.frozen
class ProcurementDeletion:
    """A procurement transaction the FPDS DELETED feed removed, as of ``last_modified``.

    Applied only to a stored row older than the deletion, so a transaction
    re-created after it was deleted survives a late deletion.
    """

    unique_key: str
    last_modified: str | None  # YYYY-MM-DD HH:MM:SS, as FPDS serves it


@attrs.frozen
class AgencyRecord:
    """One line of the agency codes list: a sub-tier with its CGAC and FREC."""

    cgac_code: str
    agency_name: str
    frec_code: str | None
    frec_name: str | None
    sub_tier_code: str | None
    sub_tier_name: str | None
    is_frec: bool
    frec_cgac_association: bool


@attrs.frozen
class SF133Record:
    """One SF-133 line amount for a TAS in a fiscal year and period."""

    fiscal_year: int
    period: int
    allocation_transfer_agency: str | None
    agency_identifier: str
    beginning_period_of_availa: str | None
    ending_period_of_availabil: str | None
    availability_type_code: str | None
    main_account_code: str
    sub_account_code: str
    line: int
    amount: Decimal
    tas: str  # concatenated form, see broker_core.tas


@attrs.frozen
class TasRecord:
    """One CARS TAS (a row of the ``tas_lookup`` history table)."""

    account_num: int
    allocation_transfer_agency: str | None
    agency_identifier: str
    beginning_period_of_availa: str | None
    ending_period_of_availabil: str | None
    availability_type_code: str | None
    main_account_code: str
    sub_account_code: str
    tas: str
    financial_indicator2: str | None
    fr_entity_type: str | None
    fr_entity_description: str | None = None
    account_title: str | None = None
    internal_start_date: dt.date | None = None
    internal_end_date: dt.date | None = None


@attrs.frozen
class TasBalance:
    """An SF-133 record joined with what File A needs from its TAS."""

    sf133: SF133Record
    financial_indicator2: str | None
    fr_entity_type: str | None


@attrs.frozen
class SubmissionWindow:
    fiscal_year: int
    period: int
    period_start: dt.date


@attrs.frozen
class FailedEdit:
    """A GTAS failed-edit row for one TAS (feeds the GTASStatus column of File A)."""

    fiscal_year: int
    period: int
    tas: str
    severity: str  # "Fatal" / "Proposed"
    atb_submission_status: str | None
    approved_override_exists: bool

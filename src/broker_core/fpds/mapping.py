"""An FPDS document as a D1 (``detached_award_procurement``) row: spec fpds.md §4.

Most columns are copied from the element the table in
:mod:`broker_core.fpds.elements` names; this module adds what is computed:

* the two keys, ``detached_award_proc_unique`` (case kept) and
  ``unique_award_key`` (upper-cased), with ``-none-`` for missing parts; the
  DELETED feed rebuilds the first with :func:`transaction_key`;
* ``pulled_from`` (``award``/``IDV``) and the award or IDV type, from the kind;
* the awarding and funding agency (CGAC, or FREC for FREC sub-tiers) from the
  sub-tier code; an unknown sub-tier gives ``999`` and no name, a missing one no agency;
* ``additional_reporting``, the listed values joined as ``code: description; ...``;
* the legal-entity state: a code only for a US (or territory) vendor, otherwise
  the raw value goes to the state description;
* US territories (``PRI``, ``GUM``... and the minor islands, which become
  ``UM``) turned into a state of country ``USA`` / ``UNITED STATES``, for both
  the place of performance and the legal entity;
* each whitespace character of the free-text fields replaced by a space, so a
  value never breaks a CSV line; dates cut to the day (``last_modified`` keeps
  its time, which deletions compare).

Derivations of the original that need tables the broker does not keep are not
done: county codes (by county name or ZIP), the state name of a territory
(from ``states``), country names the feed omits (from ``country_code``; the
archives carry none), ``business_categories`` and the SAM executive
compensation. Of these only the state and country names are D1 columns: they
are the feed's ``@name``, and a territory's state name is kept only when the
feed's state is the derived one. D1 has no split ZIP columns, so ZIPs stay whole.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import attrs

from broker_core.file_types import FileType
from broker_core.fpds.agencies import SubTierLookup
from broker_core.fpds.document import DocumentKind, FpdsDocument
from broker_core.fpds.elements import (
    ADDITIONAL_REPORTING,
    AGENCY_ID,
    AWARDING_SUB_TIER,
    FUNDING_SUB_TIER,
    LAST_MODIFIED,
    MOD_NUMBER,
    PARENT_AWARD_ID,
    PIID,
    REFERENCED_AGENCY,
    SOURCES,
    TRANSACTION_NUMBER,
    VENDOR_LOCATION,
)
from broker_core.generation.award_rows import render_award_values
from broker_core.generation.columns import D1_COLUMNS, ColumnKind
from broker_core.records import RenderedAwardRow

NONE = "-none-"
_AWARD, _IDV = DocumentKind.AWARD, DocumentKind.IDV

# Territory country codes and the state code they become; "USA" itself is the
# only other country whose vendors get a state code.
TERRITORY_STATES: dict[str, str] = {
    "ASM": "AS",
    "GUM": "GU",
    "MNP": "MP",
    "PRI": "PR",
    "VIR": "VI",
    "FSM": "FM",
    "MHL": "MH",
    "PLW": "PW",
    # The U.S. Minor Outlying Islands the original lists: Baker, Howland, Jarvis,
    # Johnston, Kingman, Palmyra, Midway, Wake.
    **dict.fromkeys(("XBK", "XHO", "XJV", "XJA", "XKR", "XPL", "XMW", "XWK"), "UM"),
}
_US_COUNTRIES = frozenset({"USA", *TERRITORY_STATES})

# Key parts in key order. An IDV's key leaves out its referenced IDV, even when it has one.
_TRANSACTION_KEY_PATHS: dict[DocumentKind, tuple[str | None, ...]] = {
    _AWARD: (
        AGENCY_ID.award,
        REFERENCED_AGENCY.award,
        PIID.award,
        MOD_NUMBER.award,
        PARENT_AWARD_ID.award,
        TRANSACTION_NUMBER.award,
    ),
    _IDV: (AGENCY_ID.idv, None, PIID.idv, MOD_NUMBER.idv, None, None),
}
_AWARD_KEY_PATHS: dict[DocumentKind, tuple[str, tuple[str | None, ...]]] = {
    _AWARD: ("CONT_AWD", (PIID.award, AGENCY_ID.award, PARENT_AWARD_ID.award, REFERENCED_AGENCY.award)),
    _IDV: ("CONT_IDV", (PIID.idv, AGENCY_ID.idv)),
}

_WIDTH = len(D1_COLUMNS)
_INDEX = {column.name: index for index, column in enumerate(D1_COLUMNS)}


def _copy_plan(kind: DocumentKind) -> tuple[tuple[int, str], ...]:
    plan = []
    for source in SOURCES:
        path = source.award if kind is _AWARD else source.idv
        if path is not None:
            plan.append((_INDEX[source.column], path))
    return tuple(plan)


_COPY_PLANS = {kind: _copy_plan(kind) for kind in DocumentKind}
_DAY_COLUMNS = tuple(
    index
    for index, column in enumerate(D1_COLUMNS)
    if column.kind is ColumnKind.DATE and column.name != "last_modified"
)
_FREE_TEXT_COLUMNS = tuple(
    _INDEX[name]
    for name in (
        "award_description",
        "vendor_doing_as_business_n",
        "legal_entity_address_line1",
        "legal_entity_address_line2",
        "ultimate_parent_legal_enti",
        "awardee_or_recipient_legal",
        "other_statutory_authority",
    )
)
_WHITESPACE = re.compile(r"\s")

_I = _INDEX  # the derivations below address columns by name
_LEGAL_COUNTRY, _LEGAL_COUNTRY_NAME = _I["legal_entity_country_code"], _I["legal_entity_country_name"]
_LEGAL_STATE, _LEGAL_STATE_DESCRIPTION = _I["legal_entity_state_code"], _I["legal_entity_state_descrip"]
_PLACE_COUNTRY, _PLACE_COUNTRY_NAME = _I["place_of_perform_country_c"], _I["place_of_perf_country_desc"]
_PLACE_STATE, _PLACE_STATE_NAME = _I["place_of_performance_state"], _I["place_of_perfor_state_desc"]


def transaction_key(document: FpdsDocument) -> str:
    """``detached_award_proc_unique``: the transaction's natural key, case kept (spec §4.1)."""
    return "_".join(_parts(document, _TRANSACTION_KEY_PATHS[document.kind]))


def unique_award_key(document: FpdsDocument) -> str:
    """``unique_award_key``: the award (or IDV) the transaction belongs to, upper-cased."""
    label, paths = _AWARD_KEY_PATHS[document.kind]
    return "_".join((label, *_parts(document, paths))).upper()


def _parts(document: FpdsDocument, paths: Sequence[str | None]) -> list[str]:
    values = document.values
    return [(values.get(path) if path is not None else None) or NONE for path in paths]


def d1_values(document: FpdsDocument, agencies: SubTierLookup) -> list[str | None]:
    """The document's 267 D1 values in file column order, as ``render_award_values`` takes them."""
    values = document.values
    row: list[str | None] = [None] * _WIDTH
    for index, path in _COPY_PLANS[document.kind]:
        row[index] = values.get(path)

    row[_I["detached_award_proc_unique"]] = transaction_key(document)
    row[_I["unique_award_key"]] = unique_award_key(document)
    row[_I["pulled_from"]] = document.kind.value
    row[_I["awarding_agency_code"]], row[_I["awarding_agency_name"]] = agencies.agency_for(
        values.get(AWARDING_SUB_TIER)
    )
    row[_I["funding_agency_code"]], row[_I["funding_agency_name"]] = agencies.agency_for(
        values.get(FUNDING_SUB_TIER)
    )
    row[_I["additional_reporting"]] = additional_reporting(document)
    _legal_entity_state(document, row)
    _territory(row, _LEGAL_COUNTRY, _LEGAL_COUNTRY_NAME, _LEGAL_STATE, _LEGAL_STATE_DESCRIPTION)
    _territory(row, _PLACE_COUNTRY, _PLACE_COUNTRY_NAME, _PLACE_STATE, _PLACE_STATE_NAME)

    for index in _DAY_COLUMNS:
        value = row[index]
        if value is not None:
            row[index] = _day(value)
    for index in _FREE_TEXT_COLUMNS:
        value = row[index]
        if value is not None:
            row[index] = _WHITESPACE.sub(" ", value)
    return row


def procurement_row(document: FpdsDocument, agencies: SubTierLookup) -> RenderedAwardRow:
    """The stored D1 row of a document, with its raw ``lastModifiedDate`` for later deletions.

    Raises ValueError naming the D1 column when a value is not acceptable (a
    date, amount or flag FPDS should not have sent, or no signed date).
    """
    row = render_award_values(FileType.D1, d1_values(document, agencies))
    return attrs.evolve(row, last_modified=document.get(LAST_MODIFIED))


def additional_reporting(document: FpdsDocument) -> str | None:
    """The additional reporting values as ``code: description; ...`` (a bare code if it has none)."""
    codes = document.all(ADDITIONAL_REPORTING)
    if not codes:
        return None
    descriptions = document.all(f"{ADDITIONAL_REPORTING}@description")
    # The document keeps codes and descriptions as two lists, so they pair up
    # only when every value has both.
    if len(descriptions) != len(codes):
        return "; ".join(codes)
    return "; ".join(f"{code}: {description}" for code, description in zip(codes, descriptions, strict=True))


def _legal_entity_state(document: FpdsDocument, row: list[str | None]) -> None:
    state = document.get(f"{VENDOR_LOCATION}/state")
    if row[_LEGAL_COUNTRY] in _US_COUNTRIES:
        row[_LEGAL_STATE] = state
        row[_LEGAL_STATE_DESCRIPTION] = document.get(f"{VENDOR_LOCATION}/state@name")
    else:
        # A foreign vendor's "state" is a province or region, not a US state code.
        row[_LEGAL_STATE_DESCRIPTION] = state


def _territory(row: list[str | None], country: int, country_name: int, state: int, state_name: int) -> None:
    code = row[country]
    territory_state = TERRITORY_STATES.get(code) if code is not None else None
    if territory_state is None:
        return
    if row[state] != territory_state:
        # The state name would come from the states table, which the broker does not keep.
        row[state_name] = None
    row[state] = territory_state
    row[country] = "USA"
    row[country_name] = "UNITED STATES"


def _day(value: str) -> str:
    """``YYYY-MM-DD`` of a feed timestamp (``YYYY-MM-DD HH:MM:SS``, archives add ``.0``)."""
    if len(value) > 10 and value[10] in " T":
        return value[:10]
    return value

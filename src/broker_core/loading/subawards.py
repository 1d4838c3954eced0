"""Subaward extracts (the ``subaward`` rows behind file F): the 87 columns of F, one row per subaward.

The header may use the ``subaward`` column names (``unique_award_key``,
``subaward_number``, ...) or F's own headers (``PrimeAwardUniqueKey``,
``SubAwardNumber``, ..., ``Vendor Doing As Business Name``), in any case and
order, so a generated F file loads back. The four columns of the natural key
must be present; any other absent column loads as blank. Messages name the
column by its ``subaward`` name.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator
from typing import Any, TextIO

from broker_core.generation.award_rows import RowError
from broker_core.loading import Field, RowReader, read_records
from broker_core.loading.source_fields import amount, timestamp, uei
from broker_core.loading.source_records import SUBAWARD_TYPES, SubawardRecord

Convert = Callable[[RowReader, str], Any]


def _text(row: RowReader, column: str) -> str | None:
    return row.text(column)


def _key(row: RowReader, column: str) -> str:
    return row.required_text(column)


def _subaward_type(row: RowReader, column: str) -> str:
    """``sub-contract`` or ``sub-grant`` in any case, stored in lower case (F filters on it exactly)."""
    value = row.text(column)
    if value is None:
        row.fail(column, "required")
        return ""
    if value.lower() not in SUBAWARD_TYPES:
        row.fail(column, f"must be {' or '.join(SUBAWARD_TYPES)}, got {value!r}")
        return ""
    return value.lower()


def _date(row: RowReader, column: str) -> dt.date | None:
    return row.date(column)


#: (column, F header, converter), in the order of F and of ``SubawardRecord``.
COLUMNS: tuple[tuple[str, str, Convert], ...] = (
    ("unique_award_key", "PrimeAwardUniqueKey", _key),
    ("award_id", "PrimeAwardID", _text),
    ("parent_award_id", "ParentAwardID", _text),
    ("award_amount", "PrimeAwardAmount", amount),
    ("action_date", "ActionDate", _date),
    ("fy", "PrimeAwardFiscalYear", _text),
    ("awarding_agency_code", "AwardingAgencyCode", _text),
    ("awarding_agency_name", "AwardingAgencyName", _text),
    ("awarding_sub_tier_agency_c", "AwardingSubTierAgencyCode", _text),
    ("awarding_sub_tier_agency_n", "AwardingSubTierAgencyName", _text),
    ("awarding_office_code", "AwardingOfficeCode", _text),
    ("awarding_office_name", "AwardingOfficeName", _text),
    ("funding_agency_code", "FundingAgencyCode", _text),
    ("funding_agency_name", "FundingAgencyName", _text),
    ("funding_sub_tier_agency_co", "FundingSubTierAgencyCode", _text),
    ("funding_sub_tier_agency_na", "FundingSubTierAgencyName", _text),
    ("funding_office_code", "FundingOfficeCode", _text),
    ("funding_office_name", "FundingOfficeName", _text),
    ("awardee_or_recipient_uei", "AwardeeOrRecipientUEI", uei),
    ("awardee_or_recipient_legal", "AwardeeOrRecipientLegalEntityName", _text),
    ("dba_name", "Vendor Doing As Business Name", _text),
    ("ultimate_parent_uei", "UltimateParentUEI", uei),
    ("ultimate_parent_legal_enti", "UltimateParentLegalEntityName", _text),
    ("legal_entity_country_code", "LegalEntityCountryCode", _text),
    ("legal_entity_country_name", "LegalEntityCountryName", _text),
    ("legal_entity_address_line1", "LegalEntityAddressLine1", _text),
    ("legal_entity_city_name", "LegalEntityCityName", _text),
    ("legal_entity_state_code", "LegalEntityStateCode", _text),
    ("legal_entity_state_name", "LegalEntityStateName", _text),
    ("legal_entity_zip", "LegalEntityZIP+4", _text),
    ("legal_entity_congressional", "LegalEntityCongressionalDistrict", _text),
    ("legal_entity_foreign_posta", "LegalEntityForeignPostalCode", _text),
    ("business_types", "PrimeAwardeeBusinessTypes", _text),
    ("place_of_perform_city_name", "PrimaryPlaceOfPerformanceCityName", _text),
    ("place_of_perform_state_code", "PrimaryPlaceOfPerformanceStateCode", _text),
    ("place_of_perform_state_name", "PrimaryPlaceOfPerformanceStateName", _text),
    ("place_of_performance_zip", "PrimaryPlaceOfPerformanceZIP+4", _text),
    ("place_of_perform_congressio", "PrimaryPlaceOfPerformanceCongressionalDistrict", _text),
    ("place_of_perform_country_co", "PrimaryPlaceOfPerformanceCountryCode", _text),
    ("place_of_perform_country_na", "PrimaryPlaceOfPerformanceCountryName", _text),
    ("award_description", "AwardDescription", _text),
    ("program_title", "PrimeAwardProjectTitle", _text),
    ("naics", "NAICS", _text),
    ("naics_description", "NAICS_Description", _text),
    ("assistance_listing_numbers", "AssistanceListingNumbers", _text),
    ("assistance_listing_titles", "AssistanceListingTitles", _text),
    ("subaward_type", "SubAwardType", _subaward_type),
    ("internal_id", "SubAwardReportID", _key),
    ("subaward_report_year", "SubAwardReportYear", _text),
    ("subaward_report_month", "SubAwardReportMonth", _text),
    ("subaward_number", "SubAwardNumber", _key),
    ("subaward_amount", "SubAwardAmount", amount),
    ("sub_action_date", "SubAwardActionDate", _date),
    ("sub_awardee_or_recipient_uei", "SubAwardeeOrRecipientUEI", uei),
    ("sub_awardee_or_recipient_legal", "SubAwardeeOrRecipientLegalEntityName", _text),
    ("sub_dba_name", "SubAwardeeDoingBusinessAsName", _text),
    ("sub_ultimate_parent_uei", "SubAwardeeUltimateParentUEI", uei),
    ("sub_ultimate_parent_legal_enti", "SubAwardeeUltimateParentLegalEntityName", _text),
    ("sub_legal_entity_country_code", "SubAwardeeLegalEntityCountryCode", _text),
    ("sub_legal_entity_country_name", "SubAwardeeLegalEntityCountryName", _text),
    ("sub_legal_entity_address_line1", "SubAwardeeLegalEntityAddressLine1", _text),
    ("sub_legal_entity_city_name", "SubAwardeeLegalEntityCityName", _text),
    ("sub_legal_entity_state_code", "SubAwardeeLegalEntityStateCode", _text),
    ("sub_legal_entity_state_name", "SubAwardeeLegalEntityStateName", _text),
    ("sub_legal_entity_zip", "SubAwardeeLegalEntityZIP+4", _text),
    ("sub_legal_entity_congressional", "SubAwardeeLegalEntityCongressionalDistrict", _text),
    ("sub_legal_entity_foreign_posta", "SubAwardeeLegalEntityForeignPostalCode", _text),
    ("sub_business_types", "SubAwardeeBusinessTypes", _text),
    ("sub_place_of_perform_city_name", "SubAwardPlaceOfPerformanceCityName", _text),
    ("sub_place_of_perform_state_code", "SubAwardPlaceOfPerformanceStateCode", _text),
    ("sub_place_of_perform_state_name", "SubAwardPlaceOfPerformanceStateName", _text),
    ("sub_place_of_performance_zip", "SubAwardPlaceOfPerformanceZIP+4", _text),
    ("sub_place_of_perform_congressio", "SubAwardPlaceOfPerformanceCongressionalDistrict", _text),
    ("sub_place_of_perform_country_co", "SubAwardPlaceOfPerformanceCountryCode", _text),
    ("sub_place_of_perform_country_na", "SubAwardPlaceOfPerformanceCountryName", _text),
    ("subaward_description", "SubAwardDescription", _text),
    ("sub_high_comp_officer1_full_na", "SubAwardeeHighCompOfficer1FullName", _text),
    ("sub_high_comp_officer1_amount", "SubAwardeeHighCompOfficer1Amount", amount),
    ("sub_high_comp_officer2_full_na", "SubAwardeeHighCompOfficer2FullName", _text),
    ("sub_high_comp_officer2_amount", "SubAwardeeHighCompOfficer2Amount", amount),
    ("sub_high_comp_officer3_full_na", "SubAwardeeHighCompOfficer3FullName", _text),
    ("sub_high_comp_officer3_amount", "SubAwardeeHighCompOfficer3Amount", amount),
    ("sub_high_comp_officer4_full_na", "SubAwardeeHighCompOfficer4FullName", _text),
    ("sub_high_comp_officer4_amount", "SubAwardeeHighCompOfficer4Amount", amount),
    ("sub_high_comp_officer5_full_na", "SubAwardeeHighCompOfficer5FullName", _text),
    ("sub_high_comp_officer5_amount", "SubAwardeeHighCompOfficer5Amount", amount),
    ("date_submitted", "SubAwardReportLastModifiedDate", timestamp),
)

KEY_COLUMNS = ("unique_award_key", "subaward_type", "internal_id", "subaward_number")

FIELDS = tuple(Field(name, aliases=(header,), required=name in KEY_COLUMNS) for name, header, _ in COLUMNS)


def read_subawards(stream: TextIO | Iterable[str]) -> Iterator[SubawardRecord | RowError]:
    """Subaward records of a CSV extract; the header is checked now, rows are read lazily.

    ``unique_award_key``, ``internal_id`` and ``subaward_number`` must not be
    blank, ``subaward_type`` must be ``sub-contract`` or ``sub-grant``. The
    four UEI columns, when given, are 12 letters or digits (upper-cased);
    amounts are decimal numbers with at most two places; ``action_date`` and
    ``sub_action_date`` are dates, ``date_submitted`` a date and time.
    Everything else is text, kept as given.
    """
    return read_records(stream, FIELDS, _subaward)


def _subaward(row: RowReader) -> SubawardRecord:
    return SubawardRecord(**{name: convert(row, name) for name, _, convert in COLUMNS})

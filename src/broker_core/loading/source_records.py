"""Rows of the source data behind files E (executive compensation) and F (subawards).

Loaded by ``broker load sam-recipients`` and ``broker load subawards``; the E
and F generators read them back through ``SourceDataReader``. Field names are
the original Broker's column names (``sam_recipient`` and ``subaward``), so a
record's fields, in order, are also the stored columns.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import attrs

#: The two kinds of subaward, as stored in ``subaward_type`` (F takes sub-contracts of
#: D1 awards and sub-grants of D2 awards).
SUB_CONTRACT = "sub-contract"
SUB_GRANT = "sub-grant"
SUBAWARD_TYPES = (SUB_CONTRACT, SUB_GRANT)


@attrs.frozen(kw_only=True)
class SamRecipientRecord:
    """One SAM entity registration (a row of ``sam_recipient``), keyed by its UEI.

    Kept to what E, F and the award files use: names and parent of the entity,
    its legal address, structure and business types, the registration dates
    and the five highest-compensated officers. Officer amounts are exact
    ``Decimal`` values with two places; the rest is text as SAM gives it.
    """

    uei: str
    awardee_or_recipient_uniqu: str | None = None  # the legacy DUNS number
    legal_business_name: str | None = None
    dba_name: str | None = None
    ultimate_parent_uei: str | None = None
    ultimate_parent_unique_ide: str | None = None  # the parent's legacy DUNS number
    ultimate_parent_legal_enti: str | None = None
    address_line_1: str | None = None
    address_line_2: str | None = None
    city: str | None = None
    state: str | None = None
    zip: str | None = None
    zip4: str | None = None
    country_code: str | None = None
    congressional_district: str | None = None
    entity_structure: str | None = None
    business_types_codes: str | None = None
    business_types: str | None = None
    registration_date: dt.date | None = None
    expiration_date: dt.date | None = None
    last_sam_mod_date: dt.date | None = None
    last_exec_comp_mod_date: dt.date | None = None
    high_comp_officer1_full_na: str | None = None
    high_comp_officer1_amount: Decimal | None = None
    high_comp_officer2_full_na: str | None = None
    high_comp_officer2_amount: Decimal | None = None
    high_comp_officer3_full_na: str | None = None
    high_comp_officer3_amount: Decimal | None = None
    high_comp_officer4_full_na: str | None = None
    high_comp_officer4_amount: Decimal | None = None
    high_comp_officer5_full_na: str | None = None
    high_comp_officer5_amount: Decimal | None = None


@attrs.frozen(kw_only=True)
class SubawardRecord:
    """One subaward report line (a row of ``subaward``): the 87 columns of file F, in file order.

    The natural key is ``natural_key``: a prime award (``unique_award_key``)
    has reports (``internal_id``, the SubAwardReportID), each listing
    subawards by ``subaward_number``. ``subaward_type`` is part of the key
    because sub-contracts and sub-grants are reported separately, and their
    report ids are separate sequences that can coincide. Amounts are
    exact ``Decimal`` values with two places, ``action_date`` and
    ``sub_action_date`` dates, ``date_submitted`` a naive timestamp; every
    other field is text, passed through to F as given.
    """

    unique_award_key: str
    award_id: str | None = None
    parent_award_id: str | None = None
    award_amount: Decimal | None = None
    action_date: dt.date | None = None
    fy: str | None = None
    awarding_agency_code: str | None = None
    awarding_agency_name: str | None = None
    awarding_sub_tier_agency_c: str | None = None
    awarding_sub_tier_agency_n: str | None = None
    awarding_office_code: str | None = None
    awarding_office_name: str | None = None
    funding_agency_code: str | None = None
    funding_agency_name: str | None = None
    funding_sub_tier_agency_co: str | None = None
    funding_sub_tier_agency_na: str | None = None
    funding_office_code: str | None = None
    funding_office_name: str | None = None
    awardee_or_recipient_uei: str | None = None
    awardee_or_recipient_legal: str | None = None
    dba_name: str | None = None
    ultimate_parent_uei: str | None = None
    ultimate_parent_legal_enti: str | None = None
    legal_entity_country_code: str | None = None
    legal_entity_country_name: str | None = None
    legal_entity_address_line1: str | None = None
    legal_entity_city_name: str | None = None
    legal_entity_state_code: str | None = None
    legal_entity_state_name: str | None = None
    legal_entity_zip: str | None = None
    legal_entity_congressional: str | None = None
    legal_entity_foreign_posta: str | None = None
    business_types: str | None = None
    place_of_perform_city_name: str | None = None
    place_of_perform_state_code: str | None = None
    place_of_perform_state_name: str | None = None
    place_of_performance_zip: str | None = None
    place_of_perform_congressio: str | None = None
    place_of_perform_country_co: str | None = None
    place_of_perform_country_na: str | None = None
    award_description: str | None = None
    program_title: str | None = None
    naics: str | None = None
    naics_description: str | None = None
    assistance_listing_numbers: str | None = None
    assistance_listing_titles: str | None = None
    subaward_type: str
    internal_id: str
    subaward_report_year: str | None = None
    subaward_report_month: str | None = None
    subaward_number: str
    subaward_amount: Decimal | None = None
    sub_action_date: dt.date | None = None
    sub_awardee_or_recipient_uei: str | None = None
    sub_awardee_or_recipient_legal: str | None = None
    sub_dba_name: str | None = None
    sub_ultimate_parent_uei: str | None = None
    sub_ultimate_parent_legal_enti: str | None = None
    sub_legal_entity_country_code: str | None = None
    sub_legal_entity_country_name: str | None = None
    sub_legal_entity_address_line1: str | None = None
    sub_legal_entity_city_name: str | None = None
    sub_legal_entity_state_code: str | None = None
    sub_legal_entity_state_name: str | None = None
    sub_legal_entity_zip: str | None = None
    sub_legal_entity_congressional: str | None = None
    sub_legal_entity_foreign_posta: str | None = None
    sub_business_types: str | None = None
    sub_place_of_perform_city_name: str | None = None
    sub_place_of_perform_state_code: str | None = None
    sub_place_of_perform_state_name: str | None = None
    sub_place_of_performance_zip: str | None = None
    sub_place_of_perform_congressio: str | None = None
    sub_place_of_perform_country_co: str | None = None
    sub_place_of_perform_country_na: str | None = None
    subaward_description: str | None = None
    sub_high_comp_officer1_full_na: str | None = None
    sub_high_comp_officer1_amount: Decimal | None = None
    sub_high_comp_officer2_full_na: str | None = None
    sub_high_comp_officer2_amount: Decimal | None = None
    sub_high_comp_officer3_full_na: str | None = None
    sub_high_comp_officer3_amount: Decimal | None = None
    sub_high_comp_officer4_full_na: str | None = None
    sub_high_comp_officer4_amount: Decimal | None = None
    sub_high_comp_officer5_full_na: str | None = None
    sub_high_comp_officer5_amount: Decimal | None = None
    date_submitted: dt.datetime | None = None

    @property
    def natural_key(self) -> tuple[str, str, str, str]:
        """What identifies the subaward: a later load of the same key replaces the row."""
        return (self.unique_award_key, self.subaward_type, self.internal_id, self.subaward_number)


#: The ``sam_recipient`` columns a record holds, in order (every field of ``SamRecipientRecord``).
SAM_RECIPIENT_COLUMNS: tuple[str, ...] = tuple(f.name for f in attrs.fields(SamRecipientRecord))
#: The ``subaward`` columns, in the order of file F (every field of ``SubawardRecord``).
SUBAWARD_COLUMNS: tuple[str, ...] = tuple(f.name for f in attrs.fields(SubawardRecord))

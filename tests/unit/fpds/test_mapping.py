"""FPDS documents to D1 rows: spot checks on every real sample, and the derivations."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Mapping

import attrs
import pytest

from broker_adapters.fpds.parser import iter_documents
from broker_core.fpds.agencies import SubTierLookup
from broker_core.fpds.document import DocumentKind, FpdsDocument
from broker_core.fpds.elements import DERIVED, SOURCES
from broker_core.fpds.mapping import d1_values, procurement_row, transaction_key, unique_award_key
from broker_core.generation.columns import D1_COLUMNS, ColumnKind
from broker_core.loading.agencies import read_agencies
from broker_core.records import AgencyRecord
from tests.reference import BROKER_CONFIG, REFERENCE_DIR

FPDS = REFERENCE_DIR / "fpds"
NAMES = [column.name for column in D1_COLUMNS]
SAMPLES = (
    "broker_award_and_idv_entries.xml",
    "public_feed_page_2020-04-02.xml",
    "public_feed_page_ns0_prefixes.xml",
    "empty_result_no_entries.xml",
    "idv_archive_v1_5.xml",
)
PLACE = "placeOfPerformance/principalPlaceOfPerformance"
VENDOR_LOCATION = "vendor/vendorSiteDetails/vendorLocation"


@pytest.fixture(scope="module")
def agencies() -> SubTierLookup:
    with open(BROKER_CONFIG / "agency_codes.csv", encoding="utf-8-sig", newline="") as stream:
        return SubTierLookup.from_records(r for r in read_agencies(stream) if isinstance(r, AgencyRecord))


def documents(name: str) -> list[FpdsDocument]:
    return list(iter_documents(FPDS / name))


def d1(document: FpdsDocument, agencies: SubTierLookup) -> dict[str, str | None]:
    values = d1_values(document, agencies)
    assert len(values) == len(D1_COLUMNS)
    return dict(zip(NAMES, values, strict=True))


def with_paths(document: FpdsDocument, values: Mapping[str, str | None]) -> FpdsDocument:
    """The document with some paths set (or, given None, removed)."""
    new = {path: value for path, value in {**document.values, **values}.items() if value is not None}
    return attrs.evolve(document, values=new)


def test_the_broker_sample_award(agencies: SubTierLookup) -> None:
    award, _idv = documents("broker_award_and_idv_entries.xml")
    row = d1(award, agencies)
    assert row["detached_award_proc_unique"] == "9700_9700_0001_0_N6830617A0090_0"
    assert row["unique_award_key"] == "CONT_AWD_0001_9700_N6830617A0090_9700"
    assert row["piid"] == "0001"
    assert row["award_modification_amendme"] == "0"
    assert row["transaction_number"] == "0"
    assert row["parent_award_id"] == "N6830617A0090"
    assert row["referenced_idv_agency_iden"] == "9700"
    assert row["referenced_idv_agency_desc"] == "DEPT OF DEFENSE"
    assert row["action_date"] == "2016-11-01"
    assert row["period_of_performance_curr"] == "2017-09-30"
    assert row["federal_action_obligation"] == "6760.00"
    assert row["awarding_sub_tier_agency_c"] == "1700"
    assert row["awarding_sub_tier_agency_n"] == "DEPT OF THE NAVY"
    assert (row["awarding_agency_code"], row["awarding_agency_name"]) == ("097", "Department of Defense")
    assert (row["funding_agency_code"], row["funding_office_code"]) == ("097", "N62243")
    assert row["awardee_or_recipient_uei"] == "G4M3KUF95AL3"
    assert row["awardee_or_recipient_legal"] == "B.F. SAUL PROPERTY COMPANY"
    assert row["ultimate_parent_legal_enti"] == "HEICO CORPORATION"
    assert row["cage_code"] == "0PW76"
    assert (row["legal_entity_state_code"], row["legal_entity_state_descrip"]) == ("VA", "VIRGINIA")
    assert row["place_of_performance_state"] == "MD"
    assert row["place_of_perform_county_na"] == "PRINCE GEORGES"
    assert row["place_of_perform_city_name"] == "ANDREWS AFB"
    assert row["place_of_performance_zip4a"] == "207625222"
    assert row["pulled_from"] == "award"
    assert (row["contract_award_type"], row["contract_award_type_desc"]) == ("A", "BPA CALL")
    assert row["idv_type"] is None
    assert (row["referenced_idv_type"], row["referenced_idv_type_desc"]) == ("E", "BPA")
    assert row["award_description"] == "IGF::OT::IGF   50 MILE BERTHING FOR SELRES"
    assert row["corporate_entity_not_tax_e"] == "true"
    assert row["receives_contracts_and_gra"] == "true"
    assert row["the_ability_one_program"] == "false"
    assert row["last_modified"] == "2017-05-16 13:11:27"


def test_the_broker_sample_idv(agencies: SubTierLookup) -> None:
    _award, idv = documents("broker_award_and_idv_entries.xml")
    row = d1(idv, agencies)
    assert row["detached_award_proc_unique"] == "5000_-none-_000000000LC3162_0_-none-_-none-"
    assert row["unique_award_key"] == "CONT_IDV_000000000LC3162_5000"
    assert row["transaction_number"] is None
    assert row["pulled_from"] == "IDV"
    assert (row["idv_type"], row["idv_type_description"]) == ("B", "IDC")
    assert row["contract_award_type"] is None
    assert (row["multiple_or_single_award_i"], row["multiple_or_single_aw_desc"]) == ("S", "SINGLE AWARD")
    # contractingOfficeAgencyID has attributes but no code: the agency is unknown.
    assert row["awarding_sub_tier_agency_c"] is None
    assert (row["awarding_agency_code"], row["awarding_agency_name"]) == (None, None)
    assert row["asian_pacific_american_own"] == "true"
    # countryCode "0" is no US country, so the state is a description.
    assert (row["legal_entity_state_code"], row["legal_entity_state_descrip"]) == (None, "DC")
    assert row["place_of_performance_state"] is None
    assert row["last_modified"] is None
    assert procurement_row(idv, agencies).last_modified is None


def test_the_public_feed_page(agencies: SubTierLookup) -> None:
    first, *_rest, army = documents("public_feed_page_2020-04-02.xml")
    row = d1(first, agencies)
    # The award's own agency is 9701, its IDV's 9700 (maybe a hand edit in the sample).
    assert row["detached_award_proc_unique"] == "9701_9700_0001_0_N0017811D6668_0"
    assert row["unique_award_key"] == "CONT_AWD_0001_9701_N0017811D6668_9700"
    assert (row["awardee_or_recipient_uei"], row["ultimate_parent_uei"]) == ("J8CPXM4ELEB2", "J8CPXM4ELEB2")
    assert row["awardee_or_recipient_legal"] == "SARAS AMERICA INC."
    assert (row["woman_owned_business"], row["subcontinent_asian_asian_i"]) == ("true", "true")
    assert row["self_certified_small_disad"] == "true"
    assert (row["naics"], row["naics_description"]) == ("541330", "ENGINEERING SERVICES")
    assert (row["fair_opportunity_limited_s"], row["fair_opportunity_limi_desc"]) == (
        "FAIR",
        "FAIR OPPORTUNITY GIVEN",
    )
    assert row["additional_reporting"] is None

    row = d1(army, agencies)
    assert row["detached_award_proc_unique"] == "9700_9700_0001_11_W91RUS15D0015_0"
    assert row["awarding_sub_tier_agency_n"] == "DEPT OF THE ARMY"
    assert (row["awarding_agency_code"], row["awarding_agency_name"]) == ("097", "Department of Defense")
    assert row["federal_action_obligation"] == "323256.60"
    assert row["additional_reporting"] == "NONE: NONE OF THE ABOVE"
    assert row["place_of_performance_state"] == "GA"


def test_the_ns0_page_without_referenced_idvs(agencies: SubTierLookup) -> None:
    first, *_rest = documents("public_feed_page_ns0_prefixes.xml")
    row = d1(first, agencies)
    assert row["detached_award_proc_unique"] == "4740_-none-_1B3G02670_PA09_-none-_0"
    assert row["unique_award_key"] == "CONT_AWD_1B3G02670_4740_-NONE-_-NONE-"
    assert (row["piid"], row["award_modification_amendme"]) == ("1B3G02670", "PA09")
    assert (row["action_date"], row["federal_action_obligation"]) == ("2012-10-01", "8392.90")
    assert (row["awarding_agency_code"], row["awarding_agency_name"]) == (
        "047",
        "General Services Administration",
    )
    # The name is only in vendor/contractorName, which the original ignores too.
    assert row["awardee_or_recipient_legal"] is None


def test_the_idv_archive(agencies: SubTierLookup) -> None:
    idvs = documents("idv_archive_v1_5.xml")
    assert len(idvs) == 18
    row = d1(idvs[0], agencies)
    assert row["detached_award_proc_unique"] == "1435_-none-_INM0404CT36345_1_-none-_-none-"
    assert row["unique_award_key"] == "CONT_IDV_INM0404CT36345_1435"
    assert (row["idv_type"], row["type_of_idc"], row["multiple_or_single_award_i"]) == ("B", "B", "M")
    assert row["idv_type_description"] is None  # archives carry no description attributes
    assert row["ordering_period_end_date"] == "2009-08-31"
    assert row["program_acronym"] == "idv"
    assert (row["awarding_sub_tier_agency_c"], row["awarding_agency_code"]) == ("1406", "014")
    assert row["awarding_agency_name"] == "Department of the Interior"
    assert row["vendor_doing_as_business_n"] == "GLOBAL TECHNICAL SYSTEMS"
    assert row["c8a_program_participant"] == "true"


@pytest.mark.parametrize("name", SAMPLES)
def test_every_sample_document_becomes_a_stored_row(name: str, agencies: SubTierLookup) -> None:
    for document in documents(name):
        row = procurement_row(document, agencies)
        assert row.unique_key == transaction_key(document)
        assert row.unique_award_key == unique_award_key(document)
        assert row.last_modified == document.get("transactionInformation/lastModifiedDate")
        signed = document.get("relevantContractDates/signedDate")
        assert signed is not None
        assert row.action_date == dt.date.fromisoformat(signed[:10])
        (fields,) = csv.reader(io.StringIO(row.line))
        assert len(fields) == len(D1_COLUMNS)
        assert fields[0] == row.unique_key


def test_transaction_keys_keep_their_case_and_award_keys_are_upper_cased(agencies: SubTierLookup) -> None:
    award, idv = documents("broker_award_and_idv_entries.xml")
    award = with_paths(award, {"awardID/awardContractID/PIID": "ab-1", "awardID/referencedIDVID/PIID": None})
    assert transaction_key(award) == "9700_9700_ab-1_0_-none-_0"
    assert unique_award_key(award) == "CONT_AWD_AB-1_9700_-NONE-_9700"
    # An IDV's referenced IDV is a column but never part of its keys.
    idv = with_paths(
        idv, {"contractID/referencedIDVID/PIID": "REF1", "contractID/referencedIDVID/agencyID": "4700"}
    )
    assert transaction_key(idv) == "5000_-none-_000000000LC3162_0_-none-_-none-"
    assert d1(idv, agencies)["parent_award_id"] == "REF1"


def test_an_unknown_sub_tier_gives_agency_999_and_a_missing_one_none(agencies: SubTierLookup) -> None:
    award, _idv = documents("broker_award_and_idv_entries.xml")
    row = d1(
        with_paths(
            award,
            {
                "purchaserInformation/contractingOfficeAgencyID": "ZZ99",
                "purchaserInformation/fundingRequestingAgencyID": None,
            },
        ),
        agencies,
    )
    assert (row["awarding_sub_tier_agency_c"], row["awarding_sub_tier_agency_n"]) == (
        "ZZ99",
        "DEPT OF THE NAVY",
    )
    assert (row["awarding_agency_code"], row["awarding_agency_name"]) == ("999", None)
    assert (row["funding_agency_code"], row["funding_agency_name"]) == (None, None)


def test_frec_sub_tiers_give_their_frec() -> None:
    lookup = SubTierLookup.from_records(
        [
            AgencyRecord(
                "011", "Executive Office of the President", "1100", "EOP (FREC)", "1100", "EOP", True, False
            ),
            AgencyRecord("097", "Department of Defense", "DE00", "DoD", "1700", "Navy", False, False),
            AgencyRecord("999", "Later duplicate", None, None, "1700", "Navy again", False, False),
        ]
    )
    assert lookup.agency_for("1100") == ("1100", "EOP (FREC)")
    assert lookup.agency_for("1700") == ("097", "Department of Defense")
    assert lookup.agency_for("0000") == ("999", None)
    assert lookup.agency_for(None) == (None, None)  # no code in the feed: no agency, as in the original
    assert lookup.agency_for("  ") == (None, None)


def test_the_reference_agency_list_resolves_the_navy(agencies: SubTierLookup) -> None:
    assert agencies.agency_for("1700") == ("097", "Department of Defense")


def test_a_territory_becomes_a_us_state(agencies: SubTierLookup) -> None:
    award, _idv = documents("broker_award_and_idv_entries.xml")
    document = with_paths(
        award,
        {
            f"{PLACE}/countryCode": "PRI",
            f"{PLACE}/countryCode@name": "PUERTO RICO",
            f"{PLACE}/stateCode": None,
            f"{PLACE}/stateCode@name": None,
            f"{VENDOR_LOCATION}/countryCode": "GUM",
            f"{VENDOR_LOCATION}/countryCode@name": "GUAM",
            f"{VENDOR_LOCATION}/state": "GU",
            f"{VENDOR_LOCATION}/state@name": "GUAM",
        },
    )
    row = d1(document, agencies)
    assert row["place_of_performance_state"] == "PR"
    assert row["place_of_perfor_state_desc"] is None  # would come from the states table
    assert (row["place_of_perform_country_c"], row["place_of_perf_country_desc"]) == ("USA", "UNITED STATES")
    assert (row["legal_entity_state_code"], row["legal_entity_state_descrip"]) == ("GU", "GUAM")
    assert (row["legal_entity_country_code"], row["legal_entity_country_name"]) == ("USA", "UNITED STATES")


def test_minor_outlying_islands_become_um(agencies: SubTierLookup) -> None:
    award, _idv = documents("broker_award_and_idv_entries.xml")
    row = d1(with_paths(award, {f"{PLACE}/countryCode": "XWK", f"{PLACE}/stateCode": None}), agencies)
    assert (row["place_of_performance_state"], row["place_of_perform_country_c"]) == ("UM", "USA")


def test_a_foreign_vendors_state_is_a_description(agencies: SubTierLookup) -> None:
    award, _idv = documents("broker_award_and_idv_entries.xml")
    document = with_paths(
        award,
        {
            f"{VENDOR_LOCATION}/countryCode": "CAN",
            f"{VENDOR_LOCATION}/countryCode@name": "CANADA",
            f"{VENDOR_LOCATION}/state": "ON",
            f"{VENDOR_LOCATION}/state@name": "ONTARIO",
            f"{PLACE}/countryCode": "GBR",
            f"{PLACE}/countryCode@name": "UNITED KINGDOM",
            f"{PLACE}/stateCode": None,
            f"{PLACE}/stateCode@name": None,
        },
    )
    row = d1(document, agencies)
    assert (row["legal_entity_state_code"], row["legal_entity_state_descrip"]) == (None, "ON")
    assert (row["legal_entity_country_code"], row["legal_entity_country_name"]) == ("CAN", "CANADA")
    assert (row["place_of_perform_country_c"], row["place_of_perf_country_desc"]) == ("GBR", "UNITED KINGDOM")
    assert row["place_of_performance_state"] is None


def test_additional_reporting_values_are_joined() -> None:
    path = "legislativeMandates/listOfAdditionalReportingValues/additionalReportingValue"
    lookup = SubTierLookup({})
    award, _idv = documents("broker_award_and_idv_entries.xml")
    document = attrs.evolve(
        award,
        values={**award.values, path: "A", f"{path}@description": "FIRST"},
        lists={path: ("A", "B"), f"{path}@description": ("FIRST", "SECOND")},
    )
    assert d1(document, lookup)["additional_reporting"] == "A: FIRST; B: SECOND"
    # Without a description for every code they cannot be paired: the codes alone.
    document = attrs.evolve(document, lists={path: ("A", "B")})
    assert d1(document, lookup)["additional_reporting"] == "A; B"


def test_free_text_whitespace_becomes_spaces_and_dates_lose_their_time(agencies: SubTierLookup) -> None:
    award, _idv = documents("broker_award_and_idv_entries.xml")
    document = with_paths(
        award,
        {
            "contractData/descriptionOfContractRequirement": "LINE ONE\nLINE\tTWO\r\x0bEND",
            "vendor/vendorHeader/vendorName": "A\u2028B",
            "contractData/solicitationID": "KEEP\tTAB",
            "relevantContractDates/signedDate": "2017-12-18 00:00:00.0",
            "transactionInformation/lastModifiedDate": "2018-01-02 03:04:05.0",
        },
    )
    row = d1(document, agencies)
    assert row["award_description"] == "LINE ONE LINE TWO  END"
    assert row["awardee_or_recipient_legal"] == "A B"
    assert row["solicitation_identifier"] == "KEEP\tTAB"  # not a free-text field
    assert row["action_date"] == "2017-12-18"
    assert row["last_modified"] == "2018-01-02 03:04:05.0"
    stored = procurement_row(document, agencies)
    assert stored.action_date == dt.date(2017, 12, 18)
    assert stored.last_modified == "2018-01-02 03:04:05.0"
    assert "20180102" in stored.line


def test_a_value_d1_cannot_store_is_a_value_error(agencies: SubTierLookup) -> None:
    award, _idv = documents("broker_award_and_idv_entries.xml")
    with pytest.raises(ValueError, match="FederalActionObligation"):
        procurement_row(with_paths(award, {"dollarValues/obligatedAmount": "6,760.00"}), agencies)
    with pytest.raises(ValueError, match="ActionDate: Missing data"):
        procurement_row(with_paths(award, {"relevantContractDates/signedDate": None}), agencies)


def test_every_d1_column_is_copied_or_derived_exactly_once() -> None:
    copied = [source.column for source in SOURCES]
    assert len(copied) == len(set(copied))
    assert set(copied).isdisjoint(DERIVED)
    assert set(copied) | DERIVED == set(NAMES)


def test_flags_come_from_boolean_elements() -> None:
    booleans = {column.name for column in D1_COLUMNS if column.kind is ColumnKind.BOOLEAN}
    for source in SOURCES:
        element = (source.award or "").rsplit("/", 1)[-1]
        is_flag = element.startswith(("is", "receives", "genericBoolean")) or element == (
            "smallBusinessCompetitivenessDemonstrationProgram"
        )
        assert is_flag == (source.column in booleans), source


def test_the_table_names_elements_the_samples_have() -> None:
    """Every path of the table occurs in some sample, except those no sample carries."""
    seen: dict[DocumentKind, set[str]] = {DocumentKind.AWARD: set(), DocumentKind.IDV: set()}
    for name in SAMPLES:
        for document in documents(name):
            seen[document.kind].update(document.values)
    never = {
        source.column
        for source in SOURCES
        if (source.award is None or source.award not in seen[DocumentKind.AWARD])
        and (source.idv is None or source.idv not in seen[DocumentKind.IDV])
    }
    assert never == {
        "sam_exception",  # vendor/CCRException
        "sam_exception_description",
        "solicitation_date",  # genericTags/genericStrings/genericString01
        "research",
        "research_description",
        "type_of_idc_description",  # the archive's typeOfIDC has no description attribute
        # genericTags/genericBooleans, new in October 2025
        "small_business_joint_venture",
        "ser_disabvet_own_bus_join_ven",
        "sba_cert_women_own_small_bus",
        "sba_cert_econ_disadv_wosb",
    }

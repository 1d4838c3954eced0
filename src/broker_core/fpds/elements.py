"""Where each D1 column comes from in an FPDS document: the declarative part of the mapping.

Paths are those of :class:`~broker_core.fpds.document.FpdsDocument`: local
names below the document element, ``@name`` for an attribute. Coded values
carry their label in ``@description`` (``@name`` for agencies, offices, states
and countries). Award and IDV documents differ in their identity group
(``awardID/awardContractID`` vs ``contractID/IDVID``), in the element giving
the award or IDV type, and in what only one of them has; ``None`` marks a
column the document kind does not fill.

Element names follow the feed as served, including its misspelling
``isSolePropreitorship``; all but a few are checked against the saved samples.
None of these carry ``vendor/CCRException``, ``genericString01`` (solicitation
date), ``competition/research`` or ``genericBooleans`` (the joint-venture and
SBA-certified WOSB flags added in October 2025), so those names come from the
original broker alone.

Every one of the 267 D1 columns is either copied (:data:`SOURCES`) or derived
(:data:`DERIVED`); none is left empty by design. FPDS itself leaves many empty
for a given record, most often the IDV-only or award-only ones.
"""

from __future__ import annotations

import attrs


@attrs.frozen
class Source:
    """The element (or attribute) a D1 column copies, in award and in IDV documents."""

    column: str
    award: str | None
    idv: str | None


def _both(column: str, path: str) -> Source:
    return Source(column, path, path)


def _coded(code_column: str, label_column: str, path: str, label: str = "description") -> list[Source]:
    """A code and its human-readable label, an attribute of the same element."""
    return [_both(code_column, path), _both(label_column, f"{path}@{label}")]


# fmt: off
# Identity: the parts of both unique keys (spec fpds.md §4.1).
AGENCY_ID = Source("agency_id", "awardID/awardContractID/agencyID", "contractID/IDVID/agencyID")
PIID = Source("piid", "awardID/awardContractID/PIID", "contractID/IDVID/PIID")
MOD_NUMBER = Source("award_modification_amendme", "awardID/awardContractID/modNumber", "contractID/IDVID/modNumber")
TRANSACTION_NUMBER = Source("transaction_number", "awardID/awardContractID/transactionNumber", None)
REFERENCED_AGENCY = Source("referenced_idv_agency_iden", "awardID/referencedIDVID/agencyID", "contractID/referencedIDVID/agencyID")
PARENT_AWARD_ID = Source("parent_award_id", "awardID/referencedIDVID/PIID", "contractID/referencedIDVID/PIID")
# fmt: on

LAST_MODIFIED = "transactionInformation/lastModifiedDate"
AWARDING_SUB_TIER = "purchaserInformation/contractingOfficeAgencyID"
FUNDING_SUB_TIER = "purchaserInformation/fundingRequestingAgencyID"
ADDITIONAL_REPORTING = "legislativeMandates/listOfAdditionalReportingValues/additionalReportingValue"

_VENDOR = "vendor/vendorSiteDetails"
VENDOR_LOCATION = f"{_VENDOR}/vendorLocation"
_UEI = f"{_VENDOR}/entityIdentifiers/vendorUEIInformation"
_PLACE = "placeOfPerformance"
_PRINCIPAL_PLACE = f"{_PLACE}/principalPlaceOfPerformance"
_ACTION_TYPE = "contractData/contractActionType"
_MULTIPLE_OR_SINGLE = "contractData/multipleOrSingleAwardIDC"
_PRODUCT = "productOrServiceInformation"
_LOCATION = VENDOR_LOCATION

# fmt: off
_COPIED = [
    # awardID / contractID
    PIID,
    MOD_NUMBER,
    TRANSACTION_NUMBER,
    REFERENCED_AGENCY,
    Source("referenced_idv_agency_desc", "awardID/referencedIDVID/agencyID@name", "contractID/referencedIDVID/agencyID@name"),
    PARENT_AWARD_ID,
    Source("referenced_idv_modificatio", "awardID/referencedIDVID/modNumber", "contractID/referencedIDVID/modNumber"),
    # relevantContractDates, and two dates kept elsewhere
    _both("action_date", "relevantContractDates/signedDate"),
    _both("period_of_performance_star", "relevantContractDates/effectiveDate"),
    _both("period_of_performance_curr", "relevantContractDates/currentCompletionDate"),
    _both("period_of_perf_potential_e", "relevantContractDates/ultimateCompletionDate"),
    _both("ordering_period_end_date", "relevantContractDates/lastDateToOrder"),
    _both("solicitation_date", "genericTags/genericStrings/genericString01"),
    _both("last_modified", LAST_MODIFIED),
    # dollarValues, totalDollarValues (doc/fpds_elements.csv wrongly says totalDollarValues/obligatedAmount)
    _both("federal_action_obligation", "dollarValues/obligatedAmount"),
    _both("base_exercised_options_val", "dollarValues/baseAndExercisedOptionsValue"),
    _both("base_and_all_options_value", "dollarValues/baseAndAllOptionsValue"),
    _both("total_obligated_amount", "totalDollarValues/totalObligatedAmount"),
    _both("current_total_value_award", "totalDollarValues/totalBaseAndExercisedOptionsValue"),
    _both("potential_total_value_awar", "totalDollarValues/totalBaseAndAllOptionsValue"),
    # purchaserInformation
    *_coded("awarding_sub_tier_agency_c", "awarding_sub_tier_agency_n", AWARDING_SUB_TIER, "name"),
    *_coded("awarding_office_code", "awarding_office_name", "purchaserInformation/contractingOfficeID", "name"),
    *_coded("funding_sub_tier_agency_co", "funding_sub_tier_agency_na", FUNDING_SUB_TIER, "name"),
    *_coded("funding_office_code", "funding_office_name", "purchaserInformation/fundingRequestingOfficeID", "name"),
    *_coded("foreign_funding", "foreign_funding_desc", "purchaserInformation/foreignFunding"),
    # vendor (some records name the vendor only in vendor/contractorName: the original ignores it too)
    *_coded("sam_exception", "sam_exception_description", "vendor/CCRException"),
    *_coded("contracting_officers_deter", "contracting_officers_desc", "vendor/contractingOfficerBusinessSizeDetermination"),
    _both("awardee_or_recipient_legal", "vendor/vendorHeader/vendorName"),
    _both("vendor_doing_as_business_n", "vendor/vendorHeader/vendorDoingAsBusinessName"),
    _both("cage_code", f"{_VENDOR}/entityIdentifiers/cageCode"),
    _both("awardee_or_recipient_uei", f"{_UEI}/UEI"),
    _both("ultimate_parent_uei", f"{_UEI}/ultimateParentUEI"),
    _both("ultimate_parent_legal_enti", f"{_UEI}/ultimateParentUEIName"),
    *_coded("legal_entity_country_code", "legal_entity_country_name", f"{_LOCATION}/countryCode", "name"),
    _both("legal_entity_address_line1", f"{_LOCATION}/streetAddress"),
    _both("legal_entity_address_line2", f"{_LOCATION}/streetAddress2"),
    _both("legal_entity_city_name", f"{_LOCATION}/city"),
    _both("legal_entity_zip4", f"{_LOCATION}/ZIPCode"),
    _both("legal_entity_congressional", f"{_LOCATION}/congressionalDistrictCode"),
    _both("vendor_phone_number", f"{_LOCATION}/phoneNo"),
    _both("vendor_fax_number", f"{_LOCATION}/faxNo"),
    _both("organizational_type", f"{_VENDOR}/vendorOrganizationFactors/organizationalType"),
    # placeOfPerformance: IDV documents have none (the original ignores one if present)
    Source("place_of_performance_state", f"{_PRINCIPAL_PLACE}/stateCode", None),
    Source("place_of_perfor_state_desc", f"{_PRINCIPAL_PLACE}/stateCode@name", None),
    Source("place_of_perform_country_c", f"{_PRINCIPAL_PLACE}/countryCode", None),
    Source("place_of_perf_country_desc", f"{_PRINCIPAL_PLACE}/countryCode@name", None),
    Source("place_of_performance_zip4a", f"{_PLACE}/placeOfPerformanceZIPCode", None),
    Source("place_of_perform_county_na", f"{_PLACE}/placeOfPerformanceZIPCode@county", None),
    Source("place_of_perform_city_name", f"{_PLACE}/placeOfPerformanceZIPCode@city", None),
    Source("place_of_performance_congr", f"{_PLACE}/placeOfPerformanceCongressionalDistrict", None),
    # contractData: contractActionType is the award type of an award and the IDV type of an IDV
    Source("contract_award_type", _ACTION_TYPE, None),
    Source("contract_award_type_desc", f"{_ACTION_TYPE}@description", None),
    Source("idv_type", None, _ACTION_TYPE),
    Source("idv_type_description", None, f"{_ACTION_TYPE}@description"),
    Source("multiple_or_single_award_i", None, _MULTIPLE_OR_SINGLE),
    Source("multiple_or_single_aw_desc", None, f"{_MULTIPLE_OR_SINGLE}@description"),
    *_coded("type_of_idc", "type_of_idc_description", "contractData/typeOfIDC"),
    *_coded("type_of_contract_pricing", "type_of_contract_pric_desc", "contractData/typeOfContractPricing"),
    _both("award_description", "contractData/descriptionOfContractRequirement"),
    *_coded("action_type", "action_type_description", "contractData/reasonForModification"),
    _both("solicitation_identifier", "contractData/solicitationID"),
    _both("number_of_actions", "contractData/numberOfActions"),
    *_coded("inherently_government_func", "inherently_government_desc", "contractData/inherentlyGovernmentalFunction"),
    _both("program_acronym", "contractData/programAcronym"),
    *_coded("referenced_idv_type", "referenced_idv_type_desc", "contractData/referencedIDVType"),
    *_coded("referenced_mult_or_single", "referenced_mult_or_si_desc", "contractData/referencedIDVMultipleOrSingle"),
    _both("major_program", "contractData/majorProgramCode"),
    *_coded("national_interest_action", "national_interest_desc", "contractData/nationalInterestActionCode"),
    *_coded("cost_or_pricing_data", "cost_or_pricing_data_desc", "contractData/costOrPricingData"),
    *_coded("cost_accounting_standards", "cost_accounting_stand_desc", "contractData/costAccountingStandardsClause"),
    *_coded("government_furnished_prope", "government_furnished_desc", "contractData/GFE-GFP"),
    *_coded("sea_transportation", "sea_transportation_desc", "contractData/seaTransportation"),
    *_coded("undefinitized_action", "undefinitized_action_desc", "contractData/undefinitizedAction"),
    *_coded("consolidated_contract", "consolidated_contract_desc", "contractData/consolidatedContract"),
    *_coded("performance_based_service", "performance_based_se_desc", "contractData/performanceBasedServiceContract"),
    *_coded("multi_year_contract", "multi_year_contract_desc", "contractData/multiYearContract"),
    *_coded("contract_financing", "contract_financing_descrip", "contractData/contractFinancing"),
    *_coded("purchase_card_as_payment_m", "purchase_card_as_paym_desc", "contractData/purchaseCardAsPaymentMethod"),
    *_coded("contingency_humanitarian_o", "contingency_humanitar_desc", "contractData/contingencyHumanitarianPeacekeepingOperation"),
    # legislativeMandates (listOfAdditionalReportingValues is joined by the mapper)
    *_coded("clinger_cohen_act_planning", "clinger_cohen_act_pla_desc", "legislativeMandates/ClingerCohenAct"),
    *_coded("materials_supplies_article", "materials_supplies_descrip", "legislativeMandates/materialsSuppliesArticlesEquipment"),
    *_coded("labor_standards", "labor_standards_descrip", "legislativeMandates/laborStandards"),
    *_coded("construction_wage_rate_req", "construction_wage_rat_desc", "legislativeMandates/constructionWageRateRequirements"),
    *_coded("interagency_contracting_au", "interagency_contract_desc", "legislativeMandates/interagencyContractingAuthority"),
    _both("other_statutory_authority", "legislativeMandates/otherStatutoryAuthority"),
    # productOrServiceInformation
    *_coded("product_or_service_code", "product_or_service_co_desc", f"{_PRODUCT}/productOrServiceCode"),
    *_coded("contract_bundling", "contract_bundling_descrip", f"{_PRODUCT}/contractBundling"),
    *_coded("dod_claimant_program_code", "dod_claimant_prog_cod_desc", f"{_PRODUCT}/claimantProgramCode"),
    *_coded("naics", "naics_description", f"{_PRODUCT}/principalNAICSCode"),
    *_coded("recovered_materials_sustai", "recovered_materials_s_desc", f"{_PRODUCT}/recoveredMaterialClauses"),
    *_coded("domestic_or_foreign_entity", "domestic_or_foreign_e_desc", f"{_PRODUCT}/manufacturingOrganizationType"),
    *_coded("program_system_or_equipmen", "program_system_or_equ_desc", f"{_PRODUCT}/systemEquipmentCode"),
    *_coded("information_technology_com", "information_technolog_desc", f"{_PRODUCT}/informationTechnologyCommercialItemCategory"),
    *_coded("epa_designated_product", "epa_designated_produc_desc", f"{_PRODUCT}/useOfEPADesignatedProducts"),
    *_coded("country_of_product_or_serv", "country_of_product_or_desc", f"{_PRODUCT}/countryOfOrigin", "name"),
    *_coded("place_of_manufacture", "place_of_manufacture_desc", f"{_PRODUCT}/placeOfManufacture"),
    # competition, preferencePrograms
    *_coded("extent_competed", "extent_compete_description", "competition/extentCompeted"),
    *_coded("solicitation_procedures", "solicitation_procedur_desc", "competition/solicitationProcedures"),
    *_coded("type_set_aside", "type_set_aside_description", "competition/typeOfSetAside"),
    *_coded("evaluated_preference", "evaluated_preference_desc", "competition/evaluatedPreference"),
    *_coded("research", "research_description", "competition/research"),
    *_coded("fair_opportunity_limited_s", "fair_opportunity_limi_desc", "competition/statutoryExceptionToFairOpportunity"),
    *_coded("other_than_full_and_open_c", "other_than_full_and_o_desc", "competition/reasonNotCompeted"),
    _both("number_of_offers_received", "competition/numberOfOffersReceived"),
    *_coded("commercial_item_acquisitio", "commercial_item_acqui_desc", "competition/commercialItemAcquisitionProcedures"),
    _both("small_business_competitive", "competition/smallBusinessCompetitivenessDemonstrationProgram"),
    *_coded("commercial_item_test_progr", "commercial_item_test_desc", "competition/commercialItemTestProgram"),
    *_coded("a_76_fair_act_action", "a_76_fair_act_action_desc", "competition/A76Action"),
    *_coded("fed_biz_opps", "fed_biz_opps_description", "competition/fedBizOpps"),
    *_coded("local_area_set_aside", "local_area_set_aside_desc", "competition/localAreaSetAside"),
    _both("price_evaluation_adjustmen", "competition/priceEvaluationPercentDifference"),
    *_coded("subcontracting_plan", "subcontracting_plan_desc", "preferencePrograms/subcontractPlan"),
]
# fmt: on


def _flags(group: str, pairs: dict[str, str]) -> list[Source]:
    return [_both(column, f"{group}/{element}") for column, element in pairs.items()]


# The vendor's true/false flags, by the group of vendorSiteDetails that holds them.
_SOCIO_ECONOMIC = f"{_VENDOR}/vendorSocioEconomicIndicators"
_BUSINESS_TYPES = f"{_VENDOR}/vendorBusinessTypes"
_VENDOR_FLAGS = [
    *_flags(
        _SOCIO_ECONOMIC,
        {
            "alaskan_native_owned_corpo": "isAlaskanNativeOwnedCorporationOrFirm",
            "american_indian_owned_busi": "isAmericanIndianOwned",
            "indian_tribe_federally_rec": "isIndianTribe",
            "native_hawaiian_owned_busi": "isNativeHawaiianOwnedOrganizationOrFirm",
            "tribally_owned_business": "isTriballyOwnedFirm",
            "veteran_owned_business": "isVeteranOwned",
            "service_disabled_veteran_o": "isServiceRelatedDisabledVeteranOwnedBusiness",
            "woman_owned_business": "isWomenOwned",
            "women_owned_small_business": "isWomenOwnedSmallBusiness",
            "economically_disadvantaged": "isEconomicallyDisadvantagedWomenOwnedSmallBusiness",
            "joint_venture_women_owned": "isJointVentureWomenOwnedSmallBusiness",
            "joint_venture_economically": "isJointVentureEconomicallyDisadvantagedWomenOwnedSmallBusiness",
            "emerging_small_business": "isVerySmallBusiness",
        },
    ),
    *_flags(
        f"{_SOCIO_ECONOMIC}/minorityOwned",
        {
            "minority_owned_business": "isMinorityOwned",
            "subcontinent_asian_asian_i": "isSubContinentAsianAmericanOwnedBusiness",
            "asian_pacific_american_own": "isAsianPacificAmericanOwnedBusiness",
            "black_american_owned_busin": "isBlackAmericanOwnedBusiness",
            "hispanic_american_owned_bu": "isHispanicAmericanOwnedBusiness",
            "native_american_owned_busi": "isNativeAmericanOwnedBusiness",
            "other_minority_owned_busin": "isOtherMinorityOwned",
        },
    ),
    *_flags(
        _BUSINESS_TYPES,
        {
            "community_developed_corpor": "isCommunityDevelopedCorporationOwnedFirm",
            "labor_surplus_area_firm": "isLaborSurplusAreaFirm",
            "us_state_government": "isStateGovernment",
            "us_tribal_government": "isTribalGovernment",
            "foreign_government": "isForeignGovernment",
        },
    ),
    *_flags(
        f"{_BUSINESS_TYPES}/federalGovernment",
        {
            "us_federal_government": "isFederalGovernment",
            "federally_funded_research": "isFederallyFundedResearchAndDevelopmentCorp",
            "federal_agency": "isFederalGovernmentAgency",
        },
    ),
    *_flags(
        f"{_BUSINESS_TYPES}/localGovernment",
        {
            "us_local_government": "isLocalGovernment",
            "city_local_government": "isCityLocalGovernment",
            "county_local_government": "isCountyLocalGovernment",
            "inter_municipal_local_gove": "isInterMunicipalLocalGovernment",
            "local_government_owned": "isLocalGovernmentOwned",
            "municipality_local_governm": "isMunicipalityLocalGovernment",
            "school_district_local_gove": "isSchoolDistrictLocalGovernment",
            "township_local_government": "isTownshipLocalGovernment",
        },
    ),
    *_flags(
        f"{_BUSINESS_TYPES}/businessOrOrganizationType",
        {
            "corporate_entity_not_tax_e": "isCorporateEntityNotTaxExempt",
            "corporate_entity_tax_exemp": "isCorporateEntityTaxExempt",
            "partnership_or_limited_lia": "isPartnershipOrLimitedLiabilityPartnership",
            "sole_proprietorship": "isSolePropreitorship",
            "small_agricultural_coopera": "isSmallAgriculturalCooperative",
            "international_organization": "isInternationalOrganization",
            "us_government_entity": "isUSGovernmentEntity",
        },
    ),
    *_flags(
        f"{_VENDOR}/vendorLineOfBusiness",
        {
            "community_development_corp": "isCommunityDevelopmentCorporation",
            "domestic_shelter": "isDomesticShelter",
            "educational_institution": "isEducationalInstitution",
            "foundation": "isFoundation",
            "hospital_flag": "isHospital",
            "manufacturer_of_goods": "isManufacturerOfGoods",
            "veterinary_hospital": "isVeterinaryHospital",
            "hispanic_servicing_institu": "isHispanicServicingInstitution",
        },
    ),
    *_flags(
        f"{_VENDOR}/vendorRelationshipWithFederalGovernment",
        {
            "contracts": "receivesContracts",
            "grants": "receivesGrants",
            "receives_contracts_and_gra": "receivesContractsAndGrants",
        },
    ),
    *_flags(
        f"{_VENDOR}/typeOfGovernmentEntity",
        {
            "airport_authority": "isAirportAuthority",
            "council_of_governments": "isCouncilOfGovernments",
            "housing_authorities_public": "isHousingAuthoritiesPublicOrTribal",
            "interstate_entity": "isInterstateEntity",
            "planning_commission": "isPlanningCommission",
            "port_authority": "isPortAuthority",
            "transit_authority": "isTransitAuthority",
        },
    ),
    *_flags(
        f"{_VENDOR}/vendorOrganizationFactors",
        {
            "subchapter_s_corporation": "isSubchapterSCorporation",
            "limited_liability_corporat": "isLimitedLiabilityCorporation",
            "foreign_owned_and_located": "isForeignOwnedAndLocated",
            # The AbilityOne program was formerly the sheltered workshops program.
            "the_ability_one_program": "isShelteredWorkshop",
        },
    ),
    *_flags(
        f"{_VENDOR}/vendorOrganizationFactors/profitStructure",
        {
            "for_profit_organization": "isForProfitOrganization",
            "nonprofit_organization": "isNonprofitOrganization",
            "other_not_for_profit_organ": "isOtherNotForProfitOrganization",
        },
    ),
    *_flags(
        f"{_VENDOR}/typeOfEducationalEntity",
        {
            "c1862_land_grant_college": "is1862LandGrantCollege",
            "c1890_land_grant_college": "is1890LandGrantCollege",
            "c1994_land_grant_college": "is1994LandGrantCollege",
            "historically_black_college": "isHistoricallyBlackCollegeOrUniversity",
            "minority_institution": "isMinorityInstitution",
            "private_university_or_coll": "isPrivateUniversityOrCollege",
            "school_of_forestry": "isSchoolOfForestry",
            "state_controlled_instituti": "isStateControlledInstitutionofHigherLearning",
            "tribal_college": "isTribalCollege",
            "veterinary_college": "isVeterinaryCollege",
            "alaskan_native_servicing_i": "isAlaskanNativeServicingInstitution",
            "native_hawaiian_servicing": "isNativeHawaiianServicingInstitution",
        },
    ),
    *_flags(
        f"{_VENDOR}/vendorCertifications",
        {
            "dot_certified_disadvantage": "isDOTCertifiedDisadvantagedBusinessEnterprise",
            "self_certified_small_disad": "isSelfCertifiedSmallDisadvantagedBusiness",
            "small_disadvantaged_busine": "isSBACertifiedSmallDisadvantagedBusiness",
            "c8a_program_participant": "isSBACertified8AProgramParticipant",
            "historically_underutilized": "isSBACertifiedHUBZone",
            "sba_certified_8_a_joint_ve": "isSBACertified8AJointVenture",
        },
    ),
    # Joint-venture and SBA-certified WOSB flags, added to the feed in October 2025.
    *_flags(
        "genericTags/genericBooleans",
        {
            "small_business_joint_venture": "genericBoolean01",
            "ser_disabvet_own_bus_join_ven": "genericBoolean02",
            "sba_cert_women_own_small_bus": "genericBoolean03",
            "sba_cert_econ_disadv_wosb": "genericBoolean04",
        },
    ),
]

#: Every D1 column copied from the document (file order is applied by the mapper).
SOURCES: tuple[Source, ...] = (*_COPIED, *_VENDOR_FLAGS)

#: D1 columns the mapper computes instead of copying: keys, agencies, the award/IDV flag, lists, states.
DERIVED: frozenset[str] = frozenset(
    {
        "detached_award_proc_unique",
        "unique_award_key",
        "awarding_agency_code",
        "awarding_agency_name",
        "funding_agency_code",
        "funding_agency_name",
        "pulled_from",
        "additional_reporting",
        "legal_entity_state_code",
        "legal_entity_state_descrip",
    }
)

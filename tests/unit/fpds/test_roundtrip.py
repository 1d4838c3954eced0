"""Random FPDS entries, written as the feed writes them, read back as the D1 values they hold."""

from __future__ import annotations

import datetime as dt
import re
import string
from decimal import Decimal

import attrs
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from broker_adapters.fpds.parser import iter_documents
from broker_core.fpds.agencies import SubTierLookup
from broker_core.fpds.document import DocumentKind
from broker_core.fpds.mapping import d1_values, procurement_row
from broker_core.generation.columns import D1_COLUMNS
from broker_core.records import AgencyRecord

ATOM = "http://www.w3.org/2005/Atom"
NAMES = [column.name for column in D1_COLUMNS]
VENDOR = "vendor/vendorSiteDetails"

AGENCIES = SubTierLookup.from_records(
    [
        AgencyRecord("097", "Department of Defense", "DE00", "DoD", "1700", "Navy", False, False),
        AgencyRecord("047", "General Services Administration", "4700", "GSA", "4740", "PBS", False, False),
        AgencyRecord(
            "011", "Executive Office", "1100", "Executive Office of the President", "1100", "EOP", True, True
        ),
    ]
)
EXPECTED_AGENCY = {
    "1700": ("097", "Department of Defense"),
    "4740": ("047", "General Services Administration"),
    "1100": ("1100", "Executive Office of the President"),
}
TERRITORIES = {"PRI": "PR", "GUM": "GU", "VIR": "VI", "XBK": "UM", "XWK": "UM"}

# A few flags from every group of the vendor block, with their elements as the feed names them.
FLAGS = {
    "alaskan_native_owned_corpo": f"{VENDOR}/vendorSocioEconomicIndicators/isAlaskanNativeOwnedCorporationOrFirm",
    "emerging_small_business": f"{VENDOR}/vendorSocioEconomicIndicators/isVerySmallBusiness",
    "subcontinent_asian_asian_i": f"{VENDOR}/vendorSocioEconomicIndicators/minorityOwned/isSubContinentAsianAmericanOwnedBusiness",
    "us_local_government": f"{VENDOR}/vendorBusinessTypes/localGovernment/isLocalGovernment",
    "sole_proprietorship": f"{VENDOR}/vendorBusinessTypes/businessOrOrganizationType/isSolePropreitorship",
    "hospital_flag": f"{VENDOR}/vendorLineOfBusiness/isHospital",
    "grants": f"{VENDOR}/vendorRelationshipWithFederalGovernment/receivesGrants",
    "the_ability_one_program": f"{VENDOR}/vendorOrganizationFactors/isShelteredWorkshop",
    "for_profit_organization": f"{VENDOR}/vendorOrganizationFactors/profitStructure/isForProfitOrganization",
    "tribal_college": f"{VENDOR}/typeOfEducationalEntity/isTribalCollege",
    "historically_underutilized": f"{VENDOR}/vendorCertifications/isSBACertifiedHUBZone",
    "small_business_competitive": "competition/smallBusinessCompetitivenessDemonstrationProgram",
    "sba_cert_econ_disadv_wosb": "genericTags/genericBooleans/genericBoolean04",
}

# Any character XML 1.0 can carry, with the ones that need escaping and whitespace made likely.
_XML_CHARACTERS = st.characters(
    exclude_categories=("Cs", "Cc"), exclude_characters="\ufffe\uffff"
) | st.sampled_from("<>&\"' \t\n\r")
texts = st.text(_XML_CHARACTERS, max_size=20)
codes = st.text(string.ascii_letters + string.digits + "-", min_size=1, max_size=12)
dates = st.dates(dt.date(1980, 1, 1), dt.date(2035, 12, 31))
amounts = st.decimals(Decimal("-1e9"), Decimal("1e9"), places=2, allow_nan=False, allow_infinity=False).map(
    lambda amount: format(amount, "f")
)
countries = st.sampled_from(["USA", "CAN", "GBR", "0", *TERRITORIES]) | st.none()


@attrs.frozen
class Referenced:
    agency: str
    agency_name: str
    piid: str
    mod_number: str


@attrs.frozen
class Fields:
    """What one random entry says."""

    kind: DocumentKind
    agency_id: str
    piid: str
    mod_number: str
    transaction_number: str | None
    referenced: Referenced | None
    signed: dt.date
    effective: dt.date | None
    last_date_to_order: dt.date | None
    fraction: bool
    last_modified: str
    obligation: str
    base_and_all: str | None
    action_type: str
    action_type_description: str
    awarding_sub_tier: str | None
    funding_sub_tier: str | None
    vendor_name: str
    description: str
    vendor_country: str | None
    vendor_country_name: str
    vendor_state: str | None
    vendor_state_name: str
    place_country: str | None
    place_state: str | None
    place_state_name: str
    flags: dict[str, bool]
    reporting: list[tuple[str, str]]
    fpds_namespace: str
    fpds_prefix: str
    atom_prefix: str | None
    href: str


fields = st.builds(
    Fields,
    kind=st.sampled_from(DocumentKind),
    agency_id=codes,
    piid=codes,
    mod_number=codes,
    transaction_number=st.none() | st.sampled_from(["0", "1", "12"]),
    referenced=st.none() | st.builds(Referenced, codes, texts, codes, codes),
    signed=dates,
    effective=st.none() | dates,
    last_date_to_order=st.none() | dates,
    fraction=st.booleans(),
    last_modified=st.datetimes(dt.datetime(2000, 1, 1), dt.datetime(2030, 12, 31)).map(
        lambda moment: moment.strftime("%Y-%m-%d %H:%M:%S")
    ),
    obligation=amounts,
    base_and_all=st.none() | amounts,
    action_type=st.sampled_from("ABCDE"),
    action_type_description=texts,
    awarding_sub_tier=st.none() | st.sampled_from([*EXPECTED_AGENCY, "ZZ99"]),
    funding_sub_tier=st.none() | st.sampled_from([*EXPECTED_AGENCY, "ZZ99"]),
    vendor_name=texts,
    description=texts,
    vendor_country=countries,
    vendor_country_name=texts,
    vendor_state=st.none() | st.sampled_from(["VA", "PR", "GU", "ON", "UM"]),
    vendor_state_name=texts,
    place_country=countries,
    place_state=st.none() | st.sampled_from(["MD", "PR", "VI"]),
    place_state_name=texts,
    flags=st.dictionaries(st.sampled_from(sorted(FLAGS)), st.booleans()),
    reporting=st.lists(st.tuples(codes, texts), max_size=3),
    fpds_namespace=st.sampled_from(["https://www.fpds.gov/FPDS", "http://www.fpdsng.com/FPDS"]),
    fpds_prefix=st.sampled_from(["ns1", "fpds", "ns0", "a"]),
    atom_prefix=st.sampled_from([None, "ns0", "atom"]),
    href=st.text(string.ascii_letters + "&=?/:%+", min_size=1, max_size=30),
)


@settings(max_examples=200, deadline=None)
@given(fields)
def test_an_entry_reads_back_as_the_values_it_holds(entry: Fields) -> None:
    links: dict[str, str] = {}
    (document,) = iter_documents(write_feed(entry), links)
    assert links == {"alternate": entry.href}
    assert document.kind is entry.kind

    row = dict(zip(NAMES, d1_values(document, AGENCIES), strict=True))
    expected = expected_values(entry)
    assert {name: row[name] for name in expected} == expected

    stored = procurement_row(document, AGENCIES)
    assert stored.unique_key == expected["detached_award_proc_unique"]
    assert stored.action_date == entry.signed
    assert stored.last_modified == _stamp(entry)


def expected_values(entry: Fields) -> dict[str, str | None]:
    """The D1 values the entry should give, worked out from the spec (fpds.md §4)."""
    award = entry.kind is DocumentKind.AWARD
    ref = entry.referenced
    transaction_number = entry.transaction_number if award else None
    if award:
        referenced = (ref.agency, ref.piid) if ref else (None, None)
        key_parts = [
            entry.agency_id,
            referenced[0],
            entry.piid,
            entry.mod_number,
            referenced[1],
            transaction_number,
        ]
    else:
        key_parts = [entry.agency_id, None, entry.piid, entry.mod_number, None, None]
    award_key = (
        ["CONT_AWD", entry.piid, entry.agency_id, ref.piid if ref else None, ref.agency if ref else None]
        if award
        else ["CONT_IDV", entry.piid, entry.agency_id]
    )
    values: dict[str, str | None] = {
        "detached_award_proc_unique": "_".join(part or "-none-" for part in key_parts),
        "unique_award_key": "_".join(part or "-none-" for part in award_key).upper(),
        "piid": entry.piid,
        "award_modification_amendme": entry.mod_number,
        "transaction_number": transaction_number,
        "referenced_idv_agency_iden": ref.agency if ref else None,
        "referenced_idv_agency_desc": _text(ref.agency_name) if ref else None,
        "parent_award_id": ref.piid if ref else None,
        "referenced_idv_modificatio": ref.mod_number if ref else None,
        "action_date": entry.signed.isoformat(),
        "period_of_performance_star": entry.effective.isoformat() if entry.effective else None,
        "ordering_period_end_date": entry.last_date_to_order.isoformat()
        if entry.last_date_to_order
        else None,
        "last_modified": _stamp(entry),
        "federal_action_obligation": entry.obligation,
        "base_and_all_options_value": entry.base_and_all,
        "pulled_from": "award" if award else "IDV",
        "contract_award_type": entry.action_type if award else None,
        "contract_award_type_desc": _text(entry.action_type_description) if award else None,
        "idv_type": None if award else entry.action_type,
        "idv_type_description": None if award else _text(entry.action_type_description),
        "awarding_sub_tier_agency_c": entry.awarding_sub_tier,
        "funding_sub_tier_agency_co": entry.funding_sub_tier,
        "awardee_or_recipient_legal": _free_text(entry.vendor_name),
        "award_description": _free_text(entry.description),
        "additional_reporting": _reporting(entry.reporting),
    }
    for name, sub_tier in (("awarding", entry.awarding_sub_tier), ("funding", entry.funding_sub_tier)):
        # No code: no agency; a code the agency list lacks: 999.
        values[f"{name}_agency_code"], values[f"{name}_agency_name"] = (
            EXPECTED_AGENCY.get(sub_tier, ("999", None)) if sub_tier else (None, None)
        )
    for column in FLAGS:
        flag = entry.flags.get(column)
        values[column] = None if flag is None else str(flag).lower()
    values.update(_legal_entity(entry))
    values.update(_place(entry) if award else dict.fromkeys(_place(entry)))
    return values


def _legal_entity(entry: Fields) -> dict[str, str | None]:
    country, state, state_name = entry.vendor_country, entry.vendor_state, _text(entry.vendor_state_name)
    country_name = _text(entry.vendor_country_name)  # an element with a name but no code keeps its name
    if country == "USA" or country in TERRITORIES:
        code, description = state, state_name
    else:
        code, description = None, state
    if country in TERRITORIES:
        if code != TERRITORIES[country]:
            description = None
        code, country, country_name = TERRITORIES[country], "USA", "UNITED STATES"
    return {
        "legal_entity_country_code": country,
        "legal_entity_country_name": country_name,
        "legal_entity_state_code": code,
        "legal_entity_state_descrip": description,
    }


def _place(entry: Fields) -> dict[str, str | None]:
    country, state = entry.place_country, entry.place_state
    state_name = _text(entry.place_state_name)
    country_name = "NAME OF " + country if country else None
    if country in TERRITORIES:
        if state != TERRITORIES[country]:
            state_name = None
        state, country, country_name = TERRITORIES[country], "USA", "UNITED STATES"
    return {
        "place_of_perform_country_c": country,
        "place_of_perf_country_desc": country_name,
        "place_of_performance_state": state,
        "place_of_perfor_state_desc": state_name,
    }


def _reporting(reporting: list[tuple[str, str]]) -> str | None:
    if not reporting:
        return None
    descriptions = [_text(description) for _code, description in reporting]
    if all(descriptions):
        pairs = zip(reporting, descriptions, strict=True)
        return "; ".join(f"{code}: {description}" for (code, _raw), description in pairs)
    return "; ".join(code for code, _raw in reporting)


def _text(value: str) -> str | None:
    return value.strip() or None


def _free_text(value: str) -> str | None:
    stripped = _text(value)
    return None if stripped is None else re.sub(r"\s", " ", stripped)


def _date(day: dt.date, entry: Fields) -> str:
    return f"{day.isoformat()} 00:00:00{'.0' if entry.fraction else ''}"


def _stamp(entry: Fields) -> str:
    return entry.last_modified + (".0" if entry.fraction else "")


def write_feed(entry: Fields) -> bytes:
    """An ATOM page holding the entry, laid out as FPDS lays it out (spec fpds.md §3 and §7)."""
    feed = etree.Element(f"{{{ATOM}}}feed", nsmap={entry.atom_prefix: ATOM})
    etree.SubElement(feed, f"{{{ATOM}}}title").text = "FPDS-NG search results for: generated"
    etree.SubElement(feed, f"{{{ATOM}}}link", rel="alternate", type="text/html", href=entry.href)
    etree.SubElement(feed, f"{{{ATOM}}}modified")
    etree.SubElement(etree.SubElement(feed, f"{{{ATOM}}}author"), f"{{{ATOM}}}name")
    item = etree.SubElement(feed, f"{{{ATOM}}}entry")
    etree.SubElement(item, f"{{{ATOM}}}title").text = f"New award {entry.piid}"
    etree.SubElement(
        item, f"{{{ATOM}}}link", rel="alternate", type="text/html", href="https://www.fpds.gov/x"
    )
    etree.SubElement(item, f"{{{ATOM}}}modified").text = entry.last_modified
    content = etree.SubElement(item, f"{{{ATOM}}}content", type="application/xml")
    document = etree.SubElement(
        content,
        f"{{{entry.fpds_namespace}}}{entry.kind.value}",
        nsmap={entry.fpds_prefix: entry.fpds_namespace},
        version="1.5",
    )
    _Writer(document, entry.fpds_namespace).write(entry)
    return etree.tostring(feed, xml_declaration=True, encoding="UTF-8")


@attrs.define
class _Writer:
    document: etree._Element
    namespace: str

    def put(self, path: str, text: str | None, repeat: bool = False, **attributes: str | None) -> None:
        element = self.document
        *groups, name = path.split("/")
        for group in groups:
            child = element.find(f"{{{self.namespace}}}{group}")
            element = (
                child if child is not None else etree.SubElement(element, f"{{{self.namespace}}}{group}")
            )
        leaf = None if repeat else element.find(f"{{{self.namespace}}}{name}")
        if leaf is None:
            leaf = etree.SubElement(element, f"{{{self.namespace}}}{name}")
        leaf.text = text
        for attribute, value in attributes.items():
            if value is not None:
                leaf.set(attribute, value)

    def write(self, entry: Fields) -> None:
        award = entry.kind is DocumentKind.AWARD
        identity = "awardID/awardContractID" if award else "contractID/IDVID"
        referenced = "awardID/referencedIDVID" if award else "contractID/referencedIDVID"
        self.put(f"{identity}/agencyID", entry.agency_id, name="AGENCY NAME")
        self.put(f"{identity}/PIID", entry.piid)
        self.put(f"{identity}/modNumber", entry.mod_number)
        if award:
            self.put(f"{identity}/transactionNumber", entry.transaction_number)
        if entry.referenced is not None:
            ref = entry.referenced
            self.put(f"{referenced}/agencyID", ref.agency, name=ref.agency_name)
            self.put(f"{referenced}/PIID", ref.piid)
            self.put(f"{referenced}/modNumber", ref.mod_number)
        self.put("relevantContractDates/signedDate", _date(entry.signed, entry))
        if entry.effective is not None:
            self.put("relevantContractDates/effectiveDate", _date(entry.effective, entry))
        if entry.last_date_to_order is not None:
            self.put("relevantContractDates/lastDateToOrder", _date(entry.last_date_to_order, entry))
        self.put("dollarValues/obligatedAmount", entry.obligation)
        self.put("dollarValues/baseAndAllOptionsValue", entry.base_and_all)
        self.put(
            "purchaserInformation/contractingOfficeAgencyID",
            entry.awarding_sub_tier,
            name="SUB-TIER",
            departmentID="9700",
        )
        self.put("purchaserInformation/fundingRequestingAgencyID", entry.funding_sub_tier, name="SUB-TIER")
        self.put(
            "contractData/contractActionType", entry.action_type, description=entry.action_type_description
        )
        self.put("contractData/descriptionOfContractRequirement", entry.description)
        for code, description in entry.reporting:
            self.put(
                "legislativeMandates/listOfAdditionalReportingValues/additionalReportingValue",
                code,
                repeat=True,
                description=description,
            )
        self.put("vendor/vendorHeader/vendorName", entry.vendor_name)
        for column, flag in entry.flags.items():
            self.put(FLAGS[column], str(flag).lower())
        location = f"{VENDOR}/vendorLocation"
        self.put(f"{location}/state", entry.vendor_state, name=entry.vendor_state_name)
        self.put(f"{location}/countryCode", entry.vendor_country, name=entry.vendor_country_name)
        place = "placeOfPerformance/principalPlaceOfPerformance"
        self.put(f"{place}/stateCode", entry.place_state, name=entry.place_state_name)
        country_name = "NAME OF " + entry.place_country if entry.place_country else None
        self.put(f"{place}/countryCode", entry.place_country, name=country_name)
        self.put("transactionInformation/lastModifiedDate", _stamp(entry))

"""``broker load fpds`` as a user runs it: saved real feed pages, and live loads from a fake FPDS server.

Expected values are read from the sample XML here, independently of the
product's parser, and compared with the D1 file generated after the load.
"""

from __future__ import annotations

import csv
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from lxml import etree

from broker_core.loading.agencies import read_agencies
from broker_core.records import AgencyRecord
from tests.fpds.fake_server import FakeFpds, fake_fpds
from tests.fpds.pages import result_pages, sample, sample_entries, varied
from tests.reference import BROKER_CONFIG

from .conftest import BROKER

AGENCIES = BROKER_CONFIG / "agency_codes.csv"
AWARD_SAMPLES = [
    "broker_award_and_idv_entries.xml",
    "public_feed_page_2020-04-02.xml",
    "public_feed_page_ns0_prefixes.xml",
]


def _run(data_dir: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*BROKER, *args, "--data-dir", str(data_dir)],
        env={**os.environ, **(env or {})},
        text=True,
        capture_output=True,
        check=False,
        timeout=300,
    )


def _sub_tier_cgac() -> dict[str, str]:
    with AGENCIES.open(newline="", encoding="utf-8-sig") as stream:
        records = [r for r in read_agencies(stream) if isinstance(r, AgencyRecord)]
    return {r.sub_tier_code: (r.frec_code if r.is_frec else r.cgac_code) for r in records if r.sub_tier_code}  # type: ignore[misc]


def _text(document: etree._Element, path: str) -> str | None:
    found = document.find("/".join(f"{{*}}{part}" for part in path.split("/")))
    return None if found is None or not (found.text or "").strip() else found.text.strip()  # type: ignore[union-attr]


def _awards(name: str) -> Iterator[dict[str, str | None]]:
    """The values a user would check, for each award document of a sample, read straight from the XML."""
    for document in etree.parse(str(sample(name))).getroot().iter("{*}award"):
        yield {
            "PIID": _text(document, "awardID/awardContractID/PIID"),
            "AwardModificationAmendmentNumber": _text(document, "awardID/awardContractID/modNumber"),
            "ParentAwardId": _text(document, "awardID/referencedIDVID/PIID"),
            "ActionDate": (_text(document, "relevantContractDates/signedDate") or "")[:10].replace("-", ""),
            "FederalActionObligation": _text(document, "dollarValues/obligatedAmount"),
            "AwardingSubTierAgencyCode": _text(document, "purchaserInformation/contractingOfficeAgencyID"),
            "AwardeeOrRecipientUEI": _text(
                document, "vendor/vendorSiteDetails/entityIdentifiers/vendorUEIInformation/UEI"
            ),
            "AwardeeOrRecipientLegalEntityName": _text(document, "vendor/vendorHeader/vendorName"),
        }


def _generated_d1(data_dir: Path, agency: str) -> list[dict[str, str]]:
    done = _run(
        data_dir, "generate", "D1", "--agency", agency, "--start", "01/01/1980", "--end", "12/31/2030"
    )
    assert done.returncode == 0, done.stderr
    with open(done.stdout.strip().splitlines()[-1], newline="", encoding="utf-8") as stream:
        return list(csv.DictReader(stream))


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    loaded = _run(tmp_path, "load", "agencies", str(AGENCIES))
    assert loaded.returncode == 0, loaded.stderr
    return tmp_path


@pytest.mark.parametrize("name", AWARD_SAMPLES)
def test_a_saved_real_page_loads_and_its_awards_appear_in_d1(data_dir: Path, name: str) -> None:
    loaded = _run(data_dir, "load", "fpds", "--file", str(sample(name)))
    assert loaded.returncode == 0, loaded.stderr
    expected = list(_awards(name))
    assert "FPDS entries" in loaded.stderr

    cgac_of = _sub_tier_cgac()
    by_agency: dict[str, list[dict[str, str]]] = {}
    for award in expected:
        agency = cgac_of.get(award["AwardingSubTierAgencyCode"] or "", "999")
        if agency not in by_agency:
            by_agency[agency] = _generated_d1(data_dir, agency)
        rows = [
            r
            for r in by_agency[agency]
            if r["PIID"] == award["PIID"]
            and r["AwardModificationAmendmentNumber"] == award["AwardModificationAmendmentNumber"]
            and r["ParentAwardId"] == (award["ParentAwardId"] or "")
        ]
        assert len(rows) == 1, (award, agency)
        row = rows[0]
        for column, value in award.items():
            if column == "FederalActionObligation":
                assert float(row[column]) == float(value or 0), column
            else:
                assert row[column] == (value or ""), column
        assert row["AwardingAgencyCode"] == agency
        assert row["Award Or IDV Flag"] == "award"


def test_the_idv_archive_loads(data_dir: Path) -> None:
    loaded = _run(data_dir, "load", "fpds", "--file", str(sample("idv_archive_v1_5.xml")))
    assert loaded.returncode == 0, loaded.stderr
    assert "Loaded 18 FPDS entries: 18 rows written" in loaded.stderr.replace("\n", " ")


# --------------------------------------------------------------------------- live loads from a fake FPDS


@pytest.fixture
def fpds() -> Iterator[FakeFpds]:
    with fake_fpds() as server:
        yield server


def _live(data_dir: Path, fpds: FakeFpds, *args: str) -> subprocess.CompletedProcess[str]:
    return _run(
        data_dir,
        "load",
        "fpds",
        *args,
        env={"BROKER_FPDS_URL": fpds.url, "BROKER_FPDS_RETRIES": "1", "BROKER_FPDS_TIMEOUT": "10"},
    )


DAY_Q = 'LAST_MOD_DATE:[2020/04/02,2020/04/02] CONTRACT_TYPE:"AWARD" AWARD_TYPE:"Delivery Order"'
DELETED_Q = 'LAST_MOD_DATE:[2020/04/02,2020/04/02] CONTRACT_TYPE:"AWARD"'


def _entries(count: int) -> list[etree._Element]:
    template = sample_entries("public_feed_page_2020-04-02.xml")
    return [
        varied(template[i % len(template)], f"LIVE{i:05d}", last_modified="2020-04-02 08:00:00")
        for i in range(count)
    ]


def _d1_piids(data_dir: Path) -> list[str]:
    return sorted(r["PIID"] for r in _generated_d1(data_dir, "097"))


def test_a_live_load_pages_through_fpds_and_applies_deletions(data_dir: Path, fpds: FakeFpds) -> None:
    entries = _entries(25)
    fpds.serve("PUBLIC", DAY_Q, result_pages(entries, q=DAY_Q))
    done = _live(data_dir, fpds, "--since", "2020-04-02", "--until", "2020-04-02")
    assert done.returncode == 0, done.stderr
    assert "Loaded 25 FPDS entries: 25 rows written, 0 deleted" in " ".join(done.stderr.split())
    assert len(_d1_piids(data_dir)) == 25

    # The same load again changes nothing; a deleted-records page then removes two.
    again = _live(data_dir, fpds, "--since", "2020-04-02", "--until", "2020-04-02")
    assert again.returncode == 0 and len(_d1_piids(data_dir)) == 25
    gone = [varied(entries[i], f"LIVE{i:05d}", last_modified="2020-04-02 23:00:00") for i in (3, 7)]
    fpds.serve("DELETED", DELETED_Q, result_pages(gone, feed="DELETED", q=DELETED_Q))
    deleted = _live(data_dir, fpds, "--since", "2020-04-02", "--until", "2020-04-02")
    assert deleted.returncode == 0, deleted.stderr
    assert "2 deleted" in deleted.stderr
    assert "LIVE00003" not in _d1_piids(data_dir) and len(_d1_piids(data_dir)) == 23


@pytest.mark.parametrize("fault", ["malformed", "unreachable"])
def test_a_failed_live_load_leaves_the_data_as_it_was(data_dir: Path, fpds: FakeFpds, fault: str) -> None:
    fpds.serve("PUBLIC", DAY_Q, result_pages(_entries(12), q=DAY_Q))
    assert _live(data_dir, fpds, "--since", "2020-04-02", "--until", "2020-04-02").returncode == 0
    before = _d1_piids(data_dir)

    fpds.serve("PUBLIC", DAY_Q, result_pages(_entries(40), q=DAY_Q))
    if fault == "malformed":
        fpds.serve("DELETED", DELETED_Q, [b"<feed xmlns='http://www.w3.org/2005/Atom'><entry>"])
        done = _live(data_dir, fpds, "--since", "2020-04-02", "--until", "2020-04-02")
        assert "not valid XML" in done.stderr or "not a readable" in done.stderr, done.stderr
    else:
        fpds.stop()
        done = _live(data_dir, fpds, "--since", "2020-04-02", "--until", "2020-04-02")
        assert "The server could not reach the Federal Procurement Data System. Try again later." in " ".join(
            done.stderr.split()
        )
    assert done.returncode == 1
    assert "Nothing was loaded" in done.stderr
    assert "Traceback" not in done.stderr
    assert _d1_piids(data_dir) == before


def test_bad_options_are_clear_errors(data_dir: Path) -> None:
    done = _run(data_dir, "load", "fpds", "--since", "2020-13-01")
    assert done.returncode == 2 and "--since" in done.stderr and "YYYY-MM-DD" in done.stderr
    first = _run(data_dir, "load", "fpds")
    assert first.returncode == 1 and "since" in first.stderr

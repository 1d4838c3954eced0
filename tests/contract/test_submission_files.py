"""Contract of the SubmissionFileSource port (files E and F of a submission), on every database.

D1 and D2 rows are staged directly into ``award_procurement`` / ``award_financial_assistance``
for two submissions; SAM recipients are inserted with chosen ids, subawards through the source
data store. Each test compares the whole CSV text the core makes of the adapter's rows.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import Column, MetaData, Table, insert
from sqlalchemy.pool import QueuePool

from broker_adapters.sqlalchemy import tables
from broker_adapters.sqlalchemy.source_data import SqlAlchemySourceData
from broker_adapters.sqlalchemy.submission_files import SqlAlchemySubmissionFiles
from broker_core.file_types import FileType
from broker_core.generation.submission_files import (
    F_COLUMNS,
    submission_file_chunks,
    submission_file_header,
)
from broker_core.generation.submission_ports import SubmissionFileSource
from broker_core.loading.source_records import SUB_CONTRACT, SUB_GRANT, SubawardRecord

from .conftest import Adapter

SUBMISSION = 10
OTHER = 20

#: (submission, job, [(unique_award_key, awardee_or_recipient_uei), ...]) per staging table.
D1_STAGED = [
    (SUBMISSION, 1, [("KEY-C1", "B-UEI"), ("KEY-C1", "B-UEI"), ("KEY-BOTH", "A-UEI"), ("KEY-C2", None),
                     ("key-a", "X-MISSING")]),
    (OTHER, 3, [("KEY-OTHER", "Z-OTHER")]),
]  # fmt: skip
D2_STAGED = [
    (SUBMISSION, 2, [("KEY-G1", "C-UEI"), ("KEY-BOTH", "D-NOCOMP"), ("KEY-D2ONLY", "A-UEI"),
                     ("KEY-Q", "a-lower")]),
    (OTHER, 4, [("KEY-OTHER-G", "B-UEI")]),
]  # fmt: skip


def stage(adapter: Adapter, d1: Any = D1_STAGED, d2: Any = D2_STAGED) -> None:
    with adapter.engine.begin() as conn:
        for table, staged in ((tables.award_procurement, d1), (tables.award_financial_assistance, d2)):
            for submission_id, job_id, rows in staged:
                conn.execute(
                    insert(table),
                    [
                        {"job_id": job_id, "submission_id": submission_id, "row_number": number,
                         "unique_award_key": key, "awardee_or_recipient_uei": uei}
                        for number, (key, uei) in enumerate(rows, start=2)
                    ],
                )  # fmt: skip


def officers(*pairs: tuple[str, str]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for n, (name, amount) in enumerate(pairs, start=1):
        values[f"high_comp_officer{n}_full_na"] = name
        values[f"high_comp_officer{n}_amount"] = Decimal(amount)
    return values


#: sam_recipient rows, inserted in this order with these ids (not the UEI order).
RECIPIENTS: list[dict[str, Any]] = [
    {"sam_recipient_id": 5, "uei": "B-UEI", "legal_business_name": "Beta, LLC", "ultimate_parent_uei": "P-UEI",
     "ultimate_parent_legal_enti": 'Parent "Co"', **officers(("Bob B", "250000.00"), ("Ann A", "1234.50"))},
    {"sam_recipient_id": 3, "uei": "A-UEI", "legal_business_name": "Alpha", "dba_name": "not in E",
     **officers(("O1", "5.00"), ("O2", "4.00"), ("O3", "3.00"), ("O4", "2.00"), ("O5", "1.00"))},
    {"sam_recipient_id": 9, "uei": "C-UEI", "legal_business_name": "Gamma"},  # no compensation data
    {"sam_recipient_id": 1, "uei": "D-NOCOMP", "legal_business_name": ""},  # an empty string, not NULL
    {"sam_recipient_id": 2, "uei": "a-lower", "legal_business_name": "lower"},  # after "D..." by code point
    {"sam_recipient_id": 4, "uei": "E-UNUSED", "legal_business_name": "not staged"},
    {"sam_recipient_id": 6, "uei": "Z-OTHER", "legal_business_name": "other submission"},
    {"sam_recipient_id": 7, "uei": "a-uei", "legal_business_name": "only A-UEI is staged"},  # exact match
]  # fmt: skip


def add_recipients(adapter: Adapter, rows: list[dict[str, Any]], table: Table = tables.sam_recipient) -> None:
    with adapter.engine.begin() as conn:
        for row in rows:  # one by one: each keeps the columns it names
            conn.execute(insert(table), row)


@pytest.fixture
def files(adapter: Adapter) -> SqlAlchemySubmissionFiles:
    """Tiny fetches, so a few rows span several round trips."""
    return SqlAlchemySubmissionFiles(adapter.engine, stream_batch=2)


def file_text(files: SubmissionFileSource, file_type: FileType, submission_id: int) -> str:
    return b"".join(submission_file_chunks(file_type, files, submission_id, chunk_bytes=64)).decode()


def test_the_adapter_implements_the_port(files: SqlAlchemySubmissionFiles) -> None:
    source: SubmissionFileSource = files
    assert source is files


# --------------------------------------------------------------------------- E


E_HEADER = (
    "AwardeeOrRecipientUEI,AwardeeOrRecipientLegalEntityName,UltimateParentUEI,UltimateParentLegalEntityName,"
    "HighCompOfficer1FullName,HighCompOfficer1Amount,HighCompOfficer2FullName,HighCompOfficer2Amount,"
    "HighCompOfficer3FullName,HighCompOfficer3Amount,HighCompOfficer4FullName,HighCompOfficer4Amount,"
    "HighCompOfficer5FullName,HighCompOfficer5Amount\n"
)


def test_e_lists_the_staged_ueis_recipients_in_uei_order(
    adapter: Adapter, files: SqlAlchemySubmissionFiles
) -> None:
    stage(adapter)
    add_recipients(adapter, RECIPIENTS)
    assert file_text(files, FileType.E, SUBMISSION) == (
        E_HEADER
        + "A-UEI,Alpha,,,O1,5.00,O2,4.00,O3,3.00,O4,2.00,O5,1.00\n"
        + 'B-UEI,"Beta, LLC",P-UEI,"Parent ""Co""",Bob B,250000.00,Ann A,1234.50,,,,,,\n'
        + "C-UEI,Gamma,,,,,,,,,,,,\n"
        + 'D-NOCOMP,"",,,,,,,,,,,,\n'
        + "a-lower,lower,,,,,,,,,,,,\n"
    )
    # The other submission: its own D1 and D2 UEIs only.
    assert file_text(files, FileType.E, OTHER) == (
        E_HEADER
        + 'B-UEI,"Beta, LLC",P-UEI,"Parent ""Co""",Bob B,250000.00,Ann A,1234.50,,,,,,\n'
        + "Z-OTHER,other submission,,,,,,,,,,,,\n"
    )


def test_e_without_staged_rows_or_recipients_is_the_header_alone(
    adapter: Adapter, files: SqlAlchemySubmissionFiles
) -> None:
    add_recipients(adapter, RECIPIENTS)
    assert file_text(files, FileType.E, SUBMISSION) == E_HEADER
    stage(adapter)
    assert file_text(files, FileType.E, 999) == E_HEADER
    assert submission_file_header(FileType.E) == E_HEADER


def test_e_takes_the_recipient_with_the_highest_id_of_a_uei(
    adapter: Adapter, files: SqlAlchemySubmissionFiles
) -> None:
    # This schema keeps one row per UEI (uq_sam_recipient_uei); the original did not, and E took the
    # highest id. Rebuild the table without the constraint to show the rule still holds.
    with adapter.engine.begin() as conn:
        tables.sam_recipient.drop(conn)
        columns = [Column(c.name, c.type, primary_key=c.primary_key) for c in tables.sam_recipient.columns]
        loose = Table("sam_recipient", MetaData(), *columns)
        loose.create(conn)
    add_recipients(
        adapter,
        [
            {"sam_recipient_id": 1, "uei": "DUP", "legal_business_name": "oldest"},
            {"sam_recipient_id": 8, "uei": "DUP", "legal_business_name": "newest", **officers(("N", "9.90"))},
            {"sam_recipient_id": 3, "uei": "DUP", "legal_business_name": "middle"},
            {"sam_recipient_id": 2, "uei": "SOLO", "legal_business_name": "solo"},
        ],
        loose,
    )
    stage(
        adapter, d1=[(SUBMISSION, 1, [("K1", "DUP"), ("K2", "SOLO")])], d2=[(SUBMISSION, 2, [("K3", "DUP")])]
    )
    assert file_text(files, FileType.E, SUBMISSION) == (
        E_HEADER + "DUP,newest,,,N,9.90,,,,,,,,\n" + "SOLO,solo,,,,,,,,,,,,\n"
    )


# --------------------------------------------------------------------------- F


F_HEADER = (
    "PrimeAwardUniqueKey,PrimeAwardID,ParentAwardID,PrimeAwardAmount,ActionDate,PrimeAwardFiscalYear,"
    "AwardingAgencyCode,AwardingAgencyName,AwardingSubTierAgencyCode,AwardingSubTierAgencyName,"
    "AwardingOfficeCode,AwardingOfficeName,FundingAgencyCode,FundingAgencyName,FundingSubTierAgencyCode,"
    "FundingSubTierAgencyName,FundingOfficeCode,FundingOfficeName,AwardeeOrRecipientUEI,"
    "AwardeeOrRecipientLegalEntityName,Vendor Doing As Business Name,UltimateParentUEI,"
    "UltimateParentLegalEntityName,LegalEntityCountryCode,LegalEntityCountryName,LegalEntityAddressLine1,"
    "LegalEntityCityName,LegalEntityStateCode,LegalEntityStateName,LegalEntityZIP+4,"
    "LegalEntityCongressionalDistrict,LegalEntityForeignPostalCode,PrimeAwardeeBusinessTypes,"
    "PrimaryPlaceOfPerformanceCityName,PrimaryPlaceOfPerformanceStateCode,PrimaryPlaceOfPerformanceStateName,"
    "PrimaryPlaceOfPerformanceZIP+4,PrimaryPlaceOfPerformanceCongressionalDistrict,"
    "PrimaryPlaceOfPerformanceCountryCode,PrimaryPlaceOfPerformanceCountryName,AwardDescription,"
    "PrimeAwardProjectTitle,NAICS,NAICS_Description,AssistanceListingNumbers,AssistanceListingTitles,"
    "SubAwardType,SubAwardReportID,SubAwardReportYear,SubAwardReportMonth,SubAwardNumber,SubAwardAmount,"
    "SubAwardActionDate,SubAwardeeOrRecipientUEI,SubAwardeeOrRecipientLegalEntityName,"
    "SubAwardeeDoingBusinessAsName,SubAwardeeUltimateParentUEI,SubAwardeeUltimateParentLegalEntityName,"
    "SubAwardeeLegalEntityCountryCode,SubAwardeeLegalEntityCountryName,SubAwardeeLegalEntityAddressLine1,"
    "SubAwardeeLegalEntityCityName,SubAwardeeLegalEntityStateCode,SubAwardeeLegalEntityStateName,"
    "SubAwardeeLegalEntityZIP+4,SubAwardeeLegalEntityCongressionalDistrict,"
    "SubAwardeeLegalEntityForeignPostalCode,SubAwardeeBusinessTypes,SubAwardPlaceOfPerformanceCityName,"
    "SubAwardPlaceOfPerformanceStateCode,SubAwardPlaceOfPerformanceStateName,"
    "SubAwardPlaceOfPerformanceZIP+4,SubAwardPlaceOfPerformanceCongressionalDistrict,"
    "SubAwardPlaceOfPerformanceCountryCode,SubAwardPlaceOfPerformanceCountryName,SubAwardDescription,"
    "SubAwardeeHighCompOfficer1FullName,SubAwardeeHighCompOfficer1Amount,"
    "SubAwardeeHighCompOfficer2FullName,SubAwardeeHighCompOfficer2Amount,"
    "SubAwardeeHighCompOfficer3FullName,SubAwardeeHighCompOfficer3Amount,"
    "SubAwardeeHighCompOfficer4FullName,SubAwardeeHighCompOfficer4Amount,"
    "SubAwardeeHighCompOfficer5FullName,SubAwardeeHighCompOfficer5Amount,SubAwardReportLastModifiedDate\n"
)
F_POSITION = {column.name: index for index, column in enumerate(F_COLUMNS)}


def subaward(key: str, kind: str, report: str, number: str, **values: Any) -> SubawardRecord:
    return SubawardRecord(
        unique_award_key=key, subaward_type=kind, internal_id=report, subaward_number=number, **values
    )


def f_line(key: str, kind: str, report: str, number: str, **fields: str) -> str:
    """The expected line: every field empty (NULL) but the key and ``fields`` (CSV text as written)."""
    texts = [""] * len(F_COLUMNS)
    given = {"unique_award_key": key, "subaward_type": kind, "internal_id": report, "subaward_number": number}
    for name, text in {**given, **fields}.items():
        texts[F_POSITION[name]] = text
    return ",".join(texts) + "\n"


DETAILED = {
    "award_amount": Decimal("1000000.00"),
    "action_date": dt.date(2019, 10, 1),
    "fy": "2020",
    "dba_name": "Acme, Inc.",
    "sub_dba_name": "",
    "subaward_amount": Decimal("1234.50"),
    "sub_action_date": dt.date(2020, 5, 6),
    "subaward_description": 'say "hi"\nthere',
    "sub_high_comp_officer1_full_na": "Öfficer",
    "sub_high_comp_officer1_amount": Decimal("0.00"),
    "date_submitted": dt.datetime(2020, 5, 7, 8, 9, 10, 500000),
}
DETAILED_TEXT = {
    "award_amount": "1000000.00",
    "action_date": "2019-10-01",
    "fy": "2020",
    "dba_name": '"Acme, Inc."',
    "sub_dba_name": '""',
    "subaward_amount": "1234.50",
    "sub_action_date": "2020-05-06",
    "subaward_description": '"say ""hi""\nthere"',
    "sub_high_comp_officer1_full_na": "Öfficer",
    "sub_high_comp_officer1_amount": "0.00",
    "date_submitted": "2020-05-07 08:09:10.5",
}

SUBAWARDS = [
    subaward("KEY-C1", SUB_CONTRACT, "R1", "S2", date_submitted=dt.datetime(2021, 1, 2, 3, 4, 5)),
    subaward("KEY-C1", SUB_CONTRACT, "R1", "S1", **DETAILED),  # its award is staged twice in D1
    subaward("KEY-C1", SUB_GRANT, "R1", "S1"),  # a grant of a D1 award: excluded
    subaward("KEY-G1", SUB_GRANT, "R9", "S1", subaward_amount=Decimal("7.00")),
    subaward("KEY-G1", SUB_CONTRACT, "R9", "S1"),  # a contract of a D2 award: excluded
    subaward("KEY-D2ONLY", SUB_CONTRACT, "R1", "S1"),  # ditto
    subaward("KEY-BOTH", SUB_GRANT, "R1", "S1"),  # the award is in D1 and in D2: each type once
    subaward("KEY-BOTH", SUB_CONTRACT, "R1", "S1"),
    subaward("key-a", SUB_CONTRACT, "R1", "S1"),  # after "KEY-..." by code point
    subaward("KEY-OTHER", SUB_CONTRACT, "R1", "S1"),  # the other submission's
    subaward("KEY-OTHER-G", SUB_GRANT, "R1", "S1"),
    subaward("KEY-OTHER-G", SUB_CONTRACT, "R1", "S1"),
    subaward("KEY-NOT-STAGED", SUB_CONTRACT, "R1", "S1"),
]


def test_f_lists_d1_sub_contracts_and_d2_sub_grants_by_natural_key(
    adapter: Adapter, files: SqlAlchemySubmissionFiles
) -> None:
    stage(adapter)
    SqlAlchemySourceData(adapter.engine).upsert_subawards(SUBAWARDS)
    assert file_text(files, FileType.F, SUBMISSION) == (
        F_HEADER
        + f_line("KEY-BOTH", SUB_CONTRACT, "R1", "S1")
        + f_line("KEY-BOTH", SUB_GRANT, "R1", "S1")
        + f_line("KEY-C1", SUB_CONTRACT, "R1", "S1", **DETAILED_TEXT)
        + f_line("KEY-C1", SUB_CONTRACT, "R1", "S2", date_submitted="2021-01-02 03:04:05")
        + f_line("KEY-G1", SUB_GRANT, "R9", "S1", subaward_amount="7.00")
        + f_line("key-a", SUB_CONTRACT, "R1", "S1")
    )
    assert file_text(files, FileType.F, OTHER) == (
        F_HEADER
        + f_line("KEY-OTHER", SUB_CONTRACT, "R1", "S1")
        + f_line("KEY-OTHER-G", SUB_GRANT, "R1", "S1")
    )


def test_f_without_staged_rows_or_subawards_is_the_header_alone(
    adapter: Adapter, files: SqlAlchemySubmissionFiles
) -> None:
    SqlAlchemySourceData(adapter.engine).upsert_subawards(SUBAWARDS)
    assert file_text(files, FileType.F, SUBMISSION) == F_HEADER
    with adapter.engine.begin() as conn:
        conn.execute(tables.subaward.delete())
    stage(adapter)
    assert file_text(files, FileType.F, SUBMISSION) == F_HEADER
    assert submission_file_header(FileType.F) == F_HEADER


def test_f_orders_within_an_award_by_type_report_and_number(
    adapter: Adapter, files: SqlAlchemySubmissionFiles
) -> None:
    stage(adapter, d1=[(SUBMISSION, 1, [("K", None)])], d2=[(SUBMISSION, 2, [("K", None)])])
    loaded = [("R2", "1"), ("R10", "2"), ("R1", "b"), ("R1", "B"), ("R1", "10"), ("R1", "9")]
    SqlAlchemySourceData(adapter.engine).upsert_subawards(
        [subaward("K", SUB_GRANT, "R1", "1"), *(subaward("K", SUB_CONTRACT, r, n) for r, n in loaded)]
    )
    rows = list(files.subaward_rows(SUBMISSION))
    position = [F_POSITION[name] for name in ("subaward_type", "internal_id", "subaward_number")]
    assert [tuple(row[p] for p in position) for row in rows] == [
        (SUB_CONTRACT, "R1", "10"),
        (SUB_CONTRACT, "R1", "9"),
        (SUB_CONTRACT, "R1", "B"),
        (SUB_CONTRACT, "R1", "b"),
        (SUB_CONTRACT, "R10", "2"),
        (SUB_CONTRACT, "R2", "1"),
        (SUB_GRANT, "R1", "1"),
    ]
    assert all(isinstance(row, tuple) and len(row) == len(F_COLUMNS) for row in rows)


# --------------------------------------------------------------------------- streaming


def test_rows_stream_and_a_reader_can_stop_early(adapter: Adapter, files: SqlAlchemySubmissionFiles) -> None:
    stage(adapter, d1=[(SUBMISSION, 1, [(f"K{n:03d}", f"U{n:03d}") for n in range(25)])], d2=[])
    add_recipients(adapter, [{"sam_recipient_id": n + 1, "uei": f"U{n:03d}"} for n in range(25)])
    SqlAlchemySourceData(adapter.engine).upsert_subawards(
        subaward(f"K{n:03d}", SUB_CONTRACT, "R", "1") for n in range(25)
    )
    rows = files.executive_compensation_rows(SUBMISSION)
    assert next(rows)[0] == "U000"
    rows.close()  # gives the connection back
    subawards = files.subaward_rows(SUBMISSION)
    assert [next(subawards)[0] for _ in range(3)] == ["K000", "K001", "K002"]
    subawards.close()
    assert [row[0] for row in files.executive_compensation_rows(SUBMISSION)] == [
        f"U{n:03d}" for n in range(25)
    ]
    pool = adapter.engine.pool
    assert isinstance(pool, QueuePool)
    assert pool.checkedout() == 0  # every connection given back

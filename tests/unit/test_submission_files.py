"""Files E and F of a submission: column lists, PostgreSQL CSV rendering, chunks and names (spec §5.1-§5.6)."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterator
from decimal import Decimal

import attrs
import pytest

from broker_core.file_types import FileType
from broker_core.generation.submission_files import (
    E_COLUMNS,
    F_COLUMNS,
    pg_text,
    render_row,
    submission_file_chunks,
    submission_file_columns,
    submission_file_header,
    submission_file_lines,
    submission_file_name,
)
from broker_core.generation.submission_ports import SubmissionFileSource
from broker_core.loading import subawards
from broker_core.loading.source_records import SAM_RECIPIENT_COLUMNS, SUBAWARD_COLUMNS

# Spec §5.5, in file order.
E_HEADERS = [
    "AwardeeOrRecipientUEI", "AwardeeOrRecipientLegalEntityName", "UltimateParentUEI",
    "UltimateParentLegalEntityName",
    "HighCompOfficer1FullName", "HighCompOfficer1Amount", "HighCompOfficer2FullName", "HighCompOfficer2Amount",
    "HighCompOfficer3FullName", "HighCompOfficer3Amount", "HighCompOfficer4FullName", "HighCompOfficer4Amount",
    "HighCompOfficer5FullName", "HighCompOfficer5Amount",
]  # fmt: skip
E_SOURCES = [
    "uei", "legal_business_name", "ultimate_parent_uei", "ultimate_parent_legal_enti",
    "high_comp_officer1_full_na", "high_comp_officer1_amount", "high_comp_officer2_full_na",
    "high_comp_officer2_amount", "high_comp_officer3_full_na", "high_comp_officer3_amount",
    "high_comp_officer4_full_na", "high_comp_officer4_amount", "high_comp_officer5_full_na",
    "high_comp_officer5_amount",
]  # fmt: skip

# Spec appendix A.4, in file order.
F_HEADERS = [
    "PrimeAwardUniqueKey", "PrimeAwardID", "ParentAwardID", "PrimeAwardAmount", "ActionDate",
    "PrimeAwardFiscalYear", "AwardingAgencyCode", "AwardingAgencyName", "AwardingSubTierAgencyCode",
    "AwardingSubTierAgencyName", "AwardingOfficeCode", "AwardingOfficeName", "FundingAgencyCode",
    "FundingAgencyName", "FundingSubTierAgencyCode", "FundingSubTierAgencyName", "FundingOfficeCode",
    "FundingOfficeName", "AwardeeOrRecipientUEI", "AwardeeOrRecipientLegalEntityName",
    "Vendor Doing As Business Name", "UltimateParentUEI", "UltimateParentLegalEntityName",
    "LegalEntityCountryCode", "LegalEntityCountryName", "LegalEntityAddressLine1", "LegalEntityCityName",
    "LegalEntityStateCode", "LegalEntityStateName", "LegalEntityZIP+4", "LegalEntityCongressionalDistrict",
    "LegalEntityForeignPostalCode", "PrimeAwardeeBusinessTypes", "PrimaryPlaceOfPerformanceCityName",
    "PrimaryPlaceOfPerformanceStateCode", "PrimaryPlaceOfPerformanceStateName", "PrimaryPlaceOfPerformanceZIP+4",
    "PrimaryPlaceOfPerformanceCongressionalDistrict", "PrimaryPlaceOfPerformanceCountryCode",
    "PrimaryPlaceOfPerformanceCountryName", "AwardDescription", "PrimeAwardProjectTitle", "NAICS",
    "NAICS_Description", "AssistanceListingNumbers", "AssistanceListingTitles", "SubAwardType",
    "SubAwardReportID", "SubAwardReportYear", "SubAwardReportMonth", "SubAwardNumber", "SubAwardAmount",
    "SubAwardActionDate", "SubAwardeeOrRecipientUEI", "SubAwardeeOrRecipientLegalEntityName",
    "SubAwardeeDoingBusinessAsName", "SubAwardeeUltimateParentUEI", "SubAwardeeUltimateParentLegalEntityName",
    "SubAwardeeLegalEntityCountryCode", "SubAwardeeLegalEntityCountryName", "SubAwardeeLegalEntityAddressLine1",
    "SubAwardeeLegalEntityCityName", "SubAwardeeLegalEntityStateCode", "SubAwardeeLegalEntityStateName",
    "SubAwardeeLegalEntityZIP+4", "SubAwardeeLegalEntityCongressionalDistrict",
    "SubAwardeeLegalEntityForeignPostalCode", "SubAwardeeBusinessTypes", "SubAwardPlaceOfPerformanceCityName",
    "SubAwardPlaceOfPerformanceStateCode", "SubAwardPlaceOfPerformanceStateName",
    "SubAwardPlaceOfPerformanceZIP+4", "SubAwardPlaceOfPerformanceCongressionalDistrict",
    "SubAwardPlaceOfPerformanceCountryCode", "SubAwardPlaceOfPerformanceCountryName", "SubAwardDescription",
    "SubAwardeeHighCompOfficer1FullName", "SubAwardeeHighCompOfficer1Amount",
    "SubAwardeeHighCompOfficer2FullName", "SubAwardeeHighCompOfficer2Amount",
    "SubAwardeeHighCompOfficer3FullName", "SubAwardeeHighCompOfficer3Amount",
    "SubAwardeeHighCompOfficer4FullName", "SubAwardeeHighCompOfficer4Amount",
    "SubAwardeeHighCompOfficer5FullName", "SubAwardeeHighCompOfficer5Amount", "SubAwardReportLastModifiedDate",
]  # fmt: skip
# A few source columns of A.4 whose names are easy to get wrong.
F_SOURCES = {
    1: "unique_award_key", 21: "dba_name", 30: "legal_entity_zip", 35: "place_of_perform_state_code",
    38: "place_of_perform_congressio", 47: "subaward_type", 48: "internal_id", 51: "subaward_number",
    54: "sub_awardee_or_recipient_uei", 73: "sub_place_of_perform_congressio", 86: "sub_high_comp_officer5_amount",
    87: "date_submitted",
}  # fmt: skip


# ------------------------------------------------------------------ column lists


def test_e_has_the_14_columns_of_the_spec_in_order() -> None:
    assert len(E_COLUMNS) == 14
    assert [c.header for c in E_COLUMNS] == E_HEADERS
    assert [c.name for c in E_COLUMNS] == E_SOURCES
    assert set(E_SOURCES) <= set(SAM_RECIPIENT_COLUMNS)  # every source is a stored sam_recipient column


def test_f_has_the_87_columns_of_the_spec_in_order() -> None:
    assert len(F_COLUMNS) == 87
    assert [c.header for c in F_COLUMNS] == F_HEADERS
    assert {n: F_COLUMNS[n - 1].name for n in F_SOURCES} == F_SOURCES
    # Every subaward column, in the order the table and SubawardRecord hold them.
    assert [c.name for c in F_COLUMNS] == list(SUBAWARD_COLUMNS)


def test_f_agrees_with_the_subaward_loader_so_a_generated_f_loads_back() -> None:
    assert [(c.name, c.header) for c in F_COLUMNS] == [
        (name, header) for name, header, _ in subawards.COLUMNS
    ]


def test_headers_are_unique_and_none_needs_quoting() -> None:
    for columns in (E_COLUMNS, F_COLUMNS):
        headers = [c.header for c in columns]
        assert len(set(headers)) == len(headers)
        assert not any(ch in h for h in headers for ch in ',"\r\n')


def test_header_rows() -> None:
    assert submission_file_header(FileType.E) == ",".join(E_HEADERS) + "\n"
    assert submission_file_header(FileType.F) == ",".join(F_HEADERS) + "\n"
    assert submission_file_columns(FileType.E) is E_COLUMNS
    assert submission_file_columns(FileType.F) is F_COLUMNS


@pytest.mark.parametrize("file_type", [FileType.A, FileType.B, FileType.C, FileType.D1, FileType.D2])
def test_other_types_are_not_submission_files(file_type: FileType) -> None:
    with pytest.raises(ValueError, match="not a submission file type"):
        submission_file_columns(file_type)
    with pytest.raises(ValueError, match="not a submission file type"):
        submission_file_name(1, file_type, 2017, 6, False, 1)


# ------------------------------------------------------------------ values and rows


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (None, None),
        ("", ""),
        ("plain", "plain"),
        (Decimal("12.50"), "12.50"),
        (Decimal("0.00"), "0.00"),
        (Decimal("-3.10"), "-3.10"),
        (Decimal("1E+3"), "1000"),
        (dt.date(2019, 1, 2), "2019-01-02"),
        (dt.datetime(2020, 1, 2, 3, 4, 5), "2020-01-02 03:04:05"),
        (dt.datetime(2020, 1, 2, 3, 4, 5, 678000), "2020-01-02 03:04:05.678"),
        (dt.datetime(2020, 1, 2, 3, 4, 5, 1), "2020-01-02 03:04:05.000001"),
        (True, "t"),
        (False, "f"),
        (7, "7"),
    ],
)
def test_values_are_written_as_postgresql_prints_them(value: object, text: str | None) -> None:
    assert pg_text(value) == text


def test_null_is_an_empty_field_and_an_empty_string_is_quoted() -> None:
    assert render_row([None, "", "x", None]) == ',"",x,\n'


def test_fields_are_quoted_only_when_needed() -> None:
    row = ["a,b", 'say "hi"', "two\nlines", "cr\rhere", " padded ", "a|b", Decimal("5.00")]
    assert render_row(row) == '"a,b","say ""hi""","two\nlines","cr\rhere", padded ,a|b,5.00\n'


def test_lines_check_the_row_width() -> None:
    row = ("UEI1", None, None, None, *([None] * 10))
    assert list(submission_file_lines(FileType.E, [row])) == ["UEI1" + "," * 13 + "\n"]
    with pytest.raises(ValueError, match="File E rows have 14 values, got 13"):
        list(submission_file_lines(FileType.E, [row[:-1]]))


# ------------------------------------------------------------------ the file stream


@attrs.define
class ListSource:
    """A ``SubmissionFileSource`` over lists, recording what was asked and how far it was read."""

    e_rows: dict[int, list[tuple[object, ...]]] = attrs.Factory(dict)
    f_rows: dict[int, list[tuple[object, ...]]] = attrs.Factory(dict)
    asked: list[tuple[str, int]] = attrs.Factory(list)
    read: int = 0

    def _rows(self, rows: list[tuple[object, ...]]) -> Iterator[tuple[object, ...]]:
        for row in rows:
            self.read += 1
            yield row

    def executive_compensation_rows(self, submission_id: int) -> Iterator[tuple[object, ...]]:
        self.asked.append(("E", submission_id))
        return self._rows(self.e_rows.get(submission_id, []))

    def subaward_rows(self, submission_id: int) -> Iterator[tuple[object, ...]]:
        self.asked.append(("F", submission_id))
        return self._rows(self.f_rows.get(submission_id, []))


def e_row(uei: str, name: str | None = None, amount: Decimal | None = None) -> tuple[object, ...]:
    return (uei, name, None, None, "Officer, One" if amount else None, amount, *([None] * 8))


def f_row(key: str, number: str, amount: Decimal | None = None) -> tuple[object, ...]:
    values: list[object] = [None] * 87
    values[0], values[46], values[47], values[50], values[51] = key, "sub-contract", "R1", number, amount
    values[52] = dt.date(2020, 5, 6)
    values[86] = dt.datetime(2020, 5, 7, 8, 9, 10, 500000)
    return tuple(values)


def test_the_e_file_is_the_header_then_every_row() -> None:
    source = ListSource(e_rows={7: [e_row("AAA", "Acme", Decimal("100.00")), e_row("BBB", "")]})
    text = b"".join(submission_file_chunks(FileType.E, source, 7)).decode()
    assert text == (
        submission_file_header(FileType.E)
        + 'AAA,Acme,,,"Officer, One",100.00' + "," * 8 + "\n"
        + 'BBB,"",' + "," * 11 + "\n"
    )  # fmt: skip
    assert source.asked == [("E", 7)]
    # Read back as CSV: 14 fields everywhere, the quoted comma kept.
    records = list(csv.reader(io.StringIO(text, newline="")))
    assert [len(r) for r in records] == [14, 14, 14]
    assert records[1][4] == "Officer, One"


def test_the_f_file_renders_dates_timestamps_and_amounts_as_stored() -> None:
    source = ListSource(f_rows={7: [f_row("K1", "S1", Decimal("12.30"))]})
    text = b"".join(submission_file_chunks(FileType.F, source, 7)).decode()
    header, line = text.splitlines(keepends=True)
    assert header == submission_file_header(FileType.F)
    fields = line.rstrip("\n").split(",")
    assert len(fields) == 87
    assert fields[0] == "K1" and fields[46] == "sub-contract" and fields[50] == "S1"
    assert fields[51] == "12.30" and fields[52] == "2020-05-06" and fields[86] == "2020-05-07 08:09:10.5"
    assert fields[1] == "" and text.count('""') == 0  # NULLs are empty, never quoted


def test_an_empty_file_is_the_header_alone() -> None:
    source = ListSource()
    assert (
        b"".join(submission_file_chunks(FileType.F, source, 3)) == submission_file_header(FileType.F).encode()
    )
    assert source.asked == [("F", 3)]


def test_rows_are_streamed_chunk_by_chunk() -> None:
    rows = [e_row(f"UEI{n:03d}", "x" * 50) for n in range(100)]
    source = ListSource(e_rows={1: rows})
    counts: list[int] = []
    chunks = submission_file_chunks(FileType.E, source, 1, chunk_bytes=200, progress=counts.append)
    first = next(chunks)
    assert first.startswith(b"AwardeeOrRecipientUEI,")
    assert source.read < len(rows)  # not read ahead
    rest = list(chunks)
    assert len(rest) > 10
    assert source.read == len(rows)
    assert counts[-1] == len(rows) and counts == sorted(counts)
    whole = (first + b"".join(rest)).decode()
    assert whole.count("\n") == len(rows) + 1


def test_the_list_source_is_a_submission_file_source() -> None:
    source: SubmissionFileSource = ListSource()
    assert list(source.subaward_rows(1)) == []


# ------------------------------------------------------------------ names


@pytest.mark.parametrize(
    ("file_type", "year", "period", "quarterly", "name"),
    [
        (FileType.E, 2017, 6, False, "SubID-1000_File-E_FY17P06_1500000000.csv"),
        (FileType.F, 2017, 6, False, "SubID-1000_File-F_FY17P06_1500000000.csv"),
        (FileType.E, 2017, 6, True, "SubID-1000_File-E_FY17Q2_1500000000.csv"),
        (FileType.F, 2021, 12, True, "SubID-1000_File-F_FY21Q4_1500000000.csv"),
        (FileType.E, 2020, 2, False, "SubID-1000_File-E_FY20P01-P02_1500000000.csv"),
        (FileType.F, 2009, 10, False, "SubID-1000_File-F_FY09P10_1500000000.csv"),
    ],
)
def test_file_names(file_type: FileType, year: int, period: int, quarterly: bool, name: str) -> None:
    assert submission_file_name(1000, file_type, year, period, quarterly, 1500000000) == name

"""Files E (executive compensation) and F (subawards) of a DABS submission (spec §5.5, §5.6, A.4).

Both are generated inside a submission only, from the submission's staged D1 and D2 rows and the
loaded source data (``sam_recipient``, ``subaward``). A :class:`SubmissionFileSource` streams the
rows as stored, one tuple per row in the column order of :data:`E_COLUMNS` / :data:`F_COLUMNS`;
this module turns them into PostgreSQL CSV text as the original's ``psql \\copy ... CSV HEADER``
did (spec §5.1): always comma CSV, the header from the column list, NULL as an empty field, an
empty string as ``""``, amounts with their stored scale, dates ``YYYY-MM-DD``, timestamps
``YYYY-MM-DD HH:MM:SS[.ffffff]`` (trailing zeros of the fraction dropped), booleans ``t``/``f``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator, Sequence
from decimal import Decimal

from broker_core.file_types import FileType
from broker_core.generation.columns import AGENCY_COLUMNS, Column
from broker_core.generation.model import FileFormat
from broker_core.generation.periods import fyp
from broker_core.generation.rendering import file_chunks, render_line
from broker_core.generation.submission_ports import SubmissionFileSource

# fmt: off
#: File E (14 columns, spec §5.5): the recipient, its ultimate parent, then name and amount of the
#: five highest-compensated officers, interleaved. Source: ``sam_recipient``.
E_COLUMNS: tuple[Column, ...] = (
    Column("uei", "AwardeeOrRecipientUEI"),
    Column("legal_business_name", "AwardeeOrRecipientLegalEntityName"),
    Column("ultimate_parent_uei", "UltimateParentUEI"),
    Column("ultimate_parent_legal_enti", "UltimateParentLegalEntityName"),
    *(
        column
        for n in range(1, 6)
        for column in (
            Column(f"high_comp_officer{n}_full_na", f"HighCompOfficer{n}FullName"),
            Column(f"high_comp_officer{n}_amount", f"HighCompOfficer{n}Amount"),
        )
    ),
)

#: File F (87 columns, spec A.4). Source: ``subaward``; ``Vendor Doing As Business Name`` (sic).
F_COLUMNS: tuple[Column, ...] = (
    Column("unique_award_key", "PrimeAwardUniqueKey"),
    Column("award_id", "PrimeAwardID"),
    Column("parent_award_id", "ParentAwardID"),
    Column("award_amount", "PrimeAwardAmount"),
    Column("action_date", "ActionDate"),
    Column("fy", "PrimeAwardFiscalYear"),
    *AGENCY_COLUMNS,
    Column("awardee_or_recipient_uei", "AwardeeOrRecipientUEI"),
    Column("awardee_or_recipient_legal", "AwardeeOrRecipientLegalEntityName"),
    Column("dba_name", "Vendor Doing As Business Name"),
    Column("ultimate_parent_uei", "UltimateParentUEI"),
    Column("ultimate_parent_legal_enti", "UltimateParentLegalEntityName"),
    Column("legal_entity_country_code", "LegalEntityCountryCode"),
    Column("legal_entity_country_name", "LegalEntityCountryName"),
    Column("legal_entity_address_line1", "LegalEntityAddressLine1"),
    Column("legal_entity_city_name", "LegalEntityCityName"),
    Column("legal_entity_state_code", "LegalEntityStateCode"),
    Column("legal_entity_state_name", "LegalEntityStateName"),
    Column("legal_entity_zip", "LegalEntityZIP+4"),
    Column("legal_entity_congressional", "LegalEntityCongressionalDistrict"),
    Column("legal_entity_foreign_posta", "LegalEntityForeignPostalCode"),
    Column("business_types", "PrimeAwardeeBusinessTypes"),
    Column("place_of_perform_city_name", "PrimaryPlaceOfPerformanceCityName"),
    Column("place_of_perform_state_code", "PrimaryPlaceOfPerformanceStateCode"),
    Column("place_of_perform_state_name", "PrimaryPlaceOfPerformanceStateName"),
    Column("place_of_performance_zip", "PrimaryPlaceOfPerformanceZIP+4"),
    Column("place_of_perform_congressio", "PrimaryPlaceOfPerformanceCongressionalDistrict"),
    Column("place_of_perform_country_co", "PrimaryPlaceOfPerformanceCountryCode"),
    Column("place_of_perform_country_na", "PrimaryPlaceOfPerformanceCountryName"),
    Column("award_description", "AwardDescription"),
    Column("program_title", "PrimeAwardProjectTitle"),
    Column("naics", "NAICS"),
    Column("naics_description", "NAICS_Description"),
    Column("assistance_listing_numbers", "AssistanceListingNumbers"),
    Column("assistance_listing_titles", "AssistanceListingTitles"),
    Column("subaward_type", "SubAwardType"),
    Column("internal_id", "SubAwardReportID"),
    Column("subaward_report_year", "SubAwardReportYear"),
    Column("subaward_report_month", "SubAwardReportMonth"),
    Column("subaward_number", "SubAwardNumber"),
    Column("subaward_amount", "SubAwardAmount"),
    Column("sub_action_date", "SubAwardActionDate"),
    Column("sub_awardee_or_recipient_uei", "SubAwardeeOrRecipientUEI"),
    Column("sub_awardee_or_recipient_legal", "SubAwardeeOrRecipientLegalEntityName"),
    Column("sub_dba_name", "SubAwardeeDoingBusinessAsName"),
    Column("sub_ultimate_parent_uei", "SubAwardeeUltimateParentUEI"),
    Column("sub_ultimate_parent_legal_enti", "SubAwardeeUltimateParentLegalEntityName"),
    Column("sub_legal_entity_country_code", "SubAwardeeLegalEntityCountryCode"),
    Column("sub_legal_entity_country_name", "SubAwardeeLegalEntityCountryName"),
    Column("sub_legal_entity_address_line1", "SubAwardeeLegalEntityAddressLine1"),
    Column("sub_legal_entity_city_name", "SubAwardeeLegalEntityCityName"),
    Column("sub_legal_entity_state_code", "SubAwardeeLegalEntityStateCode"),
    Column("sub_legal_entity_state_name", "SubAwardeeLegalEntityStateName"),
    Column("sub_legal_entity_zip", "SubAwardeeLegalEntityZIP+4"),
    Column("sub_legal_entity_congressional", "SubAwardeeLegalEntityCongressionalDistrict"),
    Column("sub_legal_entity_foreign_posta", "SubAwardeeLegalEntityForeignPostalCode"),
    Column("sub_business_types", "SubAwardeeBusinessTypes"),
    Column("sub_place_of_perform_city_name", "SubAwardPlaceOfPerformanceCityName"),
    Column("sub_place_of_perform_state_code", "SubAwardPlaceOfPerformanceStateCode"),
    Column("sub_place_of_perform_state_name", "SubAwardPlaceOfPerformanceStateName"),
    Column("sub_place_of_performance_zip", "SubAwardPlaceOfPerformanceZIP+4"),
    Column("sub_place_of_perform_congressio", "SubAwardPlaceOfPerformanceCongressionalDistrict"),
    Column("sub_place_of_perform_country_co", "SubAwardPlaceOfPerformanceCountryCode"),
    Column("sub_place_of_perform_country_na", "SubAwardPlaceOfPerformanceCountryName"),
    Column("subaward_description", "SubAwardDescription"),
    Column("sub_high_comp_officer1_full_na", "SubAwardeeHighCompOfficer1FullName"),
    Column("sub_high_comp_officer1_amount", "SubAwardeeHighCompOfficer1Amount"),
    Column("sub_high_comp_officer2_full_na", "SubAwardeeHighCompOfficer2FullName"),
    Column("sub_high_comp_officer2_amount", "SubAwardeeHighCompOfficer2Amount"),
    Column("sub_high_comp_officer3_full_na", "SubAwardeeHighCompOfficer3FullName"),
    Column("sub_high_comp_officer3_amount", "SubAwardeeHighCompOfficer3Amount"),
    Column("sub_high_comp_officer4_full_na", "SubAwardeeHighCompOfficer4FullName"),
    Column("sub_high_comp_officer4_amount", "SubAwardeeHighCompOfficer4Amount"),
    Column("sub_high_comp_officer5_full_na", "SubAwardeeHighCompOfficer5FullName"),
    Column("sub_high_comp_officer5_amount", "SubAwardeeHighCompOfficer5Amount"),
    Column("date_submitted", "SubAwardReportLastModifiedDate"),
)
# fmt: on

#: The file types generated from a submission's own data.
SUBMISSION_FILE_TYPES = (FileType.E, FileType.F)

_COLUMNS = {FileType.E: E_COLUMNS, FileType.F: F_COLUMNS}


def submission_file_columns(file_type: FileType) -> tuple[Column, ...]:
    """The columns of file E or F, in file order; ValueError for any other type."""
    try:
        return _COLUMNS[file_type]
    except KeyError:
        raise ValueError(f"{file_type.letter} is not a submission file type (E or F)") from None


def submission_file_header(file_type: FileType) -> str:
    """The header row of file E or F (comma CSV, ``\\n``-terminated)."""
    return render_line([column.header for column in submission_file_columns(file_type)])


def _timestamp_text(value: dt.datetime) -> str:
    text = (
        f"{value.year:04d}-{value.month:02d}-{value.day:02d} "
        f"{value.hour:02d}:{value.minute:02d}:{value.second:02d}"
    )
    if value.microsecond:
        text += f".{value.microsecond:06d}".rstrip("0")
    return text


def pg_text(value: object) -> str | None:
    """A stored value as PostgreSQL's text output shows it (what ``\\copy ... CSV`` writes); NULL → None."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, Decimal):
        return format(value, "f")  # keeps the stored scale: 12.50 stays 12.50
    if isinstance(value, dt.datetime):  # before date: a datetime is a date
        return _timestamp_text(value)
    if isinstance(value, dt.date):
        return f"{value.year:04d}-{value.month:02d}-{value.day:02d}"
    return str(value)


def render_row(row: Sequence[object]) -> str:
    """One stored row as a comma CSV line in PostgreSQL's form."""
    return render_line([pg_text(value) for value in row])


def submission_file_lines(file_type: FileType, rows: Iterable[Sequence[object]]) -> Iterator[str]:
    """The data lines of file E or F (no header); ValueError if a row has the wrong number of values."""
    width = len(submission_file_columns(file_type))
    for row in rows:
        if len(row) != width:
            raise ValueError(f"File {file_type.letter} rows have {width} values, got {len(row)}")
        yield render_row(row)


def source_rows(
    file_type: FileType, source: SubmissionFileSource, submission_id: int
) -> Iterator[tuple[object, ...]]:
    """The rows of file E or F of a submission, as the source streams them."""
    if file_type is FileType.E:
        return source.executive_compensation_rows(submission_id)
    if file_type is FileType.F:
        return source.subaward_rows(submission_id)
    raise ValueError(f"{file_type.letter} is not a submission file type (E or F)")


def submission_file_chunks(
    file_type: FileType,
    source: SubmissionFileSource,
    submission_id: int,
    *,
    chunk_bytes: int = 1 << 20,
    progress: Callable[[int], None] | None = None,
) -> Iterator[bytes]:
    """File E or F of a submission as UTF-8 chunks: the header row, then every row streamed from ``source``.

    Only one chunk is held at a time. ``progress`` hears the number of rows written so far, as in
    :func:`~broker_core.generation.rendering.file_chunks`.
    """
    header = submission_file_header(file_type)
    lines = submission_file_lines(file_type, source_rows(file_type, source, submission_id))
    return file_chunks(header, lines, FileFormat.CSV, chunk_bytes=chunk_bytes, progress=progress)


def submission_file_name(
    submission_id: int,
    file_type: FileType,
    fiscal_year: int,
    period: int,
    quarterly: bool,
    timestamp: int,
) -> str:
    """``SubID-1000_File-E_FY17P06_123456789.csv`` (spec §5.2); always csv.

    ``fiscal_year``/``period``/``quarterly`` are the submission's reporting period (``FY17Q2`` for
    a quarterly submission, ``FY17P01-P02`` for period 1 or 2); ``timestamp`` is whole seconds since
    the Unix epoch when the job's file name is assigned.
    """
    submission_file_columns(file_type)  # E or F only
    tag = fyp(fiscal_year, period, quarterly)
    return f"SubID-{submission_id}_File-{file_type.letter}_{tag}_{timestamp}.csv"

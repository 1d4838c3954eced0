"""Header rows: long vs short names, normalisation, aliases, flex and unknown columns (spec §2.4)."""

from __future__ import annotations

import pytest

from broker_core.file_types import FileType
from broker_core.validation.headers import (
    ALIASES,
    HeaderError,
    map_headers,
    normalise_header,
    uses_long_headers,
)
from broker_core.validation.schema import schema_for

A = schema_for(FileType.A)
B = schema_for(FileType.B)
A_LONG = [field.name for field in A.fields]
A_SHORT = [field.short_name for field in A.fields]


def test_long_headers_map_to_short_names() -> None:
    headers = map_headers(A_LONG, A)
    assert headers.long_headers
    assert headers.columns == tuple(A_SHORT)
    assert not headers.has_errors
    assert headers.expected == tuple(enumerate(A_SHORT))


def test_short_headers() -> None:
    headers = map_headers(list(reversed(A_SHORT)), A)
    assert not headers.long_headers
    assert headers.columns == tuple(reversed(A_SHORT))
    assert not headers.has_errors


def test_mixed_case_and_stray_spaces_are_accepted() -> None:
    long_cells = [f"  {name.upper()} " for name in A_LONG]
    assert map_headers(long_cells, A).columns == tuple(A_SHORT)
    short_cells = [f"{name.upper()}\t" for name in A_SHORT]
    assert map_headers(short_cells, A).columns == tuple(A_SHORT)


def test_short_name_mixed_into_a_long_header_file_still_matches() -> None:
    cells = [*A_LONG[:-1], A_SHORT[-1]]
    headers = map_headers(cells, A)
    assert headers.long_headers
    assert headers.columns == tuple(A_SHORT)


def test_more_than_half_must_match_for_long_headers() -> None:
    half = A_LONG[:10] + A_SHORT[10:]
    assert not uses_long_headers(half, A)  # exactly 50 %: short mode, so the long half is unknown
    headers = map_headers(half, A)
    assert headers.missing == tuple(A_LONG[:10])
    assert uses_long_headers(A_LONG[:11] + A_SHORT[11:], A)


def test_missing_and_duplicated_are_listed_in_schema_order_by_gsdm_name() -> None:
    cells = [name for name in A_LONG if name not in ("SubAccountCode", "AgencyIdentifier")]
    cells += ["MainAccountCode", "AvailabilityTypeCode", "MainAccountCode"]
    headers = map_headers(cells, A)
    assert headers.missing == ("AgencyIdentifier", "SubAccountCode")
    assert headers.duplicated == ("AvailabilityTypeCode", "MainAccountCode")
    with pytest.raises(HeaderError) as caught:
        headers.raise_for_errors()
    assert caught.value.missing == ("AgencyIdentifier", "SubAccountCode")
    assert caught.value.duplicated == ("AvailabilityTypeCode", "MainAccountCode")
    assert str(caught.value) == (
        "The file has errors in the header row (duplicated: AvailabilityTypeCode, MainAccountCode; "
        "missing: AgencyIdentifier, SubAccountCode)."
    )


def test_flex_columns_are_kept_and_unknown_columns_ignored() -> None:
    cells = [*A_SHORT, "flex_field_a", "FLEX_Field_B ", "FLEX(ANOTHER)", "something_else", "flex_field_a", ""]
    headers = map_headers(cells, A)
    width = len(A_SHORT)
    assert headers.flex == ((width, "flex_field_a"), (width + 1, "flex_field_b"), (width + 4, "flex_field_a"))
    assert headers.columns[width:] == (None,) * 6
    assert not headers.has_errors  # duplicated flex and unknown columns are not checked
    assert normalise_header("FLEX(ANOTHER)") == "flex(another)"


def test_headers_with_spaces_or_punctuation_do_not_match() -> None:
    cells = [name for name in A_LONG if name != "AllocationTransferAgencyIdentifier"]
    cells.append("Allocation Transfer Agency Identifier")
    assert map_headers(cells, A).missing == ("AllocationTransferAgencyIdentifier",)
    short = [name for name in A_SHORT if name != "agency_identifier"] + ["agency identifier"]
    assert map_headers(short, A).missing == ("AgencyIdentifier",)


@pytest.mark.parametrize(("old", "new"), sorted(ALIASES.items()))
def test_alias_rewrites(old: str, new: str) -> None:
    assert normalise_header(f" {old.upper()} ") == new


def test_aliases_map_in_files() -> None:
    a_cells = [
        "BudgetAuthorityAvailableAmountTotal_CPE" if name == "TotalBudgetaryResources_CPE" else name
        for name in A_LONG
    ]
    a_cells = [
        "DeobligationsRecoveriesRefundsByTAS_CPE"
        if name == "DeobligationsRecoveriesRefundsOfPriorYearByTAS_CPE"
        else name
        for name in a_cells
    ]
    headers = map_headers(a_cells, A)
    assert not headers.has_errors
    assert "total_budgetary_resources_cpe" in headers.columns
    assert "deobligations_recoveries_r_cpe" in headers.columns

    b_long = [field.name for field in B.fields]
    misspelt = "DeobligationsRecoveriesRefundsdOfPriorYearByProgramObjectClass_CPE"
    b_cells = [
        "DeobligationsRecoveriesRefundsOfPriorYearByProgramObjectClass_CPE" if name == misspelt else name
        for name in b_long
    ]
    headers = map_headers(b_cells, B)
    assert not headers.has_errors
    assert "deobligations_recov_by_pro_cpe" in headers.columns


def test_alias_is_whole_cell_only() -> None:
    assert normalise_header("cfda_number_2") == "cfda_number_2"


def test_empty_header_misses_every_field() -> None:
    headers = map_headers([], A)
    assert headers.missing == tuple(A_LONG)
    assert len(headers.missing) == 20
    assert headers.duplicated == ()


def test_byte_order_mark_spoils_the_first_header() -> None:
    cells = ["\ufeff" + A_SHORT[0], *A_SHORT[1:]]
    assert map_headers(cells, A).missing == (A.fields[0].name,)

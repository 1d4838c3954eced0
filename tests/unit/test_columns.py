"""Column lists and kinds of the generated files (appendix A.1-A.3)."""

from __future__ import annotations

import pytest

from broker_core.file_types import FileType
from broker_core.generation.columns import A_COLUMNS, D1_COLUMNS, D2_COLUMNS, Column, ColumnKind, columns_for


def names(columns: tuple[Column, ...], kind: ColumnKind) -> set[str]:
    return {c.name for c in columns if c.kind is kind}


def test_counts() -> None:
    assert (len(D1_COLUMNS), len(D2_COLUMNS), len(A_COLUMNS)) == (267, 76, 21)
    for columns in (D1_COLUMNS, D2_COLUMNS, A_COLUMNS):
        assert len({c.name for c in columns}) == len(columns)
        assert len({c.header.lower() for c in columns}) == len(columns)


def test_d1_kinds() -> None:
    assert names(D1_COLUMNS, ColumnKind.DATE) == {
        "action_date", "period_of_performance_star", "period_of_performance_curr", "period_of_perf_potential_e",
        "ordering_period_end_date", "solicitation_date", "last_modified",
    }  # fmt: skip
    assert names(D1_COLUMNS, ColumnKind.DECIMAL) == {
        "federal_action_obligation", "total_obligated_amount", "base_exercised_options_val",
        "current_total_value_award", "base_and_all_options_value", "potential_total_value_awar",
    }  # fmt: skip
    booleans = names(D1_COLUMNS, ColumnKind.BOOLEAN)
    assert len(booleans) == 91
    # The vendor flag block (columns 174-266) minus its three coded columns, plus 10K.
    block = {c.name for c in D1_COLUMNS[173:266]}
    assert booleans == block - {
        "contracting_officers_deter",
        "contracting_officers_desc",
        "organizational_type",
    } | {"small_business_competitive"}
    assert {
        "sba_cert_women_own_small_bus",
        "ser_disabvet_own_bus_join_ven",
        "contracts",
        "grants",
    } <= booleans
    assert not names(D1_COLUMNS, ColumnKind.INTEGER)


def test_d2_kinds() -> None:
    assert names(D2_COLUMNS, ColumnKind.DATE) == {
        "action_date", "period_of_performance_star", "period_of_performance_curr", "modified_at",
    }  # fmt: skip
    assert names(D2_COLUMNS, ColumnKind.DECIMAL) == {
        "total_funding_amount", "federal_action_obligation", "non_federal_funding_amount",
        "indirect_federal_sharing", "face_value_loan_guarantee", "original_loan_subsidy_cost",
    }  # fmt: skip
    assert names(D2_COLUMNS, ColumnKind.INTEGER) == {"record_type"}
    assert not names(D2_COLUMNS, ColumnKind.BOOLEAN)


def test_a_kinds() -> None:
    assert [c.kind for c in A_COLUMNS] == [ColumnKind.TEXT] * 7 + [ColumnKind.DECIMAL] * 13 + [
        ColumnKind.TEXT
    ]


def test_columns_for() -> None:
    assert columns_for(FileType.D1) is D1_COLUMNS
    assert columns_for(FileType.D2) is D2_COLUMNS
    assert columns_for(FileType.A) is A_COLUMNS
    with pytest.raises(ValueError):
        columns_for(FileType.B)

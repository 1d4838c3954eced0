"""TAS concatenation and display rules (modelled on the original's test_tas_concats)."""

from __future__ import annotations

import pytest

from broker_core.tas import concat_tas, display_tas

CASES = [
    # (ata, aid, bpoa, epoa, atc, main, sub), concatenated, display
    (("097", "017", "2017", "2017", "D", "0001", "001"), "09701720172017D0001001", "097-017-D-0001-001"),
    (
        ("097", "017", "2017", "2017", None, "0001", "001"),
        "09701720172017 0001001",
        "097-017-2017/2017-0001-001",
    ),
    ((None, "017", "2017", "2017", "D", "0001", "001"), "00001720172017D0001001", "017-D-0001-001"),
    (("097", None, "2017", "2017", "D", "0001", "001"), "09700020172017D0001001", "097-D-0001-001"),
    (("097", "017", None, None, None, "0001", "001"), "09701700000000 0001001", "097-017-0001-001"),
    (("097", "017", None, "2017", None, "0001", "001"), "09701700002017 0001001", "097-017-2017-0001-001"),
    (("097", "017", "2017", "2017", "D", None, None), "09701720172017D0000000", "097-017-D"),
    ((None, None, None, None, None, None, None), "00000000000000 0000000", ""),
    ((None, "019", None, None, "X", "0306", "000"), "00001900000000X0306000", "019-X-0306-000"),
    (("019", "072", None, None, "X", "0306", "000"), "01907200000000X0306000", "019-072-X-0306-000"),
    ((None, "019", "2016", "2016", None, "0113", "000"), "00001920162016 0113000", "019-2016/2016-0113-000"),
]


@pytest.mark.parametrize(("parts", "concatenated", "shown"), CASES)
def test_concat_and_display(parts: tuple[str | None, ...], concatenated: str, shown: str) -> None:
    assert concat_tas(*parts) == concatenated
    assert display_tas(*parts) == shown


def test_blank_and_padded_parts_count_as_missing() -> None:
    assert concat_tas("  ", " 017 ", "", "\t", " ", " 0001", "001 ") == "00001700000000 0001001"
    assert display_tas("  ", " 017 ", "", "\t", " ", " 0001", "001 ") == "017-0001-001"


def test_type_code_wins_over_the_period_of_availability() -> None:
    assert display_tas("020", "020", "2016", "2017", "X", "5688", "000") == "020-020-X-5688-000"
    assert display_tas(None, "020", "2016", None, None, "5688", "000") == "020-2016-5688-000"

"""Narratives: normalising a POST body and the GET view."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from broker_core.errors import RequestInvalid
from broker_core.submissions.narratives import (
    NARRATIVE_LETTERS,
    NOT_AN_OBJECT,
    VIEW_LETTERS,
    narrative_view,
    normalise_narratives,
)


def test_letters() -> None:
    assert NARRATIVE_LETTERS == ("A", "B", "C", "D1", "D2", "E", "F")
    assert VIEW_LETTERS == ("A", "B", "C", "D1", "D2", "E", "F", "D2_detached")


def test_normalise() -> None:
    body = {
        "a": "  Some new text ",
        "C": "We didn't include B",
        "D1": "",
        "D2": "   ",
        "f": "Or E, for some reason",
        "e": 5,
        "Z": "unknown letter",
        "D2_detached": "cannot be set",
        " b ": "padded key",
    }
    assert normalise_narratives(body) == {
        "A": "Some new text",
        "C": "We didn't include B",
        "F": "Or E, for some reason",
        "B": "padded key",
    }


def test_later_non_blank_key_wins() -> None:
    assert normalise_narratives({"a": "first", "A": "second"}) == {"A": "second"}
    assert normalise_narratives({"a": "first", "A": " "}) == {"A": "first"}


@pytest.mark.parametrize("body", [None, [], ["A"], "A=text", 3, b"{}"])
def test_non_object_body_is_refused(body: object) -> None:
    # quirk 8: the original deleted every narrative instead
    with pytest.raises(RequestInvalid) as info:
        normalise_narratives(body)
    assert (info.value.status, info.value.message) == (400, NOT_AN_OBJECT)


def test_empty_object_clears() -> None:
    assert normalise_narratives({}) == {}


def test_view_has_every_letter() -> None:
    assert narrative_view({"A": "AAAAAA", "E": "E2E2E2", "Q": "ignored"}) == {
        "A": "AAAAAA",
        "B": "",
        "C": "",
        "D1": "",
        "D2": "",
        "E": "E2E2E2",
        "F": "",
        "D2_detached": "",
    }


@given(st.dictionaries(st.text(max_size=4), st.one_of(st.text(max_size=8), st.integers(), st.none())))
def test_normalised_narratives_are_clean(body: dict[str, object]) -> None:
    result = normalise_narratives(body)
    assert set(result) <= set(NARRATIVE_LETTERS)
    assert all(text and text == text.strip() for text in result.values())
    # storing and reading back shows exactly what was stored
    view = narrative_view(result)
    assert [view[letter] for letter in VIEW_LETTERS] == [result.get(letter, "") for letter in VIEW_LETTERS]
    # normalising is idempotent
    assert normalise_narratives(result) == result

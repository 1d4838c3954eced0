"""Submission narratives: the per-file notes agencies attach to a submission."""

from __future__ import annotations

from collections.abc import Mapping

from broker_core.errors import RequestInvalid

#: Letters a narrative can be written for (keys of a POST body, upper-cased).
NARRATIVE_LETTERS: tuple[str, ...] = ("A", "B", "C", "D1", "D2", "E", "F")
#: Letters a GET answers with. ``D2_detached`` (FABS) is shown for the clients that expect
#: it but cannot be written: keys are upper-cased, so it never matches.
VIEW_LETTERS: tuple[str, ...] = (*NARRATIVE_LETTERS, "D2_detached")

NOT_AN_OBJECT = "Narratives must be a JSON object of file letters to text"


def normalise_narratives(body: object) -> dict[str, str]:
    """The narratives to store from a POST body: letter -> trimmed text.

    Keys are matched upper-cased and trimmed; unknown keys, non-text values and blank texts
    are dropped (dropping one deletes that narrative, since the result replaces them all).
    If two keys name the same letter, the later non-blank one wins. A body that is not an object is
    refused: the original read it as "no narratives" and silently deleted them all.
    """
    if not isinstance(body, Mapping):
        raise RequestInvalid(NOT_AN_OBJECT)
    narratives: dict[str, str] = {}
    for key, value in body.items():
        if not isinstance(key, str) or not isinstance(value, str):
            continue
        letter = key.strip().upper()
        text = value.strip()
        if letter in NARRATIVE_LETTERS and text:
            narratives[letter] = text
    return narratives


def narrative_view(stored: Mapping[str, str]) -> dict[str, str]:
    """Every letter of :data:`VIEW_LETTERS`, with the stored text or ""."""
    return {letter: stored.get(letter, "") for letter in VIEW_LETTERS}

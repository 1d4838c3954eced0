"""The header row of a submission file: which column holds which field (spec §2.4).

Matching is deliberately literal: a header cell is only lowercased and trimmed, so spaces,
punctuation and parentheses must match exactly ("Allocation Transfer Agency Identifier" is not
``allocationtransferagencyidentifier``; "FLEX(ANOTHER)" is the unknown column ``flex(another)``).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

import attrs

from broker_core.validation.schema import FileSchema

FLEX_PREFIX = "flex_"

# Old or misspelt header names rewritten to what the schema uses, whole cell only. The first one goes the
# "wrong" way on purpose: the schema's GSDM name keeps the published typo ("refundsdof").
ALIASES: dict[str, str] = {
    "deobligationsrecoveriesrefundsofprioryearbyprogramobjectclass_cpe": (
        "deobligationsrecoveriesrefundsdofprioryearbyprogramobjectclass_cpe"
    ),
    "facevalueloanguarantee": "facevalueofdirectloanorloanguarantee",
    "budgetauthorityavailableamounttotal_cpe": "totalbudgetaryresources_cpe",
    "correctionlatedeleteindicator": "correctiondeleteindicator",
    "place_of_performance_zip4": "place_of_performance_zip4a",
    "deobligationsrecoveriesrefundsbytas_cpe": "deobligationsrecoveriesrefundsofprioryearbytas_cpe",
    "cfda_number": "assistancelistingnumber",
}


class HeaderError(Exception):
    """The header row lacks expected columns or repeats some; names are GSDM names in schema order."""

    def __init__(self, missing: Sequence[str], duplicated: Sequence[str]) -> None:
        self.missing = tuple(missing)
        self.duplicated = tuple(duplicated)
        parts = []
        if self.duplicated:
            parts.append("duplicated: " + ", ".join(self.duplicated))
        if self.missing:
            parts.append("missing: " + ", ".join(self.missing))
        super().__init__("The file has errors in the header row (" + "; ".join(parts) + ").")


@attrs.frozen
class HeaderMap:
    """What each column of the file is.

    ``columns[i]`` is the short name of an expected field for column ``i``, or ``None`` for flex and
    unknown columns (unknown columns are silently dropped). ``flex`` lists ``(index, header)`` of the
    ``flex_…`` columns, header normalised. ``missing``/``duplicated`` hold GSDM names in schema order;
    when either is non-empty the file must not be read (see :meth:`raise_for_errors`).
    """

    width: int
    columns: tuple[str | None, ...]
    flex: tuple[tuple[int, str], ...]
    long_headers: bool
    missing: tuple[str, ...]
    duplicated: tuple[str, ...]

    @property
    def has_errors(self) -> bool:
        return bool(self.missing or self.duplicated)

    @property
    def expected(self) -> tuple[tuple[int, str], ...]:
        """``(index, short name)`` of every column that holds an expected field."""
        return tuple((index, name) for index, name in enumerate(self.columns) if name is not None)

    def raise_for_errors(self) -> None:
        if self.has_errors:
            raise HeaderError(self.missing, self.duplicated)


def normalise_header(cell: str) -> str:
    """Lowercase and trim a header cell, then apply the legacy aliases (no GSDM mapping)."""
    text = cell.strip().lower()
    return ALIASES.get(text, text)


def uses_long_headers(cells: Sequence[str], schema: FileSchema) -> bool:
    """True when more than half of the cells, lowercased and trimmed, are GSDM names of the schema."""
    matches = sum(1 for cell in cells if schema.long_to_short(cell.strip().lower()) is not None)
    return matches * 2 > len(cells)


def map_headers(cells: Sequence[str], schema: FileSchema) -> HeaderMap:
    """Classify each header cell as an expected field, a flex column or an unknown column."""
    long_headers = uses_long_headers(cells, schema)
    columns: list[str | None] = []
    flex: list[tuple[int, str]] = []
    seen: Counter[str] = Counter()
    for index, cell in enumerate(cells):
        header = normalise_header(cell)
        if long_headers:
            # A short name mixed into a long-header file still matches: unmapped cells stay as they are.
            header = schema.long_to_short(header) or header
        if header in schema.by_short_name:
            columns.append(header)
            seen[header] += 1
            continue
        columns.append(None)
        if header.startswith(FLEX_PREFIX):
            flex.append((index, header))
    return HeaderMap(
        width=len(cells),
        columns=tuple(columns),
        flex=tuple(flex),
        long_headers=long_headers,
        missing=tuple(field.name for field in schema.fields if seen[field.short_name] == 0),
        duplicated=tuple(field.name for field in schema.fields if seen[field.short_name] > 1),
    )

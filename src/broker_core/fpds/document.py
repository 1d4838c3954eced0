"""One FPDS contract document (an ``award`` or an ``IDV``) as the feed parser hands it to the core.

The parser (``broker_adapters.fpds.parser``) flattens the XML into plain
strings keyed by the element's path of local names below the document
element, so the core never sees XML, namespaces or prefixes:

* ``"awardID/awardContractID/PIID"`` -> the element's text, stripped;
* ``"awardID/awardContractID/agencyID@name"`` -> an attribute of that element.

Missing data never appears: an absent element, an empty one, and one with
attributes but no text all leave no text entry. A path that occurs more than
once in the document (``listOfAdditionalReportingValues/additionalReportingValue``)
keeps its first value in ``values`` and every value, in document order, in ``lists``.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping, Sequence

import attrs


class DocumentKind(enum.Enum):
    """The two document kinds the broker loads; the value is the D1 ``pulled_from`` flag."""

    AWARD = "award"
    IDV = "IDV"


@attrs.frozen
class FpdsDocument:
    kind: DocumentKind
    values: Mapping[str, str]
    lists: Mapping[str, Sequence[str]] = attrs.field(factory=dict)

    def get(self, path: str) -> str | None:
        return self.values.get(path)

    def all(self, path: str) -> Sequence[str]:
        """Every value at ``path``, in document order (empty if none)."""
        found = self.lists.get(path)
        if found is not None:
            return found
        value = self.values.get(path)
        return () if value is None else (value,)

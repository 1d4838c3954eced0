"""Top-tier agency of an FPDS sub-tier code (spec fpds.md §4.2): the D1 filter depends on it."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import attrs

from broker_core.records import AgencyRecord

#: The awarding/funding agency code of a document whose sub-tier code is not in the agency list.
UNKNOWN_AGENCY_CODE = "999"


def _by_sub_tier(records: Iterable[AgencyRecord]) -> Mapping[str, tuple[str, str | None]]:
    found: dict[str, tuple[str, str | None]] = {}
    for record in records:
        code = record.sub_tier_code
        # The first row of a sub-tier wins, as when the agency list is loaded.
        if code is None or code in found:
            continue
        if record.is_frec and record.frec_code is not None:
            found[code] = (record.frec_code, record.frec_name)
        else:
            found[code] = (record.cgac_code, record.agency_name)
    return found


@attrs.frozen
class SubTierLookup:
    """Sub-tier code -> (agency code, agency name): the FREC for FREC sub-tiers, else the CGAC."""

    by_sub_tier: Mapping[str, tuple[str, str | None]]

    @classmethod
    def from_records(cls, records: Iterable[AgencyRecord]) -> SubTierLookup:
        return cls(_by_sub_tier(records))

    def agency_for(self, sub_tier_code: str | None) -> tuple[str | None, str | None]:
        """The agency code and name of a sub-tier: ``("999", None)`` if the code is unknown.

        A document without the code gets no agency at all, as in the original:
        999 marks a code the agency list lacks (to be fixed there), not a gap in FPDS.
        """
        if sub_tier_code is None or not sub_tier_code.strip():
            return None, None
        found = self.by_sub_tier.get(sub_tier_code.strip())
        return found if found is not None else (UNKNOWN_AGENCY_CODE, None)

"""get_obligations (spec §2.15): the obligation totals of a submission's File C, and their port."""

from __future__ import annotations

from decimal import Decimal
from typing import Protocol

import attrs


@attrs.frozen
class Obligations:
    """Sums of ``transaction_obligated_amou`` over a submission's staged File C rows.

    ``procurement`` counts the rows with a PIID, ``assistance`` those with a FAIN or a URI: a
    row with both a PIID and a FAIN counts in both, as in the original. Exact decimals here;
    the API shows them as JSON numbers.
    """

    total: Decimal = Decimal(0)
    procurement: Decimal = Decimal(0)
    assistance: Decimal = Decimal(0)

    def api_dict(self) -> dict[str, float]:
        return {
            "total_obligations": float(self.total),
            "total_procurement_obligations": float(self.procurement),
            "total_assistance_obligations": float(self.assistance),
        }


class ObligationTotals(Protocol):
    def totals(self, submission_id: int) -> Obligations:
        """The sums over the submission's staged File C rows; all zero when it has none."""
        ...

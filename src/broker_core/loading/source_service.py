"""Loading the source data of files E and F (SAM recipients, subawards), all rows or none."""

from __future__ import annotations

from typing import TextIO

import attrs

from broker_core.loading.sam import read_sam_recipients
from broker_core.loading.service import Progress, load_file
from broker_core.loading.source_ports import SourceDataStore
from broker_core.loading.subawards import read_subawards


@attrs.define
class SourceLoadService:
    """Loads SAM recipient and subaward extracts into the store, as ``LoadService`` loads the others.

    Each method returns the number of rows loaded. A bad header raises
    ``RequestInvalid``; bad rows raise ``LoadRejected`` (also a
    ``RequestInvalid``) listing them, and nothing of the file is kept.
    """

    store: SourceDataStore
    max_errors: int = 100

    def sam_recipients(self, stream: TextIO, progress: Progress | None = None) -> int:
        """Inserts or replaces recipients by UEI (a later row for the same UEI wins)."""
        return load_file(
            read_sam_recipients, stream, self.store.upsert_sam_recipients,
            max_errors=self.max_errors, progress=progress,
        )  # fmt: skip

    def subawards(self, stream: TextIO, progress: Progress | None = None) -> int:
        """Inserts or replaces subawards by (award key, type, report id, subaward number)."""
        return load_file(
            read_subawards, stream, self.store.upsert_subawards, max_errors=self.max_errors, progress=progress
        )

"""Which D-file requests may share one generated file, and when a shared file is too old (spec §3)."""

from __future__ import annotations

import datetime as dt

from broker_core.file_types import FileType
from broker_core.generation.model import CacheKey, DetachedGenerationRequest, FileGeneration


def cache_key(request: DetachedGenerationRequest) -> CacheKey:
    """The key two D1/D2 requests must share to reuse one file.

    ``element_numbers`` stays in the key for D2 too, as in the original, although it
    does not change D2 content: keeping the original's key costs at most a duplicate file.
    """
    if not request.file_type.is_d_file:
        raise ValueError(f"Only D1 and D2 files are cached, not {request.file_type.letter}")
    return CacheKey(
        file_type=request.file_type,
        start=request.start,
        end=request.end,
        agency_code=request.agency_code,
        agency_type=request.agency_type,
        file_format=request.file_format,
        element_numbers=request.element_numbers,
    )


def is_stale(
    generation: FileGeneration,
    fpds_load_date: dt.date | None,
    today: dt.date,
    *,
    loaded_at: dt.datetime | None = None,
) -> bool:
    """True if a cached file predates the procurement data it was built from.

    Only D1 ages: procurement data is reloaded from FPDS, and a file requested
    before the day of the last load may miss rows (the original's date rule).
    Without any load on record the file is trusted for the day it was requested
    only. Given the load's time (``loaded_at``), a file created earlier on the
    day of the load is stale too: the original would serve it until midnight,
    without the rows that load brought. D2 files are retired when assistance
    data is published instead (not a date rule).
    """
    if generation.file_type is not FileType.D1:
        return False
    fpds_date = fpds_load_date or today
    if generation.request_date < fpds_date:
        return True
    return loaded_at is not None and generation.created_at is not None and generation.created_at < loaded_at

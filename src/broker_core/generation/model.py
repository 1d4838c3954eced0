"""Value objects and the FileGeneration entity of D-file generation."""

from __future__ import annotations

import datetime as dt
import enum

import attrs

from broker_core.file_types import FileType


class AgencyType(enum.Enum):
    AWARDING = "awarding"
    FUNDING = "funding"


class FileFormat(enum.Enum):
    CSV = "csv"
    TXT = "txt"

    @property
    def delimiter(self) -> str:
        return "," if self is FileFormat.CSV else "|"


@attrs.frozen
class DetachedGenerationRequest:
    """A validated ``generate_detached_file`` request.

    ``start``/``end`` are set for D1/D2 (from the request) and for A (from
    year/period); ``year``/``period`` only for A.
    """

    file_type: FileType
    agency_code: str
    start: dt.date
    end: dt.date
    agency_type: AgencyType = AgencyType.AWARDING
    file_format: FileFormat = FileFormat.CSV
    element_numbers: bool = False
    year: int | None = None
    period: int | None = None


@attrs.frozen
class CacheKey:
    """Everything that must match for two D-file requests to share one file (spec §3)."""

    file_type: FileType
    start: dt.date
    end: dt.date
    agency_code: str
    agency_type: AgencyType
    file_format: FileFormat
    element_numbers: bool


@attrs.define(eq=False)
class FileGeneration:
    """One D1/D2 file actually produced (or being produced); shared by every job linked to it."""

    request_date: dt.date
    file_type: FileType
    start_date: dt.date
    end_date: dt.date
    agency_code: str
    agency_type: AgencyType
    file_format: FileFormat
    element_numbers: bool
    is_cached_file: bool = True
    file_path: str | None = None  # storage key, set once the file is complete
    file_size: int | None = None
    created_at: dt.datetime | None = None
    updated_at: dt.datetime | None = None
    file_generation_id: int | None = None

    @classmethod
    def for_key(cls, key: CacheKey, request_date: dt.date) -> FileGeneration:
        return cls(
            request_date=request_date,
            file_type=key.file_type,
            start_date=key.start,
            end_date=key.end,
            agency_code=key.agency_code,
            agency_type=key.agency_type,
            file_format=key.file_format,
            element_numbers=key.element_numbers,
        )

    @property
    def cache_key(self) -> CacheKey:
        return CacheKey(
            file_type=self.file_type,
            start=self.start_date,
            end=self.end_date,
            agency_code=self.agency_code,
            agency_type=self.agency_type,
            file_format=self.file_format,
            element_numbers=self.element_numbers,
        )


@attrs.frozen
class GenerationStatus:
    """The status object every generation route answers with (spec §1.5)."""

    job_id: int
    status: str
    file_type: str
    message: str
    url: str
    size: int | None
    generated_at: str | None
    start: str | None = None  # only for D1/D2 (omitted from the JSON otherwise)
    end: str | None = None

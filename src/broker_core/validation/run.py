"""What one validation run is about: the file, and the reporting context its rules need."""

from __future__ import annotations

import datetime as dt

import attrs

from broker_core.file_types import FileType

#: The files a submission validates: A, B and C with their rules; D1 and D2 are staged as read, for the
#: cross-file rules (they have no single-file rules).
VALIDATED_FILE_TYPES = (FileType.A, FileType.B, FileType.C, FileType.D1, FileType.D2)


def _validated(instance: object, attribute: attrs.Attribute[FileType], value: FileType) -> None:
    if value not in VALIDATED_FILE_TYPES:
        raise ValueError(f"{attribute.name}: only files A, B, C, D1 and D2 are validated, not {value.letter}")


@attrs.frozen
class ValidationRun:
    """One file's validation: its staging rows are keyed by ``job_id``.

    The period decides which SF-133 lines and program activities the rules compare with, and the
    reporting dates decide which CARS TAS are current (spec §2.5, TAS linking). ``submission_id``
    is ``None`` for a standalone ``broker validate``.
    """

    job_id: int
    file_type: FileType = attrs.field(validator=_validated)
    fiscal_year: int
    period: int
    reporting_start: dt.date
    reporting_end: dt.date
    submission_id: int | None = None
    cgac_code: str | None = None
    frec_code: str | None = None


@attrs.frozen
class CrossFileRun:
    """The cross-file validation of one submission: its files are staged under ``submission_id``."""

    submission_id: int
    fiscal_year: int
    period: int
    reporting_start: dt.date
    reporting_end: dt.date
    cgac_code: str | None = None
    frec_code: str | None = None

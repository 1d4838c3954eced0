"""Values a submission's validation leaves behind: the ``file`` row of a validation job."""

from __future__ import annotations

from collections.abc import Iterable

import attrs

from broker_core.validation.metadata import FileStatus


def header_names(headers: Iterable[str]) -> tuple[str, ...]:
    """Header names as the ``file`` row keeps them: comma-split, trimmed, empties dropped.

    The row stores each list as the original's comma-joined text, which check_status reads
    back this way; normalising here makes what is stored and what is read back the same
    value (a duplicated header ``"a,b"`` of a user's file becomes ``"a"`` and ``"b"``).
    """
    return tuple(part.strip() for header in headers for part in header.split(",") if part.strip())


@attrs.frozen
class FileRecord:
    """The ``file`` row of one validation job (spec §1.6): how its file fared as a whole.

    One per job, replaced by each validation.
    """

    filename: str
    file_status: FileStatus
    missing_headers: tuple[str, ...] = attrs.field(default=(), converter=header_names)
    duplicated_headers: tuple[str, ...] = attrs.field(default=(), converter=header_names)

"""One cross-file failure: a row of a cross-file error or warning report (spec §3.1, §5)."""

from __future__ import annotations

from typing import ClassVar

import attrs

from broker_core.validation.problem import Severity


@attrs.frozen
class CrossFileProblem:
    """The report columns of one failing cross-file rule row, plus its severity.

    ``source_file`` / ``target_file`` are file type names (``appropriations``, ``program_activity``...);
    ``source_row_number`` counts the header as row 1 and is None for aggregate rules (C23.x).
    Every cross-file failure is counted under the ``rule_failed`` error type (spec §4).
    """

    unique_id: str
    source_file: str
    source_field_name: str
    target_file: str
    target_field_name: str
    rule_message: str
    source_value_provided: str
    target_value_provided: str
    difference: str
    source_flex_field: str
    source_row_number: int | None
    rule_label: str
    severity: Severity

    error_type: ClassVar[str] = "rule_failed"

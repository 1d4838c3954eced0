"""Rule queries by rule identity: each is a function building one SQLAlchemy Core ``SELECT``.

A query selects the failing rows of one run and names its columns by the result protocol of
spec §2.7: ``row_number`` (NULL for a failure that is no single row), the short names of the
fields involved, ``difference``, ``expected_value_<Label>`` and ``uniqueid_<Label>``. The core
turns those into report rows; the staging area adds the flex fields of ``row_number``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import attrs
from sqlalchemy import Select, Table

from broker_core.validation.catalogue import Rule
from broker_core.validation.run import CrossFileRun, ValidationRun


@attrs.frozen
class RuleContext:
    """What a rule query is built from: the run and the staging table of the rule's file."""

    run: ValidationRun
    table: Table

    @property
    def rows(self) -> Any:
        """``WHERE`` condition selecting the run's staged rows."""
        return self.table.c.job_id == self.run.job_id


@attrs.frozen
class CrossRuleContext:
    """What a cross-file rule query is built from: the submission and the staging tables of both files.

    ``source`` is the staging table of the rule's file (its rows are the ones reported),
    ``target`` that of the file it is compared with.
    """

    run: CrossFileRun
    source: Table
    target: Table

    @property
    def source_rows(self) -> Any:
        return self.source.c.submission_id == self.run.submission_id

    @property
    def target_rows(self) -> Any:
        return self.target.c.submission_id == self.run.submission_id


#: A rule query; single-file rules take a :class:`RuleContext`, cross-file rules a :class:`CrossRuleContext`.
RuleQuery = Callable[[Any], Select[Any]]
Identity = tuple[str, str, str | None]

_QUERIES: dict[Identity, RuleQuery] = {}


def rule(label: str, file: str, target: str | None = None) -> Callable[[RuleQuery], RuleQuery]:
    """Register the decorated function as the query of the catalogue rule (label, file, target)."""

    def register(query: RuleQuery) -> RuleQuery:
        identity = (label, file, target)
        if identity in _QUERIES:
            raise ValueError(f"two queries for rule {identity}")
        _QUERIES[identity] = query
        return query

    return register


def query_for(catalogue_rule: Rule) -> RuleQuery | None:
    return _QUERIES.get(catalogue_rule.identity)


def registered() -> frozenset[Identity]:
    return frozenset(_QUERIES)

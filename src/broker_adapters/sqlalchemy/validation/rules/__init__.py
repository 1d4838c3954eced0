"""The rule queries; importing this package registers every one (see :mod:`.registry`)."""

from . import (
    cross_ab_cd,  # noqa: F401 - registers the queries
    cross_bc,  # noqa: F401 - registers the queries
    file_a,  # noqa: F401 - registers the queries
    file_b,  # noqa: F401 - registers the queries
    file_b_gtas,  # noqa: F401 - registers the queries
    file_c,  # noqa: F401 - registers the queries
    file_c_prior,  # noqa: F401 - registers the queries
    reference,  # noqa: F401 - registers the queries
)
from .registry import RuleContext, query_for, registered

__all__ = ["RuleContext", "query_for", "registered"]

"""A window's ``PARTITION BY`` over many text keys, made cheap to sort on PostgreSQL.

Grouping a million staged rows by ten text expressions sorts them with the database's collation,
comparison after comparison. On PostgreSQL the keys are preceded by a 64-bit hash of all of them
(``hashtextextended``): rows then sort on an integer first, and the text keys are compared only
between rows whose hashes are equal, so the partitions stay exact. SQLite gets the keys as they are.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement


class partition_keys(FunctionElement[Any]):
    """The expressions of a ``PARTITION BY`` list (use it as the list's only element)."""

    name = "partition_keys"
    inherit_cache = True


@compiles(partition_keys)
def _plain(element: partition_keys, compiler: SQLCompiler, **kw: Any) -> str:
    return ", ".join(compiler.process(clause, **kw) for clause in element.clauses)


@compiles(partition_keys, "postgresql")
def _hashed(element: partition_keys, compiler: SQLCompiler, **kw: Any) -> str:
    keys = [compiler.process(clause, **kw) for clause in element.clauses]
    # chr(31) (unit separator) between the keys: the hash only orders rows, equality is decided on the keys.
    return f"hashtextextended(concat_ws(chr(31), {', '.join(keys)}), 0), {', '.join(keys)}"

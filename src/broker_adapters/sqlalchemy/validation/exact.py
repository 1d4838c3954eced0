"""Exact decimal arithmetic in rule queries, the same on PostgreSQL and SQLite.

Rules compare money: ``TotalBudgetaryResources_CPE = A + B + C + D`` must hold to the cent, and
report rows show the values and differences as the file had them (``13.08``, ``-1.00``).
PostgreSQL's ``numeric`` does that natively. SQLite has no decimal type (its NUMERIC affinity
makes a binary float), so staged amounts are kept there as the text the file had, and the
arithmetic goes through a few SQL functions implemented with Python's :mod:`decimal`, registered
on every SQLite connection (:func:`register_sqlite_functions`).

Rules are written once with the constructs below; each compiles to plain operators on
PostgreSQL and to those functions on SQLite. Every construct treats NULL as 0, as the original's
rules do with ``COALESCE(x, 0)``.
"""

from __future__ import annotations

import decimal
from typing import Any

from sqlalchemy import Numeric, Text, literal
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.functions import FunctionElement
from sqlalchemy.types import TypeDecorator, TypeEngine

_CONTEXT = decimal.Context(prec=60)


class StagedDecimal(TypeDecorator[str]):
    """A staged amount: ``numeric`` on PostgreSQL, the file's own text on SQLite."""

    impl = Numeric()
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "sqlite":
            return dialect.type_descriptor(Text())
        return dialect.type_descriptor(Numeric(asdecimal=True))

    def process_result_value(self, value: Any, dialect: Dialect) -> str | None:
        return None if value is None else str(value)


class _Exact(FunctionElement[Any]):
    inherit_cache = True
    # Read back as text on both databases: "13.08", "-1.00", as the report shows them.
    type = StagedDecimal()


class plus(_Exact):
    """``a + b + ...`` with NULL as 0."""

    name = "broker_dec_add"
    inherit_cache = True


class minus(_Exact):
    """``a - b`` with NULL as 0."""

    name = "broker_dec_sub"
    inherit_cache = True


class negated(_Exact):
    """``-a`` with NULL as 0."""

    name = "broker_dec_neg"
    inherit_cache = True


class exact_sum(_Exact):
    """``SUM(a)`` over a group, NULL as 0 (an empty group sums to 0)."""

    name = "broker_dec_sum"
    inherit_cache = True


class is_nonzero(FunctionElement[Any]):
    """``COALESCE(a, 0) <> 0`` as a boolean condition."""

    name = "broker_dec_nonzero"
    inherit_cache = True


class differ(FunctionElement[Any]):
    """``COALESCE(a, 0) <> COALESCE(b, 0)`` as a boolean condition."""

    name = "broker_dec_differ"
    inherit_cache = True


class is_negative(FunctionElement[Any]):
    """``COALESCE(a, 0) < 0`` as a boolean condition."""

    name = "broker_dec_negative"
    inherit_cache = True


class is_positive(FunctionElement[Any]):
    """``COALESCE(a, 0) > 0`` as a boolean condition."""

    name = "broker_dec_positive"
    inherit_cache = True


def _args(compiler: SQLCompiler, element: FunctionElement[Any], **kw: Any) -> list[str]:
    return [compiler.process(arg, **kw) for arg in element.clauses]


def _zero(sql: str) -> str:
    return f"COALESCE({sql}, 0)"


@compiles(plus, "postgresql")
def _pg_plus(element: plus, compiler: SQLCompiler, **kw: Any) -> str:
    return "(" + " + ".join(_zero(a) for a in _args(compiler, element, **kw)) + ")"


# PostgreSQL: plain operators on COALESCE(x, 0) operands ({0}, {1}: the arguments, NULL as 0).
_PG_TEMPLATES: dict[type[FunctionElement[Any]], str] = {
    minus: "({0} - {1})",
    negated: "(-{0})",
    is_nonzero: "({0} <> 0)",
    is_negative: "({0} < 0)",
    is_positive: "({0} > 0)",
    differ: "({0} <> {1})",
}


def _pg_template(element: FunctionElement[Any], compiler: SQLCompiler, **kw: Any) -> str:
    operands = [_zero(a) for a in _args(compiler, element, **kw)]
    return _PG_TEMPLATES[type(element)].format(*operands)


for _construct in _PG_TEMPLATES:
    compiles(_construct, "postgresql")(_pg_template)


@compiles(exact_sum, "postgresql")
def _pg_sum(element: exact_sum, compiler: SQLCompiler, **kw: Any) -> str:
    (a,) = _args(compiler, element, **kw)
    return f"COALESCE(SUM({a}), 0)"


@compiles(plus)
@compiles(minus)
@compiles(negated)
@compiles(exact_sum)
def _sqlite_call(element: FunctionElement[Any], compiler: SQLCompiler, **kw: Any) -> str:
    """Elsewhere (SQLite): a call of the Python function registered under the construct's name."""
    return f"{element.name}({', '.join(_args(compiler, element, **kw))})"


@compiles(is_nonzero)
@compiles(is_negative)
@compiles(is_positive)
@compiles(differ)
def _sqlite_condition(element: FunctionElement[Any], compiler: SQLCompiler, **kw: Any) -> str:
    return f"({element.name}({', '.join(_args(compiler, element, **kw))}) = 1)"


def as_decimal_text(value: object) -> ColumnElement[Any]:
    """A constant amount for a rule (e.g. ``0``), typed so both dialects bind it as an amount."""
    return literal(str(value), StagedDecimal())


# ----------------------------------------------------------------------------- SQLite side


def _dec(value: object) -> decimal.Decimal:
    if value is None or value == "":
        return decimal.Decimal(0)
    if isinstance(value, float):
        return decimal.Decimal(repr(value))
    return decimal.Decimal(str(value))


def _text(value: decimal.Decimal) -> str:
    return format(value, "f")


def _add(*values: object) -> str:
    return _text(sum((_dec(v) for v in values), decimal.Decimal(0)))


def _sub(a: object, b: object) -> str:
    return _text(_CONTEXT.subtract(_dec(a), _dec(b)))


def _neg(a: object) -> str:
    return _text(-_dec(a))


def _nonzero(a: object) -> int:
    return int(_dec(a) != 0)


def _negative(a: object) -> int:
    return int(_dec(a) < 0)


def _positive(a: object) -> int:
    return int(_dec(a) > 0)


def _differ(a: object, b: object) -> int:
    return int(_dec(a) != _dec(b))


class _Sum:
    def __init__(self) -> None:
        self.total = decimal.Decimal(0)

    def step(self, value: object) -> None:
        self.total += _dec(value)

    def finalize(self) -> str:
        return _text(self.total)


def register_sqlite_functions(dbapi_connection: Any) -> None:
    """Make the SQLite side of the constructs above available on a new connection."""
    dbapi_connection.create_function(plus.name, -1, _add, deterministic=True)
    dbapi_connection.create_function(minus.name, 2, _sub, deterministic=True)
    dbapi_connection.create_function(negated.name, 1, _neg, deterministic=True)
    dbapi_connection.create_function(is_nonzero.name, 1, _nonzero, deterministic=True)
    dbapi_connection.create_function(is_negative.name, 1, _negative, deterministic=True)
    dbapi_connection.create_function(is_positive.name, 1, _positive, deterministic=True)
    dbapi_connection.create_function(differ.name, 2, _differ, deterministic=True)
    dbapi_connection.create_aggregate(exact_sum.name, 1, _Sum)

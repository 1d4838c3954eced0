"""The custom column types of the schema, and the column set several tables share.

Enumerations are stored as the ids/values the original Broker used, through small
``TypeDecorator`` types, so the rows read back as domain enums. Amounts are
:class:`ExactDecimal`, exact on PostgreSQL and SQLite alike.
"""

from __future__ import annotations

import decimal
import enum
from collections.abc import Callable
from typing import Any, Generic, TypeVar

from sqlalchemy import Column, DateTime, Integer, Numeric, Text
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator, TypeEngine

from broker_core.file_types import FileType

E = TypeVar("E", bound=enum.Enum)

# --------------------------------------------------------------------------- enumerations


class _EnumColumn(TypeDecorator[E], Generic[E]):
    """An enum stored as one of its members' plain values (an id or a code)."""

    cache_ok = True

    def __init__(self, enum_class: type[E], encode: Callable[[E], Any]) -> None:
        super().__init__()
        self.enum_class = enum_class
        self.encode = encode
        self._decode = {encode(member): member for member in enum_class}

    def process_bind_param(self, value: E | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        if not isinstance(value, self.enum_class):
            raise TypeError(f"expected {self.enum_class.__name__}, got {value!r}")
        return self.encode(value)

    def process_result_value(self, value: Any, dialect: Dialect) -> E | None:
        return None if value is None else self._decode[value]


def member_id(member: Any) -> int:
    """Encodes a member as its ``id`` (enums whose value is not what the original stored)."""
    return int(member.id)


def member_value(member: Any) -> Any:
    """Encodes a member as its plain ``value``."""
    return member.value


def member_letter(member: Any) -> str:
    """Encodes a member as its ``letter`` (FileType: 'A', 'D1', ...)."""
    return str(member.letter)


class IntEnumColumn(_EnumColumn[E]):
    impl = Integer
    cache_ok = True


class TextEnumColumn(_EnumColumn[E]):
    impl = Text
    cache_ok = True


def file_type_id() -> IntEnumColumn[FileType]:
    """FileType by its numeric id (the original's ``file_type_id``)."""
    return IntEnumColumn(FileType, member_id)


def file_type_letter() -> TextEnumColumn[FileType]:
    """FileType by its letter ('D1', 'D2', ...), as ``file_generation.file_type``."""
    return TextEnumColumn(FileType, member_letter)


# --------------------------------------------------------------------------- amounts


class ExactDecimal(TypeDecorator[decimal.Decimal]):
    """NUMERIC(23, 2) that never passes through float.

    PostgreSQL stores it natively; SQLite has no decimal type (NUMERIC affinity
    would turn it into a REAL), so there it is stored as TEXT and parsed back.
    """

    impl = Numeric(23, 2, asdecimal=True)
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "sqlite":
            return dialect.type_descriptor(Text())
        return dialect.type_descriptor(Numeric(23, 2, asdecimal=True))

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        if value is None:
            return None
        exact = decimal.Decimal(value)
        return str(exact) if dialect.name == "sqlite" else exact

    def process_result_value(self, value: Any, dialect: Dialect) -> decimal.Decimal | None:
        if value is None:
            return None
        return value if isinstance(value, decimal.Decimal) else decimal.Decimal(str(value))


# --------------------------------------------------------------------------- shared columns


def timestamps() -> list[Column[Any]]:
    """The ``created_at`` / ``updated_at`` pair of the tables that keep them."""
    return [Column("created_at", DateTime), Column("updated_at", DateTime)]

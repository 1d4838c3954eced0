"""Users, their agency permissions, their sessions, and failed logins."""

from __future__ import annotations

from sqlalchemy import Boolean, Column, DateTime, ForeignKey, Index, Integer, Table, Text, func

from broker_adapters.sqlalchemy.column_types import IntEnumColumn, member_value
from broker_adapters.sqlalchemy.schema_metadata import metadata
from broker_core.users import PermissionLevel

users = Table(
    "users",
    metadata,
    Column("user_id", Integer, primary_key=True),
    Column("email", Text, nullable=False),
    Column("name", Text, nullable=False),
    Column("title", Text),
    Column("password_hash", Text),
    Column("skip_guide", Boolean, nullable=False, default=False),
    Column("website_admin", Boolean, nullable=False, default=False),
)
# Case-insensitive uniqueness; lookups compare lower(email).
Index("ix_users_email_lower", func.lower(users.c.email), unique=True)

user_affiliation = Table(
    "user_affiliation",
    metadata,
    Column("user_id", Integer, ForeignKey("users.user_id", ondelete="CASCADE"), primary_key=True),
    Column("agency_code", Text, primary_key=True),
    Column("permission_type_id", IntEnumColumn(PermissionLevel, member_value), nullable=False),
)

session_map = Table(
    "session_map",
    metadata,
    Column("session_id", Integer, primary_key=True),
    Column("uid", Text, nullable=False, unique=True),
    Column("user_id", Integer, ForeignKey("users.user_id", ondelete="CASCADE"), nullable=True),
    Column("expiration", DateTime, nullable=False),
)

#: Failed logins (login rate limiting): one row per failure and subject (``account:…``/``address:…``).
login_attempt = Table(
    "login_attempt",
    metadata,
    Column("login_attempt_id", Integer, primary_key=True),
    Column("subject", Text, nullable=False),
    Column("attempted_at", DateTime, nullable=False),
    Index("ix_login_attempt_subject_attempted_at", "subject", "attempted_at"),
    Index("ix_login_attempt_attempted_at", "attempted_at"),
)

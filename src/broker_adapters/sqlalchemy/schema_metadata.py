"""The one SQLAlchemy ``MetaData`` every table of the broker is defined on, with its naming convention.

Its own module so that the table modules (``tables``, ``validation.validation_tables``) can share it
without importing each other.
"""

from __future__ import annotations

from sqlalchemy import MetaData

# Constraint and index names as the migrations spell them, the same on SQLite and PostgreSQL.
NAMING = {
    "ix": "ix_%(column_0_N_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

metadata = MetaData(naming_convention=NAMING)

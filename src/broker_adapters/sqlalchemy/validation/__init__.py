"""The validator's staging tables and rule queries (SQLAlchemy Core, one text for SQLite and PostgreSQL)."""

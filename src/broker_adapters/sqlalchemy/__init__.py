"""SQLAlchemy adapter: the unit of work, repositories and source data over SQLite or PostgreSQL."""

"""Apply the schema migrations programmatically (no ``alembic.ini`` needed)."""

from __future__ import annotations

import threading
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy.engine import Engine

from broker_adapters.sqlalchemy.engine import make_engine

MIGRATIONS_DIR = Path(__file__).resolve().with_name("migrations")

# Alembic's ``context`` is process-global: one upgrade at a time per process.
# Between processes the migration transaction itself serialises them.
_upgrade_lock = threading.Lock()


def alembic_config(engine: Engine) -> Config:
    """An Alembic configuration whose ``env.py`` runs against ``engine``."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR).replace("%", "%%"))
    config.set_main_option(
        "sqlalchemy.url", engine.url.render_as_string(hide_password=False).replace("%", "%%")
    )
    config.attributes["engine"] = engine
    return config


def upgrade(engine_or_url: Engine | str, revision: str = "head") -> None:
    """Bring the database to ``revision`` (the newest by default). Idempotent.

    Runs in one transaction; on SQLite it starts with ``BEGIN IMMEDIATE``, so
    processes migrating the same file at once wait for each other and the
    later ones find nothing to do. Threads of one process take turns.
    """
    if isinstance(engine_or_url, str):
        engine = make_engine(engine_or_url)
        try:
            upgrade(engine, revision)
        finally:
            engine.dispose()
        return
    with _upgrade_lock:
        command.upgrade(alembic_config(engine_or_url), revision)


def current_revision(engine: Engine) -> str | None:
    """The revision the database is at (None before the first migration)."""
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()

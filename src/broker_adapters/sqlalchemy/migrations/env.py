"""Alembic environment for the broker schema.

Used through ``broker_adapters.sqlalchemy.migrate`` (which passes the engine in
``config.attributes["engine"]``); a plain ``sqlalchemy.url`` also works.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy.engine import Engine

from broker_adapters.sqlalchemy.engine import make_engine
from broker_adapters.sqlalchemy.tables import metadata

config = context.config


def run_migrations_offline() -> None:
    context.configure(
        url=config.get_main_option("sqlalchemy.url"),
        target_metadata=metadata,
        literal_binds=True,
        render_as_batch=str(config.get_main_option("sqlalchemy.url", "")).startswith("sqlite"),
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    engine: Engine | None = config.attributes.get("engine")
    owned = engine is None
    if engine is None:
        engine = make_engine(str(config.get_main_option("sqlalchemy.url")))
    try:
        with engine.connect() as connection:
            context.configure(
                connection=connection,
                target_metadata=metadata,
                # SQLite cannot ALTER most things: later migrations rebuild tables in batch mode.
                render_as_batch=connection.dialect.name == "sqlite",
                # One transaction for the whole upgrade (SQLite and PostgreSQL both
                # have transactional DDL); on SQLite it begins IMMEDIATE, which
                # serialises concurrent upgrades before they read the version.
                transactional_ddl=True,
                compare_type=True,
            )
            with context.begin_transaction():
                context.run_migrations()
    finally:
        if owned:
            engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()

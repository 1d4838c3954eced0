"""Fixtures of the port contract tests: every test runs once per database adapter.

Each adapter param builds a fresh, migrated database. To add one (e.g. the
PostgreSQL adapter), add its name to ``ADAPTERS`` and a branch to
:func:`_fresh_database_url`.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import attrs
import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine

from broker_adapters.sqlalchemy.award_data import SqlAlchemyAwardData
from broker_adapters.sqlalchemy.engine import make_engine
from broker_adapters.sqlalchemy.mapping import start_mappers
from broker_adapters.sqlalchemy.migrate import upgrade
from broker_adapters.sqlalchemy.unit_of_work import SqlAlchemyUnitOfWorkFactory

#: PostgreSQL runs only when a throwaway database is provided (its public schema is wiped).
POSTGRESQL_URL = os.environ.get("BROKER_TEST_POSTGRESQL_URL")

ADAPTERS = ["sqlite", *(["postgresql"] if POSTGRESQL_URL else [])]


@attrs.define
class Adapter:
    name: str
    url: str
    engine: Engine
    uow_factory: SqlAlchemyUnitOfWorkFactory
    award_data: SqlAlchemyAwardData


def _fresh_database_url(name: str, tmp_path: Path) -> str:
    if name == "sqlite":
        return f"sqlite:///{tmp_path / 'broker.db'}"
    if name == "postgresql":
        assert POSTGRESQL_URL is not None
        engine = make_engine(POSTGRESQL_URL)
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
        engine.dispose()
        return POSTGRESQL_URL
    raise ValueError(name)


@pytest.fixture(params=ADAPTERS)
def adapter(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Adapter]:
    start_mappers()
    url = _fresh_database_url(request.param, tmp_path)
    engine = make_engine(url)
    upgrade(engine)
    try:
        yield Adapter(
            name=request.param,
            url=url,
            engine=engine,
            uow_factory=SqlAlchemyUnitOfWorkFactory(engine),
            award_data=SqlAlchemyAwardData(engine),
        )
    finally:
        engine.dispose()


@pytest.fixture
def uow_factory(adapter: Adapter) -> SqlAlchemyUnitOfWorkFactory:
    return adapter.uow_factory


@pytest.fixture
def award_data(adapter: Adapter) -> SqlAlchemyAwardData:
    return adapter.award_data

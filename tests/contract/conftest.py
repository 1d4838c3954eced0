"""Fixtures of the port contract tests: every test runs once per database adapter.

Each adapter param builds a fresh, migrated database: a SQLite file, or a new
database on the session's PostgreSQL server.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import attrs
import pytest
from sqlalchemy.engine import Engine

from broker_adapters.sqlalchemy.award_data import SqlAlchemyAwardData
from broker_adapters.sqlalchemy.engine import make_engine
from broker_adapters.sqlalchemy.mapping import start_mappers
from broker_adapters.sqlalchemy.migrate import upgrade
from broker_adapters.sqlalchemy.unit_of_work import SqlAlchemyUnitOfWorkFactory
from tests.servers import PostgresServer

ADAPTERS = ["sqlite", "postgresql"]


@attrs.define
class Adapter:
    name: str
    url: str
    engine: Engine
    uow_factory: SqlAlchemyUnitOfWorkFactory
    award_data: SqlAlchemyAwardData


def fresh_database_url(name: str, tmp_path: Path, request: pytest.FixtureRequest) -> str:
    if name == "sqlite":
        return f"sqlite:///{tmp_path / 'broker.db'}"
    if name == "postgresql":
        server: PostgresServer = request.getfixturevalue("postgres_server")
        return server.create_database(f"contract_{uuid.uuid4().hex[:12]}")
    raise ValueError(name)


@pytest.fixture(params=ADAPTERS)
def adapter(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Adapter]:
    start_mappers()
    url = fresh_database_url(request.param, tmp_path, request)
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

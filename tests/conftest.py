"""Session-wide real servers. Each starts on first use and stops when the session ends."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.servers import S3_TEST_ENV, PostgresServer, RedisServer, S3Server


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    # Not under pytest's tmp dir: that is private to root, and the server may run as ``postgres``.
    root = Path(tempfile.mkdtemp(prefix="broker-pg-"))
    server = PostgresServer(root)
    server.start()
    try:
        yield server
    finally:
        server.stop()
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    server = RedisServer(tmp_path_factory.mktemp("redis"))
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def s3_server() -> Iterator[S3Server]:
    for key, value in S3_TEST_ENV.items():
        os.environ.setdefault(key, value)
    server = S3Server()
    server.start()
    try:
        yield server
    finally:
        server.stop()

"""The production configuration, for real: two gunicorn API processes, RQ workers,
PostgreSQL, Redis and S3 (moto), every one a separate process on 127.0.0.1."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import attrs
import boto3
import pytest

from tests.api.conftest import PASSWORD, Api
from tests.servers import PostgresServer, RedisServer, S3Server, free_port, wait_http

BROKER = [sys.executable, "-m", "broker_entrypoints.cli"]


@attrs.define
class Production:
    env: dict[str, str]
    bucket: str
    s3_endpoint: str
    redis: RedisServer
    log_dir: Path
    api_bases: list[str] = attrs.Factory(list)
    processes: list[subprocess.Popen[bytes]] = attrs.Factory(list)
    workers: list[subprocess.Popen[bytes]] = attrs.Factory(list)

    def cli(self, *args: str, stdin: str | None = None, env: dict[str, str] | None = None) -> str:
        done = subprocess.run(
            [*BROKER, *args], input=stdin, text=True, capture_output=True, env=env or self.env, timeout=600
        )
        assert done.returncode == 0, done.stdout + done.stderr
        return done.stdout

    def start_api(self) -> str:
        port = free_port()
        process = subprocess.Popen(
            [*BROKER, "serve", "--production", "--workers", "1", "--port", str(port)],
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=open(self.log_dir / f"api-{port}.log", "wb"),  # noqa: SIM115 - closed with the process
        )
        self.processes.append(process)
        base = f"http://127.0.0.1:{port}"
        wait_http(base + "/", process)
        self.api_bases.append(base)
        return base

    def start_worker(self) -> subprocess.Popen[bytes]:
        index = len(self.workers)
        process = subprocess.Popen(
            [*BROKER, "worker", "--sweep-interval", "1"],
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=open(self.log_dir / f"worker-{index}.log", "wb"),  # noqa: SIM115
        )
        self.workers.append(process)
        return process

    def api(self, index: int = 0) -> Api:
        client = Api(self.api_bases[index])
        client.login()
        return client

    def s3(self) -> object:
        return boto3.client("s3", endpoint_url=self.s3_endpoint)

    def stop(self) -> None:
        for process in [*self.workers, *self.processes]:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in [*self.workers, *self.processes]:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@pytest.fixture(scope="package")
def production(
    postgres_server: PostgresServer, s3_server: S3Server, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Production]:
    # A Redis of its own: the tests stop and restart it.
    redis = RedisServer(tmp_path_factory.mktemp("e2e-redis"))
    redis.start()
    bucket = f"broker-{uuid.uuid4().hex[:10]}"
    boto3.client("s3", endpoint_url=s3_server.endpoint_url).create_bucket(Bucket=bucket)
    data_dir = tmp_path_factory.mktemp("e2e-data")
    log_dir = tmp_path_factory.mktemp("e2e-logs")
    env = {
        **os.environ,
        "BROKER_DATA_DIR": str(data_dir),
        "BROKER_DATABASE_URL": postgres_server.create_database(f"e2e_{uuid.uuid4().hex[:8]}"),
        "BROKER_STORAGE_URL": f"s3://{bucket}/broker",
        "BROKER_S3_ENDPOINT_URL": s3_server.endpoint_url,
        "BROKER_QUEUE_URL": redis.url,
        "BROKER_SECRET_KEY": "e2e-secret",
        # A killed worker's job is noticed within seconds, not RQ's default minutes.
        "BROKER_WORKER_TTL": "5",
        # Every API process appends its request lines here.
        "BROKER_GUNICORN_ACCESS_LOG": str(log_dir / "access.log"),
    }
    setup = Production(env=env, bucket=bucket, s3_endpoint=s3_server.endpoint_url, redis=redis,
                       log_dir=log_dir)  # fmt: skip
    setup.cli("load", "sample")
    setup.cli("users", "add", "analyst@example.com", "--name", "Ann Analyst", "--password-stdin",
              "--affiliation", "020:writer", stdin=PASSWORD + "\n")  # fmt: skip
    try:
        setup.start_api()
        setup.start_api()
        setup.start_worker()
        yield setup
    finally:
        setup.stop()
        redis.stop()

"""D1 generation in the production configuration (PostgreSQL -> S3) against a raw ``COPY``.

    .venv/bin/python bench/generate_d1_pg.py --rows 100000 1000000

For each N: loads N synthetic procurement rows (all 267 D1 columns filled,
about 2.7 KB a row as CSV) into PostgreSQL through the broker's own store,
then times, in the same run and on the same server:

* **broker**: one detached D1 request for the whole range, from the request to
  ``finished`` (queue, worker, streamed multipart upload to S3), in a separate
  worker process whose peak RSS is reported;
* **raw COPY**: ``psql -c "\\copy (SELECT <the 267 D1 columns> ...) to stdout
  with csv" > file`` over a table shaped like the original Broker's (typed
  columns: dates, numerics, booleans), holding the same rows. This is the
  speed of the original's generator: PostgreSQL formats every column of every
  row at request time.

Without ``--database-url`` / ``--s3-endpoint`` it starts its own PostgreSQL and
S3-compatible (moto) servers on 127.0.0.1, as the tests do.
Target: broker at least 2x faster than the raw COPY, worker peak RSS < 150 MB.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # for tests.servers

from broker_core.file_types import FileType
from broker_core.generation.columns import ColumnKind, columns_for
from broker_entrypoints import sample_data
from broker_entrypoints.bootstrap import bootstrap
from broker_entrypoints.config import load_config

AGENCY = sample_data.AGENCIES[0]
START = sample_data.SAMPLE_START
DAYS = 365

SQL_TYPES = {
    ColumnKind.TEXT: "text",
    ColumnKind.DATE: "date",
    ColumnKind.BOOLEAN: "boolean",
    ColumnKind.DECIMAL: "numeric",
    ColumnKind.INTEGER: "integer",
}


def request_payload() -> dict[str, str]:
    end = START + dt.timedelta(days=DAYS - 1)
    return {"file_type": "D1", "cgac_code": AGENCY[0], "start": START.strftime("%m/%d/%Y"),
            "end": end.strftime("%m/%d/%Y")}  # fmt: skip


# ----------------------------------------------------------------------------- the broker side


def load(rows: int) -> None:
    broker = bootstrap(load_config(), queue_mode="inline")
    started = time.perf_counter()
    loaded = broker.award_data.upsert_award_rows(
        FileType.D1, sample_data.bulk_procurement_rows(rows, days=DAYS)
    )
    elapsed = time.perf_counter() - started
    broker.close()
    print(f"  load into PostgreSQL: {loaded:>10,} rows in {elapsed:7.1f} s", flush=True)


def generate_in_child() -> None:
    """Runs in the worker process: request -> inline worker -> S3 -> finished."""
    broker = bootstrap(load_config(), queue_mode="inline", migrate=False)
    started = time.perf_counter()
    status = broker.generation.request_detached(request_payload(), user_id=None)
    final = broker.generation.detached_status(status.job_id)
    elapsed = time.perf_counter() - started
    with broker.generation.uow_factory() as uow:
        job = uow.jobs.get(final.job_id)
    assert job is not None and job.filename is not None, final
    broker.close()
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(f"{final.status} {job.filename} {final.size} {elapsed:.3f} {peak_kib}")


# ----------------------------------------------------------------------------- the raw COPY side


def build_original_table(database_url: str, d1_file: Path) -> None:
    """A table shaped like the original's (typed columns) holding the same rows, from the D1 file."""
    columns = ", ".join(f'"{c.name}" {SQL_TYPES[c.kind]}' for c in columns_for(FileType.D1))
    _psql(database_url, "DROP TABLE IF EXISTS original_d1; CREATE TABLE original_d1 (" + columns + ")")
    _psql(database_url, f"\\copy original_d1 from '{d1_file}' with (format csv, header true)")
    _psql(
        database_url, "CREATE INDEX ON original_d1 (awarding_agency_code, action_date); ANALYZE original_d1"
    )


def raw_copy(database_url: str, out: Path) -> float:
    def formatted(column: str, kind: ColumnKind) -> str:
        return f"to_char(\"{column}\", 'YYYYMMDD')" if kind is ColumnKind.DATE else f'"{column}"'

    select = ", ".join(formatted(c.name, c.kind) for c in columns_for(FileType.D1))
    end = START + dt.timedelta(days=DAYS - 1)
    query = (f"SELECT {select} FROM original_d1 WHERE awarding_agency_code = '{AGENCY[0]}' "
             f"AND action_date BETWEEN '{START}' AND '{end}'")  # fmt: skip
    started = time.perf_counter()
    with out.open("wb") as handle:
        _psql(database_url, f"\\copy ({query}) to stdout with csv", stdout=handle)
    return time.perf_counter() - started


def _psql(database_url: str, command: str, **kwargs: object) -> None:
    url = database_url.replace("postgresql+psycopg://", "postgresql://")
    subprocess.run(["psql", "-q", "-v", "ON_ERROR_STOP=1", url, "-c", command], check=True, **kwargs)  # type: ignore[call-overload]


# ----------------------------------------------------------------------------- driver


def run_once(rows: int, database_url: str, scratch: Path) -> None:
    print(f"N = {rows:,}", flush=True)
    env = {**os.environ, "BROKER_DATABASE_URL": database_url}
    os.environ.update(env)
    load(rows)
    child = subprocess.run([sys.executable, __file__, "--generate-only"], capture_output=True, text=True,
                           env=env, check=True)  # fmt: skip
    status, key, size, seconds, peak_kib = child.stdout.split()[-5:]
    broker_seconds = float(seconds)
    # Fetch the generated file to build the original-style table from exactly the same rows.
    broker = bootstrap(load_config(), queue_mode="inline", migrate=False)
    d1_file = scratch / "d1.csv"
    with d1_file.open("wb") as handle:
        for chunk in broker.storage.read(key):
            handle.write(chunk)
    broker.close()
    lines = sum(1 for _ in d1_file.open("rb")) - 1
    build_original_table(database_url, d1_file)
    copy_seconds = raw_copy(database_url, scratch / "copy.csv")
    copy_lines = sum(1 for _ in (scratch / "copy.csv").open("rb"))
    print(f"  broker D1 to S3:      {lines:>10,} rows in {broker_seconds:7.1f} s = "
          f"{lines / broker_seconds:>9,.0f} rows/s ({status}, {int(size) / 1e9:.2f} GB); "
          f"worker peak RSS {int(peak_kib) / 1024:,.0f} MB")  # fmt: skip
    print(f"  raw psql \\copy:       {copy_lines:>10,} rows in {copy_seconds:7.1f} s = "
          f"{copy_lines / copy_seconds:>9,.0f} rows/s")  # fmt: skip
    print(f"  ratio (raw COPY time / broker time): {copy_seconds / broker_seconds:.2f}x", flush=True)
    d1_file.unlink()
    (scratch / "copy.csv").unlink()


@contextlib.contextmanager
def servers(args: argparse.Namespace) -> Iterator[tuple[str, str | None]]:
    """(database server URL, S3 endpoint) — given, or started here."""
    from tests.servers import S3_TEST_ENV, PostgresServer, S3Server

    stack = contextlib.ExitStack()
    with stack:
        database_url = args.database_url
        if database_url is None:
            pg = PostgresServer(Path(tempfile.mkdtemp(prefix="broker-bench-pg-")))
            pg.start()
            stack.callback(shutil.rmtree, pg.root, True)
            stack.callback(pg.stop)
            database_url = pg.url()
        endpoint = args.s3_endpoint
        if endpoint is None:
            for name, value in S3_TEST_ENV.items():
                os.environ.setdefault(name, value)
            s3 = S3Server()
            s3.start()
            stack.callback(s3.stop)
            endpoint = s3.endpoint_url
        yield database_url, endpoint


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--database-url", help="a PostgreSQL server (a new database is made on it per N)")
    parser.add_argument("--s3-endpoint", help="an S3-compatible endpoint (default: start moto)")
    parser.add_argument("--generate-only", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.generate_only:
        generate_in_child()
        return
    with servers(args) as (server_url, endpoint), tempfile.TemporaryDirectory(prefix="broker-bench-") as tmp:
        import boto3

        scratch = Path(tmp)
        bucket = f"bench-{uuid.uuid4().hex[:8]}"
        boto3.client("s3", endpoint_url=endpoint).create_bucket(Bucket=bucket)
        os.environ.update({"BROKER_DATA_DIR": str(scratch / "data"), "BROKER_STORAGE_URL": f"s3://{bucket}/bench",
                           "BROKER_QUEUE_URL": "inprocess"})  # fmt: skip
        if endpoint:
            os.environ["BROKER_S3_ENDPOINT_URL"] = endpoint
        for rows in args.rows:
            database = f"bench_{rows}_{uuid.uuid4().hex[:6]}"
            _psql(server_url, f'CREATE DATABASE "{database}"')
            run_once(rows, server_url.rsplit("/", 1)[0] + "/" + database, scratch)


if __name__ == "__main__":
    main()

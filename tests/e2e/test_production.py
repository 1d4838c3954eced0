"""End to end in the production configuration: gunicorn x 2, RQ worker, PostgreSQL, Redis, S3."""

from __future__ import annotations

import contextlib
import os
import re
import signal
import subprocess
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import psutil
import psycopg

from tests.api.conftest import Api
from tests.e2e.conftest import BROKER, Production


def _finished(api: Api, job_id: int, timeout: float = 120) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        status, _, body = api.get(f"/v1/check_detached_generation_status/?job_id={job_id}")
        assert status == 200, body
        if body["status"] in ("finished", "failed"):
            return dict(body)
        assert time.monotonic() < deadline, f"job {job_id} still {body['status']}"
        time.sleep(0.1)


def _download(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=60) as response:
        return bytes(response.read())


def _local_mode_file(tmp_path: Path, *generate_args: str) -> bytes:
    """The same request generated in local mode (SQLite, files, in-process queue) from the same sample."""
    env = {"PATH": "/usr/bin:/bin", "BROKER_DATA_DIR": str(tmp_path / "local")}
    for args in (("load", "sample"), ("generate", *generate_args)):
        done = subprocess.run([*BROKER, *args], env=env, text=True, capture_output=True, timeout=300)
        assert done.returncode == 0, done.stdout + done.stderr
    return Path(done.stdout.strip().splitlines()[-1]).read_bytes()


def _sql(production: Production, query: str) -> list[tuple[Any, ...]]:
    url = production.env["BROKER_DATABASE_URL"].replace("+psycopg", "")
    with psycopg.connect(url) as conn:
        return list(conn.execute(query).fetchall())  # type: ignore[arg-type]


def test_d1_from_s3_is_byte_for_byte_the_local_mode_file(production: Production, tmp_path: Path) -> None:
    api = production.api(0)
    request = {"file_type": "D1", "cgac_code": "020", "start": "10/01/2016", "end": "12/31/2016"}
    status, _, body = api.post("/v1/generate_detached_file/", request)
    assert status == 200, body
    done = _finished(api, body["job_id"])
    assert done["status"] == "finished", done
    assert "X-Amz-Signature=" in done["url"] and done["url"].startswith(production.s3_endpoint)
    produced = _download(done["url"])
    assert done["size"] == len(produced)

    local = _local_mode_file(
        tmp_path, "D1", "--agency", "020", "--start", "10/01/2016", "--end", "12/31/2016"
    )

    assert produced == local
    assert produced.count(b"\n") > 10


def test_fifty_identical_requests_over_two_api_processes_share_one_generation(
    production: Production,
) -> None:
    clients = [production.api(0), production.api(1)]
    request = {"file_type": "D2", "cgac_code": "020", "start": "11/01/2016", "end": "02/28/2017",
               "file_format": "txt"}  # fmt: skip

    def ask(index: int) -> int:
        status, _, body = clients[index % 2].post("/v1/generate_detached_file/", request)
        assert status == 200, body
        return int(body["job_id"])

    with ThreadPoolExecutor(max_workers=50) as pool:
        job_ids = list(pool.map(ask, range(50)))

    assert len(set(job_ids)) == 50
    finals = [_finished(clients[0], job_id) for job_id in job_ids]
    assert {f["status"] for f in finals} == {"finished"}
    generations = _sql(
        production,
        "SELECT DISTINCT file_generation_id FROM job WHERE job_id IN (" + ",".join(map(str, job_ids)) + ")",
    )
    assert len(generations) == 1
    same_key = _sql(
        production,
        "SELECT count(*) FROM file_generation WHERE file_type = 'D2' AND agency_code = '020' "
        "AND start_date = '2016-11-01' AND end_date = '2017-02-28' AND file_format = 'txt'",
    )
    assert same_key == [(1,)]


def test_a_worker_killed_mid_generation_is_replaced_and_the_job_finishes(
    production: Production, tmp_path: Path
) -> None:
    # Enough rows that the upload takes a few seconds, long enough to kill it in the middle.
    load_env = dict(production.env)
    rows = 60_000
    loader = subprocess.run(
        [*BROKER[:1], "-c",
         "from broker_entrypoints.bootstrap import bootstrap; from broker_entrypoints.config import load_config;"
         "from broker_entrypoints.sample_data import bulk_procurement_rows; from broker_core.file_types import FileType;"
         f"b = bootstrap(load_config(), queue_mode='inline'); print(b.award_data.upsert_award_rows(FileType.D1, bulk_procurement_rows({rows}, days=30)))"],
        env=load_env, text=True, capture_output=True, timeout=600,
    )  # fmt: skip
    assert loader.returncode == 0, loader.stderr
    api = production.api(1)
    request = {"file_type": "D1", "cgac_code": "020", "start": "10/01/2016", "end": "10/30/2016"}
    status, _, body = api.post("/v1/generate_detached_file/", request)
    assert status == 200, body
    job_id = body["job_id"]
    s3: Any = production.s3()

    # Kill the worker while its multipart upload is open.
    victim = production.workers[-1]
    deadline = time.monotonic() + 60
    while not s3.list_multipart_uploads(Bucket=production.bucket).get("Uploads"):
        assert time.monotonic() < deadline, "the generation never started uploading"
        assert victim.poll() is None
        time.sleep(0.02)
    worker_pids = _children(victim.pid)
    for pid in [victim.pid, *worker_pids]:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    victim.wait(10)
    assert victim.returncode == -signal.SIGKILL
    status, _, body = api.get(f"/v1/check_detached_generation_status/?job_id={job_id}")
    assert body["status"] == "waiting", body  # running maps to "waiting" for the API; not lost, not failed

    production.start_worker()
    done = _finished(api, job_id, timeout=180)
    assert done["status"] == "finished", done
    produced = _download(done["url"])
    assert produced.count(b"\n") - 1 >= rows  # the bulk rows, plus the sample's rows in those days
    # No partial object or dangling upload survives the killed attempt.
    assert not s3.list_multipart_uploads(Bucket=production.bucket).get("Uploads")
    generated = s3.list_objects_v2(Bucket=production.bucket, Prefix="broker/generated/")["Contents"]
    keys_for_job = [
        o["Key"] for o in generated if o["Key"].endswith(done["url"].split("?")[0].rsplit("/", 1)[1])
    ]
    assert len(keys_for_job) == 1


def _children(pid: int) -> list[int]:
    return [child.pid for child in psutil.Process(pid).children(recursive=True)]


def test_with_redis_down_requests_are_accepted_and_finish_when_it_returns(production: Production) -> None:
    api = production.api(0)
    request = {"file_type": "D1", "cgac_code": "012", "start": "10/01/2016", "end": "03/31/2017"}
    production.redis.stop()
    try:
        started = time.monotonic()
        status, _, body = api.post("/v1/generate_detached_file/", request)
        elapsed = time.monotonic() - started
        assert status == 200, body
        assert body["status"] == "waiting"
        assert elapsed < 15
        status, _, again = api.get(f"/v1/check_detached_generation_status/?job_id={body['job_id']}")
        assert status == 200 and again["status"] == "waiting", again
    finally:
        production.redis.start()
    # The worker rides out the outage, reconnects, and its sweep finds the job
    # the database says is waiting.
    done = _finished(api, body["job_id"], timeout=120)
    assert done["status"] == "finished", done
    assert all(worker.poll() is None for worker in production.workers[-1:])


def test_every_request_gets_an_access_log_line(production: Production) -> None:
    """The production processes log requests through the broker's cheaper access logger."""
    base = production.api_bases[0]
    marker = f"/v1/check_detached_generation_status/?job_id={time.time_ns()}"
    status, _, _ = Api(base).get(marker)
    assert status == 401
    log = production.log_dir / "access.log"
    deadline = time.monotonic() + 10
    while marker not in log.read_text():
        assert time.monotonic() < deadline, "no access line for the request"
        time.sleep(0.1)
    (line,) = [line for line in log.read_text().splitlines() if marker in line]
    assert re.fullmatch(
        rf'127\.0\.0\.1 - - \[\d\d/\w{{3}}/\d{{4}}:\d\d:\d\d:\d\d [+-]\d{{4}}\] "GET {re.escape(marker)} HTTP/1\.1" '
        r'401 \d+ "-" "[^"]*" \d+\.\dms',
        line,
    ), line

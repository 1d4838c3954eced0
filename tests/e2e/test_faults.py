"""Fault injection in the production configuration (issue 7): a worker, an API process, PostgreSQL,
Redis, S3 or FPDS fails in the middle of the work. After each fault the database must not lie (no job
``running`` without a live worker once the sweep has had its turn), no partial file may be visible,
no submission loses data, and every job finishes or cleanly fails once the fault is gone.

Every test leaves the shared ``production`` servers running and healthy: what it stops, it restarts.
``docs/reliability.md`` explains the mechanism behind each outcome.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import psutil
import psycopg
import pytest

from broker_core.file_types import FileType
from tests.api.conftest import Api
from tests.fpds.fake_server import FakeFpds
from tests.fpds.pages import result_pages, sample_entries, varied
from tests.servers import PostgresServer
from tests.submission_flow import (
    FILE_KEYS,
    KEYS,
    TAS,
    S3Uploads,
    check_status,
    csv_file,
    job_of,
    poll,
    submit,
)

from .conftest import BROKER, Production

pytestmark = pytest.mark.slow

#: Jobs ``running`` that a worker owes: every one but a submission's A, B and C upload jobs, which
#: are ``running`` while the client uploads (as in the original). Ids: JobStatus.RUNNING = 3,
#: JobType.FILE_UPLOAD = 1, FileType A/B/C = 1/2/3.
OWED_RUNNING = (
    "SELECT job_id FROM job WHERE job_status_id = 3"
    " AND NOT (job_type_id = 1 AND submission_id IS NOT NULL AND file_type_id IN (1, 2, 3))"
)
C_ROWS = 40_000


# --------------------------------------------------------------------------- helpers


def _sql(production: Production, query: str, *params: object) -> list[tuple[Any, ...]]:
    url = production.env["BROKER_DATABASE_URL"].replace("+psycopg", "")
    with psycopg.connect(url, connect_timeout=5) as conn:
        return list(conn.execute(query, params).fetchall())  # type: ignore[arg-type]


def _tree(pid: int) -> list[int]:
    try:
        return [pid, *(child.pid for child in psutil.Process(pid).children(recursive=True))]
    except psutil.NoSuchProcess:
        return []


def _kill_tree(process: subprocess.Popen[bytes]) -> None:
    for pid in _tree(process.pid):
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    process.wait(10)


def _stop_worker(production: Production) -> None:
    """Stop the current worker the way an operator would (SIGTERM: RQ's warm shutdown)."""
    worker = production.workers[-1]
    if worker.poll() is None:
        worker.send_signal(signal.SIGTERM)
        try:
            worker.wait(20)
        except subprocess.TimeoutExpired:  # warm shutdown waits for a long job: the sweep redoes it
            _kill_tree(worker)


def _ensure_worker(production: Production) -> None:
    if production.workers[-1].poll() is not None:
        production.start_worker()


def _assert_nothing_lies(production: Production, timeout: float = 60) -> None:
    """No job stays ``running`` without a worker on it, no multipart upload is left open."""
    poll(lambda: _sql(production, OWED_RUNNING),
         lambda rows: rows == [], "no job left running", timeout=timeout)  # fmt: skip
    s3: Any = production.s3()
    assert not s3.list_multipart_uploads(Bucket=production.bucket).get("Uploads")
    assert all(worker.poll() is None for worker in production.workers[-1:])


def _big_c(rows: int) -> bytes:
    head, line = csv_file(FileType.C, [{**TAS[0], **KEYS, "piid": "PIID0001", "transaction_obligated_amou": "100.00"}]).split(b"\n", 1)  # fmt: skip
    return head + b"\n" + line * rows


def _submission_with_big_c(production: Production, api: Api, rows: int = C_ROWS) -> int:
    contents = {
        FileType.A: csv_file(FileType.A, []),
        FileType.B: csv_file(FileType.B, [{**tas, **KEYS} for tas in TAS]),
        FileType.C: _big_c(rows),
    }
    return int(submit(api, S3Uploads(production.s3_endpoint), contents)["submission_id"])


def _validations_done(api: Api, sid: int, timeout: float = 120) -> dict[str, Any]:
    return dict(
        poll(
            lambda: check_status(api, sid),
            lambda s: all(
                job_of(s, n)["job_status"] in ("finished", "invalid", "failed") for n in FILE_KEYS.values()
            ),
            "A, B and C validations",
            timeout=timeout,
        )
    )


def _wait_running(api: Api, sid: int, name: str = "award_financial", timeout: float = 60) -> None:
    poll(lambda: job_of(check_status(api, sid), name)["job_status"], lambda s: s == "running",
         f"{name} validation to start", timeout=timeout)  # fmt: skip


def _check_big_c(production: Production, api: Api, sid: int, rows: int = C_ROWS) -> None:
    state = _validations_done(api, sid)
    c = job_of(state, "award_financial")
    assert (c["job_status"], c["file_status"]) == ("finished", "complete"), c
    assert c["number_of_rows"] == rows, c
    [(valid,)] = _sql(production, "SELECT number_of_rows_valid FROM job WHERE job_id = %s", c["job_id"])
    assert valid == rows
    # One file row and one set of error metadata per job: the killed attempt left nothing behind.
    assert _sql(production, "SELECT count(*) FROM file WHERE job_id = %s", c["job_id"]) == [(1,)]
    [(jobs,)] = _sql(production, "SELECT count(*) FROM job WHERE submission_id = %s", sid)
    assert jobs == 13


def _finished(api: Api, job_id: int, timeout: float = 120) -> dict[str, Any]:
    return dict(
        poll(
            lambda: api.get(f"/v1/check_detached_generation_status/?job_id={job_id}")[2],
            lambda b: b["status"] in ("finished", "failed"),
            f"job {job_id}",
            timeout=timeout,
        )
    )


# --------------------------------------------------------------------------- 1. worker killed mid-validation


def test_a_worker_killed_mid_validation_is_replaced_and_the_validation_finishes(
    production: Production,
) -> None:
    api = production.api(0)
    sid = _submission_with_big_c(production, api)
    _wait_running(api, sid)
    time.sleep(1)  # well into the file: its batches are being staged
    victim = production.workers[-1]
    _kill_tree(victim)  # the worker, its work horse and the work horse's batch processes
    assert victim.returncode == -signal.SIGKILL
    assert (
        job_of(check_status(api, sid), "award_financial")["job_status"] == "running"
    )  # not lost, not failed

    production.start_worker()
    _check_big_c(production, api, sid)
    _assert_nothing_lies(production)


# --------------------------------------------------------------------------- 2. API process killed mid-request


def test_an_api_process_killed_mid_request_leaves_no_half_created_submission(production: Production) -> None:
    [(before,)] = _sql(production, "SELECT coalesce(max(submission_id), 0) FROM submission")
    victim_api = production.api(0)
    survivor = production.api(1)
    victim = production.processes[production.api_bases.index(victim_api.base)]
    contents = {ft: csv_file(ft, []) for ft in FILE_KEYS}
    answered: list[int] = []

    def ask(_: int) -> None:
        with contextlib.suppress(Exception):  # the connection dies with the process
            answered.append(
                int(submit(victim_api, S3Uploads(production.s3_endpoint), contents)["submission_id"])
            )

    with ThreadPoolExecutor(max_workers=8) as pool:
        futures = [pool.submit(ask, i) for i in range(40)]
        poll(lambda: _sql(production, "SELECT count(*) FROM submission WHERE submission_id > %s", before)[0][0],
             lambda n: n >= 2, "the first submissions", timeout=60)  # fmt: skip
        _kill_tree(victim)
        for future in futures:
            future.result(timeout=60)

    try:
        # Every submission is whole (13 jobs) or absent; the ones answered 200 are all there.
        counts = dict(_sql(production, "SELECT s.submission_id, count(j.job_id) FROM submission s "
                                        "LEFT JOIN job j ON j.submission_id = s.submission_id "
                                        "WHERE s.submission_id > %s GROUP BY s.submission_id", before))  # fmt: skip
        assert counts and set(counts.values()) == {13}, counts
        assert set(answered) <= set(counts)
        # The other process serves on, and lists exactly those submissions.
        listed: set[int] = set()
        for page in range(1, 20):
            status, _, listing = survivor.get(f"/v1/list_submissions/?limit=100&page={page}")
            assert status == 200, listing
            listed |= {r["submission_id"] for r in listing["submissions"] if r["submission_id"] > before}
            if len(listing["submissions"]) < 100:
                break
        assert listed == set(counts)
        for sid in counts:
            assert (
                job_of(check_status(survivor, sid), "")["job_type"] == "validation"
            )  # whole, to the last job
    finally:
        index = production.api_bases.index(victim_api.base)
        production.api_bases[index] = production.start_api()
        production.api_bases.pop()
    _assert_nothing_lies(production)


# --------------------------------------------------------------------------- 3. PostgreSQL restarted


def _restart_postgres(server: PostgresServer, during: Any) -> Any:
    """Stop the cluster (fast shutdown: every session is cut), run ``during``, start it again."""
    assert server.process is not None
    postmaster = int((server.root / "data" / "postmaster.pid").read_text().split()[0])
    os.kill(postmaster, signal.SIGINT)
    server.process.wait(60)
    try:
        return during()
    finally:
        server.start()


def test_postgres_restarted_mid_validation_answers_503_then_every_job_finishes(
    production: Production, postgres_server: PostgresServer
) -> None:
    api = production.api(1)
    sid = _submission_with_big_c(production, api)
    _wait_running(api, sid)

    def outage() -> list[tuple[int, Any, str]]:
        answers = []
        for path in ("/v1/check_status/", "/v1/list_submissions/"):
            status, _, body = api.post(path, {"submission_id": sid}) if "check" in path else api.get(path)
            answers.append((status, body, repr(body)))
        return answers

    answers = _restart_postgres(postgres_server, outage)
    for status, body, text in answers:
        assert status == 503, text
        assert set(body) == {"message"} and "database" in body["message"].lower(), text
        assert "Traceback" not in text and "psycopg" not in text and "sqlalchemy" not in text.lower()

    # The validation cut by the outage is retried by the sweep (the job was still ``running``), or failed
    # cleanly if the database was back when the worker recorded the failure: then a restart finishes it.
    c = job_of(_validations_done(api, sid), "award_financial")
    if c["job_status"] == "failed":
        assert c["file_status"] == "unknown_error" and "Traceback" not in repr(c), c
        status, _, body = api.post("/v1/restart_validation/", {"submission_id": sid})
        assert status == 200, body
    _check_big_c(production, api, sid)
    _assert_nothing_lies(production)
    assert api.get("/v1/list_submissions/")[0] == 200


# --------------------------------------------------------------------------- 4. Redis restarted with tasks queued


def test_tasks_lost_with_a_redis_restart_are_swept_back_and_finish(production: Production) -> None:
    api = production.api(0)
    _stop_worker(production)  # nothing takes the tasks off the queue: they are queued when Redis goes
    try:
        job_ids = []
        for day in (3, 5, 7):
            request = {"file_type": "D2", "cgac_code": "020", "start": "10/01/2016", "end": f"11/{day:02d}/2016",
                       "file_format": "txt"}  # fmt: skip
            status, _, body = api.post("/v1/generate_detached_file/", request)
            assert status == 200 and body["status"] == "waiting", body
            job_ids.append(int(body["job_id"]))
        assert production.redis.process is not None
        production.redis.stop()
        production.redis.start()  # empty: no persistence, the queued tasks are gone
        for job_id in job_ids:
            assert api.get(f"/v1/check_detached_generation_status/?job_id={job_id}")[2]["status"] == "waiting"
    finally:
        _ensure_worker(production)
    # The new worker's sweep asks the database, not Redis, what is outstanding.
    for job_id in job_ids:
        assert _finished(api, job_id)["status"] == "finished"
    _assert_nothing_lies(production)


# --------------------------------------------------------------------------- 5. S3 unavailable during an upload


class _S3Proxy:
    """A TCP proxy to the S3 server that can go down: it cuts the first upload (PUT/POST) it sees,
    and every connection after it, until :meth:`restore`."""

    def __init__(self, target: str) -> None:
        self.target = int(target.rsplit(":", 1)[1])
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = int(self.listener.getsockname()[1])
        self.down = False
        self.cut_next_upload = True
        self.cut = threading.Event()
        self._sockets: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def restore(self) -> None:
        self.down = False

    def close(self) -> None:
        self.listener.close()
        self._close_all()

    def _close_all(self) -> None:
        for s in list(self._sockets):
            with contextlib.suppress(OSError):
                s.close()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            if self.down:
                client.close()
                continue
            upstream = socket.create_connection(("127.0.0.1", self.target))
            self._sockets += [client, upstream]
            threading.Thread(target=self._pump, args=(client, upstream, True), daemon=True).start()
            threading.Thread(target=self._pump, args=(upstream, client, False), daemon=True).start()

    def _pump(self, source: socket.socket, sink: socket.socket, outgoing: bool) -> None:
        with contextlib.suppress(OSError):
            while data := source.recv(65536):
                if outgoing and self.cut_next_upload and data[:5] in (b"PUT /", b"POST "):
                    self.cut_next_upload, self.down = False, True
                    self.cut.set()
                    self._close_all()
                    return
                sink.sendall(data)
        with contextlib.suppress(OSError):
            sink.shutdown(socket.SHUT_WR)


@pytest.fixture
def s3_proxy(production: Production) -> Iterator[_S3Proxy]:
    proxy = _S3Proxy(production.s3_endpoint)
    try:
        yield proxy
    finally:
        proxy.close()


def test_s3_down_during_an_upload_fails_the_job_cleanly_and_a_new_request_succeeds(
    production: Production, s3_proxy: _S3Proxy
) -> None:
    api = production.api(0)
    s3: Any = production.s3()
    before = {o["Key"] for o in s3.list_objects_v2(Bucket=production.bucket).get("Contents", [])}
    # The only worker now reaches S3 through the proxy.
    _stop_worker(production)
    worker = subprocess.Popen(
        [*BROKER, "worker", "--sweep-interval", "1"],
        env={**production.env, "BROKER_S3_ENDPOINT_URL": s3_proxy.url},
        stdout=subprocess.DEVNULL,
        stderr=open(production.log_dir / "worker-s3-proxy.log", "wb"),  # noqa: SIM115 - closed with the process
    )
    production.workers.append(worker)
    try:
        request = {"file_type": "D1", "cgac_code": "020", "start": "10/01/2016", "end": "11/13/2016"}
        status, _, body = api.post("/v1/generate_detached_file/", request)
        assert status == 200, body
        failed = _finished(api, body["job_id"])
        assert s3_proxy.cut.is_set()
        assert failed["status"] == "failed", failed
        assert (
            failed["message"] and "Traceback" not in failed["message"] and "botocore" not in failed["message"]
        )
        after = {o["Key"] for o in s3.list_objects_v2(Bucket=production.bucket).get("Contents", [])}
        assert after == before  # no partial object
        assert not s3.list_multipart_uploads(Bucket=production.bucket).get("Uploads")

        s3_proxy.restore()
        status, _, again = api.post("/v1/generate_detached_file/", request)
        assert status == 200, again
        done = _finished(api, again["job_id"])
        assert done["status"] == "finished", done
        assert done["size"] > 0
    finally:
        worker.send_signal(signal.SIGTERM)
        worker.wait(30)
        production.start_worker()
    _assert_nothing_lies(production)


# --------------------------------------------------------------------------- 6. FPDS unreachable during a load

# tests/api/test_cli_fpds.py::test_a_failed_live_load_leaves_the_data_as_it_was covers an FPDS that is
# unreachable from the first request, in local mode (SQLite). Here FPDS goes away in the middle of a
# load (after its first pages), against PostgreSQL.

DAY_Q = 'LAST_MOD_DATE:[2020/04/02,2020/04/02] CONTRACT_TYPE:"AWARD" AWARD_TYPE:"Delivery Order"'


class _FpdsThatGoesAway(FakeFpds):
    def __init__(self, pages_before_going: int) -> None:
        super().__init__()
        self.pages_before_going = pages_before_going

    def _answer(self, params: dict[str, str]) -> tuple[int | str, bytes]:
        if len(self.requests) >= self.pages_before_going:
            self.requests.append(params)
            return "drop", b""
        return super()._answer(params)


def test_fpds_going_away_mid_load_changes_nothing(production: Production) -> None:
    snapshot = ("SELECT count(*), coalesce(md5(string_agg(detached_award_proc_unique, ',' "
                "ORDER BY detached_award_proc_unique)), '') FROM detached_award_procurement")  # fmt: skip
    before = _sql(production, snapshot)
    template = sample_entries("public_feed_page_2020-04-02.xml")
    entries = [varied(template[i % len(template)], f"GONE{i:05d}", last_modified="2020-04-02 08:00:00")
               for i in range(60)]  # fmt: skip
    fpds = _FpdsThatGoesAway(pages_before_going=2)
    try:
        fpds.serve("PUBLIC", DAY_Q, result_pages(entries, q=DAY_Q))
        env = {**production.env, "BROKER_FPDS_URL": fpds.url, "BROKER_FPDS_RETRIES": "1",
               "BROKER_FPDS_TIMEOUT": "10"}  # fmt: skip
        done = subprocess.run([*BROKER, "load", "fpds", "--since", "2020-04-02", "--until", "2020-04-02"],
                              env=env, text=True, capture_output=True, timeout=120)  # fmt: skip
    finally:
        fpds.stop()
    assert len(fpds.requests) > 2  # it did get pages before FPDS went away
    message = " ".join(done.stderr.split())
    assert done.returncode == 1, done.stderr
    assert "The server could not reach the Federal Procurement Data System. Try again later." in message
    assert "Nothing was loaded" in message and "Traceback" not in message
    assert _sql(production, snapshot) == before
    assert not _sql(
        production,
        "SELECT 1 FROM detached_award_procurement WHERE detached_award_proc_unique LIKE '%%GONE%%' LIMIT 1",
    )

"""HTTP load on the production configuration: gunicorn + PostgreSQL + Redis + S3 (moto).

    .venv/bin/python bench/load.py [--duration 60] [--connections 16] [--workers N] [--threads N]

Starts its own PostgreSQL, Redis and S3-compatible (moto) servers on 127.0.0.1 (as
the tests do), loads the sample data (``broker load sample``), adds a few users,
then starts ``broker serve --production`` (gunicorn, the settings of
``gunicorn_conf.py``) and one ``broker worker``, and runs two phases, each
printing throughput, p50/p99 latency and the error count:

1. **status**: ``GET /v1/check_detached_generation_status/?job_id=N`` of a
   finished detached D1 job, logged in, over ``--connections`` keep-alive
   connections for ``--duration`` seconds. Target on a 2-core machine:
   >= 1,500 requests/s with p99 < 25 ms.
2. **mixed**: logins, detached status checks, D1 requests that hit the cache
   (the same request again) and that miss it (new date ranges, at most one
   every ``--miss-every`` seconds so that the worker keeps up), ``check_status``
   and ``list_submissions`` of an existing submission, and status checks with a
   logged-out session (401 expected). Every other non-2xx answer is an error.

The load generator is a small asyncio client writing pre-built HTTP/1.1
requests on keep-alive connections (one event loop, one thread), so that it
leaves most of the CPU to the server.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # for tests.*

import boto3
from tests.api.conftest import PASSWORD, Api
from tests.servers import S3_TEST_ENV, PostgresServer, RedisServer, S3Server, free_port, wait_http
from tests.submission_flow import S3Uploads, csv_file, generated_file_a, submit

from broker_core.file_types import FileType

BROKER = [sys.executable, "-m", "broker_entrypoints.cli"]
#: gunicorn's and PostgreSQL's process ids, once started (their CPU time is measured).
SERVER_ROOTS: list[int] = []
USERS = ("analyst@example.com", "load1@example.com", "load2@example.com", "load3@example.com")
AGENCY = "020"
SAMPLE_START = dt.date(2016, 10, 1)


# ----------------------------------------------------------------------------- the servers


@contextlib.contextmanager
def production(args: argparse.Namespace) -> Iterator[tuple[str, str]]:
    """Everything started and loaded; yields (API base URL, S3 endpoint)."""
    processes: list[subprocess.Popen[bytes]] = []
    with tempfile.TemporaryDirectory(prefix="broker-load-") as scratch:
        root = Path(scratch)
        if os.geteuid() == 0:
            os.chmod(root, 0o755)  # PostgreSQL runs as postgres under root
        postgres, redis, s3 = PostgresServer(root / "pg"), RedisServer(root / "redis"), S3Server()
        try:
            for server in (postgres, redis, s3):
                server.start()
            bucket = f"broker-{uuid.uuid4().hex[:10]}"
            os.environ.update({k: os.environ.get(k, v) for k, v in S3_TEST_ENV.items()})
            boto3.client("s3", endpoint_url=s3.endpoint_url).create_bucket(Bucket=bucket)
            env = {
                **os.environ,
                "BROKER_DATA_DIR": str(root / "data"),
                "BROKER_DATABASE_URL": postgres.create_database("load"),
                "BROKER_STORAGE_URL": f"s3://{bucket}/broker",
                "BROKER_S3_ENDPOINT_URL": s3.endpoint_url,
                "BROKER_QUEUE_URL": redis.url,
                "BROKER_SECRET_KEY": "load-secret",
            }
            if args.threads:
                env["BROKER_GUNICORN_THREADS"] = str(args.threads)
            if args.access_log is not None:
                env["BROKER_GUNICORN_ACCESS_LOG"] = args.access_log
            _cli(env, "load", "sample")
            for email in USERS:
                _cli(env, "users", "add", email, "--name", email.split("@")[0], "--password-stdin",
                     "--affiliation", f"{AGENCY}:submitter", stdin=PASSWORD + "\n")  # fmt: skip
            port = free_port()
            serve = [*BROKER, "serve", "--production", "--port", str(port)]
            if args.workers:
                serve += ["--workers", str(args.workers)]
            log = open(root / "api.log", "wb")  # noqa: SIM115 - closed with the scratch directory
            processes.append(subprocess.Popen(serve, env=env, stdout=subprocess.DEVNULL, stderr=log))
            processes.append(
                subprocess.Popen([*BROKER, "worker", "--sweep-interval", "1"], env=env,
                                 stdout=subprocess.DEVNULL, stderr=open(root / "worker.log", "wb"))  # noqa: SIM115
            )  # fmt: skip
            base = f"http://127.0.0.1:{port}"
            wait_http(base + "/", processes[0])
            print(f"gunicorn pid {processes[0].pid} on {base}; logs in {root}", flush=True)
            assert postgres.process is not None
            SERVER_ROOTS[:] = [processes[0].pid, postgres.process.pid]
            yield base, s3.endpoint_url
        finally:
            for process in processes:
                if process.poll() is None:
                    process.send_signal(signal.SIGTERM)
            for process in processes:
                try:
                    process.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    process.kill()
            for server in (s3, redis, postgres):
                server.stop()


def cpu_seconds(roots: list[int]) -> float:
    """CPU time (user + system) of the processes under ``roots`` (Linux /proc), for CPU per request."""
    ticks = os.sysconf("SC_CLK_TCK")
    parents: dict[int, int] = {}
    used: dict[int, float] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as handle:
                fields = handle.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        parents[int(entry)] = int(fields[1])
        used[int(entry)] = (int(fields[11]) + int(fields[12])) / ticks
    total = 0.0
    for pid, seconds in used.items():
        ancestor = pid
        while ancestor > 1 and ancestor not in roots:
            ancestor = parents.get(ancestor, 1)
        if ancestor in roots:
            total += seconds
    return total


def _cli(env: dict[str, str], *args: str, stdin: str | None = None) -> None:
    subprocess.run(
        [*BROKER, *args], input=stdin, text=True, capture_output=True, env=env, check=True, timeout=600
    )


# ----------------------------------------------------------------------------- the client


def d1_request(start: dt.date, days: int) -> dict[str, str]:
    end = start + dt.timedelta(days=days - 1)
    return {"file_type": "D1", "cgac_code": AGENCY, "start": start.strftime("%m/%d/%Y"),
            "end": end.strftime("%m/%d/%Y")}  # fmt: skip


def http_request(method: str, path: str, session: str | None = None, body: object = None) -> bytes:
    lines = [f"{method} {path} HTTP/1.1", "Host: 127.0.0.1"]
    if session is not None:
        lines.append(f"X-Session-ID: {session}")
    payload = b""
    if body is not None:
        payload = json.dumps(body).encode()
        lines += ["Content-Type: application/json", f"Content-Length: {len(payload)}"]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + payload


class Connection:
    """One keep-alive HTTP/1.1 connection; ``call`` sends pre-built bytes and reads one response."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def call(self, request: bytes) -> tuple[int, bytes]:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        assert self.reader is not None
        self.writer.write(request)
        head = await self.reader.readuntil(b"\r\n\r\n")
        status = int(head[9:12])
        length, close = 0, False
        for line in head.split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            name = name.strip().lower()
            if name == b"content-length":
                length = int(value)
            elif name == b"connection" and value.strip().lower() == b"close":
                close = True
        body = await self.reader.readexactly(length) if length else b""
        if close:
            self.close()
        return status, body

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None


class Stats:
    def __init__(self) -> None:
        self.latencies: list[float] = []
        self.errors = 0
        self.reconnects = 0
        self.by_kind: dict[str, int] = {}
        self.first_errors: list[str] = []

    def error(self, what: str) -> None:
        self.errors += 1
        if len(self.first_errors) < 5:
            self.first_errors.append(what)

    def report(self, name: str, seconds: float) -> None:
        done = sorted(self.latencies)
        n = len(done)
        p50 = done[n // 2] * 1000 if n else float("nan")
        p99 = done[min(n - 1, int(n * 0.99))] * 1000 if n else float("nan")
        print(f"{name}: {n:,} requests in {seconds:.1f} s = {n / seconds:,.0f} requests/s, "
              f"p50 {p50:.1f} ms, p99 {p99:.1f} ms, errors {self.errors}, "
              f"reconnects {self.reconnects}", flush=True)  # fmt: skip
        if self.by_kind:
            print("  " + ", ".join(f"{k} {v:,}" for k, v in sorted(self.by_kind.items())), flush=True)
        for what in self.first_errors:
            print(f"  error: {what}", flush=True)


#: An operation of the mixed phase: (name, request bytes, expected statuses, check of the body).
Operation = tuple[str, bytes, tuple[int, ...], Callable[[bytes], bool] | None]


async def drive(
    host: str, port: int, connections: int, seconds: float, next_operation: Callable[[], Operation]
) -> Stats:
    stats = Stats()
    deadline = time.perf_counter() + seconds

    async def one(index: int) -> None:
        connection = Connection(host, port)
        used = False
        while time.perf_counter() < deadline:
            kind, request, expected, check = next_operation()
            started = time.perf_counter()
            try:
                reconnect = used and connection.writer is None
                status, body = await connection.call(request)
            except (OSError, asyncio.IncompleteReadError, ValueError) as exc:
                connection.close()
                stats.error(f"{kind}: {exc!r}")
                continue
            stats.latencies.append(time.perf_counter() - started)
            stats.reconnects += reconnect
            used = True
            stats.by_kind[kind] = stats.by_kind.get(kind, 0) + 1
            if status not in expected:
                stats.error(f"{kind}: HTTP {status} {body[:200]!r}")
            elif check is not None and not check(body):
                stats.error(f"{kind}: unexpected body {body[:200]!r}")
        connection.close()

    await asyncio.gather(*(one(i) for i in range(connections)))
    return stats


def run_phase(
    name: str, base: str, connections: int, seconds: float, next_operation: Callable[[], Operation]
) -> None:
    host, port = base.removeprefix("http://").split(":")
    load_before = os.getloadavg()[0]
    cpu_before = [cpu_seconds([root]) for root in SERVER_ROOTS]
    client_before = time.process_time()
    started = time.perf_counter()
    stats = asyncio.run(drive(host, int(port), connections, seconds, next_operation))
    elapsed = time.perf_counter() - started
    client_cpu = time.process_time() - client_before
    gunicorn_cpu, postgres_cpu = (cpu_seconds([r]) - b for r, b in zip(SERVER_ROOTS, cpu_before, strict=True))
    server_cpu = gunicorn_cpu + postgres_cpu
    stats.report(f"{name} ({connections} connections, load average before {load_before:.2f})", elapsed)
    # Independent of what else runs on the machine: CPU time per request of gunicorn + PostgreSQL.
    count = max(1, len(stats.latencies))
    print(f"  CPU: server {server_cpu / count * 1000:.2f} ms/request "
          f"(gunicorn {gunicorn_cpu / count * 1000:.2f}, PostgreSQL {postgres_cpu / count * 1000:.2f}; "
          f"{server_cpu / elapsed:.2f} cores), load client {client_cpu / count * 1000:.2f} ms/request, "
          f"load average after {os.getloadavg()[0]:.2f}", flush=True)  # fmt: skip


# ----------------------------------------------------------------------------- the phases


def finished_d1_job(api: Api) -> dict[str, object]:
    status, _, job = api.post("/v1/generate_detached_file/", d1_request(SAMPLE_START, 90))
    assert status == 200, job
    finished = api.wait_for(int(job["job_id"]), timeout=120)
    assert finished["status"] == "finished", finished
    return finished


def existing_submission(api: Api, s3_endpoint: str) -> int:
    contents = {
        FileType.A: generated_file_a(api),
        FileType.B: csv_file(FileType.B, []),
        FileType.C: csv_file(FileType.C, []),
    }
    return int(submit(api, S3Uploads(s3_endpoint), contents)["submission_id"])


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--duration", type=float, default=60, help="seconds of each phase (default 60)")
    parser.add_argument("--connections", type=int, default=16, help="concurrent connections (default 16)")
    parser.add_argument("--mixed-connections", type=int, default=8, help="connections of phase 2 (default 8)")
    parser.add_argument(
        "--miss-every", type=float, default=2.0, help="seconds between cache misses (default 2)"
    )
    parser.add_argument("--workers", type=int, help="gunicorn processes (default: gunicorn_conf.py)")
    parser.add_argument(
        "--threads", type=int, help="threads per gunicorn process (default: gunicorn_conf.py)"
    )
    parser.add_argument("--access-log", help="BROKER_GUNICORN_ACCESS_LOG for the server")
    parser.add_argument("--phase", choices=("status", "mixed", "both"), default="both")
    parser.add_argument(
        "--pause", action="store_true", help="wait for Enter before each phase (to attach py-spy)"
    )
    args = parser.parse_args()

    print(f"{dt.datetime.now():%Y-%m-%d %H:%M:%S}, load average {os.getloadavg()}", flush=True)
    with production(args) as (base, s3_endpoint):
        api = Api(base)
        api.login()
        assert api.session is not None
        job = finished_d1_job(api)
        job_id, url = int(str(job["job_id"])), job["url"]
        status_request = http_request(
            "GET", f"/v1/check_detached_generation_status/?job_id={job_id}", api.session
        )

        def finished(body: bytes) -> bool:
            answer = json.loads(body)
            # The signed URL changes with its signing time: the object it points to does not.
            return bool(
                answer["status"] == "finished" and answer["url"].split("?")[0] == str(url).split("?")[0]
            )

        if args.phase in ("status", "both"):
            if args.pause:
                input("status phase: press Enter to start ")
            status_operation: Operation = ("status", status_request, (200,), None)
            # One check of the body up front; the phase itself only counts statuses.
            assert finished(urllib.request.urlopen(urllib.request.Request(
                base + f"/v1/check_detached_generation_status/?job_id={job_id}",
                headers={"X-Session-ID": api.session})).read())  # fmt: skip
            run_phase("phase 1, status", base, args.connections, args.duration, lambda: status_operation)

        if args.phase in ("mixed", "both"):
            submission_id = existing_submission(api, s3_endpoint)
            sessions = []
            for email in USERS:
                client = Api(base)
                client.login(email)
                sessions.append(client.session)
            logged_out = Api(base)
            logged_out.login(USERS[-1])
            logged_out.post("/v1/logout/", {})
            hit_request = d1_request(SAMPLE_START, 90)
            login_bodies = [{"username": email, "password": PASSWORD} for email in USERS]
            rng = random.Random(7)
            misses = {"next": time.monotonic(), "count": 0}
            miss_jobs: list[int] = []

            def is_json(body: bytes) -> bool:
                json.loads(body)
                return True

            def record_miss(body: bytes) -> bool:
                miss_jobs.append(int(json.loads(body)["job_id"]))
                return True

            def next_operation() -> Operation:
                session = rng.choice(sessions)
                now = time.monotonic()
                if now >= misses["next"]:
                    misses["next"] = now + args.miss_every
                    misses["count"] += 1
                    start = SAMPLE_START + dt.timedelta(days=int(misses["count"]))
                    request = http_request(
                        "POST", "/v1/generate_detached_file/", session, d1_request(start, 30)
                    )
                    return ("generate (miss)", request, (200,), record_miss)
                roll = rng.random()
                if roll < 0.02:
                    body = rng.choice(login_bodies)
                    return ("login", http_request("POST", "/v1/login/", None, body), (200,), None)
                if roll < 0.40:
                    return ("status", http_request("GET", status_request.split(b" ")[1].decode(), session),
                            (200,), finished)  # fmt: skip
                if roll < 0.55:
                    request = http_request("POST", "/v1/generate_detached_file/", session, hit_request)
                    return ("generate (hit)", request, (200,), is_json)
                if roll < 0.75:
                    path = f"/v1/check_status/?submission_id={submission_id}"
                    return ("check_status", http_request("GET", path, session), (200,), is_json)
                if roll < 0.95:
                    path = "/v1/list_submissions/?page=1&limit=10&certified=mixed"
                    return ("list_submissions", http_request("GET", path, session), (200,), is_json)
                request = http_request("GET", status_request.split(b" ")[1].decode(), logged_out.session)
                return ("status, logged out (401)", request, (401,), None)

            if args.pause:
                input("mixed phase: press Enter to start ")
            run_phase("phase 2, mixed", base, args.mixed_connections, args.duration, next_operation)
            # The misses were bounded so that the worker keeps up: all of them finish soon after.
            waited = time.perf_counter()
            states = [api.wait_for(job, timeout=120)["status"] for job in miss_jobs]
            print(f"  cache misses: {len(miss_jobs)}, {states.count('finished')} finished "
                  f"{time.perf_counter() - waited:.1f} s after the phase", flush=True)  # fmt: skip


if __name__ == "__main__":
    main()

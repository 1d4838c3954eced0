"""D1 generation in local mode, end to end: rows/s and peak memory.

    .venv/bin/python bench/generate_d1.py --rows 1000000

Loads N synthetic procurement rows (all 267 D1 columns filled, about 2.6 KB a
row as CSV) into a fresh local-mode data folder through the same store the
``broker load procurement`` command uses, then generates the D1 file for the
whole range in a separate process — request, queue, worker, streamed write to
storage, status check — and reports that process's wall time, rows/s and peak
RSS. Targets (1,000,000 rows, 2 cores): >= 30,000 rows/s, peak RSS < 200 MB.
"""

from __future__ import annotations

import argparse
import datetime as dt
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from broker_core.file_types import FileType
from broker_core.generation.cache import cache_key
from broker_core.generation.request import parse_detached_request
from broker_entrypoints import sample_data
from broker_entrypoints.bootstrap import bootstrap
from broker_entrypoints.config import load_config

AGENCY = sample_data.AGENCIES[0]
START = sample_data.SAMPLE_START
DAYS = 365


def load(data_dir: Path, rows: int) -> None:
    broker = bootstrap(load_config(data_dir=data_dir), queue_mode="inline")
    started = time.perf_counter()
    loaded = broker.award_data.upsert_award_rows(
        FileType.D1, sample_data.bulk_procurement_rows(rows, days=DAYS)
    )
    elapsed = time.perf_counter() - started
    broker.close()
    print(f"load:     {loaded:>10,} rows in {elapsed:7.1f} s = {loaded / elapsed:>9,.0f} rows/s")


def generate(data_dir: Path) -> None:
    """Runs in the child process: one detached D1 request served by an inline worker."""
    broker = bootstrap(load_config(data_dir=data_dir), queue_mode="inline")
    end = START + dt.timedelta(days=DAYS - 1)
    payload = {"file_type": "D1", "cgac_code": AGENCY[0], "start": START.strftime("%m/%d/%Y"),
               "end": end.strftime("%m/%d/%Y")}  # fmt: skip
    # Retire any earlier file for this request so that the run really generates.
    with broker.generation.uow_factory() as uow:
        for cached in uow.file_generations.cached(cache_key(parse_detached_request(payload))):
            cached.is_cached_file = False
        uow.commit()
    started = time.perf_counter()
    status = broker.generation.request_detached(payload, user_id=None)
    final = broker.generation.detached_status(status.job_id)
    elapsed = time.perf_counter() - started
    with broker.generation.uow_factory() as uow:
        job = uow.jobs.get(final.job_id)
    assert job is not None and job.filename is not None, final
    path = broker.storage.path_for(job.filename)
    with open(path, "rb") as handle:
        lines = sum(chunk.count(b"\n") for chunk in iter(lambda: handle.read(1 << 20), b""))
    broker.close()
    # The child reports its own peak: a parent's RUSAGE_CHILDREN figure would
    # include the parent's memory copied into the child between fork and exec.
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(f"{final.status} {lines - 1} {final.size} {elapsed:.3f} {peak_kib}")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--data-dir", type=Path, help="reuse a folder (default: a new temporary one)")
    parser.add_argument("--skip-load", action="store_true", help="the data folder is already loaded")
    parser.add_argument("--generate-only", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.generate_only:
        generate(args.data_dir)
        return
    with tempfile.TemporaryDirectory(prefix="broker-bench-") as scratch:
        data_dir = args.data_dir or Path(scratch)
        if not args.skip_load:
            load(data_dir, args.rows)
        child = subprocess.run(
            [sys.executable, __file__, "--generate-only", "--data-dir", str(data_dir)],
            capture_output=True, text=True, check=True,
        )  # fmt: skip
        status, rows, size, seconds, peak_kib = child.stdout.split()[-5:]
        peak_mb = int(peak_kib) / 1024
        print(f"generate: {int(rows):>10,} rows in {float(seconds):7.1f} s = "
              f"{int(rows) / float(seconds):>9,.0f} rows/s ({status}, {int(size) / 1e9:.2f} GB, "
              f"{int(size) / max(int(rows), 1):,.0f} bytes/row)")  # fmt: skip
        print(f"peak RSS of the generating process: {peak_mb:,.0f} MB")


if __name__ == "__main__":
    main()

"""File C validation end to end: rows/s and peak RSS, on SQLite and on PostgreSQL.

    .venv/bin/python bench/validate.py --rows 1000000 [--database sqlite postgresql]

Writes a synthetic File C of N rows (the 56 columns, long DAIMS headers; a mix of
transaction-obligated-amount rows and balance rows, a few per cent of them with a
problem: a type error, a missing required value, a bad object class) to a temporary
file, loads the reference data its rules read (CARS TAS, SF-133 lines, a PARK), and
validates it in a child process exactly as ``broker validate`` does: read, clean,
row checks, staging in batches (``COPY`` on PostgreSQL, from one worker process per
core), TAS linking, every implemented File C rule (two queries in flight), both
reports streamed to disk. Prints rows/s, the child's peak RSS, and the peak of the
child and its batch workers together (sampled). Without ``--database-url`` it starts
its own PostgreSQL on 127.0.0.1.
Targets: at least 20,000 rows/s on PostgreSQL, peak RSS under 300 MB.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import datetime as dt
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # for tests.servers

from broker_adapters.sqlalchemy.reference_data import SqlAlchemyReferenceData
from broker_core.file_types import FileType
from broker_core.loading.program_activities import ParkRecord
from broker_core.records import SF133Record, TasRecord
from broker_core.tas import concat_tas
from broker_core.validation.schema import schema_for

YEAR, PERIOD = 2024, 6
AGENCIES = [f"{n:03d}" for n in range(10, 30)]
MAINS = [f"{n:04d}" for n in range(100, 150)]
OBJECT_CLASSES = ["111", "121", "210", "251", "252", "310", "410", "4100"]


def _tas_parts(index: int) -> tuple[str, str]:
    return AGENCIES[index % len(AGENCIES)], MAINS[index % len(MAINS)]


def write_file_c(path: Path, rows: int, seed: int = 7) -> None:
    """N rows of File C; about 3% carry an error the row checks or rules report."""
    rng = random.Random(seed)
    fields = schema_for(FileType.C).fields
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow([f.name for f in fields])
        for n in range(rows):
            aid, main = _tas_parts(n)
            toa = n % 3 == 0
            row = {
                "agency_identifier": aid,
                "main_account_code": main,
                "sub_account_code": "000",
                "availability_type_code": "X",
                "by_direct_reimbursable_fun": "D",
                "disaster_emergency_fund_code": "Q",
                "object_class": OBJECT_CLASSES[n % len(OBJECT_CLASSES)],
                "program_activity_reporting_key": "PARK1",
                "prior_year_adjustment": "X",
                "piid": f"PIID{n:09d}" if n % 2 else "",
                "fain": "" if n % 2 else f"FAIN{n:09d}",
            }
            if toa:
                row["transaction_obligated_amou"] = f"{rng.randint(-(10**7), 10**7) / 100:.2f}"
            else:
                # Balances that add up (C3 to C7 hold), with the outlay C25 asks for.
                amount = f"{rng.randint(0, 10**8) / 100:.2f}"
                row["ussgl480100_undelivered_or_cpe"] = row["obligations_undelivered_or_cpe"] = amount
                row["ussgl490200_delivered_orde_cpe"] = row["gross_outlays_delivered_or_cpe"] = amount
                row["gross_outlay_amount_by_awa_cpe"] = amount
            problem = rng.random()
            if problem < 0.01:
                row["gross_outlay_amount_by_awa_cpe"] = "not a number"
            elif problem < 0.02:
                row["object_class"] = "999"
            elif problem < 0.03:
                row["agency_identifier"] = ""
            writer.writerow([row.get(f.short_name, "") for f in fields])


def load_reference_data(database_url: str) -> None:
    from broker_entrypoints.bootstrap import bootstrap
    from broker_entrypoints.config import load_config

    broker = bootstrap(load_config(), queue_mode="inline")
    tas_records, sf133 = [], []
    for index in range(len(AGENCIES) * len(MAINS)):
        aid, main = _tas_parts(index)
        tas = concat_tas(None, aid, None, None, "X", main, "000")
        tas_records.append(
            TasRecord(
                account_num=index + 1,
                allocation_transfer_agency=None,
                agency_identifier=aid,
                beginning_period_of_availa=None,
                ending_period_of_availabil=None,
                availability_type_code="X",
                main_account_code=main,
                sub_account_code="000",
                tas=tas,
                financial_indicator2=None,
                fr_entity_type=None,
            )
        )
        sf133.append(
            SF133Record(
                fiscal_year=YEAR,
                period=PERIOD,
                allocation_transfer_agency=None,
                agency_identifier=aid,
                beginning_period_of_availa=None,
                ending_period_of_availabil=None,
                availability_type_code="X",
                main_account_code=main,
                sub_account_code="000",
                line=2190,
                amount=Decimal("1000.00"),
                tas=tas,
            )
        )
    broker.award_data.replace_tas(tas_records)
    broker.award_data.replace_sf133(sf133)
    parks = [
        ParkRecord(fiscal_year=YEAR, period=PERIOD, agency_id=aid, allocation_transfer_id=None,
                   main_account_number=main, sub_account_number=None, park_code="PARK1", park_name="Bench")
        for aid in AGENCIES
        for main in MAINS
    ]  # fmt: skip
    SqlAlchemyReferenceData(broker.engine).replace_park(parks)
    broker.close()


def validate_in_child(file: Path, reports: Path) -> None:
    """Runs in the child: the same path as ``broker validate``."""
    from broker_adapters.local_storage import LocalFileStorage
    from broker_core.generation.periods import period_to_dates
    from broker_core.validation.run import ValidationRun
    from broker_entrypoints.bootstrap import bootstrap
    from broker_entrypoints.config import load_config

    broker = bootstrap(load_config(), queue_mode="inline", migrate=False)
    start, end = period_to_dates(YEAR, PERIOD)
    run = ValidationRun(job_id=1, file_type=FileType.C, fiscal_year=YEAR, period=PERIOD,
                        reporting_start=start, reporting_end=end, cgac_code=AGENCIES[0])  # fmt: skip
    storage = LocalFileStorage(reports, public_base_url="file:///", secret_key=b"bench")
    service = broker.file_validation(storage)
    started = time.perf_counter()
    with file.open("rb") as source:
        outcome = service.validate(source, file.name, run)
    elapsed = time.perf_counter() - started
    broker.close()
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(outcome.file_status.status_name, outcome.number_of_rows, outcome.totals.number_of_errors,
          outcome.totals.number_of_warnings, f"{elapsed:.3f}", peak_kib, len(outcome.rules_not_run))  # fmt: skip


def run_once(label: str, database_url: str, file: Path, rows: int, scratch: Path) -> None:
    env = {**os.environ, "BROKER_DATABASE_URL": database_url, "BROKER_DATA_DIR": str(scratch / label)}
    os.environ.update(env)
    load_reference_data(database_url)
    reports = scratch / f"reports-{label}"
    reports.mkdir()
    command = [sys.executable, __file__, "--child", str(file), str(reports)]
    with subprocess.Popen(command, env=env, stdout=subprocess.PIPE, text=True) as child:
        peak_total = _peak_tree_rss(child)
        stdout = child.stdout.read() if child.stdout else ""
    if child.returncode:
        raise SystemExit(f"the validating process failed ({child.returncode})")
    status, counted, errors, warnings, seconds, peak_kib, not_run = stdout.split()[-7:]
    elapsed = float(seconds)
    print(f"  {label:<10} {rows:>10,} rows in {elapsed:7.1f} s = {rows / elapsed:>8,.0f} rows/s; "
          f"peak RSS {int(peak_kib) / 1024:,.0f} MB (with its batch workers {peak_total / 2**20:,.0f} MB); "
          f"{status}, {int(counted):,} rows, {int(errors):,} errors, "
          f"{int(warnings):,} warnings ({not_run} rules not implemented)", flush=True)  # fmt: skip


def _peak_tree_rss(child: subprocess.Popen[str]) -> int:
    """Highest sum of resident memory over the validating process and its batch workers (sampled)."""
    import psutil

    process = psutil.Process(child.pid)
    peak = 0
    while child.poll() is None:
        total = 0
        with contextlib.suppress(psutil.Error):
            for member in [process, *process.children(recursive=True)]:
                with contextlib.suppress(psutil.Error):
                    total += member.memory_info().rss
        peak = max(peak, total)
        time.sleep(0.05)
    return peak


@contextlib.contextmanager
def postgres(url: str | None) -> Iterator[str]:
    if url is not None:
        yield url
        return
    from tests.servers import PostgresServer

    server = PostgresServer(Path(tempfile.mkdtemp(prefix="broker-bench-pg-")))
    server.start()
    try:
        yield server.create_database(f"bench_{uuid.uuid4().hex[:8]}")
    finally:
        server.stop()
        shutil.rmtree(server.root, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument(
        "--database", nargs="+", choices=["sqlite", "postgresql"], default=["sqlite", "postgresql"]
    )
    parser.add_argument("--database-url", help="an empty PostgreSQL database to use instead of starting one")
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        validate_in_child(Path(args.child[0]), Path(args.child[1]))
        return
    with tempfile.TemporaryDirectory(prefix="broker-bench-validate-") as tmp:
        scratch = Path(tmp)
        file = scratch / "file_c.csv"
        started = time.perf_counter()
        write_file_c(file, args.rows)
        print(f"File C: {args.rows:,} rows, {file.stat().st_size / 1e6:,.0f} MB, written in "
              f"{time.perf_counter() - started:.1f} s ({dt.date.today()})", flush=True)  # fmt: skip
        if "sqlite" in args.database:
            run_once("sqlite", f"sqlite:///{scratch / 'bench.sqlite3'}", file, args.rows, scratch)
        if "postgresql" in args.database:
            with postgres(args.database_url) as url:
                run_once("postgresql", url, file, args.rows, scratch)


if __name__ == "__main__":
    main()

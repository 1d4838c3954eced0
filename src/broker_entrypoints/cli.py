"""The ``broker`` command line: serve, load data, manage users, generate files."""

from __future__ import annotations

import io
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TextIO

import click
from rich.console import Console
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from broker_adapters.local_storage import LocalFileStorage
from broker_adapters.sqlalchemy.reference_data import SqlAlchemyReferenceData
from broker_core.errors import BrokerError
from broker_core.file_types import FileType
from broker_core.loading.reference_service import ReferenceLoadService
from broker_core.loading.service import LoadRejected
from broker_core.queueing import Task
from broker_core.services.auth import parse_affiliation
from broker_entrypoints import sample_data
from broker_entrypoints.bootstrap import Broker, bootstrap
from broker_entrypoints.config import Config, load_config

console = Console(stderr=True)

data_dir_option = click.option(
    "--data-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Local-mode data folder (default $BROKER_DATA_DIR or ./broker-data).",
)


def _broker(data_dir: Path | None, *, inline: bool = True) -> Broker:
    return bootstrap(load_config(data_dir=data_dir), queue_mode="inline" if inline else "thread")


@contextmanager
def _user_errors() -> Iterator[None]:
    """Turn the errors meant for users into a message and exit status 1, not a traceback."""
    try:
        yield
    except LoadRejected as exc:
        console.print(
            f"[red]Nothing was loaded:[/red] {len(exc.errors)} bad row(s)"
            + (" (stopped early)" if exc.truncated else "")
        )
        for error in exc.errors[:50]:
            console.print(f"  line {error.line_number}: {error.message}")
        raise SystemExit(1) from None
    except BrokerError as exc:
        console.print(f"[red]Error:[/red] {exc.message}")
        raise SystemExit(1) from None
    except (OSError, ValueError) as exc:
        console.print(f"[red]Error:[/red] {exc}")
        raise SystemExit(1) from None


@contextmanager
def _row_progress(description: str, unit: str = "rows") -> Iterator[Callable[[int], None]]:
    with Progress(
        SpinnerColumn(),
        TextColumn("[bold]{task.description}"),
        BarColumn(bar_width=None),
        TextColumn("{task.completed:,.0f} " + unit),
        TextColumn("{task.fields[rate]:,.0f} " + unit + "/s"),
        TimeElapsedColumn(),
        console=console,
        transient=False,
    ) as progress:
        task_id = progress.add_task(description, total=None, rate=0.0)
        started = time.monotonic()

        def update(rows: int) -> None:
            elapsed = max(time.monotonic() - started, 1e-6)
            progress.update(task_id, completed=rows, rate=rows / elapsed)

        yield update


@click.group()
@click.version_option(package_name="broker")
def main() -> None:
    """The DATA Act Broker: file generation and validation for federal spending data."""


# ----------------------------------------------------------------------------- serve / migrate


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--threads", default=8, show_default=True, type=int, help="Request threads (local mode).")
@click.option(
    "--production",
    is_flag=True,
    help="Several gunicorn processes (broker_entrypoints/gunicorn_conf.py); needs a redis:// queue.",
)
@click.option("--workers", type=int, help="API processes with --production (default: 2 x CPUs + 1).")
@data_dir_option
def serve(
    host: str, port: int, threads: int, production: bool, workers: int | None, data_dir: Path | None
) -> None:
    """Run the API under gunicorn: local mode (with the in-process worker) or --production."""
    from broker_entrypoints.server import BrokerServer

    config = load_config(data_dir=data_dir, public_url=f"http://{host}:{port}")
    if production and config.is_local_queue:
        raise click.UsageError(
            "--production runs several API processes, which cannot share the in-process queue: "
            "set BROKER_QUEUE_URL=redis://... and run `broker worker`"
        )
    # Migrate once in the parent so that every API process starts on a current schema.
    with _user_errors():
        bootstrap(config, queue_mode="inline").close()
    console.print(f"Broker data in {config.data_dir}; API on http://{host}:{port}/")
    if production:
        BrokerServer.production(config, host=host, port=port, workers=workers).run()
    else:
        BrokerServer(config, host=host, port=port, threads=threads).run()


@main.command()
@data_dir_option
def migrate(data_dir: Path | None) -> None:
    """Apply database migrations (serve does this by itself)."""
    _broker(data_dir).close()
    console.print("Database is up to date.")


# ----------------------------------------------------------------------------- users


@main.group()
def users() -> None:
    """Manage user accounts."""


@users.command("add")
@click.argument("email")
@click.option("--name", required=True)
@click.option("--password-stdin", is_flag=True, required=True, help="Read the password from standard input.")
@click.option("--admin", is_flag=True, help="Website administrator (every agency).")
@click.option(
    "--affiliation",
    "affiliations",
    multiple=True,
    metavar="CODE:PERMISSION",
    help="Agency permission, e.g. 020:writer (reader, writer or submitter). Repeatable.",
)
@data_dir_option
def add_user(
    email: str,
    name: str,
    password_stdin: bool,
    admin: bool,
    affiliations: tuple[str, ...],
    data_dir: Path | None,
) -> None:
    """Create a user (or update the one with this email)."""
    password = sys.stdin.readline().rstrip("\r\n")
    with _user_errors():
        parsed = [parse_affiliation(a) for a in affiliations]
        broker = _broker(data_dir)
        user_id = broker.auth.add_user(email, name, password, website_admin=admin, affiliations=parsed)
        broker.close()
    console.print(f"User {email} saved (id {user_id}).")


# ----------------------------------------------------------------------------- load


@main.group()
def load() -> None:
    """Load source data (each load is all-or-nothing)."""


#: Loads one opened file into the broker, reporting rows done to the callback; returns the count.
LoadFile = Callable[[Broker, TextIO, Callable[[int], None]], int]


def load_command(name: str, help_text: str, load_file: LoadFile) -> None:
    """Register ``broker load NAME FILE``: the file streamed through ``load_file`` with a progress bar."""

    @load.command(name, help=help_text)
    @click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
    @data_dir_option
    def command(file: Path, data_dir: Path | None) -> None:
        with _user_errors():
            broker = _broker(data_dir)
            try:
                with (
                    open(file, newline="", encoding="utf-8-sig") as stream,
                    _row_progress(f"load {name}") as bar,
                ):
                    count = load_file(broker, stream, bar)
            finally:
                broker.close()
        console.print(f"Loaded {count:,} {name} rows from {file}.")


def _load_command(name: str, method: str, help_text: str) -> None:
    def load_file(broker: Broker, stream: TextIO, progress: Callable[[int], None]) -> int:
        count: int = getattr(broker.loads, method)(stream, progress=progress)
        return count

    load_command(name, help_text, load_file)


_load_command("agencies", "agencies", "Agency codes (CGAC, FREC, sub-tier) in the agency_codes.csv format.")
_load_command("procurement", "procurement", "Procurement transactions in the D1 file layout (csv or txt).")
_load_command("fabs", "fabs", "Published financial assistance rows in the D2 file layout.")
_load_command("sf133", "sf133", "GTAS SF-133 rows in the sf_133.csv format.")
_load_command("tas", "tas", "The CARS TAS extract (tas_lookup).")
_load_command(
    "submission-windows", "submission_windows", "Submission window schedule (GTASStatus of File A)."
)
_load_command("failed-edits", "failed_edits", "GTAS failed edits (GTASStatus of File A).")


@load.command("sample")
@click.option("--rows", default=400, show_default=True, help="D1 and D2 rows to generate.")
@data_dir_option
def load_sample(rows: int, data_dir: Path | None) -> None:
    """Load the bundled synthetic demo data (agencies, D1, D2, SF-133, TAS, PARK)."""
    with _user_errors():
        broker = _broker(data_dir)
        loads = broker.loads
        counts = {
            "agencies": loads.agencies(io.StringIO(sample_data.agencies_csv())),
            "tas": loads.tas(io.StringIO(sample_data.tas_csv())),
            "sf133": loads.sf133(io.StringIO(sample_data.sf133_csv())),
            "park": ReferenceLoadService(store=SqlAlchemyReferenceData(broker.engine)).park(
                io.StringIO(sample_data.park_csv())
            ),
        }
        # The award files are written out and read back like any user's file.
        with tempfile.TemporaryDirectory(prefix="broker-sample-") as scratch:
            for label, file_type, method in (
                ("procurement (D1)", FileType.D1, loads.procurement),
                ("assistance (D2)", FileType.D2, loads.fabs),
            ):
                path = Path(scratch) / f"{file_type.letter}.csv"
                path.write_text("".join(sample_data.award_file(file_type, rows)), encoding="utf-8")
                with open(path, newline="", encoding="utf-8") as stream:
                    counts[label] = method(stream)
        broker.close()
    for what, count in counts.items():
        console.print(f"  {what}: {count:,} rows")
    console.print("Sample data loaded.")


# ----------------------------------------------------------------------------- RQ worker


def _redis_queue_config(data_dir: Path | None, command: str) -> Config:
    config = load_config(data_dir=data_dir)
    if not config.queue_url.startswith(("redis://", "rediss://")):
        raise click.UsageError(
            f"`broker {command}` needs a Redis queue, but BROKER_QUEUE_URL is {config.queue_url!r}: "
            "set BROKER_QUEUE_URL=redis://host:port/db"
        )
    return config


@main.command()
@click.option("--burst", is_flag=True, help="Quit once the queue is empty (after the first sweep).")
@click.option(
    "--sweep-interval",
    type=click.FloatRange(min=0, min_open=True),
    default=30.0,
    show_default=True,
    help="Seconds between sweeps that re-enqueue outstanding jobs RQ lost (Redis outage, dead worker).",
)
@data_dir_option
def worker(burst: bool, sweep_interval: float, data_dir: Path | None) -> None:
    """Run an RQ worker for BROKER_QUEUE_URL (run `broker migrate` first)."""
    import logging

    from broker_entrypoints.worker import run_worker

    config = _redis_queue_config(data_dir, "worker")
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    with _user_errors():
        run_worker(config, burst=burst, sweep_interval=sweep_interval)


@main.command()
@data_dir_option
def requeue(data_dir: Path | None) -> None:
    """Run one sweep: enqueue every outstanding generation that RQ no longer holds."""
    from broker_adapters.rq_queue import QueueUnavailable

    config = _redis_queue_config(data_dir, "requeue")
    with _user_errors():
        broker = bootstrap(config, queue_mode="inline")
        try:
            count = broker.tasks.sweep()
        except QueueUnavailable as exc:
            console.print(f"[red]Error:[/red] {exc}")
            raise SystemExit(1) from None
        finally:
            broker.close()
    console.print(f"Re-enqueued {count} outstanding job(s).")
    click.echo(count)


# ----------------------------------------------------------------------------- generate


@main.command()
@click.argument("file_type", type=click.Choice(["D1", "D2", "A"], case_sensitive=False))
@click.option("--agency", "agency_code", required=True, help="CGAC (3 characters) or FREC (4 characters).")
@click.option("--start", help="MM/DD/YYYY (D1/D2).")
@click.option("--end", help="MM/DD/YYYY (D1/D2).")
@click.option("--year", type=int, help="Fiscal year (A).")
@click.option("--period", type=int, help="Fiscal period 2-12 (A).")
@click.option(
    "--agency-type", type=click.Choice(["awarding", "funding"]), default="awarding", show_default=True
)
@click.option("--file-format", type=click.Choice(["csv", "txt"]), default="csv", show_default=True)
@click.option("--element-numbers", is_flag=True, help="D1 headers with FPDS element numbers.")
@data_dir_option
def generate(
    file_type: str,
    agency_code: str,
    start: str | None,
    end: str | None,
    year: int | None,
    period: int | None,
    agency_type: str,
    file_format: str,
    element_numbers: bool,
    data_dir: Path | None,
) -> None:
    """Generate one file in the foreground and print where it is."""
    payload: dict[str, object] = {
        "file_type": file_type.upper(),
        "cgac_code" if len(agency_code) == 3 else "frec_code": agency_code,
        "agency_type": agency_type,
        "file_format": file_format,
        "element_numbers": element_numbers,
    }
    for key, value in (("start", start), ("end", end), ("year", year), ("period", period)):
        if value is not None:
            payload[key] = value
    with _user_errors():
        broker = _broker(data_dir)
        with _row_progress(f"generate {file_type.upper()}") as bar:
            broker.generation.queue = _ForegroundQueue(lambda task: broker.generation.run(task, progress=bar))
            status = broker.generation.request_detached(payload, user_id=None)
            final = broker.generation.detached_status(status.job_id)
        path = _stored_path(broker, final.job_id)
        broker.close()
    if final.status != "finished":
        console.print(f"[red]Generation {final.status}:[/red] {final.message}")
        raise SystemExit(1)
    console.print(f"{final.file_type} file ({final.size:,} bytes): {path}")
    click.echo(str(path))


class _ForegroundQueue:
    def __init__(self, handler: Callable[[Task], None]) -> None:
        self._handler = handler

    def enqueue(self, task: Task) -> None:
        self._handler(task)

    def is_pending(self, task: Task) -> bool:
        return False  # runs each task inside enqueue


def _stored_path(broker: Broker, job_id: int) -> Path | str | None:
    """Where the file is: a local path, or the object's location in remote storage."""
    with broker.generation.uow_factory() as uow:
        job = uow.jobs.get(job_id)
    if job is None or not job.filename:
        return None
    if isinstance(broker.storage, LocalFileStorage):
        return broker.storage.path_for(job.filename)
    return f"{broker.config.storage_url.rstrip('/')}/{job.filename}"


# Commands defined in their own modules register themselves on the groups above.
from broker_entrypoints import cli_fpds as _cli_fpds  # noqa: E402,F401  (registers broker load fpds)
from broker_entrypoints import cli_reference_loads as _cli_reference_loads  # noqa: E402,F401  (object-classes, program-activities, park, defc)
from broker_entrypoints import cli_source_loads as _cli_source_loads  # noqa: E402,F401  (sam-recipients, subawards)
from broker_entrypoints import cli_validate as _cli_validate  # noqa: E402,F401  (broker validate)
from broker_entrypoints import cli_validate_submission as _cli_validate_submission  # noqa: E402,F401  (broker validate-submission)

if __name__ == "__main__":  # pragma: no cover
    # Run the imported module's group: the command modules above registered on it, not on __main__'s.
    from broker_entrypoints.cli import main as imported_main

    imported_main()

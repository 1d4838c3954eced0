"""``broker load fpds``: keep procurement data current from the FPDS ATOM feed, or load saved pages."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import click

from broker_core.fpds.document import FpdsDocument
from broker_core.fpds.errors import FeedError
from broker_core.fpds.service import FpdsLoadResult
from broker_entrypoints.cli import _broker, _row_progress, _user_errors, console, data_dir_option, load


def _day(_ctx: click.Context, param: click.Parameter, value: str | None) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date in the form YYYY-MM-DD", param=param) from None


@load.command("fpds")
@click.option(
    "--since",
    callback=_day,
    help="First last-modified day to load, YYYY-MM-DD (default: the day before the last load).",
)
@click.option(
    "--until", callback=_day, help="Last last-modified day to load, YYYY-MM-DD (default: yesterday)."
)
@click.option("--agency", help="Only this FPDS contracting agency (sub-tier) code, e.g. 1700.")
@click.option(
    "--file",
    "files",
    multiple=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Load saved feed pages (ATOM or an FPDS XML archive) instead of asking FPDS; repeatable.",
)
@click.option("--deleted", is_flag=True, help="With --file: the pages are from the DELETED feed.")
@data_dir_option
def load_fpds(
    since: dt.date | None,
    until: dt.date | None,
    agency: str | None,
    files: tuple[Path, ...],
    deleted: bool,
    data_dir: Path | None,
) -> None:
    """Procurement (D1) transactions from FPDS: changes and deletions, all applied or none.

    Without --file, asks BROKER_FPDS_URL for every award and IDV last modified
    in [--since, --until], then the deleted-records feed, and applies it all in
    one transaction that also records the load date (cached D1 files made
    before it become stale). If anything fails, nothing is applied: run it again.
    """
    from broker_adapters.fpds.client import FpdsFeedClient
    from broker_adapters.fpds.parser import iter_documents

    if files and (since or until or agency):
        raise click.UsageError(
            "--file loads saved pages; it cannot be combined with --since/--until/--agency"
        )
    if deleted and not files:
        raise click.UsageError("--deleted applies to --file only (a live load always reads the deleted feed)")
    with _user_errors():
        broker = _broker(data_dir)
        try:
            with _row_progress("load fpds", unit="entries") as bar:
                if files:

                    def documents() -> Iterator[FpdsDocument]:
                        for path in files:
                            yield from iter_documents(path)

                    result = broker.fpds_loads.load_documents(documents(), deleted=deleted, progress=bar)
                else:
                    config = broker.config
                    client = FpdsFeedClient(
                        config.fpds_url, timeout=config.fpds_timeout, retries=config.fpds_retries
                    )
                    try:
                        result = broker.fpds_loads.load_feed(client, since, until, agency, progress=bar)
                    finally:
                        client.close()
        except FeedError as exc:
            console.print(f"[red]Error:[/red] {exc}")
            console.print("Nothing was loaded; the procurement data is as it was before.")
            raise SystemExit(1) from None
        finally:
            broker.close()
    _report(result)


def _report(result: FpdsLoadResult) -> None:
    console.print(
        f"Loaded {result.documents:,} FPDS entries: {result.upserted:,} rows written, "
        f"{result.deleted:,} deleted."
    )
    if result.rejected:
        console.print(f"[yellow]{result.rejected:,} entries could not be loaded:[/yellow]")
        for message in result.rejections:
            console.print(f"  {message}")

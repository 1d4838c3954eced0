"""FPDS feed reading, end to end on one core: entries/s and peak memory.

    .venv/bin/python bench/parse_fpds.py --entries 50000

Builds an ATOM feed of N entries (about 20 KB each) in a temporary folder by
replicating the ten entries of the real feed page
``shared/reference/fpds/public_feed_page_2020-04-02.xml`` with varied PIIDs and
modification numbers, streamed to disk; and a second feed of N/5 entries. Then,
each in a fresh process pinned to one core, times

  (a) a bare ``lxml.etree.iterparse`` that only clears each entry (the floor),
  (b) ``iter_documents`` alone (parse and flatten every document),
  (c) ``iter_documents`` + ``procurement_row`` (the stored D1 row of every document),

and reports entries/s, (b)/(a) and (c)/(a), and each process's peak RSS at both
feed sizes: a streaming reader's memory does not grow with the feed. Targets:
(b) >= 2,000 documents/s and within 3x of (a).
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from lxml import etree

from broker_adapters.fpds.parser import iter_documents
from broker_core.fpds.agencies import SubTierLookup
from broker_core.fpds.mapping import procurement_row
from broker_core.loading.agencies import read_agencies
from broker_core.records import AgencyRecord

# The shared reference data is found the way the tests find it.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.reference import BROKER_CONFIG, REFERENCE_DIR

SAMPLE = REFERENCE_DIR / "fpds" / "public_feed_page_2020-04-02.xml"
ATOM_ENTRY = "{http://www.w3.org/2005/Atom}entry"
MODES = {"bare": "(a) bare iterparse", "parse": "(b) iter_documents", "map": "(c) + procurement_row"}


def write_feed(path: Path, entries: int) -> int:
    """Write a feed of ``entries`` entries, one entry at a time; returns its size in bytes."""
    sample = SAMPLE.read_bytes()
    first, end = sample.index(b"<entry>"), sample.rindex(b"</entry>") + len(b"</entry>")
    head, tail = sample[:first], sample[end:]
    templates = [
        _split(b"<entry>" + chunk) for chunk in sample[first + len(b"<entry>") : end].split(b"<entry>")
    ]
    with open(path, "wb", buffering=1 << 20) as out:
        out.write(head)
        for number in range(entries):
            before, between, after = templates[number % len(templates)]
            # Unique keys, so that a loader would see N distinct transactions.
            out.write(before)
            out.write(b"BENCH%010d" % (number // len(templates)))
            out.write(between)
            out.write(b"P%05d" % (number % 100_000))
            out.write(after)
        out.write(tail)
    return path.stat().st_size


def _split(entry: bytes) -> tuple[bytes, bytes, bytes]:
    """An entry cut around the text of its own PIID and modNumber (the first of each)."""
    piid = entry.index(b"<ns1:PIID>") + len(b"<ns1:PIID>")
    piid_end = entry.index(b"</ns1:PIID>", piid)
    mod = entry.index(b"<ns1:modNumber>", piid_end) + len(b"<ns1:modNumber>")
    mod_end = entry.index(b"</ns1:modNumber>", mod)
    return entry[:piid], entry[piid_end:mod], entry[mod_end:]


def measure(mode: str, feed: Path) -> None:
    """Runs in the child process: one pass over the feed, then "entries wall_s cpu_s peak_kib"."""
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {max(os.sched_getaffinity(0))})
    agencies = _agencies()
    started, cpu_started = time.perf_counter(), time.process_time()
    if mode == "bare":
        count = _bare(feed)
    elif mode == "parse":
        count = sum(1 for _document in iter_documents(feed))
    else:
        count = 0
        for document in iter_documents(feed):
            procurement_row(document, agencies)
            count += 1
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    print(count, f"{elapsed:.6f}", f"{cpu:.6f}", resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)


def _bare(feed: Path) -> int:
    count = 0
    with open(feed, "rb") as stream:
        for _event, entry in etree.iterparse(stream, events=("end",), tag=ATOM_ENTRY):
            entry.clear()
            while entry.getprevious() is not None:
                del entry.getparent()[0]
            count += 1
    return count


def _agencies() -> SubTierLookup:
    with open(BROKER_CONFIG / "agency_codes.csv", encoding="utf-8-sig", newline="") as stream:
        return SubTierLookup.from_records(r for r in read_agencies(stream) if isinstance(r, AgencyRecord))


def _run(mode: str, feed: Path) -> tuple[int, float, float, int]:
    child = subprocess.run(
        [sys.executable, __file__, "--measure", mode, "--feed", str(feed)],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    count, wall, cpu, peak_kib = child.stdout.split()[-4:]
    return int(count), float(wall), float(cpu), int(peak_kib)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--entries", type=int, default=50_000)
    parser.add_argument("--repeat", type=int, default=2, help="runs of each measurement; the fastest counts")
    parser.add_argument("--measure", choices=sorted(MODES), help=argparse.SUPPRESS)
    parser.add_argument("--feed", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        measure(args.measure, args.feed)
        return
    with tempfile.TemporaryDirectory(prefix="broker-bench-fpds-") as scratch:
        sizes = sorted({max(args.entries // 5, 10), args.entries})
        feeds = {}
        for entries in sizes:
            path = Path(scratch) / f"feed-{entries}.xml"
            started = time.perf_counter()
            size = write_feed(path, entries)
            print(
                f"feed of {entries:,} entries: {size / 1e6:,.0f} MB, written in {time.perf_counter() - started:.1f} s"
            )
            feeds[entries] = path
        # CPU time is what one core spends; wall time also counts waiting for a busy core.
        rates: dict[tuple[str, int], float] = {}
        for entries in sizes:
            print(f"\n{entries:,} entries, one core, best of {args.repeat}:")
            for mode, label in MODES.items():
                best_cpu, best_wall, peak = 0.0, 0.0, 0
                for _ in range(args.repeat):
                    count, wall, cpu, peak_kib = _run(mode, feeds[entries])
                    assert count == entries, (mode, count, entries)
                    best_cpu, best_wall = max(best_cpu, count / cpu), max(best_wall, count / wall)
                    peak = max(peak, peak_kib)
                rates[mode, entries] = best_cpu
                print(f"  {label:<24} {best_cpu:>7,.0f} entries/CPU-s ({best_wall:>7,.0f} /s wall)"
                      f"   peak RSS {peak / 1024:,.0f} MB")  # fmt: skip
            floor = rates["bare", entries]
            print(f"  time ratios (CPU): (b)/(a) {floor / rates['parse', entries]:.2f}x, "
                  f"(c)/(a) {floor / rates['map', entries]:.2f}x")  # fmt: skip


if __name__ == "__main__":
    main()

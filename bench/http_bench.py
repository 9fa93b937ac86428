"""Plain-HTTP checks against a minimal urlwatch-style fetcher, and the CPU and disk an unchanged check costs.

Run alone (``.venv/bin/python bench/http_bench.py [--json] [--repeats 2] [--cell-s 10]``) or as part of
``bench/run.py``'s default run (keys ``http_vs_reference``, ``cpu_ms_per_unchanged_check``,
``disk_bytes_per_unchanged_check``, ``http_unchanged``). Issue 13 asks for these figures.

Method:

- Pages: the demo marketplace (round 0, ``--delay-ms`` per response, default 300) in its own process
  (``run.marketplace_process``), so its CPU and writes are not this process's. The demo suppliers whose parser
  says the served HTML carries the claims (the pages ``fetch.method = "auto"`` reads over plain HTTP; the 1688
  shop page needs the browser and is left out), one page each; any that is not ``ok`` over HTTP on the first
  round is dropped too. Same URLs for both sides.
- This project: ``demo_config(..., "http")`` with documents not read, ``obey_robots_txt = false`` and no per-host
  delay (the peers have no politeness), ``browser.concurrency`` = C (the engine's one limit). One SQLite
  database for the whole run; a first round stores the snapshots. Each cell opens an engine
  (``async with Monitor(config, db=db)``), runs one unmeasured warm-up round, then re-check rounds of the
  unchanged pages until at least ``--cell-s`` seconds have passed; checks/s = page checks / wall seconds.
- Reference: ``httpx.AsyncClient``, C requests at once (``asyncio.Semaphore``), sha256 of the body compared with
  the previous hash in a dict, nothing written when equal; one warm-up round, then as many rounds as the
  project's cell ran (same URLs, same number of fetches).
- Interleaved: per repeat, C=2 project, C=2 reference, C=8 project, C=8 reference; medians over the repeats.
- CPU: ``time.process_time()`` (every thread of this process) over the project's measured rounds, start-up and
  warm-up excluded, divided by the page checks; the reference's the same way.
- Disk: ``write_bytes`` of ``/proc/self/io`` (bytes this process sent, or caused to be sent, to the storage
  layer; counted when page-cache pages are dirtied, so a page dirtied twice before write-back counts once) over
  the same rounds, divided by the page checks, with the database in a directory on a real disk
  (``data/bench-http/`` in the project by default, removed afterwards; its filesystem type is reported, and the
  figure is ``null`` on tmpfs, where nothing reaches a disk). Automatic WAL checkpoints inside the rounds count.
  Besides: the database file + WAL growth (sizes as found, and after a ``wal_checkpoint(TRUNCATE)``) from after
  the first round to the end, over every unchanged check made in between (warm-up rounds included).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import hashlib
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from monitor.config import Config, SupplierConfig
from monitor.demo.runner import demo_config
from monitor.engine import Monitor
from scrapers.extract import choose_parser
from storage import Database, database_size_bytes, open_database

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DB_DIR = ROOT / "data" / "bench-http"
CONCURRENCIES = (2, 8)
MEMORY_FILESYSTEMS = {"tmpfs", "ramfs"}


# --- counters ---------------------------------------------------------------------------------------------------


def write_bytes() -> int:
    """``write_bytes`` of /proc/self/io: what this process (all threads) sent toward storage."""
    for line in Path("/proc/self/io").read_text().splitlines():
        name, _, value = line.partition(":")
        if name == "write_bytes":
            return int(value)
    raise RuntimeError("/proc/self/io has no write_bytes: the disk figure needs Linux with task I/O accounting")


@dataclass
class Usage:
    """Wall seconds, CPU seconds (process_time) and bytes written over some rounds, with what they checked."""

    wall_s: float = 0.0
    cpu_s: float = 0.0
    written: int = 0
    checks: int = 0
    rounds: int = 0
    statuses: Counter[str] = field(default_factory=Counter)
    changed: int = 0

    def add(self, other: Usage) -> None:
        self.wall_s += other.wall_s
        self.cpu_s += other.cpu_s
        self.written += other.written
        self.checks += other.checks
        self.rounds += other.rounds
        self.statuses.update(other.statuses)
        self.changed += other.changed


class Meter:
    """Starts the three counters; ``stop`` fills a Usage with their differences."""

    def __init__(self) -> None:
        self.wall, self.cpu, self.io = time.perf_counter(), time.process_time(), write_bytes()

    def elapsed(self) -> float:
        return time.perf_counter() - self.wall

    def stop(self, usage: Usage) -> Usage:
        usage.wall_s = time.perf_counter() - self.wall
        usage.cpu_s = time.process_time() - self.cpu
        usage.written = write_bytes() - self.io
        return usage


def filesystem_type(path: Path) -> str:
    """The type of the filesystem holding ``path`` (longest matching mount point in /proc/self/mounts)."""
    target, best, kind = str(path.resolve()), "", "unknown"
    for line in Path("/proc/self/mounts").read_text().splitlines():
        _, mount, fstype, *_ = line.split()
        mount = mount.replace("\\040", " ")
        inside = target == mount or target.startswith(mount.rstrip("/") + "/")
        if inside and len(mount) > len(best):
            best, kind = mount, fstype
    return kind


def sqlite_files_bytes(db_path: Path) -> int:
    """Database file + WAL as they are on disk now (no checkpoint)."""
    wal = db_path.with_name(db_path.name + "-wal")
    return sum(p.stat().st_size for p in (db_path, wal) if p.exists())


# --- the two sides ----------------------------------------------------------------------------------------------


def http_readable(supplier: SupplierConfig) -> bool:
    """Whether every page's parser says the served HTML carries the claims (the route ``auto`` takes over HTTP)."""
    for url in supplier.page_urls:
        parser = choose_parser(url, None, supplier.platform)
        if parser is None or not parser.data_in_html(url):
            return False
    return True


def bench_config(base_url: str, db_url: str, concurrency: int) -> Config:
    """The demo's plain-HTTP config as the peers run: no documents, no robots.txt, no per-host delay."""
    config = demo_config(base_url, db_url, "http")
    return config.model_copy(
        update={
            "browser": config.browser.model_copy(update={"concurrency": concurrency}),
            "politeness": config.politeness.model_copy(update={"obey_robots_txt": False}),
            "documents": config.documents.model_copy(update={"read": False}),
            "suppliers": [s for s in config.suppliers if http_readable(s)],
        }
    )


async def project_cell(config: Config, db: Database, suppliers: list[SupplierConfig], min_s: float) -> Usage:
    """One engine at the config's concurrency: a warm-up round, then unchanged re-check rounds for ``min_s``."""
    usage = Usage()
    async with Monitor(config, db=db) as monitor:
        await monitor.check(suppliers)
        meter = Meter()
        while usage.rounds == 0 or meter.elapsed() < min_s:
            outcomes = await monitor.check(suppliers)
            usage.rounds += 1
            usage.checks += len(outcomes)
            usage.statuses.update(o.status for o in outcomes)
            usage.changed += sum(o.changed for o in outcomes)
        meter.stop(usage)
    return usage


async def _reference_round(
    client: httpx.AsyncClient, gate: asyncio.Semaphore, urls: list[str], hashes: dict[str, str]
) -> Counter[str]:
    """Every URL once, ``gate`` at a time: sha256 of the body against the last one; only a change is noted."""

    async def one(url: str) -> str:
        async with gate:
            try:
                response = await client.get(url)
            except httpx.HTTPError:
                return "error"
        if response.status_code != 200:
            return "error"
        digest = hashlib.sha256(response.content).hexdigest()
        if hashes.get(url) == digest:
            return "unchanged"
        hashes[url] = digest
        return "changed"

    return Counter(await asyncio.gather(*(one(url) for url in urls)))


async def reference_cell(urls: list[str], concurrency: int, rounds: int) -> Usage:
    """The urlwatch way at ``concurrency``: a warm-up round (first hashes), then ``rounds`` measured rounds."""
    usage, hashes, gate = Usage(), {}, asyncio.Semaphore(concurrency)
    async with httpx.AsyncClient(timeout=20, follow_redirects=True) as client:
        await _reference_round(client, gate, urls, hashes)
        meter = Meter()
        for _ in range(rounds):
            results = await _reference_round(client, gate, urls, hashes)
            usage.rounds += 1
            usage.checks += sum(results.values())
            usage.statuses.update(results)
            usage.changed += results["changed"]
        meter.stop(usage)
    return usage


# --- the run ----------------------------------------------------------------------------------------------------


async def first_round(base_url: str, db: Database, db_url: str) -> list[SupplierConfig]:
    """The snapshots every later round compares with; the suppliers whose pages came back ``ok`` over HTTP."""
    config = bench_config(base_url, db_url, max(CONCURRENCIES))
    async with Monitor(config, db=db) as monitor:
        outcomes = await monitor.check()
    failed = {o.supplier_id for o in outcomes if not o.ok}
    return [s for s in config.suppliers if s.id not in failed]


async def measure(base_url: str, db: Database, db_path: Path, repeats: int, cell_s: float) -> dict[str, Any]:
    """The first round, then the interleaved cells; database sizes after the first round and at the end."""
    db_url = f"sqlite:///{db_path}"
    suppliers = await first_round(base_url, db, db_url)
    if not suppliers:
        raise RuntimeError("no demo page was read over plain HTTP: is the marketplace answering?")
    urls = [url for s in suppliers for url in s.page_urls]
    checkpointed_before = await asyncio.to_thread(database_size_bytes, db)
    files_before = sqlite_files_bytes(db_path)
    cells: dict[int, list[tuple[Usage, Usage]]] = {c: [] for c in CONCURRENCIES}
    for _ in range(repeats):
        for concurrency in CONCURRENCIES:
            config = bench_config(base_url, db_url, concurrency)
            ours = await project_cell(config, db, suppliers, cell_s)
            cells[concurrency].append((ours, await reference_cell(urls, concurrency, ours.rounds)))
    files_after = sqlite_files_bytes(db_path)
    checkpointed_after = await asyncio.to_thread(database_size_bytes, db)
    # Every project check after the first round was of an unchanged page: the warm-up rounds' too.
    unchanged = sum((o.rounds + 1) * len(urls) for pairs in cells.values() for o, _ in pairs)
    growth = {
        "unchanged_checks": unchanged,
        "bytes_after_first_round": checkpointed_before,
        "bytes_at_end": checkpointed_after,
        "bytes_per_unchanged_check": round((checkpointed_after - checkpointed_before) / unchanged, 1),
        "file_plus_wal_bytes_after_first_round": files_before,
        "file_plus_wal_bytes_at_end": files_after,
        "file_plus_wal_growth_per_unchanged_check": round((files_after - files_before) / unchanged, 1),
    }
    return {"pages": urls, "suppliers": [s.id for s in suppliers], "cells": cells, "db_growth": growth}


def _per_s(u: Usage) -> float:
    return u.checks / u.wall_s


def _ms(u: Usage) -> float:
    return round(u.cpu_s * 1000 / u.checks, 2)


def summarize(measured: dict[str, Any], disk_ok: bool) -> dict[str, Any]:
    """Medians per concurrency, and CPU and disk per unchanged check over every measured project round."""
    table: dict[str, Any] = {}
    ours_all, theirs_all = Usage(), Usage()
    for concurrency, pairs in measured["cells"].items():
        ours = statistics.median(_per_s(o) for o, _ in pairs)
        theirs = statistics.median(_per_s(r) for _, r in pairs)
        table[str(concurrency)] = {
            "checks_per_s": round(ours, 2),
            "reference_checks_per_s": round(theirs, 2),
            "ratio": round(ours / theirs, 3),
            "repeats": [[round(_per_s(o), 2), round(_per_s(r), 2)] for o, r in pairs],
            "checks_per_cell": [o.checks for o, _ in pairs],
            "cpu_ms_per_check": statistics.median(_ms(o) for o, _ in pairs),
            "reference_cpu_ms_per_check": statistics.median(_ms(r) for _, r in pairs),
        }
        for o, r in pairs:
            ours_all.add(o)
            theirs_all.add(r)
    return {
        "http_vs_reference": table,
        "cpu_ms_per_unchanged_check": _ms(ours_all),
        "disk_bytes_per_unchanged_check": round(ours_all.written / ours_all.checks, 1) if disk_ok else None,
        "http_unchanged": {
            "pages": len(measured["pages"]),
            "suppliers": measured["suppliers"],
            "checks": ours_all.checks,
            "changed": ours_all.changed,
            "statuses": dict(ours_all.statuses),
            "reference_checks": theirs_all.checks,
            "reference_statuses": dict(theirs_all.statuses),
            "reference_cpu_ms_per_check": _ms(theirs_all),
            "reference_disk_bytes_per_check": round(theirs_all.written / theirs_all.checks, 1) if disk_ok else None,
        },
    }


def run_http_bench(
    delay_ms: int = 300, repeats: int = 2, cell_s: float = 10.0, db_dir: Path = DEFAULT_DB_DIR
) -> dict[str, Any]:
    """The whole measurement as one JSON-able dict (the keys ``bench/run.py`` merges into its own)."""
    from run import marketplace_process  # bench/run.py's out-of-process marketplace (bench/ is on sys.path)

    started, load_at_start = time.perf_counter(), os.getloadavg()[0]
    made_dir = not db_dir.exists()
    db_dir.mkdir(parents=True, exist_ok=True)
    workdir = Path(tempfile.mkdtemp(prefix="run-", dir=db_dir))
    fstype = filesystem_type(workdir)
    disk_ok = fstype not in MEMORY_FILESYSTEMS
    if not disk_ok:
        print(f"warning: {workdir} is on {fstype}: no disk figure; give --db-dir on a real disk", file=sys.stderr)
    db_path = workdir / "bench.db"
    try:
        with marketplace_process(delay_ms) as (base_url, _pid):
            db = open_database(f"sqlite:///{db_path}")
            try:
                measured = asyncio.run(measure(base_url, db, db_path, repeats, cell_s))
            finally:
                db.dispose()
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
        if made_dir:
            with contextlib.suppress(OSError):  # left in place when another run is using it
                db_dir.rmdir()
    result = summarize(measured, disk_ok)
    result["http_unchanged"].update(
        {
            "db_growth": measured["db_growth"],
            "db_filesystem": fstype,
            "delay_ms": delay_ms,
            "repeats": repeats,
            "min_cell_s": cell_s,
            "total_s": round(time.perf_counter() - started, 1),
            # Other work on the machine lowers checks/s and raises CPU per check (2 cores shared).
            "load_avg_1m": [round(load_at_start, 2), round(os.getloadavg()[0], 2)],
        }
    )
    return result


def print_http_bench(r: dict[str, Any]) -> None:
    """The figures as a short table."""
    u = r["http_unchanged"]
    print(
        f"plain HTTP, unchanged pages: {u['pages']} demo pages, delay {u['delay_ms']} ms, "
        f"median of {u['repeats']} interleaved repeats (>= {u['min_cell_s']} s per project cell)"
    )
    print("concurrency  project/s  reference/s  ratio  project CPU ms  reference CPU ms")
    for c, cell in r["http_vs_reference"].items():
        print(
            f"{c:<13}{cell['checks_per_s']:<11}{cell['reference_checks_per_s']:<13}{cell['ratio']:<7}"
            f"{cell['cpu_ms_per_check']:<16}{cell['reference_cpu_ms_per_check']}"
        )
    g = u["db_growth"]
    print(
        f"CPU ms per unchanged check: {r['cpu_ms_per_unchanged_check']} (reference {u['reference_cpu_ms_per_check']})"
    )
    print(
        f"bytes written per unchanged check: {r['disk_bytes_per_unchanged_check']} "
        f"(reference {u['reference_disk_bytes_per_check']}; database on {u['db_filesystem']})"
    )
    print(
        f"database growth per unchanged check: {g['bytes_per_unchanged_check']} checkpointed, "
        f"{g['file_plus_wal_growth_per_unchanged_check']} file + WAL as found ({g['unchanged_checks']} checks)"
    )
    print(f"project statuses {u['statuses']}, changed {u['changed']}; reference {u['reference_statuses']}")
    print(f"total {u['total_s']} s; load average {u['load_avg_1m'][0]} at start, {u['load_avg_1m'][1]} at end")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    parser.add_argument("--delay-ms", type=int, default=300, help="injected marketplace response delay")
    parser.add_argument("--repeats", type=int, default=2, help="interleaved repeats per concurrency (median)")
    parser.add_argument("--cell-s", type=float, default=10.0, help="at least this many seconds per project cell")
    parser.add_argument("--db-dir", type=Path, default=DEFAULT_DB_DIR, help="where the SQLite database goes")
    args = parser.parse_args(argv)
    if args.repeats < 1 or args.cell_s <= 0:
        parser.error("--repeats must be at least 1 and --cell-s above 0")
    result = run_http_bench(args.delay_ms, args.repeats, args.cell_s, args.db_dir)
    print(json.dumps(result, indent=2)) if args.json else print_http_bench(result)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

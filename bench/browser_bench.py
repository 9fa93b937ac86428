"""Browser memory: proportional set size (PSS) of the whole process tree while browser checks run.

Summed RSS counts every shared page (Chromium's binary and libraries, mapped by each of its processes) once per
process, so it overstates what a browser costs several times over; PSS divides each shared page among the
processes that map it, so the sum over the tree is what the machine really gives it. Both are sampled every
``interval_s`` on a thread, over this process (Python, the in-process demo marketplace), Playwright's node
driver and every Chromium process.

    .venv/bin/python bench/browser_bench.py [--checks 60] [--concurrency 2] [--delay-ms 300]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import psutil

from monitor.checks import sync_watch_list
from monitor.config import Config, SupplierConfig
from monitor.demo.marketplace import DemoMarketplace
from monitor.demo.runner import demo_config
from monitor.engine import Monitor
from storage import Database, open_database

SAMPLE_INTERVAL_S = 0.2


def tree_memory() -> tuple[int, int, dict[str, int]]:
    """(PSS, RSS, PSS by part) in bytes, summed over this process and all its descendants (exited ones skipped);
    the parts are "python" (this process), "chromium" and "driver" (Playwright's node and anything else)."""
    me = psutil.Process()
    pss = rss = 0
    parts = dict.fromkeys(("python", "driver", "chromium"), 0)
    for proc in [me, *me.children(recursive=True)]:
        try:
            info = proc.memory_full_info()  # smaps_rollup: one read per process
            name = proc.name().lower()
        except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
            continue
        pss += info.pss
        rss += info.rss
        part = "python" if proc.pid == me.pid else "chromium" if "chrom" in name else "driver"
        parts[part] += info.pss
    return pss, rss, parts


class PeakMemory:
    """Peak tree PSS and peak tree RSS, sampled on a background thread (each peak on its own)."""

    def __init__(self, interval_s: float = SAMPLE_INTERVAL_S) -> None:
        self.interval_s = interval_s
        self.peak_pss = self.peak_rss = 0
        self.parts_at_peak: dict[str, int] = {}
        self.samples = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="pss-sampler", daemon=True)

    def _sample(self) -> None:
        pss, rss, parts = tree_memory()
        if pss > self.peak_pss:
            self.peak_pss, self.parts_at_peak = pss, parts
        self.peak_rss = max(self.peak_rss, rss)
        self.samples += 1

    def _run(self) -> None:
        while not self._stop.is_set():
            self._sample()
            self._stop.wait(self.interval_s)

    def __enter__(self) -> PeakMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def _config(base_url: str, db_url: str, concurrency: int, read_documents: bool) -> Config:
    config = demo_config(base_url, db_url, "browser")
    browser = config.browser.model_copy(update={"concurrency": concurrency})
    documents = config.documents.model_copy(update={"read": read_documents})
    return config.model_copy(update={"browser": browser, "documents": documents})


async def _run_checks(config: Config, db: Database, checks: int) -> int:
    """``checks`` one-page checks in rounds over the demo suppliers through one engine (one Chromium)."""
    suppliers: list[SupplierConfig] = list(config.suppliers)
    done = 0
    async with Monitor(config, db=db) as monitor:
        while done < checks:
            batch = suppliers[: checks - done]
            done += len(await monitor.check(batch))
    return done


def browser_memory(
    checks: int = 60, concurrency: int = 2, delay_ms: int = 300, *, read_documents: bool = True
) -> dict[str, Any]:
    """Run ``checks`` browser checks against the demo marketplace (round 0, ``delay_ms`` per response) at
    ``concurrency``; peak PSS and peak RSS of the process tree (MB), the PSS of its parts at the peak, and
    checks/s (Chromium launch included). ``read_documents=False`` leaves out reading the certificate
    documents (plain HTTP and OCR in this process, the same for every fetch method) to see the browser alone."""
    with tempfile.TemporaryDirectory(prefix="browser-bench-") as tmp, DemoMarketplace(delay_ms=delay_ms) as market:
        market.set_round(0)
        config = _config(market.base_url, f"sqlite:///{Path(tmp) / 'bench.db'}", concurrency, read_documents)
        db = open_database(config.database.url)
        try:
            sync_watch_list(db, config)
            with PeakMemory() as memory:
                started = time.perf_counter()
                done = asyncio.run(_run_checks(config, db, checks))
                elapsed = time.perf_counter() - started
        finally:
            db.dispose()
    return {
        "peak_pss_mb": round(memory.peak_pss / 2**20, 1),
        "peak_rss_mb": round(memory.peak_rss / 2**20, 1),
        "checks_per_s": round(done / elapsed, 2),
        "checks": done,
        "concurrency": concurrency,
        "pss_at_peak_mb": {part: round(size / 2**20, 1) for part, size in memory.parts_at_peak.items()},
        "read_documents": read_documents,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--checks", type=int, default=60)
    parser.add_argument("--concurrency", type=int, default=2)
    parser.add_argument("--delay-ms", type=int, default=300)
    parser.add_argument("--no-documents", action="store_true", help="do not read certificate documents (OCR)")
    args = parser.parse_args(argv)
    result = browser_memory(args.checks, args.concurrency, args.delay_ms, read_documents=not args.no_documents)
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

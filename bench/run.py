"""Benchmark of the check pipeline against the demo marketplace: throughput, memory, storage growth, parsing.

Not a test: it measures and prints. Run from the project root:

    .venv/bin/python bench/run.py [--quick] [--json] [--checks N] [--delay-ms 300] [--concurrency C]

See bench/README.md for what each figure means.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import psutil

from monitor.checks import Checker, PageOutcome, sync_watch_list
from monitor.config import Config, SupplierConfig
from monitor.demo.marketplace import DemoMarketplace
from monitor.demo.runner import demo_config
from monitor.fetchers import Fetchers
from scrapers.extract import read_page
from storage import Database, database_size_bytes, open_database

ROOT = Path(__file__).resolve().parents[1]
SHARED_PAGES = ROOT.parent / "shared" / "pages"
DEFAULT_CHECKS, QUICK_CHECKS = 120, 24


class PeakRss:
    """Samples the summed RSS of this process and all its descendants (Chromium too) on a background thread."""

    def __init__(self, interval_s: float = 0.1) -> None:
        self.interval_s = interval_s
        self.peak_bytes = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="rss-sampler", daemon=True)

    def sample(self) -> int:
        """Current RSS of the process tree in bytes (processes that exit mid-sample are skipped)."""
        me = psutil.Process()
        total = 0
        for proc in [me, *me.children(recursive=True)]:
            try:
                total += proc.memory_info().rss
            except (psutil.NoSuchProcess, psutil.AccessDenied):
                pass
        return total

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak_bytes = max(self.peak_bytes, self.sample())
            self._stop.wait(self.interval_s)

    def __enter__(self) -> PeakRss:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak_bytes = max(self.peak_bytes, self.sample())


def with_concurrency(config: Config, concurrency: int | None) -> Config:
    """The config with the browser concurrency (which bounds every fetch method) overridden, if asked."""
    if concurrency is None:
        return config
    return config.model_copy(update={"browser": config.browser.model_copy(update={"concurrency": concurrency})})


def rounds_of(suppliers: list[SupplierConfig], checks: int) -> list[list[SupplierConfig]]:
    """Split ``checks`` one-page checks into rounds over the suppliers; the last round may be partial."""
    full, rest = divmod(checks, len(suppliers))
    return [list(suppliers)] * full + ([suppliers[:rest]] if rest else [])


async def run_rounds(config: Config, db: Database, rounds: list[list[SupplierConfig]]) -> dict[str, Any]:
    """Run the rounds through one Checker (one browser for the run); time all, and the rounds after the first."""
    outcomes: list[PageOutcome] = []
    started = time.perf_counter()
    async with Fetchers(config) as fetchers:
        checker = Checker(config, db, fetchers)
        outcomes += await checker.check_many(rounds[0])
        first_done = time.perf_counter()
        size_after_first = await asyncio.to_thread(database_size_bytes, db)
        later_started = time.perf_counter()
        for suppliers in rounds[1:]:
            outcomes += await checker.check_many(suppliers)
        later_s = time.perf_counter() - later_started
    later = outcomes[len(rounds[0]) :]
    return {
        "checks": len(outcomes),
        "elapsed_s": round(first_done - started + later_s, 2),  # launch included, size probe excluded
        "later_rounds_s": round(later_s, 2),
        "later_checks": len(later),
        "later_changed": sum(o.changed for o in later),
        "size_after_first": size_after_first,
        "size_after_all": database_size_bytes(db),
        "statuses": dict(Counter(o.status for o in outcomes)),
    }


def measure_pipeline(base_url: str, checks: int, concurrency: int | None, method: str) -> dict[str, Any]:
    """N checks over the demo suppliers (round 0) through the real Checker into a fresh SQLite database."""
    with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
        db_url = f"sqlite:///{Path(tmp) / 'bench.db'}"
        config = with_concurrency(demo_config(base_url, db_url, method), concurrency)
        db = open_database(config.database.url)
        try:
            sync_watch_list(db, config)
            result = asyncio.run(run_rounds(config, db, rounds_of(config.suppliers, checks)))
        finally:
            db.dispose()
    result["concurrency"] = config.browser.concurrency
    result["checks_per_s"] = round(result["checks"] / result["elapsed_s"], 2)
    if result["later_checks"]:
        result["later_checks_per_s"] = round(result["later_checks"] / result["later_rounds_s"], 2)
    return result


def mean_ms(fn: Callable[[], object], min_s: float, min_runs: int = 5) -> float:
    """Mean milliseconds per call of ``fn``, after one warm-up call, over at least ``min_s`` and ``min_runs``."""
    fn()
    runs, started = 0, time.perf_counter()
    while runs < min_runs or time.perf_counter() - started < min_s:
        fn()
        runs += 1
    return (time.perf_counter() - started) * 1000 / runs


def demo_pages(base_url: str, suppliers: list[dict[str, Any]]) -> list[tuple[str, str]]:
    """(url, html) of each demo supplier page, fetched once over plain HTTP."""
    with httpx.Client(timeout=30) as client:
        return [(str(s["url"]), client.get(str(s["url"])).text) for s in suppliers]


def parse_ms_demo(pages: list[tuple[str, str]], min_s: float) -> float:
    """Mean ms of read_page per demo page (the whole set parsed per run)."""

    def parse_all() -> None:
        for url, html in pages:
            read_page(html, url, platform="alibaba", http_status=200, final_url=url)

    return round(mean_ms(parse_all, min_s) / len(pages), 3)


def parse_ms_real(min_s: float) -> dict[str, float] | None:
    """Mean ms of read_page for each real captured page in ../shared/pages/alibaba_*.html, or None if absent."""
    if not SHARED_PAGES.is_dir():
        return None
    result: dict[str, float] = {}
    for path in sorted(SHARED_PAGES.glob("alibaba_*.html")):
        html = path.read_text(encoding="utf-8", errors="replace")
        url = (
            "https://www.alibaba.com/product-detail/page.html"
            if "product_detail" in path.name
            else "https://supplier.en.alibaba.com/company_profile.html"
        )
        result[path.name] = round(mean_ms(lambda h=html, u=url: read_page(h, u, platform="alibaba"), min_s), 3)
    return result


def machine() -> dict[str, Any]:
    return {
        "cpus": os.cpu_count(),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "memory_gb": round(psutil.virtual_memory().total / 2**30, 1),
        "load_avg_1m": round(os.getloadavg()[0], 2),  # other work on the machine skews every figure
    }


def run(checks: int, delay_ms: int, concurrency: int | None, quick: bool) -> dict[str, Any]:
    """Every measurement, as one JSON-able dict."""
    started, host = time.perf_counter(), machine()
    parse_min_s = 0.3 if quick else 1.5
    with DemoMarketplace(delay_ms=delay_ms) as market:
        market.set_round(0)
        with PeakRss() as rss:
            browser = measure_pipeline(market.base_url, checks, concurrency, "browser")
        http = measure_pipeline(market.base_url, checks, concurrency, "http")
        pages = demo_pages(market.base_url, market.suppliers())
    later = browser["later_checks"]
    growth = browser["size_after_all"] - browser["size_after_first"]
    return {
        "machine": host,
        "load_avg_1m_at_end": round(os.getloadavg()[0], 2),
        "delay_ms": delay_ms,
        "checks": browser["checks"],
        "concurrency": browser["concurrency"],
        "browser": {
            "checks_per_s": browser["checks_per_s"],
            "later_rounds_checks_per_s": browser.get("later_checks_per_s"),
            "peak_rss_mb": round(rss.peak_bytes / 2**20, 1),
            "elapsed_s": browser["elapsed_s"],
            "statuses": browser["statuses"],
        },
        "http_reference": {
            "checks_per_s": http["checks_per_s"],
            "later_rounds_checks_per_s": http.get("later_checks_per_s"),
            "elapsed_s": http["elapsed_s"],
            "statuses": http["statuses"],
        },
        "bytes_per_unchanged_check": round(growth / later, 1) if later else None,
        "unchanged_checks_measured": later - browser["later_changed"],
        "db_bytes_after_first_round": browser["size_after_first"],
        "parse_ms_per_page": parse_ms_demo(pages, parse_min_s),
        "parse_ms_per_real_page": parse_ms_real(parse_min_s),
        "total_s": round(time.perf_counter() - started, 1),
    }


def print_table(r: dict[str, Any]) -> None:
    """The result as a short readable report."""
    m, b, h = r["machine"], r["browser"], r["http_reference"]
    rows = [
        ("machine", f"{m['cpus']} CPUs, {m['memory_gb']} GB, {m['platform']}, Python {m['python']}"),
        ("load average (1 min)", f"{m['load_avg_1m']} at start, {r['load_avg_1m_at_end']} at end"),
        ("setup", f"{r['checks']} checks, delay {r['delay_ms']} ms, concurrency {r['concurrency']}"),
        ("browser checks/s", f"{b['checks_per_s']} (after round 1: {b['later_rounds_checks_per_s']})"),
        ("browser peak RSS", f"{b['peak_rss_mb']} MB (process tree incl. Chromium)"),
        ("http checks/s", f"{h['checks_per_s']} (after round 1: {h['later_rounds_checks_per_s']})"),
        ("bytes/unchanged check", f"{r['bytes_per_unchanged_check']} (over {r['unchanged_checks_measured']} checks)"),
        ("parse ms/demo page", str(r["parse_ms_per_page"])),
        ("statuses", f"browser {b['statuses']}, http {h['statuses']}"),
    ]
    for name, ms in (r["parse_ms_per_real_page"] or {"(../shared/pages absent)": None}).items():
        rows.append((f"parse ms {name}", str(ms)))
    rows.append(("total", f"{r['total_s']} s"))
    width = max(len(name) for name, _ in rows)
    for name, value in rows:
        print(f"{name:<{width}}  {value}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help=f"{QUICK_CHECKS} checks and short parse loops")
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    parser.add_argument("--checks", type=int, help=f"checks per fetch method (default {DEFAULT_CHECKS})")
    parser.add_argument("--delay-ms", type=int, default=300, help="injected marketplace response delay")
    parser.add_argument("--concurrency", type=int, help="override the config's browser.concurrency")
    args = parser.parse_args(argv)
    checks = args.checks or (QUICK_CHECKS if args.quick else DEFAULT_CHECKS)
    if checks < 1:
        parser.error("--checks must be at least 1")
    result = run(checks, args.delay_ms, args.concurrency, args.quick)
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        print_table(result)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

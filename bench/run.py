"""Benchmark of the check pipeline against the demo marketplace: throughput, memory, storage growth, parsing.

Not a test: it measures and prints. Run from the project root:

    .venv/bin/python bench/run.py [--quick] [--json] [--checks N] [--delay-ms 300] [--concurrency C]
    .venv/bin/python bench/run.py --sweep [--sweep-checks 24] [--delay-ms 300] [--json]
    .venv/bin/python bench/run.py --soak 2000 [--soak-delay-ms 0] [--json]
    .venv/bin/python bench/run.py --workers 1,2,4 [--worker-checks 64] [--delay-ms 300] [--json]   (PostgreSQL)

See bench/README.md for what each figure means.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import json
import os
import platform
import re
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import psutil

from monitor.checks import PageOutcome, sync_watch_list
from monitor.config import Config, SupplierConfig
from monitor.demo.marketplace import DemoMarketplace
from monitor.demo.runner import demo_config
from monitor.engine import Monitor
from scrapers.claims import ClaimsDocument, Source
from scrapers.classify import classify
from scrapers.extract import choose_parser, read_page
from storage import Database, database_size_bytes, open_database

ROOT = Path(__file__).resolve().parents[1]
SHARED_PAGES = ROOT.parent / "shared" / "pages"
DEFAULT_CHECKS, QUICK_CHECKS = 120, 24
SWEEP_METHODS = ("browser", "http", "auto")
SWEEP_CONCURRENCIES = (1, 2, 4, 8)
DEFAULT_SWEEP_CHECKS = 24
SOAK_MARK = 200  # RSS is recorded every this many soak checks


def tree_rss_bytes(exclude: frozenset[int] = frozenset()) -> int:
    """RSS of this process and all its descendants except ``exclude`` (processes that exit mid-sample skipped)."""
    me = psutil.Process()
    total = 0
    for proc in [me, *me.children(recursive=True)]:
        if proc.pid in exclude:
            continue
        try:
            total += proc.memory_info().rss
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            pass
    return total


def mb(n_bytes: int) -> float:
    return round(n_bytes / 2**20, 1)


class PeakRss:
    """Samples the summed RSS of this process and all its descendants (Chromium too) on a background thread."""

    def __init__(self, interval_s: float = 0.1) -> None:
        self.interval_s = interval_s
        self.peak_bytes = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="rss-sampler", daemon=True)

    def sample(self) -> int:
        """Current RSS of the process tree in bytes (processes that exit mid-sample are skipped)."""
        return tree_rss_bytes()

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
    """Run the rounds through one engine (one browser for the run); time all, and the rounds after the first."""
    outcomes: list[PageOutcome] = []
    started = time.perf_counter()
    async with Monitor(config, db=db) as monitor:
        outcomes += await monitor.check(rounds[0])
        first_done = time.perf_counter()
        size_after_first = await asyncio.to_thread(database_size_bytes, db)
        later_started = time.perf_counter()
        for suppliers in rounds[1:]:
            outcomes += await monitor.check(suppliers)
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
        "fetch_methods": dict(Counter(o.fetch_method for o in outcomes)),
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


def demo_pages(base_url: str, suppliers: list[dict[str, Any]]) -> list[tuple[str, str, str]]:
    """(url, html, platform) of each demo supplier page, fetched once over plain HTTP."""
    with httpx.Client(timeout=30) as client:
        return [(str(s["url"]), client.get(str(s["url"])).text, str(s["platform"])) for s in suppliers]


def parse_ms_demo(pages: list[tuple[str, str, str]], min_s: float) -> float:
    """Mean ms of read_page per demo page (the whole set parsed per run, each by its own platform's parser)."""

    def parse_all() -> None:
        for url, html, platform_name in pages:
            read_page(html, url, platform=platform_name, http_status=200, final_url=url)

    return round(mean_ms(parse_all, min_s) / len(pages), 3)


def _real_page_url(name: str) -> str:
    if "product_detail" in name:
        return "https://www.alibaba.com/product-detail/page.html"
    if name.startswith("madeinchina"):
        return "https://acme.en.made-in-china.com/product/page.html"
    return "https://supplier.en.alibaba.com/company_profile.html"


def _platform_only(html: str, url: str) -> None:
    """What a check cost before the generic reader: the platform parser and the classifier."""
    parser = choose_parser(url, html)
    classify(
        html, parser.parse(html, url) if parser else ClaimsDocument(source=Source(url=url, platform="x", page_type="x"))
    )


def parse_ms_real(min_s: float) -> dict[str, Any] | None:
    """For each real captured page in ../shared/pages: mean ms of read_page (platform parser + generic reader +
    classifier), of the platform parser and classifier alone, and their ratio (the generic reader's cost)."""
    if not SHARED_PAGES.is_dir():
        return None
    result: dict[str, Any] = {}
    for path in sorted(SHARED_PAGES.glob("*.html")):
        html = path.read_text(encoding="utf-8", errors="replace")
        url = _real_page_url(path.name)
        full = mean_ms(lambda h=html, u=url: read_page(h, u), min_s)
        alone = mean_ms(lambda h=html, u=url: _platform_only(h, u), min_s)
        result[path.name] = {
            "ms": round(full, 3),
            "platform_parser_only_ms": round(alone, 3),
            "ratio": round(full / alone, 2) if alone else None,
        }
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
    from browser_bench import browser_memory  # PSS of the process tree over browser checks (issue 13)

    pss = browser_memory(QUICK_CHECKS if quick else 60, concurrency or 2, delay_ms)
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
            "peak_pss_mb": pss["peak_pss_mb"],
            "pss": pss,
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


def run_sweep(checks: int, delay_ms: int) -> dict[str, Any]:
    """Checks/s per fetch method and concurrency, each cell into a fresh database; peak tree RSS per method."""
    sweep: dict[str, dict[str, float]] = {}
    later: dict[str, dict[str, float | None]] = {}
    fetch_methods: dict[str, dict[str, dict[str, int]]] = {}
    statuses: dict[str, dict[str, dict[str, int]]] = {}
    peak: dict[str, float] = {}
    with DemoMarketplace(delay_ms=delay_ms) as market:
        market.set_round(0)
        for method in SWEEP_METHODS:
            sweep[method], later[method], fetch_methods[method], statuses[method] = {}, {}, {}, {}
            with PeakRss() as rss:
                for concurrency in SWEEP_CONCURRENCIES:
                    cell = measure_pipeline(market.base_url, checks, concurrency, method)
                    key = str(concurrency)
                    sweep[method][key] = cell["checks_per_s"]
                    later[method][key] = cell.get("later_checks_per_s")
                    fetch_methods[method][key] = cell["fetch_methods"]
                    statuses[method][key] = cell["statuses"]
            peak[method] = mb(rss.peak_bytes)
    return {
        "sweep": sweep,
        "sweep_peak_rss_mb": peak,
        "sweep_later_rounds_checks_per_s": later,
        "sweep_fetch_methods": fetch_methods,
        "sweep_statuses": statuses,
        "sweep_checks": checks,
        "sweep_delay_ms": delay_ms,
    }


@contextlib.contextmanager
def marketplace_process(delay_ms: int) -> Iterator[tuple[str, int]]:
    """The demo marketplace in its own process, so this process's RSS is the monitor's alone: (base_url, pid)."""
    cmd = [sys.executable, "-m", "monitor.demo.marketplace", "--port", "0", "--delay-ms", str(delay_ms)]
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        assert proc.stdout is not None
        found = re.search(r"running at (\S+) ", proc.stdout.readline())
        if found is None:
            raise RuntimeError("the demo marketplace did not start")
        yield found.group(1), proc.pid
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


async def soak_checks(config: Config, db: Database, checks: int, exclude: frozenset[int]) -> dict[str, Any]:
    """``checks`` checks through one engine, cycling over the suppliers; RSS every SOAK_MARK.

    Outcomes are counted, not kept, so the benchmark itself does not grow.
    """
    suppliers = itertools.cycle(config.suppliers)
    done, statuses = 0, Counter[str]()
    tree: dict[str, float] = {}
    own: dict[str, float] = {}
    me = psutil.Process()
    started = time.perf_counter()
    async with Monitor(config, db=db) as monitor:
        while done < checks:
            next_mark = min(checks, (done // SOAK_MARK + 1) * SOAK_MARK)
            batch = [next(suppliers) for _ in range(min(len(config.suppliers), next_mark - done))]
            outcomes = await monitor.check(batch)
            done += len(outcomes)
            statuses.update(o.status for o in outcomes)
            if done >= next_mark:
                tree[str(done)] = mb(tree_rss_bytes(exclude))
                own[str(done)] = mb(me.memory_info().rss)
        elapsed = time.perf_counter() - started
        browser_stats = monitor.fetchers.get("browser").inner.stats()  # the one BrowserFetcher every check used
    return {
        "checks": done,
        "elapsed_s": round(elapsed, 1),
        "checks_per_s": round(done / elapsed, 2),
        "rss_mb_by_checks": tree,
        "python_rss_mb_by_checks": own,
        "browser_stats": browser_stats,
        "statuses": dict(statuses),
    }


def run_soak(checks: int, delay_ms: int) -> dict[str, Any]:
    """The soak: one long-lived engine (browser, config defaults) against an out-of-process marketplace."""
    with marketplace_process(delay_ms) as (base_url, market_pid), tempfile.TemporaryDirectory(prefix="soak-") as tmp:
        config = demo_config(base_url, f"sqlite:///{Path(tmp) / 'soak.db'}", "browser")
        db = open_database(config.database.url)
        try:
            sync_watch_list(db, config)
            result = asyncio.run(soak_checks(config, db, checks, frozenset({market_pid})))
            result["db_bytes_at_end"] = database_size_bytes(db)
        finally:
            db.dispose()
    first, last = str(min(SOAK_MARK, checks)), str(result["checks"])
    tree, own = result["rss_mb_by_checks"], result["python_rss_mb_by_checks"]
    result["rss_growth_ratio"] = round(tree[last] / tree[first], 3)
    result["python_rss_growth_ratio"] = round(own[last] / own[first], 3)
    result["delay_ms"] = delay_ms
    result["browser_config"] = {
        "concurrency": config.browser.concurrency,
        "recycle_after_pages": config.browser.recycle_after_pages,
        "max_memory_mb": config.browser.max_memory_mb,
    }
    return {"soak": result}


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
        shown = f"{ms['ms']} (platform parser alone {ms['platform_parser_only_ms']}, x{ms['ratio']})" if ms else "-"
        rows.append((f"parse ms {name}", shown))
    rows.append(("total", f"{r['total_s']} s"))
    width = max(len(name) for name, _ in rows)
    for name, value in rows:
        print(f"{name:<{width}}  {value}")


def print_sweep(r: dict[str, Any]) -> None:
    """The sweep as a method x concurrency table of checks/s, with peak tree RSS per method."""
    header = "method  " + "".join(f"c={c:<7}" for c in SWEEP_CONCURRENCIES) + "peak RSS MB"
    print(f"sweep: {r['sweep_checks']} checks per cell, delay {r['sweep_delay_ms']} ms (checks/s, launch included)")
    print(header)
    for method in SWEEP_METHODS:
        cells = "".join(f"{r['sweep'][method][str(c)]:<9}" for c in SWEEP_CONCURRENCIES)
        print(f"{method:<8}{cells}{r['sweep_peak_rss_mb'][method]}")
    print(f"auto fetch methods: {r['sweep_fetch_methods']['auto']}")


def print_soak(r: dict[str, Any]) -> None:
    """The soak's RSS by checks done, process tree and this Python process alone."""
    s = r["soak"]
    print(f"soak: {s['checks']} checks in {s['elapsed_s']} s ({s['checks_per_s']}/s), delay {s['delay_ms']} ms")
    print(f"browser config: {s['browser_config']}; statuses {s['statuses']}")
    print("checks  tree RSS MB  python RSS MB")
    for done, tree in s["rss_mb_by_checks"].items():
        print(f"{done:<8}{tree:<13}{s['python_rss_mb_by_checks'][done]}")
    print(f"growth ratio (last / first mark): tree {s['rss_growth_ratio']}, python {s['python_rss_growth_ratio']}")
    print(f"browser stats: {s['browser_stats']}")


WORKERS_PG_ENV = "SUPPLIER_MONITOR_TEST_DATABASE_URL"


def _counts(value: str) -> list[int]:
    """``1,2,4`` -> [1, 2, 4] (worker counts for --workers)."""
    try:
        counts = [int(part) for part in value.split(",") if part.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected worker counts like 1,2,4, not {value!r}") from None
    if not counts or any(n < 1 or n > 32 for n in counts):
        raise argparse.ArgumentTypeError("worker counts must be between 1 and 32")
    return counts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help=f"{QUICK_CHECKS} checks and short parse loops")
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    parser.add_argument("--checks", type=int, help=f"checks per fetch method (default {DEFAULT_CHECKS})")
    parser.add_argument("--delay-ms", type=int, default=300, help="injected marketplace response delay")
    parser.add_argument("--concurrency", type=int, help="override the config's browser.concurrency")
    parser.add_argument("--sweep", action="store_true", help="checks/s per fetch method at concurrency 1, 2, 4, 8")
    parser.add_argument("--sweep-checks", type=int, default=DEFAULT_SWEEP_CHECKS, help="checks per sweep cell")
    parser.add_argument("--soak", type=int, metavar="N", help="N checks through one long-lived engine; RSS by checks")
    parser.add_argument("--soak-delay-ms", type=int, default=0, help="marketplace response delay for the soak")
    parser.add_argument(
        "--workers", type=_counts, metavar="1,2,4",
        help="distributed mode: checks/s with this many worker processes each (PostgreSQL: $" + WORKERS_PG_ENV + ")",
    )  # fmt: skip
    parser.add_argument("--worker-checks", type=int, default=64, help="supplier checks per --workers cell")
    args = parser.parse_args(argv)
    checks = args.checks or (QUICK_CHECKS if args.quick else DEFAULT_CHECKS)
    if checks < 1 or args.sweep_checks < 1:
        parser.error("--checks and --sweep-checks must be at least 1")
    if args.soak is not None and args.soak < 1:
        parser.error("--soak must be at least 1")
    if not (args.sweep or args.soak or args.workers):  # the base measurement; --sweep / --soak run only themselves
        result = run(checks, args.delay_ms, args.concurrency, args.quick)
        from http_bench import print_http_bench, run_http_bench  # issue 13: plain HTTP vs a urlwatch-style fetcher

        result.update(run_http_bench(args.delay_ms, *((1, 3.0) if args.quick else (2, 10.0))))
        from pg_wal_bench import run_pg_wal_bench  # issue 13: the same unchanged checks' WAL on PostgreSQL

        result.update(run_pg_wal_bench(args.delay_ms, 3 if args.quick else 10))
        from startup_bench import startup_ms  # issue 13: CLI start-up to a check's first request

        result["startup"] = startup_ms()
        result["startup_ms"] = result["startup"]["median_ms"]
        print(json.dumps(result, indent=2)) if args.json else (print_table(result), print_http_bench(result))
        return 0
    started = time.perf_counter()
    result = {"machine": machine()}
    if args.sweep:
        result.update(run_sweep(args.sweep_checks, args.delay_ms))
    if args.soak:
        result.update(run_soak(args.soak, args.soak_delay_ms))
    if args.workers:
        from workers_bench import run_workers

        result.update(run_workers(args.workers, args.worker_checks, args.delay_ms))
    result["load_avg_1m_at_end"] = round(os.getloadavg()[0], 2)
    result["total_s"] = round(time.perf_counter() - started, 1)
    if args.json:
        print(json.dumps(result, indent=2))
        return 0
    m = result["machine"]
    print(f"machine: {m['cpus']} CPUs, {m['memory_gb']} GB; load average {m['load_avg_1m']} at start", end="")
    print(f", {result['load_avg_1m_at_end']} at end; total {result['total_s']} s")
    if args.sweep:
        print_sweep(result)
    if args.soak:
        print_soak(result)
    if args.workers:
        from workers_bench import print_workers

        print_workers(result)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

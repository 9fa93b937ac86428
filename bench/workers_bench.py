"""Distributed throughput: checks/s with 1, 2, 4 ... worker processes on one PostgreSQL (``bench/run.py --workers``).

Each measurement: a fresh PostgreSQL schema, the demo marketplace with an injected response delay, K real
``supplier-monitor worker --concurrency 1`` processes (plain HTTP, no scheduler: the jobs are enqueued at once, so
the scheduler's timing is not what is measured). Once all K workers beat, N supplier checks are deferred; the
window runs from the first stored check's start to the last one's end (the database's own timestamps), so process
start-up and imports are not counted. Politeness is the demo's loopback setting (no per-host delay): the point is
how the queue and the workers scale, not how a real marketplace is paced.
"""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import tomlkit
from sqlalchemy import create_engine, text

TESTS = Path(__file__).resolve().parents[1] / "tests"
if str(TESTS) not in sys.path:
    sys.path.insert(0, str(TESTS))

from distributed_cluster import SUPPLIERS, Process, pg_schema, wait_for  # noqa: E402

from monitor.checks import sync_watch_list  # noqa: E402
from monitor.config import load_config  # noqa: E402
from monitor.demo.marketplace import DemoMarketplace  # noqa: E402
from monitor.demo.runner import LOOPBACK_POLITENESS  # noqa: E402
from monitor.demo.scenario import demo_suppliers, demo_verify_settings  # noqa: E402
from monitor.distributed.tasks import build_app, defer_check  # noqa: E402
from storage import open_database  # noqa: E402

DEFAULT_PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
PG_URL_ENV = "SUPPLIER_MONITOR_TEST_DATABASE_URL"


def _suppliers(base_url: str, count: int) -> list[dict[str, Any]]:
    """``count`` suppliers cycling over the demo's plain-HTTP stores (own ids, same pages)."""
    stores = [s for s in demo_suppliers(base_url) if s["id"] in SUPPLIERS]
    return [
        {**stores[i % len(stores)], "id": f"{stores[i % len(stores)]['id']}-{i:03d}", "name": f"Bench supplier {i}"}
        for i in range(count)
    ]


def _write_config(path: Path, db_url: str, suppliers: list[dict[str, Any]]) -> None:
    document = {
        "database": {"url": db_url},
        "scheduler": {"mode": "distributed", "worker_heartbeat": "1s", "worker_stall_timeout": "30s"},
        "fetch": {"method": "http", "timeout": "20s", "allow_private_addresses": True},
        "politeness": LOOPBACK_POLITENESS,
        "documents": {"read": False},
        "verify": demo_verify_settings(),
        "suppliers": suppliers,
    }
    path.write_text(tomlkit.dumps(document), encoding="utf-8")


async def _defer_all(config_path: Path) -> None:
    config = load_config(config_path)
    async with build_app(config, pool_size=2).open_async() as app:
        for supplier in config.suppliers:
            await defer_check(app, supplier.id)


_SIZE_SQL = """
SELECT coalesce(sum(pg_total_relation_size(c.oid)), 0) FROM pg_class c
  JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE n.nspname = current_schema() AND c.relkind = 'r' AND c.relname NOT LIKE 'procrastinate%'
"""


def _count(engine: Any, sql: str) -> int:
    with engine.connect() as conn:
        return int(conn.execute(text(sql)).scalar() or 0)


def _run_pass(config_path: Path, engine: Any, jobs: int, logs: Any) -> None:
    asyncio.run(_defer_all(config_path))
    wait_for(
        lambda: _count(engine, "SELECT count(*) FROM procrastinate_jobs WHERE status <> 'succeeded'") == 0,
        f"{jobs} checks", 60 + jobs * 5, logs,
    )  # fmt: skip


def measure(workers: int, jobs: int, delay_ms: int, base_url: str, *, again: bool = False) -> dict[str, Any]:
    """One cell: ``workers`` processes checking ``jobs`` suppliers; checks/s over the database's own window.

    ``again``: then check every supplier once more (pages unchanged) and report the database's growth per check
    of each pass (tables with their indexes and TOAST, the job queue's own tables left out)."""
    with tempfile.TemporaryDirectory(prefix="bench-workers-") as scratch, pg_schema(base_url) as db_url:
        config_path = Path(scratch) / "config.toml"
        with DemoMarketplace(delay_ms=delay_ms) as market:
            _write_config(config_path, db_url, _suppliers(market.base_url, jobs))
            with open_database(db_url) as db:  # migrated (the queue's schema included) before anyone starts
                sync_watch_list(db, load_config(config_path))  # the scheduler's job, and there is none here
            engine = create_engine(db_url)
            procs = [Process(config_path, "worker", "--concurrency", "1") for _ in range(workers)]
            try:
                logs = lambda: "\n".join(p.log for p in procs)  # noqa: E731
                wait_for(
                    lambda: _count(engine, "SELECT count(*) FROM procrastinate_workers") >= workers,
                    f"{workers} worker heartbeat(s)", 120, logs,
                )  # fmt: skip
                empty = _count(engine, _SIZE_SQL)
                _run_pass(config_path, engine, jobs, logs)
                first = _count(engine, _SIZE_SQL)
                with engine.connect() as conn:
                    row = conn.execute(
                        text(
                            "SELECT count(*) AS pages, count(DISTINCT supplier_id) AS suppliers, "
                            "count(*) FILTER (WHERE status = 'ok') AS ok, "
                            "extract(epoch FROM max(finished_at) - min(started_at)) AS window_s "
                            'FROM "check"'
                        )
                    ).one()
                growth: dict[str, Any] = {"db_bytes_per_first_check": round((first - empty) / jobs)}
                if again:
                    _run_pass(config_path, engine, jobs, logs)
                    growth["db_bytes_per_unchanged_check"] = round((_count(engine, _SIZE_SQL) - first) / jobs)
            finally:
                for proc in procs:
                    proc.stop()
                engine.dispose()
    window = float(row.window_s or 0.0)
    return {
        "workers": workers,
        "supplier_checks": int(row.suppliers),
        "page_checks": int(row.pages),
        "ok_pages": int(row.ok),
        "window_s": round(window, 2),
        "checks_per_s": round(int(row.suppliers) / window, 2) if window else None,
        **growth,
    }


def run_workers(counts: list[int], jobs: int, delay_ms: int) -> dict[str, Any]:
    """``{"workers": {"1": {...}, "2": {...}}, "speedup": {"2": x, ...}}``: each count measured once, in order."""
    base_url = os.environ.get(PG_URL_ENV, DEFAULT_PG_URL)
    started = time.perf_counter()
    # The unchanged pass runs in the last (fastest) cell only: the growth per check does not depend on workers.
    cells = {str(k): measure(k, jobs, delay_ms, base_url, again=k == counts[-1]) for k in counts}
    first = cells[str(counts[0])]["checks_per_s"]
    speedup = {k: round(c["checks_per_s"] / first, 2) for k, c in cells.items() if first and c["checks_per_s"]}
    return {
        "workers": cells,
        "speedup_vs_first": speedup,
        "worker_bench": {"jobs": jobs, "delay_ms": delay_ms, "concurrency_per_worker": 1, "method": "http"},
        "workers_total_s": round(time.perf_counter() - started, 1),
    }


def print_workers(result: dict[str, Any]) -> None:
    setup = result["worker_bench"]
    print(f"distributed: {setup['jobs']} supplier checks, {setup['delay_ms']} ms per response, plain HTTP")
    for count, cell in result["workers"].items():
        print(
            f"  {count} worker(s): {cell['checks_per_s']} checks/s over {cell['window_s']} s "
            f"({cell['page_checks']} pages, {cell['ok_pages']} ok); x{result['speedup_vs_first'].get(count, '?')}; "
            f"database bytes per check: first {cell['db_bytes_per_first_check']}, "
            f"unchanged {cell.get('db_bytes_per_unchanged_check', '-')}"
        )

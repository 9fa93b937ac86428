"""Bytes of WAL PostgreSQL writes per unchanged plain-HTTP check (issue 13's disk figure on the deployment backend).

Run alone (``.venv/bin/python bench/pg_wal_bench.py [--json] [--rounds 10]``) or as part of ``bench/run.py``'s
default run (key ``postgres_wal_bytes_per_unchanged_check``, details under ``postgres_wal``; ``null`` with the
reason when PostgreSQL is not reachable).

Why a second figure: ``http_bench``'s disk figure is SQLite's, whose WAL holds whole 4 KB pages, so one committed
check costs at least the pages its row touches. PostgreSQL logs the row and its index entries instead.

Method: the demo marketplace (``run.marketplace_process``, 300 ms per response) and ``http_bench``'s config (plain
HTTP, documents not read, no robots.txt, no per-host delay, concurrency 2) on a fresh PostgreSQL schema
(``$SUPPLIER_MONITOR_BENCH_PG_URL``, default the local ``test`` database; dropped afterwards). A first round
stores the snapshots and a second one warms up; then a ``CHECKPOINT``, and ``pg_wal_lsn_diff`` of
``pg_current_wal_lsn()`` over ``--rounds`` rounds of unchanged pages, divided by the page checks. The first
change of each page after the checkpoint is logged as a full page image, so it is counted too. Other sessions'
writes to the same server in that window would count as well: run it on a server nobody else writes to.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine

from monitor.engine import Monitor
from storage import open_database

PG_URL_ENV = "SUPPLIER_MONITOR_BENCH_PG_URL"
DEFAULT_PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


@contextmanager
def scratch_schema(base_url: str) -> Iterator[tuple[Engine, str]]:
    """A new schema on the server and a URL whose connections use it; dropped on the way out."""
    admin = create_engine(base_url, isolation_level="AUTOCOMMIT")
    schema = f"bench_wal_{uuid.uuid4().hex[:8]}"
    try:
        with admin.connect() as conn:
            conn.execute(text(f"CREATE SCHEMA {schema}"))
        separator = "&" if "?" in base_url else "?"
        yield admin, f"{base_url}{separator}options=-csearch_path%3D{schema}"
    finally:
        with admin.connect() as conn:
            conn.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
        admin.dispose()


def wal_position(admin: Engine) -> str:
    with admin.connect() as conn:
        return str(conn.execute(text("SELECT pg_current_wal_lsn()")).scalar_one())


def wal_bytes_between(admin: Engine, start: str, end: str) -> int:
    with admin.connect() as conn:
        return int(conn.execute(text("SELECT pg_wal_lsn_diff(:end, :start)"), {"start": start, "end": end}).scalar())


async def measure(base_url: str, admin: Engine, db_url: str, rounds: int) -> dict[str, Any]:
    from http_bench import bench_config, first_round  # bench/ is on sys.path (run alone or from run.py)

    db = open_database(db_url)
    try:
        suppliers = await first_round(base_url, db, db_url)
        config = bench_config(base_url, db_url, 2)
        async with Monitor(config, db=db) as monitor:
            await monitor.check(suppliers)  # warm-up: the engine's first look at each page
            with admin.connect() as conn:
                conn.execute(text("CHECKPOINT"))
            start, checks, changed = wal_position(admin), 0, 0
            for _ in range(rounds):
                outcomes = await monitor.check(suppliers)
                checks += len(outcomes)
                changed += sum(o.changed for o in outcomes if o.ok)
            end = wal_position(admin)
    finally:
        db.dispose()
    written = wal_bytes_between(admin, start, end)
    return {"checks": checks, "changed": changed, "wal_bytes": written, "per_check": round(written / checks, 1)}


def run_pg_wal_bench(delay_ms: int = 300, rounds: int = 10) -> dict[str, Any]:
    """The measurement as the keys ``bench/run.py`` merges into its own (``null`` figure when PostgreSQL is away)."""
    from run import marketplace_process

    base_url = os.environ.get(PG_URL_ENV, DEFAULT_PG_URL)
    started = time.perf_counter()
    try:
        with scratch_schema(base_url) as (admin, db_url), marketplace_process(delay_ms) as (market, _pid):
            found = asyncio.run(measure(market, admin, db_url, rounds))
    except Exception as exc:  # no server, no rights: say so in the result instead of failing the whole run
        reason = f"PostgreSQL not measured ({type(exc).__name__}: {exc}); set ${PG_URL_ENV}"
        return {"postgres_wal_bytes_per_unchanged_check": None, "postgres_wal": {"skipped": reason}}
    found.update({"rounds": rounds, "delay_ms": delay_ms, "total_s": round(time.perf_counter() - started, 1)})
    return {"postgres_wal_bytes_per_unchanged_check": found["per_check"], "postgres_wal": found}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--json", action="store_true", help="print JSON instead of a line")
    parser.add_argument("--rounds", type=int, default=10, help="measured rounds of the unchanged pages")
    parser.add_argument("--delay-ms", type=int, default=300, help="injected marketplace response delay")
    args = parser.parse_args()
    result = run_pg_wal_bench(args.delay_ms, args.rounds)
    if args.json:
        print(json.dumps(result, indent=2))
    elif result["postgres_wal_bytes_per_unchanged_check"] is None:
        print(result["postgres_wal"]["skipped"])
    else:
        wal = result["postgres_wal"]
        print(f"PostgreSQL WAL per unchanged check: {wal['per_check']} bytes ({wal['wal_bytes']} over {wal['checks']})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

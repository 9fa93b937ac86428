"""Distributed mode on the real local PostgreSQL with real processes: one ``supplier-monitor scheduler``, three
``supplier-monitor worker`` processes and the demo marketplace (plain HTTP, documents not read).

What must hold when workers are killed with SIGKILL at random points of a check (mid-fetch, or just after the
page came back: parsing, storing, committing, finishing the job): every supplier is checked again (the dead
worker's job is handed to another worker after the stall timeout), nothing is half-written, no snapshot and no
alert is duplicated, and two workers never check one supplier at once (the checks' own rows and the
marketplace's request log, server-side times). More kills: bench/distributed_faults.py.

And per-host politeness holds across processes: two workers fetching from one host keep its minimum delay
between them (each fetch's start is reserved in the database's host_pacing table), as the marketplace sees it.

Skipped without $SUPPLIER_MONITOR_TEST_DATABASE_URL (the distributed mode is PostgreSQL only).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from conftest import PG_URL_ENV
from distributed_cluster import (
    SUPPLIERS,
    Process,
    RecordingMarketplace,
    pg_schema,
    run_faults,
    start_gaps,
    suppliers_on,
    wait_for,
    write_config,
)
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine
from typer.testing import CliRunner

from monitor.checks import sync_watch_list
from monitor.cli import app as cli_app
from monitor.config import ConfigError, load_config
from monitor.demo.runner import LOOPBACK_POLITENESS
from monitor.distributed import CHECKS_QUEUE, DELIVERIES_QUEUE
from monitor.distributed.connection import libpq_conninfo
from monitor.distributed.queue_status import queue_status
from monitor.distributed.tasks import CHECK_TASK, build_app, defer_check
from storage import open_database

BASE_URL = os.environ.get(PG_URL_ENV)
requires_pg = pytest.mark.skipif(
    not BASE_URL,
    reason=f"the distributed mode needs PostgreSQL: set ${PG_URL_ENV} (e.g. postgresql+psycopg://postgres@127.0.0.1/test)",
)
#: Kills in this test; bench/distributed_faults.py --trials 20 does more.
KILLS = 6
#: Generous: five Python processes start on a loaded two-core machine.
DEADLINE = 60.0


@pytest.fixture
def cluster_db() -> Iterator[str]:
    assert BASE_URL
    with pg_schema(BASE_URL) as url:
        yield url


# --- config and command line ------------------------------------------------------------------------------------


def test_distributed_mode_needs_postgresql(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SUPPLIER_MONITOR_DATABASE_URL", raising=False)
    with pytest.raises(ConfigError, match=r"scheduler\.mode: \"distributed\" needs a PostgreSQL database"):
        load_config(tmp_path / "c.toml", data={"scheduler": {"mode": "distributed"}})
    with pytest.raises(ConfigError, match=r"scheduler\.worker_stall_timeout: must be at least twice"):
        load_config(tmp_path / "c.toml", data={"scheduler": {"worker_heartbeat": "10s", "worker_stall_timeout": "15s"}})
    pg = {"database": {"url": "postgresql+psycopg://monitor@db.internal/monitor"}, "scheduler": {"mode": "distributed"}}
    assert load_config(tmp_path / "c.toml", data=pg).scheduler.mode == "distributed"


@pytest.mark.parametrize("command", ["scheduler", "worker"])
def test_scheduler_and_worker_refuse_the_single_mode(tmp_path: Path, command: str) -> None:
    config = tmp_path / "config.toml"
    config.write_text('[database]\nurl = "sqlite:///monitor.db"\n', encoding="utf-8")
    result = CliRunner().invoke(cli_app, ["--config", str(config), command])
    assert result.exit_code == 2
    assert 'mode is "single"' in result.output and "supplier-monitor run" in result.output


def test_conninfo_keeps_the_schema_option() -> None:
    info = libpq_conninfo("postgresql+psycopg://monitor:s%20cret@db:6543/mon?options=-csearch_path%3Dtenant_a")
    assert info == "host=db port=6543 dbname=mon user=monitor password='s cret' options=-csearch_path=tenant_a"


# --- the queue, in process ----------------------------------------------------------------------------------------


@requires_pg
def test_queueing_lock_status_and_hand_over_of_a_dead_workers_job(tmp_path: Path, cluster_db: str) -> None:
    """One waiting check per supplier; a job of a worker without heartbeat counts as stalled, and the scheduler's
    hand-over closes it and queues the check again (attempt 1), which frees the supplier's lock."""
    from monitor.distributed.scheduler import _hand_over
    from monitor.distributed.tasks import build_app, defer_check, defer_delivery

    config = load_config(
        tmp_path / "c.toml", data={"database": {"url": cluster_db}, "scheduler": {"mode": "distributed"}}
    )
    db = open_database(cluster_db)  # migrates: the queue's tables come with 0009
    stall = timedelta(seconds=2)
    try:
        assert queue_status(db, stall).available

        async def scenario() -> list[tuple[str, str, dict[str, object]]]:
            app = build_app(config)
            async with app.open_async():
                assert await defer_check(app, "acme") is not None
                assert await defer_check(app, "acme") is None  # still waiting: not queued twice
                assert await defer_delivery(app) is not None
                assert await defer_delivery(app) is None
                worker_id = await app.job_manager.register_worker()
                job = await app.job_manager.fetch_job(queues=[CHECKS_QUEUE], worker_id=worker_id)
                assert job is not None and job.task_kwargs == {"supplier_id": "acme"}
                assert await defer_check(app, "acme") is not None  # the running one does not block the next
                with db.engine.begin() as conn:  # the worker dies: its heartbeat grows old
                    conn.execute(text("UPDATE procrastinate_workers SET last_heartbeat = now() - interval '1 hour'"))
                status = queue_status(db, stall, (CHECKS_QUEUE, DELIVERIES_QUEUE))
                checks_q = next(q for q in status.queues if q.queue == CHECKS_QUEUE)
                assert (checks_q.todo, checks_q.doing, checks_q.stalled) == (1, 0, 1)
                assert [w.stalled for w in status.workers] == [True]
                stalled = list(await app.job_manager.get_stalled_jobs(seconds_since_heartbeat=stall.total_seconds()))
                assert [j.id for j in stalled] == [job.id]
                await _hand_over(app, stalled[0], stall)
                with db.engine.connect() as conn:
                    rows = conn.execute(
                        text("SELECT status::text, queue_name, args FROM procrastinate_jobs ORDER BY id")
                    ).all()
            return [(r[0], r[1], r[2]) for r in rows]

        rows = asyncio.run(scenario())
        # The dead worker's job is closed; the check queued meanwhile is the one that runs (not a second one).
        assert rows == [
            ("aborted", CHECKS_QUEUE, {"supplier_id": "acme"}),
            ("todo", DELIVERIES_QUEUE, {}),
            ("todo", CHECKS_QUEUE, {"supplier_id": "acme"}),
        ]
        status = queue_status(db, stall)
        assert {q.queue: (q.todo, q.doing, q.stalled, q.failed) for q in status.queues} == {
            CHECKS_QUEUE: (1, 0, 0, 0),
            DELIVERIES_QUEUE: (1, 0, 0, 0),
        }
        assert status.to_json()["workers"][0]["stalled"] is True
    finally:
        db.dispose()


def test_queue_status_on_sqlite_says_there_is_no_queue(tmp_path: Path) -> None:
    db = open_database(f"sqlite:///{tmp_path / 'm.db'}")
    try:
        assert not queue_status(db, timedelta(seconds=60)).available
    finally:
        db.dispose()


# --- real processes -----------------------------------------------------------------------------------------------


@requires_pg
def test_killed_workers_lose_no_check_and_write_nothing_twice(tmp_path: Path, cluster_db: str) -> None:
    seed = int(os.environ.get("DISTRIBUTED_SEED") or time.time_ns() % 1_000_000)
    print(f"DISTRIBUTED_SEED={seed} (set it to replay this run's choices)")
    run = run_faults(tmp_path, cluster_db, trials=KILLS, seed=seed, deadline=DEADLINE)
    print(run.summary())
    assert run.problems == []
    assert len(run.kills) == KILLS
    assert run.claim_change_alerts >= 1, "the round-2 changes raised no alert while workers were killed"
    if any(k.phase == "mid-fetch" for k in run.kills):  # that job was left "doing": the scheduler handed it over
        assert run.handed_over >= 1


#: One host, one fetch start per second, whichever worker fetches (robots.txt included).
POLITE = {**LOOPBACK_POLITENESS, "min_delay_per_host": "1s", "max_concurrency_per_host": 2}
#: The server-side gap allowed: 1 s less what a busy machine may add between a reserved start and the request.
MIN_GAP_S = 0.95
#: Warm-up checks, each on a marketplace (host) of its own: two per worker's slots, so that both take some.
WARM_UPS = 4


async def _defer_checks(config_path: Path, ids: list[str]) -> None:
    """Queue one check of each of ``ids`` at once (no scheduler: each is checked once, all together)."""
    async with build_app(load_config(config_path), pool_size=2).open_async() as app:
        for supplier_id in ids:
            assert await defer_check(app, supplier_id) is not None


@requires_pg
def test_per_host_delay_holds_across_worker_processes(tmp_path: Path, cluster_db: str) -> None:
    """Two ``worker --concurrency 2`` processes, four suppliers on the one marketplace host, min_delay_per_host
    1 s: every request the marketplace sees (robots.txt too: it passes the same gate) starts at least ~1 s after
    the one before, whichever process sent it, and both processes did fetch. Each process alone would space only
    its own fetches; the shared reservation in host_pacing is what spaces the two.

    Both workers first check suppliers on other hosts (warm-up): a process's very first fetch reaches the host
    late (it builds its robots.txt client and loads the HTTP stack after its reserved start: ~40 ms on an idle
    machine, 0.2-0.5 s on a loaded one), and the next process's reserved start does not move, so that gap is
    short by as much. Until scrapers/fetch/politeness.py does that work before the start, the warm-up keeps this
    test about what it is for: the spacing shared between processes."""
    config = tmp_path / "config.toml"
    engine = create_engine(cluster_db)
    try:
        with contextlib.ExitStack() as stack:
            market = stack.enter_context(RecordingMarketplace(delay_ms=20))
            warm_markets = [stack.enter_context(RecordingMarketplace()) for _ in range(WARM_UPS)]
            warm = suppliers_on(warm_markets, "warm")
            write_config(config, market, cluster_db, SUPPLIERS, politeness=POLITE, extra_suppliers=warm)
            with open_database(cluster_db) as db:  # migrated (the queue too) before the workers start
                sync_watch_list(db, load_config(config))  # the scheduler's job; the checks are deferred below
            workers = [Process(config, "worker", "--concurrency", "2") for _ in range(2)]
            for recording in (market, *warm_markets):
                recording.identify = lambda port: next((w.name for w in workers if w.owns_port(port)), None)
            run = _Run(engine, config, workers)
            try:
                run.wait("two worker heartbeats", "SELECT count(*) >= 2 FROM procrastinate_workers")
                for _ in range(3):  # one round does it unless one worker took all (it holds 2 at most, each >= 1 s)
                    run.check([s["id"] for s in warm])
                    warmed = {r.owner for m in warm_markets for r in m.requests}  # all served: the checks are done
                    if {w.name for w in workers} <= warmed:
                        break
                assert {w.name for w in workers} <= warmed, f"a worker took no warm-up check\n{run.logs()}"
                run.check(SUPPLIERS)
            finally:
                codes = run.stop()
            assert codes == [0, 0], run.logs()
            with market.log_lock:
                requests = list(market.requests)
    finally:
        engine.dispose()
    gaps = start_gaps(requests)
    print("server-side gaps (s):", [(round(gap, 3), b.path, b.owner) for gap, _, b in gaps])
    paths = [r.path for r in requests]
    assert "/robots.txt" in paths and len(requests) >= 1 + len(SUPPLIERS), paths
    too_close = [
        f"{b.path} ({b.owner}) started {gap:.3f} s after {a.path} ({a.owner})" for gap, a, b in gaps if gap < MIN_GAP_S
    ]
    assert too_close == []
    # Both processes fetched: each request's client port, looked up among the workers' connections mid-request.
    assert {w.name for w in workers} <= {r.owner for r in requests}, [(r.path, r.port, r.owner) for r in requests]


class _Run:
    """Two workers on one database: queue checks and wait for them; stop both (exit 0)."""

    def __init__(self, engine: Engine, config: Path, workers: list[Process]) -> None:
        self.engine, self.config, self.workers = engine, config, workers

    def logs(self) -> str:
        return "\n".join(f"--- {w.name}\n{w.log[-3000:]}" for w in self.workers)

    def wait(self, what: str, sql: str) -> None:
        def holds() -> bool:
            with self.engine.connect() as conn:
                return bool(conn.execute(text(sql)).scalar())

        wait_for(holds, what, DEADLINE, self.logs)

    def check(self, ids: list[str]) -> None:
        """Queue a check of each of ``ids`` and wait until each has an ok check and no check job is left."""
        names = ", ".join(f"'{i}'" for i in ids)
        asyncio.run(_defer_checks(self.config, ids))
        # A worker deletes a job once it succeeded; a failed one stays (and the wait times out, with the logs).
        checked = (
            f"""SELECT count(DISTINCT supplier_id) FROM "check" WHERE status = 'ok' AND supplier_id IN ({names})"""
        )
        jobs_left = f"SELECT count(*) FROM procrastinate_jobs WHERE task_name = '{CHECK_TASK}'"
        self.wait(f"checks of {names}", f"SELECT ({checked}) = {len(ids)} AND ({jobs_left}) = 0")

    def stop(self) -> list[int]:
        """SIGTERM to both first (they stop together); their exit codes."""
        for worker in self.workers:
            worker.terminate()
        return [worker.stop() for worker in self.workers]

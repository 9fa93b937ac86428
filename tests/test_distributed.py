"""Distributed mode on the real local PostgreSQL with real processes: one ``supplier-monitor scheduler``, three
``supplier-monitor worker`` processes and the demo marketplace (plain HTTP, documents not read).

What must hold when workers are killed with SIGKILL at random points of a check (mid-fetch, or just after the
page came back: parsing, storing, committing, finishing the job): every supplier is checked again (the dead
worker's job is handed to another worker after the stall timeout), nothing is half-written, no snapshot and no
alert is duplicated, and two workers never check one supplier at once (the checks' own rows and the
marketplace's request log, server-side times). More kills: bench/distributed_faults.py.

Skipped without $SUPPLIER_MONITOR_TEST_DATABASE_URL (the distributed mode is PostgreSQL only).
"""

from __future__ import annotations

import asyncio
import os
import random
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
    checks,
    invariant_violations,
    ok_checks_after,
    overlapping_checks,
    overlapping_requests,
    pg_schema,
    wait_for,
    write_config,
)
from sqlalchemy import create_engine, text
from typer.testing import CliRunner

from monitor.cli import app as cli_app
from monitor.config import ConfigError, load_config
from monitor.distributed import CHECKS_QUEUE, DELIVERIES_QUEUE
from monitor.distributed.connection import libpq_conninfo
from monitor.distributed.queue_status import queue_status
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
    print(f"DISTRIBUTED_SEED={seed}")
    rng = random.Random(seed)
    engine = create_engine(cluster_db)
    slow = SUPPLIERS[-1]  # its checks outlast its interval: the next one is queued while it runs
    with RecordingMarketplace(delay_ms=50, slow={slow: 1.2}) as market:
        config = tmp_path / "config.toml"
        write_config(config, market, cluster_db, SUPPLIERS)
        scheduler = Process(config, "scheduler")
        workers = [Process(config, "worker") for _ in range(3)]
        everyone = [scheduler, *workers]

        def logs() -> str:
            return "\n".join(f"--- {p.log_path.name}\n{p.log[-3000:]}" for p in everyone)

        try:
            wait_for(
                lambda: all(ok_checks_after(engine, s, 0) for s in SUPPLIERS), "every supplier checked", DEADLINE, logs
            )
            kills: list[tuple[str, float, str]] = []
            for trial in range(KILLS):
                if trial == KILLS // 2:
                    market.set_round(2)  # claims change: alerts are raised while workers die
                store = rng.choice(SUPPLIERS)
                trap = market.arm(store)
                assert trap.seen.wait(DEADLINE), f"no check of {store} came\n{logs()}"
                assert trap.caught is not None
                victim = next((w for w in workers if w.alive() and w.owns_port(trap.caught.port)), None)
                assert victim is not None, f"no live worker owns port {trap.caught.port}\n{logs()}"
                if rng.random() < 0.5:
                    phase = "mid-fetch"
                    victim.kill()
                    trap.release.set()
                else:  # the page comes back; the kill lands while it is read, stored, committed or finished
                    phase = "after the fetch"
                    trap.release.set()
                    time.sleep(rng.uniform(0.0, 0.3))
                    victim.kill()
                kills.append((store, time.time(), phase))
                workers.remove(victim)
                workers.append(Process(config, "worker"))
                everyone.append(workers[-1])
            last = kills[-1][1]
            wait_for(
                lambda: (
                    all(ok_checks_after(engine, s, at) for s, at, _ in kills)
                    and all(ok_checks_after(engine, s, last) for s in SUPPLIERS)
                ),
                "a check of each killed worker's supplier after its kill, and of every supplier after the last",
                DEADLINE,
                logs,
            )
            # A replacement still importing would die of SIGTERM before it could stop cleanly: let it start.
            wait_for(lambda: all(p.started() for p in workers), "the replacement workers to start", DEADLINE, logs)
        finally:
            market.disarm()
            for process in everyone:  # SIGTERM to all first: they stop together
                process.terminate()
            codes = {p.log_path.name: p.stop() for p in everyone}
        rows = checks(engine)
        requests = list(market.requests)
    try:
        violations = invariant_violations(engine)
        with engine.connect() as conn:
            changes = conn.execute(text("SELECT count(*) FROM alert WHERE kind = 'claim_change'")).scalar_one()
    finally:
        engine.dispose()

    stopped = {name: code for name, code in codes.items() if code != -9}  # the killed ones say -9
    assert len(stopped) == len(codes) - KILLS and set(stopped.values()) == {0}, f"{codes}\n{logs()}"
    assert violations == []
    assert overlapping_checks(rows) == []
    assert overlapping_requests(requests, SUPPLIERS) == []
    assert changes >= 1, "the round-2 changes raised no alert while workers were killed"
    mid_fetch = sum(1 for *_, phase in kills if phase == "mid-fetch")
    if mid_fetch:
        assert "handed to another worker" in scheduler.log
    print(f"kills: {kills}; checks: {len(rows)}; requests: {len(requests)}")

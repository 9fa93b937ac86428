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
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from conftest import PG_URL_ENV
from distributed_cluster import pg_schema, run_faults
from sqlalchemy import text
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
    print(f"DISTRIBUTED_SEED={seed} (set it to replay this run's choices)")
    run = run_faults(tmp_path, cluster_db, trials=KILLS, seed=seed, deadline=DEADLINE)
    print(run.summary())
    assert run.problems == []
    assert len(run.kills) == KILLS
    assert run.claim_change_alerts >= 1, "the round-2 changes raised no alert while workers were killed"
    if any(k.phase == "mid-fetch" for k in run.kills):  # that job was left "doing": the scheduler handed it over
        assert run.handed_over >= 1

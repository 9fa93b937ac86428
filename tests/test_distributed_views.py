"""Distributed mode seen from the operator's side: "check now" enqueues a job, `status` and the dashboard show the
queue. Real PostgreSQL (its own schema per test), the real job queue schema (migration 0009), no worker needed.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from rich.console import Console
from sqlalchemy import text
from test_cli import cli

from monitor.config import load_config
from monitor.status import print_status, status_report
from monitor.web.app import create_app
from monitor.web.security import CSRF_FIELD, Credentials
from storage import open_database

LOOPBACK = "http://127.0.0.1"
HOSTILE = "<script>alert(1)</script>"


@pytest.fixture
def pg_config(db_url: str, tmp_path: Path) -> Iterator[Path]:
    """A distributed-mode config over a migrated PostgreSQL schema (the SQLite variant has no queue to show)."""
    if not db_url.startswith("postgresql"):
        pytest.skip("the job queue exists on PostgreSQL only")
    path = tmp_path / "config.toml"
    path.write_text(
        f'[database]\nurl = "{db_url}"\n[scheduler]\nmode = "distributed"\nworker_stall_timeout = "30s"\n'
        f'[[suppliers]]\nid = "acme"\nname = "{HOSTILE}"\nurl = "https://acme.example.com/company_profile.html"\n',
        encoding="utf-8",
    )
    open_database(db_url).dispose()
    yield path


def _jobs(config_path: Path) -> list[tuple[str, str, str]]:
    config = load_config(config_path)
    with open_database(config.database.url) as db, db.engine.connect() as conn:
        rows = conn.execute(text("SELECT queue_name, task_name, status FROM procrastinate_jobs ORDER BY id")).all()
    return [tuple(row) for row in rows]


def test_check_now_enqueues_one_job_per_supplier_and_the_queue_is_shown(pg_config: Path) -> None:
    with TestClient(create_app(pg_config, credentials=Credentials()), base_url=LOOPBACK) as client:
        token = client.get("/watchlist").text.split(f'name="{CSRF_FIELD}" value="', 1)[1].split('"', 1)[0]
        for _ in range(2):  # asked twice: one job waits (the supplier's queueing lock)
            job = client.post("/api/suppliers/acme/check", headers={"X-CSRF-Token": token}).json()
            deadline = time.monotonic() + 60
            while job["status"] not in ("done", "failed") and time.monotonic() < deadline:
                time.sleep(0.05)
                job = client.get(f"/api/jobs/{job['id']}").json()
            assert job["status"] == "done", job
            assert "checks queue" in job["summary"]
        assert _jobs(pg_config) == [("checks", "check_supplier", "todo")]

        queue = client.get("/api/queue").json()
        assert queue["available"] is True
        checks = next(q for q in queue["queues"] if q["queue"] == "checks")
        assert (checks["todo"], checks["due"], checks["doing"]) == (1, 1, 0)
        page = client.get("/watchlist").text
        assert 'id="job-queue"' in page and 'data-queue="checks"' in page
        assert "No worker has a heartbeat" in page
        assert HOSTILE not in page and "&lt;script&gt;" in page

    report = status_report(load_config(pg_config))
    assert report["mode"] == "distributed"
    assert {q["queue"]: q["todo"] for q in report["job_queue"]["queues"]} == {"checks": 1, "deliveries": 0}
    json.dumps(report)  # JSON-ready, as `status --json` prints it
    shown = cli("--config", str(pg_config), "status", cwd=pg_config.parent)
    assert "Job queue" in shown.stdout and "start one with `supplier-monitor worker`" in shown.stdout


def test_status_on_sqlite_has_no_queue(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'monitor.db'}"
    path = tmp_path / "config.toml"
    path.write_text(f'[database]\nurl = "{url}"\n', encoding="utf-8")
    open_database(url).dispose()
    report = status_report(load_config(path))
    assert report["mode"] == "single" and report["job_queue"]["available"] is False
    console = Console(record=True, width=200)
    print_status(report, console)
    assert "Job queue" not in console.export_text()


def test_the_scheduler_reports_its_health_like_the_daemon(pg_config: Path) -> None:
    """`status` (and /healthz) judge the distributed scheduler by its heartbeat; a clean stop is recorded."""
    from distributed_cluster import Process, wait_for

    config = load_config(pg_config)
    scheduler = Process(pg_config, "scheduler")
    try:
        wait_for(
            lambda: status_report(config)["daemon"]["status"] == "ok", "the scheduler's heartbeat", 60,
            lambda: scheduler.log,
        )  # fmt: skip
        beat = status_report(config)["daemon"]["daemon"]
        assert beat["pid"] == scheduler.pid and beat["last_tick_at"] is not None
    finally:
        code = scheduler.stop()
    assert code == 0, scheduler.log
    assert status_report(config)["daemon"]["status"] == "stopped"


def test_run_refuses_the_distributed_mode(pg_config: Path) -> None:
    done = cli("--config", str(pg_config), "run", cwd=pg_config.parent, timeout=60)
    assert done.returncode == 2
    assert "supplier-monitor scheduler" in done.stderr and "supplier-monitor worker" in done.stderr
